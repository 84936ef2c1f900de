/**
 * CI/CD status reporting end to end through the built CLI (`npm test` builds first): the
 * GitHub Actions job of test/cicd/github_job.mel runs its step with bash on this machine and
 * reports it to a local server standing for both the GitHub and the GitLab API, which checks
 * every request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from './helpers.js';

const CLI = join(ROOT, 'packages/cli/bin/tutti.js');
const PROGRAM = join(ROOT, 'test/cicd/github_job.mel');
const RUN_ID = randomUUID();
const GROUP_ID = randomUUID();

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, string>;
}

const seen: Seen[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1}');
  });
});
let base = '';
const cleanup: string[] = [];

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  for (const p of cleanup) rmSync(p, { recursive: true, force: true });
});

function runJob(script: string, gitlabUrl = `${base}/gitlab/api/v4`): Promise<{ code: number | null; output: string; workflow: string }> {
  const workflow = `wf-${randomUUID()}`;
  cleanup.push(...['.env', '-build.output', '-workspace'].map((s) => join(tmpdir(), `${workflow}${s}`)));
  const contexts = JSON.stringify({ github: { workflow, sha: 'abc123', repository: 'owner/repo' } });
  const child = spawn(
    process.execPath,
    [CLI, 'run', PROGRAM, '--contexts', contexts, '--run', script, '--gitlab_url', gitlabUrl, '--token', 's3cret'],
    {
      env: {
        ...process.env,
        NO_COLOR: '1',
        GITHUB_API_URL: `${base}/github/api/v3`,
        MELODIUM_API_URL: 'https://dashboard.example/0.1',
        MELODIUM_RUN_ID: RUN_ID,
        MELODIUM_GROUP_ID: GROUP_ID,
      },
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output, workflow })));
}

const TARGET = `https://dashboard.example/0.1/execution/report/dashboard/${GROUP_ID}/${RUN_ID}`;

function check(provider: 'github' | 'gitlab', states: string[]): void {
  const requests = seen.filter((s) => s.path.startsWith(`/${provider}/`));
  assert.deepEqual(
    requests.map((r) => r.body.state),
    states,
    provider,
  );
  for (const r of requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.headers['content-type'], 'application/json');
    if (provider === 'github') {
      assert.equal(r.path, '/github/api/v3/repos/owner/repo/statuses/abc123');
      assert.equal(r.headers.authorization, 'Bearer s3cret');
      assert.equal(r.headers.accept, 'application/vnd.github+json');
      assert.equal(r.headers['x-github-api-version'], '2022-11-28');
      assert.deepEqual(r.body, { state: r.body.state, context: 'build "job"', description: 'run by tutti', target_url: TARGET });
    } else {
      assert.equal(r.path, '/gitlab/api/v4/projects/7/statuses/abc123');
      assert.equal(r.headers['private-token'], 's3cret');
      assert.deepEqual(r.body, {
        state: r.body.state,
        ref: 'main',
        pipeline_id: '1',
        name: 'build "job"',
        description: 'run by tutti',
        target_url: TARGET,
      });
    }
  }
}

test('a passing step: evaluated script, GITHUB_ENV/GITHUB_OUTPUT written, statuses in order, job result', async () => {
  seen.length = 0;
  const r = await runJob('echo "version=${{ github.sha }}" >> "$GITHUB_OUTPUT"\necho "SEEN=yes" >> "$GITHUB_ENV"');
  assert.equal(r.code, 0, r.output);
  check('gitlab', ['pending', 'running', 'success']);
  check('github', ['pending', 'success']);
  assert.match(r.output, /info: job: \{\n {2}"build": \{\n {4}"outputs": \{\n {6}"version": "abc123"\n {4}\},\n {4}"result": "success"/);
  assert.equal(readFileSync(join(tmpdir(), `${r.workflow}.env`), 'utf8'), 'SEEN=yes\n');
});

test('a failing step: a failure status and result, no outputs; a refused GitLab is logged under "GitLab API"', async () => {
  seen.length = 0;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const r = await runJob('echo "version=1" >> "$GITHUB_OUTPUT"\nfalse', `http://127.0.0.1:${port}/api/v4`);
  assert.equal(r.code, 0, r.output);
  check('github', ['pending', 'failure']);
  assert.deepEqual(
    seen.filter((s) => !s.path.startsWith('/github/')),
    [],
  );
  // pending, running and failed were each attempted once the previous one settled.
  assert.equal(r.output.match(/error: GitLab API: connect ECONNREFUSED/g)?.length, 3, r.output);
  assert.match(r.output, /"outputs": \{\n {6}"version": ""\n {4}\},\n {4}"result": "failure"/);
});
