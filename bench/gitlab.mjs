#!/usr/bin/env node
// GitLab CI benchmark (issue #13): a 30-job pipeline (six layers of five jobs; each job needs
// one or two jobs of the layer before and sleeps 0.2 to 0.6 s) on the shell executor, run by
//  tutti             `tutti gitlab run` (a fresh copy of the project per job), and by
//  gitlab-ci-local   4.60.0 with `--shell-isolation` (also a copy per job), its baseline in
//                    the same run (installed by scripts/gitlab-ci-local.mjs into the cache);
// reporting the wall time of both (target: tutti ≤ 0.8× gitlab-ci-local) and tutti's wall ÷
// critical path (target ≤ 1.05), where the critical path is the chain of needs that no
// parallelism could shorten, measured by the run itself (the jobs' own durations along it; the
// run wall counts from listing the project's files to the last clean-up, the graph span from the
// scheduler's start to the last job's end);
// the pipeline's sleeps alone on that chain are printed too.
// Environment: RUNS (default 3). The peer is skipped with a message when it cannot be installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerSetup } from '../scripts/gitlab-ci-local.mjs';
import { median, printMachine } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const BIN = fileURLToPath(new URL('../packages/cli/bin/tutti.js', import.meta.url));
const LAYERS = 6;
const WIDTH = 5;

/** The pipeline, and the sleeps of its longest chain of needs (seconds). */
function pipeline() {
  let yml = 'stages: [run]\n';
  const sleep = (l, i) => (0.2 + ((l * 7 + i * 3) % 5) * 0.1).toFixed(1);
  const longest = new Map();
  for (let l = 0; l < LAYERS; l++)
    for (let i = 0; i < WIDTH; i++) {
      const needs = l === 0 ? [] : [...new Set([`j${l - 1}_${i}`, `j${l - 1}_${(i + 1) % WIDTH}`])];
      yml += `j${l}_${i}:\n  stage: run\n  needs: [${needs.join(', ')}]\n  script:\n    - sleep ${sleep(l, i)}\n    - echo "layer ${l} job ${i}" > out-${l}-${i}.txt\n`;
      longest.set(`j${l}_${i}`, Number(sleep(l, i)) + Math.max(0, ...needs.map((n) => longest.get(n))));
    }
  return { yml, chain: Math.max(...longest.values()) };
}

function repository(yml) {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-bench-gitlab-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), yml);
  writeFileSync(join(dir, '.gitignore'), '.tutti/\n.gitlab-ci-local/\n');
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/bench/pipeline.git');
  git('add', '-A');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '-m', 'bench');
  return dir;
}

const timed = (cmd, args, cwd) => {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return ms;
};

printMachine();
const { yml, chain } = pipeline();
console.log(
  `gitlab: ${LAYERS * WIDTH} jobs with needs and sleeps; sleeps on the longest chain ${chain.toFixed(1)} s; median of ${RUNS} runs`,
);
const peer = await peerSetup();
const tutti = [];
const ratio = [];
const graph = [];
const peerMs = [];
for (let r = 0; r < RUNS; r++) {
  const dir = repository(yml);
  try {
    const report = join(dir, '.tutti/report.json');
    tutti.push(timed(process.execPath, [BIN, 'gitlab', 'run', '--report', report], dir));
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    ratio.push(rep.durationMs / rep.criticalPath.ms);
    graph.push(rep.graphMs / rep.criticalPath.ms);
    if (peer.bin) {
      const other = repository(yml);
      try {
        peerMs.push(timed(peer.bin, ['--shell-isolation', '--no-artifacts-to-source'], other));
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`  tutti gitlab run (process wall)          ${s(median(tutti))}`);
if (peer.bin) {
  console.log(`  gitlab-ci-local ${'4.60.0'} --shell-isolation  ${s(median(peerMs))}`);
  console.log(`  tutti ÷ gitlab-ci-local                  ${(median(tutti) / median(peerMs)).toFixed(2)}× (target ≤ 0.8)`);
} else console.log(`  gitlab-ci-local skipped: ${peer.skip}`);
console.log(
  `  tutti run wall ÷ critical path           ${median(ratio).toFixed(3)} (target ≤ 1.05; from listing the project to the last clean-up)`,
);
console.log(`  tutti job graph span ÷ critical path     ${median(graph).toFixed(3)} (the scheduler's start to the last job's end)`);
console.log(`  tutti process wall ÷ chain of sleeps     ${(median(tutti) / 1000 / chain).toFixed(3)}`);
