#!/usr/bin/env node
// `tutti serve` benchmarks (issue 14). The server runs in this process (the library), the
// studio in headless Chromium (Debian's chromium through playwright-core).
//  (a) studio, 10 000 nodes: time to first render of a run page whose job graph has 10 000
//      nodes and 13 167 edges (laid out by the server's layered layout, time reported), vs
//      the same page with a 10-node graph (baseline, same run of the bench); then the median
//      frame time while panning (one rAF per 6 px step, 120 frames) zoomed out to the whole
//      graph (level of detail: boxes) and at 100 % (labels), and the median draw time.
//      Targets: first render < 2 s, median frame < 33 ms.
//  (b) webhook → first step: a signed push webhook to the first treatment running, with the
//      steps between (accepted, job running after clone and check); median of ROUNDS.
//  (c) 100 queued runs of a 10-step program (one job, ten processes one after the other): wall time
//      per run through the server (queue, clone, check, run, events, logs, SQLite), vs the
//      same program checked, launched and run by the driver directly (baseline), in
//      alternating batches of ten; the difference is the server's overhead per run.
// Environment: RUNS (c, default 100), ROUNDS (b, default 5), CHROMIUM (default /usr/bin/chromium),
// ONLY (the parts to run, default abc).
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPath, launch, runDesign } from '@tutti/driver';
import { layeredLayout, parseConfig, startServer } from '@tutti/serve';
import { median, printMachine } from './lib.mjs';

printMachine();
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS ?? 100);
const ONLY = process.env.ONLY ?? 'abc';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TOKEN = 'bench-token-0123456789abcdef';
const SECRET = 'bench-secret';
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-serve-'));
const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// A repository with a 10-step program: ten processes (`true`), each started when the one
// before finished, then a log line.
const repo = join(work, 'repo');
execFileSync('mkdir', ['-p', repo]);
const steps = Array.from({ length: 10 }, (_, i) => i);
writeFileSync(
  join(repo, 'ten.mel'),
  `#! name = ten
#! version = 0.1.0
#! require = std:0.10.2 process:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/engine/log::logInfo
use process/command::|command
use process/local::execOnce

/// Ten steps, one after the other.
treatment main()
{
    startup()
${steps.map((i) => `    s${i}: execOnce(command = |command("true", []))`).join('\n')}
    done: emit<string>(value = "ten steps done")
    log: logInfo(label = "ten")

    startup.trigger -> s0.launch
${steps
  .slice(1)
  .map((i) => `    s${i - 1}.finished -> s${i}.launch`)
  .join('\n')}
    s9.finished -> done.trigger,emit -> log.message
}
`,
);
const git = (...a) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
git('init', '--quiet', '--initial-branch=main');
git('-c', 'user.name=b', '-c', 'user.email=b@example.org', 'add', '.');
git('-c', 'user.name=b', '-c', 'user.email=b@example.org', 'commit', '--quiet', '-m', 'bench');
const sha = git('rev-parse', 'HEAD');

const config = (data, extra = {}) =>
  parseConfig({
    port: 0,
    data,
    concurrency: 1,
    tokens: [{ name: 'bench', token: TOKEN, access: 'write' }],
    projects: [{ name: 'bench', repository: repo, github: { secret: SECRET }, pipelines: [{ name: 'ten', program: 'ten.mel' }] }],
    ...extra,
  });

// ---- (a) studio ----------------------------------------------------------------------------
async function studio() {
  if (!existsSync(CHROMIUM)) {
    console.log(`(a) studio: skipped, ${CHROMIUM} is not installed`);
    return;
  }
  const server = await startServer(config(join(work, 'data-a')), { log: () => {} });
  try {
    // A synthetic run: 100 chains of 100 nodes, with a cross edge every third node.
    const graphOf = (n, chains) => {
      const per = n / chains;
      const nodes = Array.from({ length: n }, (_, i) => ({
        id: `main/c${Math.floor(i / per)}/n${i % per}`,
        label: `n${i % per}`,
        sub: 'bench::step',
        x: 0,
        y: 0,
        w: 90,
        h: 32,
      }));
      const edges = [];
      for (let i = 0; i < n; i++) {
        if (i % per !== per - 1) edges.push([i, i + 1]);
        if (i % 3 === 0 && i + per + 1 < n && (i + 1) % per !== 0) edges.push([i, i + per + 1]);
      }
      return { nodes, edges: edges.slice(0, Math.round(n * 1.49)) };
    };
    const states = ['passed', 'running', 'failed', 'waiting', 'skipped'];
    const make = async (n, chains) => {
      const g = graphOf(n, chains);
      const t0 = performance.now();
      const laid = layeredLayout(g);
      const layoutMs = performance.now() - t0;
      const run = await server.store.createRun({ project: 'bench', pipeline: 'ten', trigger: 'manual', params: {} });
      await server.store.updateRun(run.id, {
        state: 'passed',
        startedAt: new Date(Date.now() - 60000).toISOString(),
        endedAt: new Date().toISOString(),
      });
      await server.store.putJob({
        runId: run.id,
        name: 'big',
        state: 'passed',
        needs: [],
        attempt: 1,
        startedAt: new Date(Date.now() - 60000).toISOString(),
        endedAt: new Date().toISOString(),
      });
      const now = Date.now();
      const st = laid.nodes.map((_, i) => [
        states[i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0],
        now - 50000 + (i % 100) * 100,
        now - 49000 + (i % 100) * 100,
      ]);
      await server.store.putGraph(
        run.id,
        'big',
        JSON.stringify({ ...laid, diagnostics: [], states: st, critical: Array.from({ length: 100 }, (_, i) => i) }),
      );
      return { id: run.id, layoutMs, edges: g.edges.length };
    };
    const big = await make(10_000, 100);
    const small = await make(10, 1);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    try {
      const firstRender = async (id) => {
        const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
        await page.addInitScript((t) => localStorage.setItem('tutti.token', t), TOKEN);
        const t0 = performance.now();
        await page.goto(`${server.url}/#/runs/${id}`);
        await page.waitForFunction(() => window.__studio?.ready === true, undefined, { timeout: 60_000, polling: 10 });
        const ms = performance.now() - t0;
        return { page, ms };
      };
      const smallMs = [];
      const bigMs = [];
      for (let r = 0; r < 3; r++) {
        const s = await firstRender(small.id);
        smallMs.push(s.ms);
        await s.page.close();
        const b = await firstRender(big.id);
        bigMs.push(b.ms);
        if (r < 2) await b.page.close();
        else {
          const pan = (zoomTo) =>
            b.page.evaluate(async (z) => {
              const v = window.__studio.view;
              if (z === 'fit') v.fit();
              else {
                v.scale = z;
                v.tx = -2000;
                v.ty = -1000;
              }
              v.frames.length = 0;
              await new Promise((r) => requestAnimationFrame(r));
              const deltas = [];
              let last = performance.now();
              for (let i = 0; i < 120; i++) {
                v.pan(i % 40 < 20 ? -6 : 6, 3 * (i % 2 ? 1 : -1));
                await new Promise((r) => requestAnimationFrame(r));
                const t = performance.now();
                deltas.push(t - last);
                last = t;
              }
              const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
              const sorted = [...deltas].sort((a, b) => a - b);
              return { frame: med(deltas), p95: sorted[Math.floor(sorted.length * 0.95)], draw: med(v.frames), scale: v.scale };
            }, zoomTo);
          const fit = await pan('fit');
          const full = await pan(1);
          console.log(
            `(a) studio: first render ${fmt(median(bigMs), 0)} ms for 10 000 nodes / ${big.edges} edges vs ${fmt(median(smallMs), 0)} ms for 10 nodes (baseline; medians of 3) — target < 2000 ms; server layout ${fmt(big.layoutMs, 0)} ms (cached after)`,
          );
          console.log(
            `(a) studio: panning 10 000 nodes, median frame ${fmt(fit.frame)} ms (p95 ${fmt(fit.p95)}, draw ${fmt(fit.draw)} ms) zoomed out to all (scale ${fmt(fit.scale, 3)}), ${fmt(full.frame)} ms (p95 ${fmt(full.p95)}, draw ${fmt(full.draw)} ms) at 100 % — target < 33 ms`,
          );
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}

// ---- (b) webhook → first step --------------------------------------------------------------
async function webhookLatency() {
  const server = await startServer(config(join(work, 'data-b')), { log: () => {} });
  try {
    const rows = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const marks = {};
      const t0 = performance.now();
      const first = new Promise((resolve) => {
        const off = server.bus.subscribe(undefined, (e) => {
          if (e.type === 'job' && e.state === 'running') marks.job ??= performance.now() - t0;
          if (e.type === 'job' && e.state === 'failed') throw new Error(`the bench job failed: ${e.detail}`);
          if (e.type === 'nodes' && e.nodes.some((n) => n[1] !== 'waiting')) {
            marks.step ??= performance.now() - t0;
            off();
            resolve();
          }
        });
      });
      const res = await fetch(`${server.url}/hooks/github/bench`, {
        method: 'POST',
        headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature },
        body,
      });
      marks.accepted = performance.now() - t0;
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      await first;
      await server.queue.whenIdle();
      if (r > 0) rows.push(marks);
    }
    const m = (k) => fmt(median(rows.map((x) => x[k])), 0);
    console.log(
      `(b) webhook → first step: ${m('step')} ms (accepted ${m('accepted')} ms, job running after clone + check ${m('job')} ms); median of ${ROUNDS}`,
    );
  } finally {
    await server.close();
  }
}

// ---- (c) 100 queued runs of a 10-step program ---------------------------------------------
async function queuedRuns() {
  // Baseline: the driver alone, check + launch + run, RUNS times in a row.
  const file = join(repo, 'ten.mel');
  const direct = async () => {
    const checked = await checkPath(file);
    const design = launch(checked);
    if (design === undefined) throw new Error('ten.mel does not check');
    const r = await runDesign(design, { log: () => {} });
    if (!r.ok) throw new Error('ten.mel failed');
  };
  // Baseline and server alternate in batches of ten, so a change of the machine's load
  // weighs on both alike.
  const server = await startServer(config(join(work, 'data-c')), { log: () => {} });
  try {
    await direct();
    await server.startRun('bench', 'ten');
    await server.queue.whenIdle();
    let directTotal = 0;
    let serverTotal = 0;
    const ids = [];
    const batch = 10;
    for (let done = 0; done < RUNS; done += batch) {
      let t0 = performance.now();
      for (let i = 0; i < batch; i++) await direct();
      directTotal += performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < batch; i++) ids.push((await server.startRun('bench', 'ten')).id);
      await server.queue.whenIdle();
      serverTotal += performance.now() - t0;
    }
    const directMs = directTotal / ids.length;
    const serverMs = serverTotal / ids.length;
    const states = new Set();
    for (const id of ids) states.add((await server.store.getRun(id))?.state);
    if (states.size !== 1 || !states.has('passed')) throw new Error(`runs ended ${[...states]}`);
    console.log(
      `(c) ${ids.length} queued runs of a 10-step program (concurrency 1, in batches of ${batch} alternating with the baseline): ${fmt(serverMs)} ms per run through the server vs ${fmt(directMs)} ms checked + run by the driver alone (baseline): server overhead ${fmt(serverMs - directMs)} ms per run (clone, records, events, logs)`,
    );
  } finally {
    await server.close();
  }
}

try {
  if (ONLY.includes('a')) await studio();
  if (ONLY.includes('b')) await webhookLatency();
  if (ONLY.includes('c')) await queuedRuns();
} finally {
  rmSync(work, { recursive: true, force: true });
}
