/**
 * The API against a real server (started in-process through the library) on SQLite and on
 * PostgreSQL (a fresh database on the shared test server): access, webhooks (signed,
 * wrongly signed, unsigned, rate limited), runs through the driver with their jobs and
 * logs, retry of one failed job alone, cancel, live events, statuses posted to a GitHub
 * peer, a restart that keeps queued runs and marks interrupted ones, and clear errors.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoConfig, fixtureRepo, freshPostgres, READ_TOKEN, SECRET, TOKEN } from '../test/support.js';
import { type RunningServer, readConfig, startServer } from './index.js';

const repo = fixtureRepo();
const cleanup: (() => Promise<void> | void)[] = [() => rmSync(repo.dir, { recursive: true, force: true })];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const auth = (t = TOKEN) => ({ authorization: `Bearer ${t}` });
async function call(s: RunningServer, method: string, path: string, body?: unknown, headers: Record<string, string> = auth()) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field by the assertions
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, any>) };
}
const signed = (payload: unknown, secret = SECRET) => {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
};
const pushEvent = (sha: string) => ({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'o/r' } });

/** A fake GitHub statuses endpoint: records every status posted. */
async function githubPeer() {
  const statuses: { path: string; body: Record<string, string> }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      statuses.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, statuses };
}

function suite(kind: 'sqlite' | 'postgres') {
  describe(`the API on ${kind}`, async () => {
    let database: string | undefined;
    let skip: string | undefined;
    if (kind === 'postgres') {
      const pg = await freshPostgres();
      if ('skip' in pg) skip = pg.skip;
      else {
        database = pg.url;
        cleanup.push(pg.drop);
      }
    }
    const data = mkdtempSync(join(tmpdir(), `tutti-serve-${kind}-`));
    cleanup.push(() => rmSync(data, { recursive: true, force: true }));
    const marker = join(data, 'marker');
    const peer = await githubPeer();
    const config = () =>
      demoConfig({
        repo: repo.dir,
        data,
        marker,
        ...(database === undefined ? {} : { database }),
        github: { repository: 'o/r', token: 'gh-token', apiUrl: peer.url },
      });
    let s: RunningServer;

    test('starts, migrates and answers health', { skip }, async () => {
      s = await startServer(config(), { log: () => {} });
      const h = await call(s, 'GET', '/api/health', undefined, {});
      assert.equal(h.status, 200);
      assert.equal(h.body.store, kind);
    });

    test('reads need a token, writes a write token; errors are JSON', { skip }, async () => {
      const anonymous = await call(s, 'GET', '/api/projects', undefined, {});
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.error.code, 'unauthorized');
      assert.equal((await call(s, 'GET', '/api/projects', undefined, auth('not-a-token-at-all'))).status, 401);
      const read = await call(s, 'GET', '/api/projects', undefined, auth(READ_TOKEN));
      assert.equal(read.status, 200);
      assert.deepEqual(
        read.body.projects.map((p: { name: string }) => p.name),
        ['demo'],
      );
      assert.equal(JSON.stringify(read.body).includes(SECRET), false, 'secrets are never served');
      const forbidden = await call(s, 'POST', '/api/projects/demo/pipelines/ci/runs', {}, auth(READ_TOKEN));
      assert.equal(forbidden.status, 403);
      assert.equal((await call(s, 'POST', '/api/projects/demo/pipelines/ci/runs', {}, {})).status, 401);
      assert.equal((await call(s, 'GET', '/api/nothing')).status, 404);
      assert.equal((await call(s, 'GET', '/api/runs/abc')).body.error.code, 'invalid_id');
      const bad = await call(s, 'POST', '/api/projects', { name: 'x', repository: repo.dir, pipelines: [{ name: 'p', kind: 'nope' }] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /pipelines\[0\]|unknown pipeline kind/);
      const badJson = await call(s, 'POST', '/api/projects', '{');
      assert.equal(badJson.body.error.code, 'invalid_json');
    });

    test('the OpenAPI document names every route', { skip }, async () => {
      const doc = await call(s, 'GET', '/api/openapi.json', undefined, {});
      assert.equal(doc.body.openapi, '3.1.0');
      for (const p of [
        '/api/projects',
        '/api/runs/{id}/retry',
        '/api/runs/{id}/graph',
        '/api/events',
        '/hooks/github/{project}',
        '/hooks/gitlab/{project}',
      ])
        assert.ok(doc.body.paths[p], p);
    });

    test('a wrongly signed or unsigned webhook is refused and logged', { skip }, async () => {
      const { body } = signed(pushEvent(repo.sha));
      const wrong = signed(pushEvent(repo.sha), 'not-the-secret').signature;
      const r1 = await call(s, 'POST', '/hooks/github/demo', body, { 'x-github-event': 'push', 'x-hub-signature-256': wrong });
      assert.equal(r1.status, 401);
      assert.match(r1.body.error.message, /signature does not match/);
      const r2 = await call(s, 'POST', '/hooks/github/demo', body, { 'x-github-event': 'push' });
      assert.equal(r2.status, 401);
      const r3 = await call(s, 'POST', '/hooks/gitlab/demo', '{}', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'wrong' });
      assert.equal(r3.status, 401);
      const deliveries = (await call(s, 'GET', '/api/deliveries')).body.deliveries as { accepted: boolean; reason: string }[];
      assert.equal(deliveries.filter((d) => !d.accepted).length, 3);
      assert.equal((await call(s, 'GET', '/api/runs')).body.runs.length, 0, 'no run started');
    });

    let runId = 0;
    test('a signed push runs the pipeline through the driver: jobs, needs, logs, statuses', { skip }, async () => {
      const { body, signature } = signed(pushEvent(repo.sha));
      const events: string[] = [];
      const unsubscribe = s.bus.subscribe(undefined, (e) => events.push(e.type === 'job' ? `${e.job}:${e.state}` : e.type));
      const r = await call(s, 'POST', '/hooks/github/demo', body, { 'x-github-event': 'push', 'x-hub-signature-256': signature });
      assert.equal(r.status, 202);
      assert.equal(r.body.runs.length, 1, 'only ci runs on a push (the other pipelines are manual)');
      runId = r.body.runs[0];
      await s.queue.whenIdle();
      unsubscribe();
      const { body: detail } = await call(s, 'GET', `/api/runs/${runId}`);
      assert.equal(detail.run.state, 'failed');
      assert.equal(detail.run.sha, repo.sha);
      const jobs = Object.fromEntries(detail.jobs.map((j: { name: string; state: string }) => [j.name, j]));
      assert.equal(jobs.build.state, 'passed');
      assert.equal(jobs.lint.state, 'passed');
      assert.equal(jobs.test.state, 'failed');
      assert.match(jobs.test.detail, /the marker is missing/);
      assert.ok(events.indexOf('build:passed') < events.indexOf('test:running'), 'test waits for build');
      const logs = await call(s, 'GET', `/api/runs/${runId}/logs?job=test`);
      assert.ok(logs.body.lines.some((l: { message: string }) => l.message === 'the marker is missing'));
      const graph = await call(s, 'GET', `/api/runs/${runId}/graph`);
      const buildGraph = graph.body.jobs.find((j: { name: string }) => j.name === 'build').graph;
      assert.deepEqual(
        buildGraph.nodes.map((n: { id: string }) => n.id),
        ['main/startup/ready', 'main/emit', 'main/logInfo/logBlock'],
      );
      assert.deepEqual(
        buildGraph.states.map((x: string[]) => x[0]),
        ['passed', 'passed', 'passed'],
      );
      assert.ok(buildGraph.critical.length > 0);
      const mine = peer.statuses.filter((st) => st.path === `/repos/o/r/statuses/${repo.sha}`);
      const last = (job: string) => mine.filter((st) => st.body.context === `tutti/ci/${job}`).at(-1)?.body.state;
      assert.equal(last('build'), 'success');
      assert.equal(last('test'), 'failure');
      assert.match(mine[0]?.body.target_url ?? '', new RegExp(`/#/runs/${runId}$`));
    });

    test('retrying the failed job runs it alone; the jobs that passed keep their outcome', { skip }, async () => {
      assert.equal((await call(s, 'POST', `/api/runs/${runId}/retry`, { job: 'build' })).status, 409, 'a passed job is not retried');
      writeFileSync(marker, '');
      const r = await call(s, 'POST', `/api/runs/${runId}/retry`, { job: 'test' });
      assert.equal(r.status, 202);
      assert.equal(r.body.attempt, 2);
      await s.queue.whenIdle();
      const { body } = await call(s, 'GET', `/api/runs/${runId}`);
      assert.equal(body.run.state, 'passed');
      const jobs = Object.fromEntries(body.jobs.map((j: { name: string; attempt: number; state: string }) => [j.name, j]));
      assert.deepEqual([jobs.build.attempt, jobs.lint.attempt, jobs.test.attempt], [1, 1, 2]);
      const buildLog = readFileSync(join(data, 'runs', String(runId), 'logs', 'build.jsonl'), 'utf8')
        .trim()
        .split('\n');
      assert.equal(buildLog.length, 1, 'build ran once');
      const testLog = (await call(s, 'GET', `/api/runs/${runId}/logs?job=test&label=test`)).body.lines.map(
        (l: { message: string }) => l.message,
      );
      assert.deepEqual(testLog, ['the marker is missing', 'the marker is there']);
      rmSync(marker);
    });

    test('a manual run with parameters; live events over SSE', { skip }, async () => {
      const controller = new AbortController();
      const res = await fetch(`${s.url}/api/events?token=${READ_TOKEN}`, { signal: controller.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const r = await call(s, 'POST', '/api/projects/demo/pipelines/ci/runs', { params: { marker: '/etc/hostname' } });
      assert.equal(r.status, 201);
      assert.equal(r.body.trigger, 'manual');
      while (!text.includes('"state":"passed","project"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
      controller.abort();
      assert.match(text, /event: job\ndata: \{"type":"job","run":\d+,"job":"build","state":"running"/);
      assert.match(text, /event: log\ndata: .*"message":"the marker is there"/);
      assert.match(text, /event: nodes\n/);
      await s.queue.whenIdle();
      assert.equal((await call(s, 'GET', `/api/runs/${r.body.id}`)).body.run.state, 'passed');
    });

    test('a pipeline that does not check fails with its diagnostics; check shows them before a run', { skip }, async () => {
      const c = await call(s, 'GET', '/api/projects/demo/pipelines/broken/check');
      const d = c.body.jobs[0].diagnostics[0];
      assert.deepEqual([d.code, d.file, d.line, d.column], ['E_UNKNOWN_INSTANCE', 'broken.mel', 14, 24]);
      const r = await call(s, 'POST', '/api/projects/demo/pipelines/broken/runs', {});
      await s.queue.whenIdle();
      const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
      assert.equal(body.run.state, 'failed');
      assert.match(body.jobs[0].detail, /^E_UNKNOWN_INSTANCE/);
    });

    test('cancel stops a running run', { skip }, async () => {
      const r = await call(s, 'POST', '/api/projects/demo/pipelines/slow/runs', {});
      for (let i = 0; i < 200; i++) {
        const j = (await call(s, 'GET', `/api/runs/${r.body.id}`)).body.jobs[0];
        if (j?.state === 'running') break;
        await new Promise((x) => setTimeout(x, 50));
      }
      const t0 = Date.now();
      assert.equal((await call(s, 'POST', `/api/runs/${r.body.id}/cancel`)).status, 202);
      await s.queue.whenIdle();
      assert.ok(Date.now() - t0 < 10_000);
      const { body } = await call(s, 'GET', `/api/runs/${r.body.id}`);
      assert.equal(body.run.state, 'cancelled');
      assert.equal(body.jobs[0].state, 'cancelled');
      assert.equal((await call(s, 'POST', `/api/runs/${r.body.id}/cancel`)).status, 409);
    });

    test('a restart keeps queued runs and marks interrupted ones', { skip }, async () => {
      await s.close();
      s = await startServer({ ...config(), concurrency: 1 }, { log: () => {} });
      const slow = await call(s, 'POST', '/api/projects/demo/pipelines/slow/runs', {});
      const queued = await call(s, 'POST', '/api/projects/demo/pipelines/ci/runs', { params: { marker: '/etc/hostname' } });
      for (let i = 0; i < 200 && (await s.store.getRun(slow.body.id))?.state !== 'running'; i++)
        await new Promise((x) => setTimeout(x, 50));
      await s.close();
      assert.equal((await call2(config(), slow.body.id)).state, 'interrupted');
      s = await startServer(config(), { log: () => {} });
      await s.queue.whenIdle();
      assert.equal((await s.store.getRun(queued.body.id))?.state, 'passed');
      assert.equal((await s.store.getRun(slow.body.id))?.state, 'interrupted');
      await s.close();
    });
  });
}

/** Reads a run straight from the store of a configuration (no server). */
async function call2(config: ReturnType<typeof demoConfig>, id: number) {
  const { openStore } = await import('./index.js');
  const store = await openStore({ dataDir: config.data, database: config.database });
  try {
    return (await store.getRun(id)) as NonNullable<Awaited<ReturnType<typeof store.getRun>>>;
  } finally {
    await store.close();
  }
}

suite('sqlite');
suite('postgres');

test('webhook deliveries are rate limited per address', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-rate-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const s = await startServer(demoConfig({ repo: repo.dir, data, marker: '/x', extra: { webhookRate: { perMinute: 1, burst: 2 } } }), {
    log: () => {},
  });
  try {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(s, 'POST', '/hooks/github/demo', '{}', { 'x-github-event': 'ping' })).status);
    assert.deepEqual(statuses, [401, 401, 429]);
  } finally {
    await s.close();
  }
});

test("the documentation's walkthrough: examples/serve/serve.json runs hello.mel with a parameter", async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env, TUTTI_SERVE_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET };
  const example = readConfig(join(root, 'examples/serve/serve.json'), env);
  assert.equal(example.readAccess, 'public');
  assert.equal(example.projects[0]?.pipelines.find((p) => p.name === 'nightly')?.schedule, '0 3 * * *');
  const dir = mkdtempSync(join(tmpdir(), 'tutti-serve-walk-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const hello = join(dir, 'hello-repo');
  execFileSync('mkdir', ['-p', hello]);
  copyFileSync(join(root, 'examples/hello.mel'), join(hello, 'hello.mel'));
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '.'],
    ['-c', 'user.name=me', '-c', 'user.email=me@example.org', 'commit', '-qm', 'hello'],
  ])
    execFileSync('git', args, { cwd: hello });
  const project = example.projects[0] as NonNullable<(typeof example.projects)[0]>;
  const s = await startServer(
    { ...example, port: 0, data: join(dir, 'data'), projects: [{ ...project, repository: hello }] },
    { log: () => {} },
  );
  try {
    const r = await call(s, 'POST', '/api/projects/hello/pipelines/ci/runs', { params: { who: 'Ada' } });
    assert.equal(r.status, 201);
    await s.queue.whenIdle();
    const run = await call(s, 'GET', `/api/runs/${r.body.id}`, undefined, {});
    assert.equal(run.body.run.state, 'passed', 'reads are public in the example');
    const greet = await call(s, 'GET', `/api/runs/${r.body.id}/logs?job=greet`, undefined, {});
    assert.deepEqual(
      greet.body.lines.map((l: { message: string }) => l.message),
      ['Ada'],
    );
    const again = await call(s, 'GET', `/api/runs/${r.body.id}/logs?job=again`, undefined, {});
    assert.match(again.body.lines[0].message, /^[0-9a-f]{40}$/, '${sha} is the commit');
  } finally {
    await s.close();
  }
});

test('a cron schedule starts runs; an invalid one stops the server from starting, with its place', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-cron-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const base = demoConfig({ repo: repo.dir, data, marker: '/x' });
  const project = base.projects[0] as NonNullable<(typeof base.projects)[0]>;
  const withSchedule = (schedule: string) => ({
    ...base,
    projects: [
      {
        ...project,
        pipelines: [
          {
            name: 'tick',
            kind: 'mel',
            jobs: { main: { program: 'build.mel', args: [], needs: [] } },
            on: ['schedule' as const],
            branches: [],
            schedule,
            params: {},
            artifacts: [],
          },
        ],
      },
    ],
  });
  await assert.rejects(startServer(withSchedule('61 * * * *'), { log: () => {} }), /projects\[0\]\.pipelines\[0\]\.schedule: /);
  const s = await startServer(withSchedule('* * * * * *'), { log: () => {} });
  try {
    let runs: Awaited<ReturnType<typeof s.store.listRuns>> = [];
    for (let i = 0; i < 100 && runs.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      runs = await s.store.listRuns();
    }
    assert.equal(runs[0]?.trigger, 'schedule');
    assert.equal(runs[0]?.pipeline, 'tick');
  } finally {
    await s.close();
  }
});

test('retention deletes finished runs older than the setting, with their files', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-retention-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const config = demoConfig({ repo: repo.dir, data, marker: '/etc/hostname' });
  let s = await startServer(config, { log: () => {} });
  const old = await s.startRun('demo', 'ci');
  const recent = await s.startRun('demo', 'ci');
  await s.queue.whenIdle();
  await s.store.updateRun(old.id, { endedAt: '2000-01-01T00:00:00.000Z' });
  await s.close();
  assert.ok(existsSync(join(data, 'runs', String(old.id), 'workspace')));
  s = await startServer({ ...config, retentionDays: 7 }, { log: () => {} });
  try {
    assert.equal(await s.store.getRun(old.id), undefined);
    assert.deepEqual(await s.store.listJobs(old.id), []);
    assert.equal(existsSync(join(data, 'runs', String(old.id))), false);
    assert.equal((await s.store.getRun(recent.id))?.state, 'passed');
  } finally {
    await s.close();
  }
});

test('cancelling a run stops its processes', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-cancel-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const base = demoConfig({ repo: repo.dir, data, marker: '/x' });
  const project = base.projects[0] as NonNullable<(typeof base.projects)[0]>;
  const slow = {
    name: 'slow',
    kind: 'mel',
    jobs: { main: { program: 'slow.mel', args: ['--seconds', '${seconds}'], needs: [] } },
    on: ['manual' as const],
    branches: [],
    params: {},
    artifacts: [],
  };
  const s = await startServer({ ...base, projects: [{ ...project, pipelines: [slow] }] }, { log: () => {} });
  // A duration no other process on the machine uses, to find this run's `sleep`.
  const seconds = `${40 + (process.pid % 997) / 1000}`;
  const alive = () =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .some((l) => l.trim() === `sleep ${seconds}`);
  try {
    const run = await s.startRun('demo', 'slow', { params: { seconds } });
    for (let i = 0; i < 200 && !alive(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(alive(), 'the job started its process');
    assert.equal(await s.queue.cancel(run.id), true);
    await s.queue.whenIdle();
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, 'the process is gone');
    assert.equal((await s.store.getRun(run.id))?.state, 'cancelled');
  } finally {
    await s.close();
  }
});

test('artifacts: the paths a pipeline names are kept with the run and served', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-artifacts-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const s = await startServer(demoConfig({ repo: repo.dir, data, marker: '/x' }), { log: () => {} });
  try {
    const run = await s.startRun('demo', 'package');
    await s.queue.whenIdle();
    assert.equal((await s.store.getRun(run.id))?.state, 'passed');
    const list = await call(s, 'GET', `/api/runs/${run.id}/artifacts`);
    assert.deepEqual(list.body.artifacts, [{ path: 'dist/report.txt', size: 9 }]);
    const res = await fetch(`${s.url}/api/runs/${run.id}/artifacts/dist/report.txt`, { headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'artifact\n');
    assert.equal((await call(s, 'GET', `/api/runs/${run.id}/artifacts/..%2Fworkspace%2Fbuild.mel`)).status, 404);
    assert.equal((await call(s, 'GET', `/api/runs/${run.id}/artifacts/dist/report.txt`, undefined, {})).status, 401);
  } finally {
    await s.close();
  }
});

test("a job's steps (cicd step elements) are recorded with their states and logs; the failed one fails the job", async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-steps-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const marker = join(data, 'marker');
  const s = await startServer(demoConfig({ repo: repo.dir, data, marker }), { log: () => {} });
  try {
    const seen: string[] = [];
    s.bus.subscribe(undefined, (e) => {
      if (e.type === 'step') seen.push(`${e.name}:${e.state}`);
    });
    const run = await s.startRun('demo', 'steps');
    await s.queue.whenIdle();
    const detail = await call(s, 'GET', `/api/runs/${run.id}`);
    assert.equal(detail.body.run.state, 'failed');
    assert.equal(detail.body.jobs[0].detail, "step 'verify' failed");
    const steps = Object.fromEntries(detail.body.steps.map((x: { name: string; state: string }) => [x.name, x.state]));
    assert.deepEqual(steps, { compile: 'passed', verify: 'failed' });
    assert.ok(seen.indexOf('compile:running') < seen.indexOf('compile:passed'), `live step events: ${seen}`);
    assert.ok(seen.indexOf('compile:passed') < seen.indexOf('verify:running'));
    const log = await call(s, 'GET', `/api/runs/${run.id}/logs?job=main&label=compile`);
    assert.deepEqual(
      log.body.lines.map((l: { message: string }) => l.message),
      ['compiled'],
      "a step's logs are the records labelled with its name",
    );
    writeFileSync(marker, '');
    await call(s, 'POST', `/api/runs/${run.id}/retry`, { job: 'main' });
    await s.queue.whenIdle();
    const after = await call(s, 'GET', `/api/runs/${run.id}`);
    assert.equal(after.body.run.state, 'passed');
    assert.deepEqual(after.body.steps.map((x: { name: string; state: string }) => `${x.name}:${x.state}`).sort(), [
      'compile:passed',
      'verify:passed',
    ]);
  } finally {
    await s.close();
  }
});

test('a GitLab push (token checked) runs the pipeline and posts its job statuses to GitLab', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-gitlab-'));
  cleanup.push(() => rmSync(data, { recursive: true, force: true }));
  const peer = await githubPeer();
  const base = demoConfig({ repo: repo.dir, data, marker: '/etc/hostname' });
  const project = base.projects[0] as NonNullable<(typeof base.projects)[0]>;
  const s = await startServer(
    {
      ...base,
      projects: [{ ...project, gitlab: { secret: SECRET, projectId: 'group/demo', token: 'gl-token', apiUrl: `${peer.url}/api/v4` } }],
    },
    { log: () => {} },
  );
  try {
    const payload = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', checkout_sha: repo.sha });
    const refused = await call(s, 'POST', '/hooks/gitlab/demo', payload, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': `${SECRET}x` });
    assert.equal(refused.status, 401);
    const r = await call(s, 'POST', '/hooks/gitlab/demo', payload, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET });
    assert.equal(r.status, 202);
    assert.equal(r.body.runs.length, 1);
    await s.queue.whenIdle();
    assert.equal((await s.store.getRun(r.body.runs[0]))?.state, 'passed');
    const mine = peer.statuses.filter((st) => st.path === `/api/v4/projects/group%2Fdemo/statuses/${repo.sha}`);
    const states = (job: string) => mine.filter((st) => st.body.name === `tutti/ci/${job}`).map((st) => st.body.state);
    assert.deepEqual(states('test'), ['pending', 'running', 'success']);
    assert.equal(mine[0]?.body.ref, 'main');
  } finally {
    await s.close();
  }
});
