// Shared helpers of the benchmarks: medians, timing, and running a .mel program in-process
// (checked once; lowered and run by the engine for each measure).

/** The median of `xs`. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  const { checkPath } = await import('@tutti/cli');
  const { lowerProgram } = await import('@tutti/lang');
  const { DiagnosticSink } = await import('@tutti/core');
  const { Engine } = await import('@tutti/engine');
  const { sink, result, selection } = await checkPath(file, { paths });
  if (sink.hasErrors) throw new Error(sink.items.map((d) => d.message).join('\n'));
  const entry = result.entrypoints.get(selection.entrypoints[0].id);
  return async () => {
    const launch = new DiagnosticSink();
    const design = lowerProgram({ entry, facts: result.facts, args: new Map(), origin: () => '' }, launch);
    if (design === undefined) throw new Error(launch.items.map((d) => d.message).join('\n'));
    const logs = [];
    const engine = new Engine(design, { log: (r) => logs.push(r.message) });
    const t0 = process.hrtime.bigint();
    const outcome = await engine.run();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!outcome.ok) throw new Error(`run failed: ${logs.join('\n')}`);
    return { ms, logs };
  };
}
