#!/usr/bin/env node
// Engine benchmarks (issue #3). Every figure is compared with a baseline measured in the
// same run, on this machine (absolute figures mean nothing across machines):
//  (a) values/s of generate → count → add → trigger.last over N u64 values, in-process,
//      vs the same computation hand-written with a bounded promise channel and batches of
//      8 192 (target ≥ 50 %), and vs RxJS 7 (target ≥ 2×);
//  (b) peak RSS of (a) for N/10 and N values (target: flat);
//  (c) 100 000 tracks opened by a source (testkit Counter), 3 treatments each: time,
//      peak RSS, and heap left after the run (target: released);
//  (d) a 1 GiB file copied by readLocal → writeLocal vs `dd bs=1M`, a userland copy (target
//      ≥ 60 %), in memory (/dev/shm, or D_DIR) and then on disk (TMPDIR), both run RUNS (≥ 4)
//      times in rotation from the same cached source; the engine
//      run is timed in-process (checked first, as `tutti run` does), `tutti run` wall time is
//      reported too, and `cp` (in-kernel copy_file_range, not a fair stream baseline);
//  (e) `tutti run` of a hello program vs `node -e 0` (target ≤ +150 ms).
// Environment: N (default 50 000 000), TRACKS (100 000), FILE_MIB (1024), RUNS (5), ONLY=a,c,...,
// COMPARE=<another checkout, built> to time its engine in (d) too (before/after in one run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, nodeStartupMs, prepareProgram, printMachine } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages/cli/bin/tutti.js');
const N = Number(process.env.N ?? 50_000_000);
const TRACKS = Number(process.env.TRACKS ?? 100_000);
const FILE_MIB = Number(process.env.FILE_MIB ?? 1024);
const RUNS = Number(process.env.RUNS ?? 5);
const ONLY = (process.env.ONLY ?? 'a,b,c,d,e').split(',');
const COMPARE = process.env.COMPARE;
const H = '#!/usr/bin/env melodium\n#! name = bench\n#! version = 0.1.0\n#! require = std:0.10.2 fs:0.10.2\n';
const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-'));

/** Runs this file in a child in `mode`, returning its JSON line. */
function child(mode, ...args) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), mode, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TUTTI_BENCH_CHILD: '1' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`bench child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- in-process runners (children) ---------------------------------------------------

async function runProgram(file, paths = []) {
  return (await prepareProgram(file, paths))();
}

function pipelineProgram(n) {
  return `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/flow::count
use std/flow::trigger
use std/ops/num::add
use std/engine/log::logDataInfo

treatment main()
{
    startup()
    emit<u128>(value = ${n})
    generate<u64>(data = 1)
    count<u64>()
    add<u128>()
    trigger<u128>()
    logDataInfo<u128>(label = "last")
    startup.trigger -> emit.trigger,emit -> generate.length,stream -> count.stream,count -> add.a
    count.count -> add.b
    add.sum -> trigger.stream,last -> logDataInfo.data
}
`;
}

/** The hand-written baseline: the same four stages, bounded promise channels, batches of 8 192. */
function copyProgram(src, dst) {
  return `${H}
use std/engine/util::startup
use fs/local::readLocal
use fs/local::writeLocal

treatment main()
{
    startup()
    readLocal(path = ${JSON.stringify(src)})
    writeLocal(path = ${JSON.stringify(dst)})
    startup.trigger -> readLocal.trigger,data -> writeLocal.data
}
`;
}

async function baseline(n) {
  const B = 8192;
  const CAP = 16;
  class Chan {
    q = [];
    closed = false;
    rw = null;
    ww = null;
    async send(b) {
      while (this.q.length >= CAP) await new Promise((r) => (this.ww = r));
      this.q.push(b);
      if (this.rw) {
        const r = this.rw;
        this.rw = null;
        r();
      }
    }
    close() {
      this.closed = true;
      if (this.rw) {
        const r = this.rw;
        this.rw = null;
        r();
      }
    }
    async recv() {
      while (this.q.length === 0) {
        if (this.closed) return null;
        await new Promise((r) => (this.rw = r));
      }
      const b = this.q.shift();
      if (this.ww) {
        const w = this.ww;
        this.ww = null;
        w();
      }
      return b;
    }
  }
  const c1 = new Chan(),
    c2 = new Chan(),
    c3 = new Chan();
  const gen = (async () => {
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      const b = new Array(m).fill(1);
      await c1.send(b);
    }
    c1.close();
  })();
  const cnt = (async () => {
    let k = 0;
    for (;;) {
      const b = await c1.recv();
      if (!b) break;
      const o = new Array(b.length);
      for (let i = 0; i < b.length; i++) o[i] = k++;
      await c2.send(o);
    }
    c2.close();
  })();
  const add = (async () => {
    for (;;) {
      const b = await c2.recv();
      if (!b) break;
      const o = new Array(b.length);
      for (let i = 0; i < b.length; i++) {
        const s = b[i] + b[i];
        o[i] = Number.isSafeInteger(s) ? s : BigInt(b[i]) * 2n;
      }
      await c3.send(o);
    }
    c3.close();
  })();
  let last;
  const tail = (async () => {
    for (;;) {
      const b = await c3.recv();
      if (!b) break;
      last = b[b.length - 1];
    }
  })();
  await Promise.all([gen, cnt, add, tail]);
  return last;
}

async function childMode(mode, arg) {
  if (mode === 'pipeline') {
    const n = Number(arg);
    const file = join(work, `pipe-${n}.mel`);
    writeFileSync(file, pipelineProgram(n));
    const { ms, logs } = await runProgram(file);
    const expected = String(2 * (n - 1));
    if (logs[0] !== expected) throw new Error(`pipeline computed ${logs[0]}, expected ${expected}`);
    return { ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  if (mode === 'rxjs') {
    // The idiomatic peer: RxJS, synchronous, one value per emission.
    const { range, map, last } = await import('rxjs');
    const n = Number(arg);
    const t0 = process.hrtime.bigint();
    let out;
    range(0, n)
      .pipe(
        map(() => 1),
        map((_, i) => i),
        map((k) => k + k),
        last(),
      )
      .subscribe((v) => {
        out = v;
      });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (out !== 2 * (n - 1)) throw new Error('rxjs miscomputed');
    return { ms };
  }
  if (mode === 'baseline') {
    const n = Number(arg);
    const t0 = process.hrtime.bigint();
    const last = await baseline(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (last !== 2 * (n - 1)) throw new Error('baseline miscomputed');
    return { ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  if (mode === 'tracks') {
    const count = Number(arg);
    const file = join(work, `tracks-${count}.mel`);
    writeFileSync(
      file,
      `${H}#! require = testkit:1.0.0

use std/flow::emit
use std/flow::stream
use std/flow::consume
use testkit::Counter
use testkit::turns
use testkit::@Turn

treatment main()
  require @Turn
  model counter: Counter(count = ${count})
{
    turns[counter = counter]()
    emit<u64>(value = @Turn[index])
    stream<u64>()
    consume<u64>()
    turns.started -> emit.trigger,emit -> stream.block,stream -> consume.stream
}
`,
    );
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const { ms } = await runProgram(file, [join(ROOT, 'test/testkit')]);
    global.gc?.();
    const after = process.memoryUsage().heapUsed;
    return { ms, rssMiB: process.resourceUsage().maxRSS / 1024, heapLeftMiB: (after - before) / 2 ** 20 };
  }
  if (mode === 'copy') {
    // `arg`: the program, then optionally another checkout whose engine runs it (COMPARE).
    const [mel, root] = arg.split('|');
    const prepare = root === undefined ? prepareProgram : (await import(join(root, 'bench/lib.mjs'))).prepareProgram;
    const { ms } = await (await prepare(mel))();
    return { ms };
  }
  throw new Error(`unknown mode ${mode}`);
}

if (process.env.TUTTI_BENCH_CHILD === '1') {
  const [mode, arg] = process.argv.slice(2);
  const r = await childMode(mode, arg);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// ---- the parent: measure, compare, print ---------------------------------------------

printMachine();
console.log(`engine benchmarks (${RUNS} runs each, medians; baselines measured in this run)`);
if (ONLY.includes('a') || ONLY.includes('b')) {
  const eng = [];
  const base = [];
  const rx = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(child('baseline', String(N)));
    eng.push(child('pipeline', String(N)));
    rx.push(child('rxjs', String(N)));
  }
  const em = median(eng.map((r) => r.ms));
  const bm = median(base.map((r) => r.ms));
  const rm = median(rx.map((r) => r.ms));
  if (ONLY.includes('a')) {
    console.log(`(a) ${fmt(N, 0)} values generate → count → add → last`);
    console.log(`    tutti engine:       ${fmt(em, 0)} ms = ${fmt(N / em / 1000)} M values/s`);
    console.log(`    hand-written chan:  ${fmt(bm, 0)} ms = ${fmt(N / bm / 1000)} M values/s`);
    console.log(`    RxJS 7 (sync, per value): ${fmt(rm, 0)} ms = ${fmt(N / rm / 1000)} M values/s`);
    console.log(`    ratio engine/baseline: ${fmt((bm / em) * 100, 0)} % (target ≥ 50 %); engine/RxJS: ${fmt(rm / em, 2)}× (target ≥ 2×)`);
  }
  if (ONLY.includes('b')) {
    const small = median(Array.from({ length: 3 }, () => child('pipeline', String(Math.floor(N / 10))).rssMiB));
    const big = median(eng.map((r) => r.rssMiB));
    console.log(
      `(b) peak RSS: ${fmt(N / 10, 0)} values ${fmt(small)} MiB, ${fmt(N, 0)} values ${fmt(big)} MiB → ratio ${fmt(big / small, 2)} (target ≈ 1, flat)`,
    );
  }
}
if (ONLY.includes('c')) {
  const big = Array.from({ length: Math.max(1, Math.floor(RUNS / 2)) }, () => child('tracks', String(TRACKS)));
  const small = child('tracks', String(Math.floor(TRACKS / 10)));
  const ms = median(big.map((r) => r.ms));
  console.log(`(c) ${fmt(TRACKS, 0)} tracks of 3 treatments: ${fmt(ms, 0)} ms = ${fmt((ms * 1000) / TRACKS, 2)} µs per track`);
  console.log(
    `    peak RSS ${fmt(median(big.map((r) => r.rssMiB)))} MiB (${fmt(TRACKS / 10, 0)} tracks: ${fmt(small.rssMiB)} MiB); heap left after the run ${fmt(median(big.map((r) => r.heapLeftMiB)), 2)} MiB (released)`,
  );
}
/**
 * (d) in `dir`: every copy reads the same source and writes a fresh target (see below).
 * `where` names the folder's kind in the output.
 */
function copyBench(dir, where) {
  // Every copy reads the same source, cached in memory before the first one (written, synced,
  // then read once), and writes a fresh target: the previous target is deleted and `sync`
  // runs before each copy, so no copy pays for another's writeback. The order rotates, so each
  // copy runs in every position equally often, and each is measured the same number of times.
  const src = join(dir, 'big.bin');
  const dst = join(dir, 'copy.bin');
  const mel = join(dir, 'copy.mel');
  const made = spawnSync('dd', ['if=/dev/urandom', `of=${src}`, 'bs=1M', `count=${FILE_MIB}`], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  spawnSync('sync');
  spawnSync('dd', [`if=${src}`, 'of=/dev/null', 'bs=1M']);
  writeFileSync(mel, copyProgram(src, dst));
  const ms = { dd: [], engine: [], cli: [], cp: [], compare: [] };
  const wall = (cmd, args) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const copies = [
    ['dd', () => wall('dd', [`if=${src}`, `of=${dst}`, 'bs=1M'])],
    // The engine's run of the checked program, in a fresh process (as `tutti run` does it,
    // without the process start and the check, which the cli line includes).
    ['engine', () => child('copy', mel).ms],
    ['cli', () => wall(process.execPath, [CLI, 'run', mel])],
    ['cp', () => wall('cp', [src, dst])],
    // Another checkout's engine (its bench/lib.mjs), for before/after figures from one run.
    ...(COMPARE === undefined ? [] : [['compare', () => child('copy', `${mel}|${COMPARE}`).ms]]),
  ];
  // One untimed dd first: the first copy after the source was written ran 5–10× slower.
  wall('dd', [`if=${src}`, `of=${dst}`, 'bs=1M']);
  const rounds = Math.max(4, RUNS);
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < copies.length; j++) {
      const [name, fn] = copies[(i + j) % copies.length];
      rmSync(dst, { force: true });
      spawnSync('sync');
      ms[name].push(fn());
      if (statSync(dst).size !== FILE_MIB * 2 ** 20) throw new Error(`${name}: the copy has the wrong size`);
    }
  }
  const node = nodeStartupMs();
  const mb = FILE_MIB * 1.048576;
  const m = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
  const line = (k) =>
    `${fmt(m[k], 0)} ms = ${fmt((mb / m[k]) * 1000, 0)} MB/s, best ${fmt(Math.min(...ms[k]), 0)} ms (${ms[k].map((x) => fmt(x, 0)).join(' ')})`;
  const pairs = ms.engine.map((e, i) => ms.dd[i] / e);
  console.log(`(d) ${FILE_MIB} MiB copied ${where}, ${rounds} runs each in rotation, medians (all runs in brackets):`);
  console.log(`    readLocal → writeLocal (engine run, in-process): ${line('engine')}`);
  console.log(`    dd bs=1M (userland copy):  ${line('dd')}`);
  console.log(
    `    → engine ${fmt((m.dd / m.engine) * 100, 0)} % of dd (target ≥ 60 %); best vs best ${fmt((Math.min(...ms.dd) / Math.min(...ms.engine)) * 100, 0)} %; per round ${pairs.map((x) => fmt(x * 100, 0)).join(' ')} %`,
  );
  console.log(`    tutti run copy.mel (wall, with node start and check): ${line('cli')}`);
  console.log(`      = ${fmt((m.dd / m.cli) * 100, 0)} % of dd; node -e 0 now ${fmt(node, 0)} ms`);
  console.log(`    cp (in-kernel copy, not a stream baseline): ${line('cp')} → engine ${fmt((m.cp / m.engine) * 100, 0)} % of cp`);
  if (COMPARE !== undefined) {
    const pairs = ms.compare.map((e, i) => ms.dd[i] / e);
    console.log(`    the engine of ${COMPARE}: ${line('compare')}`);
    console.log(
      `    → ${fmt((m.dd / m.compare) * 100, 0)} % of dd; best vs best ${fmt((Math.min(...ms.dd) / Math.min(...ms.compare)) * 100, 0)} %; per round ${pairs.map((x) => fmt(x * 100, 0)).join(' ')} %`,
    );
  }
  rmSync(src, { force: true });
  rmSync(dst, { force: true });
}
if (ONLY.includes('d')) {
  // In memory first (tmpfs, /dev/shm): the engine's stream against dd's, without the disk.
  // On this machine's disk (ext4 mounted with `discard`) a 1 GiB write stalls 1–3 s in about
  // a third of the copies, whichever tool makes it — dd as much as the engine — which decides
  // a median of five more than either tool does. Copies in memory stall too, less often (up
  // to 2 s, cp and dd included), so one run's medians are not the whole story: the rounds
  // are printed. Then on disk, as a user's files are (the per-round ratios compare copies
  // made one after the other).
  const shm = '/dev/shm';
  let memory;
  try {
    memory = process.env.D_DIR ?? mkdtempSync(join(shm, 'tutti-bench-'));
  } catch {}
  if (memory !== undefined) {
    copyBench(memory, `in memory (${process.env.D_DIR ?? shm})`);
    if (process.env.D_DIR === undefined) rmSync(memory, { recursive: true, force: true });
  }
  copyBench(work, `on disk (${tmpdir()})`);
}
if (ONLY.includes('e')) {
  const hello = join(work, 'hello.mel');
  writeFileSync(
    hello,
    `${H}\nuse std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\n\ntreatment main()\n{\n    startup()\n    emit<string>(value = "hello")\n    logInfo(label = "hello")\n    startup.trigger -> emit.trigger,emit -> logInfo.message\n}\n`,
  );
  const time = (args) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const node = [];
  const run = [];
  for (let i = 0; i < RUNS * 2 + 2; i++) {
    node.push(time(['-e', '0']));
    run.push(time([CLI, 'run', hello]));
  }
  const n = median(node);
  const r = median(run);
  console.log(`(e) tutti run hello: ${fmt(r, 0)} ms; node -e 0: ${fmt(n, 0)} ms → +${fmt(r - n, 0)} ms (target ≤ +150 ms)`);
}
rmSync(work, { recursive: true, force: true });
