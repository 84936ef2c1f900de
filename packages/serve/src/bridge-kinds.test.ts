/**
 * The `github` and `gitlab` pipeline kinds against a real server (in-process, SQLite) and a
 * real git repository: a signed webhook starts the run, the jobs run through the bridges on
 * the host, and the run's jobs, steps, logs and graphs are checked through the API and the
 * event bus (what SSE streams). A job fails while a flag file outside the repository is
 * missing; once the test creates it, retrying that job runs it alone, with the outputs
 * (GitHub) or artifacts and dotenv (GitLab) of the jobs that passed and did not run again.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig, type RunningServer, startServer } from './index.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'write-token-0123456789abcdef';
const SECRET = 'hook-secret-for-kinds';
const root = mkdtempSync(join(tmpdir(), 'tutti-serve-kinds-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A git repository with `files` committed on main. */
function repository(name: string, files: Record<string, string>): { dir: string; sha: string } {
  const dir = join(root, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '-m', 'fixture');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

async function call(s: RunningServer, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field by the assertions
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, any>) };
}

interface Job {
  name: string;
  state: string;
  attempt: number;
  needs: string[];
  detail?: string;
}
interface Step {
  job: string;
  name: string;
  state: string;
}
const byName = (jobs: Job[]) => Object.fromEntries(jobs.map((j) => [j.name, j]));
const logLines = (data: string, run: number, job: string) =>
  readFileSync(join(data, 'runs', String(run), 'logs', `${job}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { label: string; message: string; attempt: number });

describe('the github kind', async () => {
  const flag = join(root, 'github-flag');
  const repo = repository('gh', {
    '.github/workflows/ci.yml': `name: ci
on:
  push:
    branches: [main]
  workflow_dispatch:
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: \${{ steps.v.outputs.version }}
    steps:
      - name: Compute version
        id: v
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
      - name: Show ref
        run: echo "built $GITHUB_REF"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Use version
        run: echo "testing \${{ needs.build.outputs.version }}"
      - name: Check flag
        run: test -f "${flag}" || { echo "the flag is missing"; exit 1; }
  lint:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo linted \${{ matrix.n }}
`,
    '.github/workflows/slow.yml': `on: workflow_dispatch
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - name: Sleep
        run: sleep 60 & echo $! > "${join(root, 'sleep.pid')}"; wait
`,
    '.github/workflows/boxed.yml': `on: workflow_dispatch
jobs:
  boxed:
    runs-on: linux-box
    steps:
      - name: Where
        run: test -f /run/.containerenv && echo "in a container, debian $(cat /etc/debian_version)"
`,
    '.github/workflows/bad.yml': `on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: echo first
  a:
    runs-on: ubuntu-latest
    needs: nowhere
    steps:
      - run: echo a
`,
  });
  const data = join(root, 'gh-data');
  const s = await startServer(
    parseConfig({
      port: 0,
      data,
      tokens: [{ token: TOKEN }],
      projects: [
        {
          name: 'gh',
          repository: repo.dir,
          branch: 'main',
          github: { secret: SECRET },
          pipelines: [
            { name: 'ci', kind: 'github', workflow: '.github/workflows/ci.yml', on: ['push', 'manual'] },
            { name: 'bad', kind: 'github', workflow: '.github/workflows/bad.yml', on: ['manual'] },
            { name: 'slow', kind: 'github', workflow: '.github/workflows/slow.yml', on: ['manual'] },
            {
              name: 'boxed',
              kind: 'github',
              workflow: '.github/workflows/boxed.yml',
              on: ['manual'],
              platforms: { 'linux-box': 'localhost/debian:bookworm' },
            },
          ],
        },
      ],
    }),
    { log: () => {} },
  );
  after(() => s.close());
  let runId = 0;

  test('a signed push runs the workflow: jobs with needs, step states, logs by step, outputs between jobs', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: repo.sha, repository: { full_name: 'o/gh' } });
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const events: string[] = [];
    const unsubscribe = s.bus.subscribe(undefined, (e) => {
      if (e.type === 'job') events.push(`job ${e.job}:${e.state}`);
      if (e.type === 'step') events.push(`step ${e.job}/${e.name}:${e.state}`);
    });
    const project = (await call(s, 'GET', '/api/projects/gh')).body;
    assert.equal(project.pipelines[0].workflow, '.github/workflows/ci.yml');
    const r = await call(s, 'POST', '/hooks/github/gh', body, { 'x-github-event': 'push', 'x-hub-signature-256': signature });
    assert.equal(r.status, 202);
    assert.equal(r.body.runs.length, 1, 'only ci runs on a push');
    runId = r.body.runs[0];
    await s.queue.whenIdle();
    unsubscribe();
    const { body: detail } = await call(s, 'GET', `/api/runs/${runId}`);
    assert.equal(detail.run.state, 'failed');
    const jobs = byName(detail.jobs);
    assert.deepEqual([jobs.build?.state, jobs.lint?.state, jobs.test?.state], ['passed', 'passed', 'failed']);
    assert.deepEqual(jobs.test?.needs, ['build']);
    assert.match(jobs.test?.detail ?? '', /exit code 1|failed/);
    assert.ok(events.indexOf('job build:passed') < events.indexOf('job test:running'), 'test waits for build');
    assert.ok(events.includes('step test/Use version:passed'), 'step states are live events');
    assert.ok(events.includes('step test/Check flag:failed'));
    const steps = (detail.steps as Step[]).filter((x) => x.job === 'test').map((x) => `${x.name}:${x.state}`);
    assert.deepEqual(steps, ['Use version:passed', 'Check flag:failed']);
    const legs = (detail.steps as Step[])
      .filter((x) => x.job === 'lint')
      .map((x) => `${x.name}:${x.state}`)
      .sort();
    assert.deepEqual(
      legs,
      [
        'lint (1) › Run echo linted ${{ matrix.n }}:passed',
        'lint (1):passed',
        'lint (2) › Run echo linted ${{ matrix.n }}:passed',
        'lint (2):passed',
      ],
      'matrix legs and their steps, named as the bridge names them',
    );
    const lintGraph = (await call(s, 'GET', `/api/runs/${runId}/graph`)).body.jobs.find((j: { name: string }) => j.name === 'lint').graph;
    assert.deepEqual(
      lintGraph.states.map((x: string[]) => x[0]),
      ['passed'],
    );
    const testLog = logLines(data, runId, 'test');
    assert.ok(
      testLog.some((l) => l.label === 'Use version' && l.message === 'testing 1.2.3'),
      "the build job's output reached the test job",
    );
    assert.ok(testLog.some((l) => l.label === 'Check flag' && l.message === 'the flag is missing'));
    assert.ok(logLines(data, runId, 'build').some((l) => l.label === 'Show ref' && l.message === 'built refs/heads/main'));
    const graph = (await call(s, 'GET', `/api/runs/${runId}/graph`)).body;
    const testGraph = graph.jobs.find((j: { name: string }) => j.name === 'test').graph;
    assert.deepEqual(
      testGraph.nodes.map((n: { id: string }) => n.id),
      ['Use version', 'Check flag'],
    );
    assert.deepEqual(
      testGraph.states.map((x: string[]) => x[0]),
      ['passed', 'failed'],
    );
  });

  test('retrying the failed job runs it alone, with the outputs of the job it needs', async () => {
    const buildLines = logLines(data, runId, 'build').length;
    writeFileSync(flag, '');
    const r = await call(s, 'POST', `/api/runs/${runId}/retry`, JSON.stringify({ job: 'test' }));
    assert.equal(r.status, 202);
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${runId}`);
    assert.equal(body.run.state, 'passed');
    const jobs = byName(body.jobs);
    assert.deepEqual([jobs.build?.attempt, jobs.lint?.attempt, jobs.test?.attempt], [1, 1, 2]);
    assert.equal(logLines(data, runId, 'build').length, buildLines, 'build did not run again');
    const again = logLines(data, runId, 'test').filter((l) => l.attempt === 2);
    assert.ok(
      again.some((l) => l.label === 'Use version' && l.message === 'testing 1.2.3'),
      'the kept output of build',
    );
  });

  test('cancel stops the running job and its processes', async () => {
    const r = await call(s, 'POST', '/api/projects/gh/pipelines/slow/runs', '{}');
    const pidFile = join(root, 'sleep.pid');
    for (let i = 0; i < 400; i++) {
      if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '') break;
      await new Promise((x) => setTimeout(x, 50));
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive(), 'the step is running');
    const t0 = Date.now();
    assert.equal((await call(s, 'POST', `/api/runs/${r.body.id}/cancel`)).status, 202);
    await s.queue.whenIdle();
    assert.ok(Date.now() - t0 < 10_000, 'cancelled within 10 s');
    const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
    assert.equal(body.run.state, 'cancelled');
    assert.equal(body.jobs[0].state, 'cancelled');
    for (let i = 0; i < 100 && alive(); i++) await new Promise((x) => setTimeout(x, 50));
    assert.equal(alive(), false, "the step's process is gone");
  });

  test('platforms: a runs-on label mapped to an image runs the job in a container (podman), removed after', async () => {
    // The engine's environment (podman needs flags on these machines), as .ci/run sets it.
    if (process.env.TUTTI_CONTAINER_ENGINE === undefined) {
      const out = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/container-image.mjs')], { encoding: 'utf8' });
      for (const m of out.matchAll(/^export (\w+)='(.*)'$/gm)) process.env[m[1] as string] = m[2] as string;
    }
    const r = await call(s, 'POST', '/api/projects/gh/pipelines/boxed/runs', '{}');
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
    const lines = logLines(data, r.body.id, 'boxed');
    assert.equal(body.run.state, 'passed', JSON.stringify(lines));
    assert.ok(
      lines.some((l) => l.label === 'Where' && /^in a container, debian \d+/.test(l.message)),
      JSON.stringify(lines),
    );
    const engine = process.env.TUTTI_CONTAINER_ENGINE ?? 'podman';
    const args = (process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const names = execFileSync(engine, [...args, 'ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' });
    assert.deepEqual(
      names.split('\n').filter((n) => n.startsWith('tutti-gh-')),
      [],
      'no container left',
    );
  });

  test('a workflow that does not validate gives a failed run with located diagnostics', async () => {
    const check = (await call(s, 'GET', '/api/projects/gh/pipelines/bad/check')).body;
    assert.match(check.jobs[0].diagnostics.map((x: { text: string }) => x.text).join('\n'), /bad\.yml:9:\d+: .*nowhere/);
    const good = (await call(s, 'GET', '/api/projects/gh/pipelines/ci/check')).body;
    assert.deepEqual(
      good.jobs.map((j: { name: string }) => j.name),
      ['build', 'test', 'lint'],
    );
    const r = await call(s, 'POST', '/api/projects/gh/pipelines/bad/runs', '{}');
    assert.equal(r.status, 201);
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
    assert.equal(body.run.state, 'failed');
    assert.equal(body.jobs[0].name, 'workflow');
    assert.match(body.jobs[0].detail, /^E_WORKFLOW: .*nowhere/);
    const graph = (await call(s, 'GET', `/api/runs/${r.body.id}/graph`)).body;
    const d = graph.jobs[0].graph.diagnostics.find((x: { message: string }) => /nowhere/.test(x.message));
    assert.deepEqual([d.file, d.line], ['.github/workflows/bad.yml', 9]);
  });
});

describe('the gitlab kind', async () => {
  const flag = join(root, 'gitlab-flag');
  const repo = repository('gl', {
    'ci/secret.yml': `show:
  script:
    - echo "token is $API_TOKEN, user $DEPLOY_USER"
    - test "$API_TOKEN" = glpat-Abc123xyz789 && echo "the script got the real value"
`,
    'ci/broken.yml': `stages: [build]
job:
  stage: deploy
  script:
    - echo never
`,
    '.gitlab-ci.yml': `stages: [build, test, report]
build:
  stage: build
  script:
    - mkdir -p out && echo "artifact content" > out/a.txt
    - echo "VERSION=4.5.6" > build.env
  artifacts:
    paths: [out/]
    reports:
      dotenv: build.env
test:
  stage: test
  script:
    - cat out/a.txt
    - echo "version $VERSION"
    - test -f "${flag}" || { echo "the flag is missing"; exit 1; }
report:
  stage: report
  when: on_failure
  script:
    - echo "something failed"
release:
  stage: test
  rules:
    - if: $CI_COMMIT_BRANCH == "release"
  script:
    - echo release
`,
  });
  const data = join(root, 'gl-data');
  const s = await startServer(
    parseConfig({
      port: 0,
      data,
      tokens: [{ token: TOKEN }],
      projects: [
        {
          name: 'gl',
          repository: repo.dir,
          branch: 'main',
          gitlab: { secret: SECRET },
          pipelines: [
            { name: 'ci', kind: 'gitlab', on: ['push'] },
            { name: 'broken', kind: 'gitlab', file: 'ci/broken.yml', on: ['manual'] },
            {
              name: 'secret',
              kind: 'gitlab',
              file: 'ci/secret.yml',
              on: ['manual'],
              variables: { API_TOKEN: { value: 'glpat-Abc123xyz789', masked: true }, DEPLOY_USER: 'ada' },
            },
          ],
        },
      ],
    }),
    { log: () => {} },
  );
  after(() => s.close());
  let runId = 0;

  test('a push hook runs the pipeline a push creates: rules, stages, artifacts and dotenv between jobs', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', checkout_sha: repo.sha });
    const r = await call(s, 'POST', '/hooks/gitlab/gl', body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET });
    assert.equal(r.status, 202);
    runId = r.body.runs[0];
    await s.queue.whenIdle();
    const { body: detail } = await call(s, 'GET', `/api/runs/${runId}`);
    assert.deepEqual(detail.jobs.map((j: Job) => j.name).sort(), ['build', 'report', 'test'], 'release is not created for a push to main');
    const jobs = byName(detail.jobs);
    assert.equal(jobs.build?.state, 'passed');
    assert.equal(jobs.test?.state, 'failed');
    assert.deepEqual(jobs.test?.needs, ['build'], 'stage order');
    assert.equal(jobs.report?.state, 'passed', 'when: on_failure ran after the failure');
    assert.ok(logLines(data, runId, 'report').some((l) => l.message === 'something failed'));
    assert.match(jobs.test?.detail ?? '', /exit(ed)? (with )?code 1/);
    const testLog = logLines(data, runId, 'test').map((l) => l.message);
    assert.ok(testLog.includes('artifact content'), "build's artifact was downloaded");
    assert.ok(testLog.includes('version 4.5.6'), "build's dotenv report was applied");
    assert.ok(testLog.includes('the flag is missing'));
    const steps = (detail.steps as Step[]).filter((x) => x.job === 'test').map((x) => `${x.name}:${x.state}`);
    assert.deepEqual(steps, ['download_artifacts:passed', 'step_script:failed']);
  });

  test('retrying the failed job runs it alone, with the artifacts and dotenv of the passed job', async () => {
    const buildLines = logLines(data, runId, 'build').length;
    writeFileSync(flag, '');
    assert.equal((await call(s, 'POST', `/api/runs/${runId}/retry`, JSON.stringify({ job: 'test' }))).status, 202);
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${runId}`);
    assert.equal(body.run.state, 'passed');
    const jobs = byName(body.jobs);
    assert.deepEqual([jobs.build?.attempt, jobs.test?.attempt], [1, 2]);
    assert.equal(logLines(data, runId, 'build').length, buildLines, 'build did not run again');
    const again = logLines(data, runId, 'test')
      .filter((l) => l.attempt === 2)
      .map((l) => l.message);
    assert.ok(again.includes('artifact content'));
    assert.ok(again.includes('version 4.5.6'));
  });

  test("a project's masked variables show as [MASKED] in the job logs; scripts receive them", async () => {
    const r = await call(s, 'POST', '/api/projects/gl/pipelines/secret/runs', '{}');
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
    assert.equal(body.run.state, 'passed');
    const lines = logLines(data, r.body.id, 'show').map((l) => l.message);
    assert.ok(lines.includes('token is [MASKED], user ada'), lines.join('\n'));
    assert.ok(lines.includes('the script got the real value'));
    assert.ok(!lines.some((l) => l.includes('glpat-Abc123xyz789')), lines.join('\n'));
  });

  test('a masked value GitLab could not mask is refused with its place in the configuration', () => {
    const config = (value: string) => ({
      port: 0,
      data: join(root, 'never'),
      tokens: [{ token: TOKEN }],
      projects: [
        {
          name: 'p',
          repository: repo.dir,
          pipelines: [{ name: 'ci', kind: 'gitlab', variables: { KEY: { value, masked: true } } }],
        },
      ],
    });
    assert.throws(() => parseConfig(config('short')), /variables\.KEY\.value.*at least 8 characters long, as GitLab requires/);
    assert.throws(() => parseConfig(config('has spaces in it')), /cannot contain spaces/);
    assert.doesNotThrow(() => parseConfig(config('long-enough-value')));
  });

  test('a pipeline file that does not load gives a failed run with located diagnostics', async () => {
    const r = await call(s, 'POST', '/api/projects/gl/pipelines/broken/runs', '{}');
    await s.queue.whenIdle();
    const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
    assert.equal(body.run.state, 'failed');
    assert.equal(body.jobs[0].name, 'pipeline');
    assert.match(body.jobs[0].detail, /^E_GITLAB: .*deploy/);
    const d = (await call(s, 'GET', `/api/runs/${r.body.id}/graph`)).body.jobs[0].graph.diagnostics[0];
    assert.deepEqual([d.file, d.line], ['ci/broken.yml', 3]);
  });
});
