#!/usr/bin/env node
// GitHub Actions bridge benchmark (issue #12), figures against baselines of the same run:
//  (a) per-step overhead: `tutti github run` on one job of STEPS steps `run: true`, against the
//      same STEPS scripts run by `bash -e` one after another (what the steps cost without us);
//      reported as ms per step of (tutti − bash − fixed start-up), the start-up being measured
//      on the same job with one step. Target ≤ 15 ms per step.
//  (b) wall ÷ critical path on a workflow of 12 jobs with needs and sleeps (4 stages, the
//      slowest chain 4 × SLEEP s): the wall time of the job graph (from the report) divided by
//      the sum of the sleeps on the critical path. Target ≤ 1.05.
// Environment: STEPS (default 50), RUNS (default 5), SLEEP (seconds, default 1).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printMachine } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TUTTI = join(ROOT, 'packages/cli/bin/tutti.js');
const STEPS = Number(process.env.STEPS ?? 50);
const RUNS = Number(process.env.RUNS ?? 5);
const SLEEP = Number(process.env.SLEEP ?? 1);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-github-'));

try {
  printMachine();
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: work });
  mkdirSync(join(work, 'wf'));
  const job = (n) =>
    `on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n    steps:\n${Array.from({ length: n }, () => '      - run: true\n').join('')}`;
  writeFileSync(join(work, 'wf/steps.yml'), job(STEPS));
  writeFileSync(join(work, 'wf/one.yml'), job(1));
  const tutti = (file) => {
    const t = now();
    const r = spawnSync(process.execPath, [TUTTI, 'github', 'run', '-W', file, '--progress', 'plain', '--cache-dir', join(work, 'cache')], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    if (r.status !== 0) throw new Error(`tutti github run ${file} failed:\n${r.stdout}\n${r.stderr}`);
    return now() - t;
  };
  const scripts = [];
  for (let i = 0; i < STEPS; i++) {
    const f = join(work, `s${i}.sh`);
    writeFileSync(f, 'true\n');
    scripts.push(f);
  }
  const bash = () => {
    const t = now();
    for (const f of scripts) spawnSync('bash', ['-e', f], { stdio: 'ignore' });
    return now() - t;
  };
  const nodeStart = () => {
    const t = now();
    spawnSync(process.execPath, ['-e', '0']);
    return now() - t;
  };
  tutti('wf/one.yml'); // warm the file cache
  const m = { many: [], one: [], bash: [], node: [] };
  for (let r = 0; r < RUNS; r++) {
    m.many.push(tutti('wf/steps.yml'));
    m.one.push(tutti('wf/one.yml'));
    m.bash.push(bash());
    m.node.push(nodeStart());
  }
  const many = median(m.many);
  const one = median(m.one);
  const sh = median(m.bash);
  const perStep = (many - one - (sh * (STEPS - 1)) / STEPS) / (STEPS - 1);
  console.log(`(a) ${STEPS} steps of 'true' (median of ${RUNS}):`);
  console.log(`    node -e 0                     ${median(m.node).toFixed(0)} ms`);
  console.log(`    bash, ${STEPS} scripts one by one   ${sh.toFixed(0)} ms (${(sh / STEPS).toFixed(2)} ms per script)`);
  console.log(`    tutti github run, 1 step      ${one.toFixed(0)} ms (start-up, parse, one step)`);
  console.log(`    tutti github run, ${STEPS} steps    ${many.toFixed(0)} ms (${(many / STEPS).toFixed(2)} ms per step all in)`);
  console.log(`    overhead per step beyond bash  ${perStep.toFixed(2)} ms (target ≤ 15)`);

  // (b) 12 jobs in 4 stages; the critical chain a1 → b1 → c1 → d1 sleeps SLEEP s each
  const jobs = [];
  const stage = (p, n, needs) => {
    for (let i = 1; i <= n; i++) {
      const s = i === 1 ? SLEEP : SLEEP / 2;
      jobs.push(`  ${p}${i}:\n    runs-on: ubuntu-latest\n${needs ? `    needs: [${needs}]\n` : ''}    steps:\n      - run: sleep ${s}\n`);
    }
  };
  stage('a', 3, '');
  stage('b', 3, 'a1');
  stage('c', 3, 'b1, a2');
  stage('d', 3, 'c1, b3');
  writeFileSync(join(work, 'wf/graph.yml'), `on: push\njobs:\n${jobs.join('')}`);
  const ratios = [];
  for (let r = 0; r < Math.max(3, Math.ceil(RUNS / 2)); r++) {
    const report = join(work, `r${r}.json`);
    const r0 = spawnSync(process.execPath, [TUTTI, 'github', 'run', '-W', 'wf/graph.yml', '--progress', 'plain', '--report', report], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    if (r0.status !== 0) throw new Error(`graph failed:\n${r0.stdout}\n${r0.stderr}`);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    ratios.push({ wall: rep.graphMs, cp: rep.criticalPath.durationMs, ideal: 4 * SLEEP * 1000, path: rep.criticalPath.jobs.join(' → ') });
  }
  const mid = ratios.sort((a, b) => a.wall - b.wall)[Math.floor(ratios.length / 2)];
  console.log(`(b) 12 jobs, 4 stages, needs, sleeps (median of ${ratios.length}):`);
  console.log(`    critical path ${mid.path}: ${mid.cp} ms of job time (sleeps alone: ${mid.ideal} ms)`);
  console.log(
    `    job graph wall ${mid.wall} ms → wall ÷ critical path = ${(mid.wall / mid.cp).toFixed(3)} (target ≤ 1.05); ÷ sleeps = ${(mid.wall / mid.ideal).toFixed(3)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
