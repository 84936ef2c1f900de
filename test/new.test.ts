/**
 * `tutti new` (packages/driver/src/new-project.ts) end to end through the CLI: both
 * templates are created in temporary folders, checked and run; the cicd pipeline runs on
 * local (and, with podman or docker, on compose) for a git repository made for the test.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ContainerSetup, cli, containerSetupForTests, ROOT } from './helpers.js';

const base = mkdtempSync(join(tmpdir(), 'tutti-new-'));
after(() => rmSync(base, { recursive: true, force: true }));

let setup: ContainerSetup = { skip: 'not set up' };
before(async () => {
  setup = await containerSetupForTests({ optional: true });
});

/** Runs the CLI in `cwd` without blocking the test runner's event loop. */
function runAsync(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), ...args], {
    cwd,
    env: { ...process.env, ...env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ status: code ?? -1, stdout, stderr })));
}

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.email=ci@example.org', '-c', 'user.name=ci', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

test('raw: a project that checks and runs', () => {
  const r = cli(['new', 'hello'], base);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /raw project 'hello'/);
  assert.deepEqual(readdirSync(join(base, 'hello')).sort(), ['Compo.toml', 'README.md', 'main.mel']);
  assert.equal(cli(['check', '--all', 'hello'], base).status, 0);
  const run = cli(['run', 'hello', '--who', 'Ada'], base);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /info: hello: Ada$/m);
});

test('refuses bad names and folders in the way, writing nothing', () => {
  mkdirSync(join(base, 'busy'));
  writeFileSync(join(base, 'busy', 'keep.txt'), 'mine');
  for (const [args, message] of [
    [['new', 'busy'], /'busy' exists and is not empty; nothing was written/],
    [['new', 'Bad-Name'], /'Bad-Name' is not a valid package name/],
    [['new', 'cicd'], /'cicd' cannot name a project: it is the name of a bundled package/],
    [['new', 'fine', '--name', 'root'], /'root' cannot name a project/],
    [['new', 'x', '--template', 'docker'], /unknown template 'docker' \(raw or cicd\)/],
    [['new'], /new needs a folder/],
  ] as const) {
    const r = cli(args, base);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(join(base, 'busy')), ['keep.txt']);
  for (const absent of ['Bad-Name', 'cicd', 'fine', 'x']) assert.ok(!readdirSync(base).includes(absent), absent);
  assert.match(cli(['new', '--help'], base).stdout, /--template raw\|cicd/);
});

test('cicd: the pipeline of the project’s own repository runs on local; a failing test stops the package', async () => {
  const r = cli(['new', 'shop', '--template', 'cicd'], base);
  assert.equal(r.status, 0, r.stderr);
  const dir = join(base, 'shop');
  assert.equal(cli(['check', '--all', '.'], dir).status, 0);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'start');
  const run = await runAsync(['run', '.', '--progress', 'off'], dir);
  assert.equal(run.status, 0, run.stderr);
  for (const line of [
    /debug: install: installed 6 files/,
    /debug: lint: scripts are well formed/,
    /debug: test: 2 tests passed/,
    /debug: build: built app.tar.gz/,
    /debug: package: [0-9a-f]{64} {2}app.tar.gz/,
    /info: pipeline: passed/,
  ])
    assert.match(run.stdout, line);
  // build, lint and test all start once install is done: their lines come after it.
  const at = (re: RegExp) => run.stdout.search(re);
  for (const s of [/lint:/, /test:/, /build:/]) assert.ok(at(s) > at(/install:/));
  const listing = spawnSync('tar', ['-tzf', join(dir, 'dist/package.tar.gz')], { encoding: 'utf8' });
  assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['app.tar.gz', 'app.tar.gz.sha256']);

  appendFileSync(join(dir, 'tests/greet_test.sh'), 'exit 3\n');
  git(dir, 'commit', '-qam', 'break the tests');
  rmSync(join(dir, 'dist'), { recursive: true });
  const failed = await runAsync(['run', '.', '--progress', 'off'], dir);
  assert.match(failed.stdout, /error: test: Commands failed \(non-zero exit\)/);
  assert.match(failed.stdout, /error: pipeline: failed/);
  assert.doesNotMatch(failed.stdout, /package:/);
  assert.deepEqual(readdirSync(join(dir, 'dist')), ['source.tar.gz']);
});

test('cicd: --location compose runs the same pipeline in containers', async (t) => {
  if (setup.skip !== undefined) return t.skip(setup.skip);
  const dir = join(base, 'boxed');
  assert.equal(cli(['new', dir, '--template', 'cicd']).status, 0);
  // Before the first commit the working tree is what the pipeline takes.
  const run = await runAsync(['run', '.', '--progress', 'off', '--location', 'compose', '--image', setup.image as string], dir, setup.env);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /debug: test: 2 tests passed/);
  assert.match(run.stdout, /info: pipeline: passed/);
  const listing = spawnSync('tar', ['-tzf', join(dir, 'dist/package.tar.gz')], { encoding: 'utf8' });
  assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['app.tar.gz', 'app.tar.gz.sha256']);
});
