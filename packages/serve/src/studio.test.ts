/// <reference lib="dom" />
/**
 * End to end in headless Chromium (Debian's chromium through playwright-core) against a
 * real server started in-process: a webhook with a valid signature starts a run, the studio
 * shows its graph and the states change live over SSE, the failed job is retried alone from
 * the page, a wrongly signed webhook is refused, and a broken pipeline's check shows its
 * diagnostics. Screenshots are kept in .tmp/screenshots/serve/ (gitignored).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoConfig, fixtureRepo, SECRET, TOKEN } from '../test/support.js';
import { startServer } from './index.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../.tmp/screenshots/serve/', import.meta.url));
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('studio: a signed webhook starts a run, the graph updates live, the failed job is retried alone', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing: CI installs it (.ci/run)`);
    t.skip(`${CHROMIUM} is not installed (apt-get install -y chromium)`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  const repo = fixtureRepo();
  const data = mkdtempSync(join(tmpdir(), 'tutti-serve-studio-'));
  cleanup.push(
    () => rmSync(repo.dir, { recursive: true, force: true }),
    () => rmSync(data, { recursive: true, force: true }),
  );
  const marker = join(data, 'marker');
  const base = demoConfig({ repo: repo.dir, data, marker });
  // build takes a second, so the page sees the run in progress.
  const ci = base.projects[0]?.pipelines.find((p) => p.name === 'ci');
  assert.ok(ci);
  const config = {
    ...base,
    projects: [
      {
        ...(base.projects[0] as (typeof base.projects)[number]),
        pipelines: [
          { ...ci, jobs: { ...ci.jobs, build: { program: 'slow.mel', args: ['--seconds', '2'], needs: [] } } },
          ...(base.projects[0]?.pipelines.filter((p) => p.name !== 'ci') ?? []),
        ],
      },
    ],
  };
  const server = await startServer(config, { log: () => {} });
  cleanup.push(() => server.close());
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  cleanup.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const errors: string[] = [];
  const remote: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url)) remote.push(r.url());
  });
  await page.addInitScript((token) => localStorage.setItem('tutti.token', token), TOKEN);
  await page.goto(`${server.url}/`);
  await page.getByText('demo', { exact: false }).first().waitFor();
  await page.screenshot({ path: join(SHOTS, '1-home.png') });

  // A wrongly signed delivery is refused and starts nothing.
  const body = JSON.stringify({ ref: 'refs/heads/main', after: repo.sha });
  const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const hook = (signature: string) =>
    fetch(`${server.url}/hooks/github/demo`, {
      method: 'POST',
      headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    });
  assert.equal((await hook(sign('wrong-secret'))).status, 401);
  assert.equal((await server.store.listRuns()).length, 0);

  // A valid one starts the run; the home page lists it live.
  const accepted = await hook(sign(SECRET));
  assert.equal(accepted.status, 202);
  const [id] = ((await accepted.json()) as { runs: number[] }).runs;
  await page.locator(`#run-${id}`).waitFor();
  await page.goto(`${server.url}/#/runs/${id}`);
  await page.waitForFunction(() => (window as unknown as { __studio?: { ready: boolean } }).__studio?.ready === true);

  // The states change live: collect the job chips' states as the page shows them.
  const seen = new Set<string>();
  const chips = () =>
    page.evaluate(() =>
      Array.from(
        document.querySelectorAll('#jobs [data-job]'),
        (e) => `${(e as HTMLElement).dataset.job}:${e.className.replace('state s-', '')}`,
      ),
    );
  let shotLive = false;
  for (let i = 0; i < 400; i++) {
    for (const c of await chips()) seen.add(c);
    if (!shotLive && seen.has('build:running')) {
      await page.screenshot({ path: join(SHOTS, '2-run-live.png') });
      shotLive = true;
    }
    if (seen.has('test:failed')) break;
    await page.waitForTimeout(50);
  }
  assert.ok(seen.has('build:running'), `the page showed build running: ${[...seen]}`);
  assert.ok(seen.has('test:waiting'), 'the page showed test waiting for build');
  assert.ok(seen.has('test:failed'), 'then test failed, without reloading the page');
  const graph = await page.evaluate(() => {
    const v = (
      window as unknown as { __studio: { view: { count: number; state: string[]; nodes: { id: string }[]; critical: Uint8Array } } }
    ).__studio.view;
    return { count: v.count, states: v.state, ids: v.nodes.map((n) => n.id), critical: [...v.critical].filter((c) => c === 1).length };
  });
  assert.ok(graph.count >= 10, `the graph of the three jobs is drawn (${graph.count} nodes)`);
  assert.ok(graph.states.includes('passed'), 'node states arrived');
  assert.ok(graph.critical > 0, 'a critical path is highlighted');
  await page.locator('#jobs [data-job="test"]').click();
  await page.locator('#logs', { hasText: 'the marker is missing' }).waitFor();
  await page.locator('#bar .s-failed').first().waitFor();
  await page.screenshot({ path: join(SHOTS, '3-run-failed.png') });

  // Retry the failed job from the page, with the marker now there.
  writeFileSync(marker, '');
  await page.evaluate(() => (window as unknown as { __studio: { selectJob(n: string): void } }).__studio.selectJob('test'));
  await page.locator('button.retry-job[data-job="test"]').click();
  await page.locator('#bar .state.s-passed').first().waitFor({ timeout: 30_000 });
  await page.locator('#jobs [data-job="test"].s-passed').waitFor();
  await page.screenshot({ path: join(SHOTS, '4-run-retried.png') });
  const jobs = Object.fromEntries((await server.store.listJobs(id as number)).map((j) => [j.name, j]));
  assert.deepEqual([jobs.build?.attempt, jobs.lint?.attempt, jobs.test?.attempt], [1, 1, 2], 'only test ran again');
  assert.equal(
    readFileSync(join(data, 'runs', String(id), 'logs', 'build.jsonl'), 'utf8')
      .trim()
      .split('\n').length,
    1,
  );

  // A pipeline's graph and diagnostics before it runs.
  await page.goto(`${server.url}/#/check/demo/broken`);
  await page.locator('.diag', { hasText: 'E_UNKNOWN_INSTANCE' }).first().waitFor();
  assert.match(await page.locator('#details').innerText(), /broken\.mel:14:24/);
  await page.screenshot({ path: join(SHOTS, '5-check-broken.png') });
  await page.goto(`${server.url}/#/check/demo/ci`);
  await page.waitForFunction(
    () => (window as unknown as { __studio?: { ready: boolean; view: { count: number } } }).__studio?.ready === true,
  );
  assert.ok((await page.evaluate(() => (window as unknown as { __studio: { view: { count: number } } }).__studio.view.count)) >= 10);
  await page.screenshot({ path: join(SHOTS, '6-check-ci.png') });

  assert.deepEqual(errors, [], 'no script error on the page');
  assert.deepEqual(remote, [], 'nothing fetched from elsewhere');
});
