import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { githubRunContexts, githubShell, repositoryFromUrl } from './run-environment.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('github_run_contexts: the repository facts, the event file and the runner folder; given members win', () => {
  const repo = mkdtempSync(join(tmpdir(), 'tutti-run-env-'));
  const files = `tutti-run-env-test-${process.pid}`;
  dirs.push(repo, join(tmpdir(), files));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'trunk');
  git('remote', 'add', 'origin', 'git@github.example.com:acme/gadgets.git');
  git('-c', 'user.name=Ann', '-c', 'user.email=a@example.com', 'commit', '-q', '--allow-empty', '-m', 'one');
  const sha = git('rev-parse', 'HEAD');
  const given = JSON.stringify({
    github: { workflow: 'ci', repository: 'acme/gadgets', event_name: 'push', actor: 'bob' },
    env: { A: '1' },
  });
  const c = JSON.parse(githubRunContexts(given, 'build', '.github/workflows/ci.yml', files, repo)) as Record<
    string,
    Record<string, unknown>
  >;
  const gh = c.github!;
  assert.equal(gh.sha, sha);
  assert.equal(gh.ref, 'refs/heads/trunk');
  assert.equal(gh.ref_name, 'trunk');
  assert.equal(gh.actor, 'bob'); // given
  assert.equal(gh.job, 'build');
  assert.equal(gh.workspace, repo);
  assert.equal(gh.server_url, 'https://github.example.com');
  assert.equal(gh.workflow_ref, 'acme/gadgets/.github/workflows/ci.yml@refs/heads/trunk');
  assert.equal((gh.event as Record<string, unknown>).after, sha);
  assert.deepEqual(JSON.parse(readFileSync(gh.event_path as string, 'utf8')), gh.event);
  assert.equal(c.runner!.os, 'Linux');
  assert.ok(existsSync(c.runner!.temp as string));
  assert.ok((c.runner!.temp as string).startsWith(join(tmpdir(), files)));
  assert.deepEqual(c.env, { A: '1' });
  // not a JSON object: as it is (prepareContexts says what is wrong)
  assert.equal(githubRunContexts('[1]', 'build', 'x.yml', files, repo), '[1]');
  assert.equal(githubRunContexts('{', 'build', 'x.yml', files, repo), '{');
});

test("githubShell: GitHub's table, custom templates, cmd refused", () => {
  const f = (ext: string) => `/t/s${ext}`;
  assert.deepEqual(githubShell(undefined, f, true), { program: 'bash', args: ['-e', '/t/s.sh'], ext: '.sh' });
  assert.deepEqual(githubShell(null, f, false), { program: 'sh', args: ['-e', '/t/s.sh'], ext: '.sh' });
  assert.deepEqual(githubShell('bash', f, true)?.args, ['--noprofile', '--norc', '-eo', 'pipefail', '/t/s.sh']);
  assert.deepEqual(githubShell('python', f, true), { program: 'python3', args: ['/t/s.py'], ext: '.py' });
  assert.deepEqual(githubShell('perl -w {0}', f, true), { program: 'perl', args: ['-w', '/t/s'], ext: '' });
  assert.deepEqual(githubShell('node', f, true), { program: 'node', args: ['/t/s'], ext: '' });
  assert.equal(githubShell('cmd', f, true), undefined);
});

test('repositoryFromUrl: https and scp forms', () => {
  assert.deepEqual(repositoryFromUrl('https://github.com/acme/widgets.git'), { server: 'https://github.com', repo: 'acme/widgets' });
  assert.deepEqual(repositoryFromUrl('git@gitlab.example:group/sub/proj'), { server: 'https://gitlab.example', repo: 'sub/proj' });
  assert.equal(repositoryFromUrl('not a url'), undefined);
});
