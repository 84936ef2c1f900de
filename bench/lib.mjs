// Shared helpers of the benchmarks: medians, timing, and running a .mel program in-process
// (checked once; lowered and run by the engine for each measure), and the machine line every
// bench prints first, so that figures from different machines can be told apart.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

/** The median of `xs`. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds of `node -e 0` here: the median of `runs` spawns after one warm-up. */
export function nodeStartupMs(runs = 9) {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-e', '0']);
    if (r.status !== 0) throw new Error(`node -e 0 failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

/** Prints (and returns) this machine's `node -e 0` time, with the Node version, cores and load. */
export function printMachine(runs = 9) {
  const ms = nodeStartupMs(runs);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(
    `machine: node -e 0 = ${ms.toFixed(1)} ms (median of ${runs}); node ${process.version}, ${cpus().length} cores, load ${load}`,
  );
  return ms;
}

/** Milliseconds for `fn`: the median of `runs` runs after one warm-up. */
export async function timeMedian(fn, runs) {
  await fn();
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ms);
}

/**
 * Checks the program `file` once and returns a function that lowers and runs it, resolving
 * to the engine's run time in ms and the logged messages; a failed run throws.
 */
export async function prepareProgram(file, paths = []) {
  const { checkPath, launch } = await import('@tutti/driver');
  const { Engine } = await import('@tutti/engine');
  const checked = await checkPath(file, { paths });
  if (checked.sink.hasErrors) throw new Error(checked.sink.items.map((d) => d.message).join('\n'));
  return async () => {
    const design = launch(checked);
    if (design === undefined) throw new Error(checked.sink.items.map((d) => d.message).join('\n'));
    const logs = [];
    const engine = new Engine(design, { log: (r) => logs.push(r.message) });
    const t0 = process.hrtime.bigint();
    const outcome = await engine.run();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!outcome.ok) throw new Error(`run failed: ${logs.join('\n')}`);
    return { ms, logs };
  };
}
