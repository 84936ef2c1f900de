/**
 * `cicd/steps::stepState` and `stepStateOn` — Tutti's extension (not in the reference):
 * the native treatments through which the `.mel` steps (`localStep*`, `stepOn*`,
 * `simpleStep*`) tell the host their state (`EngineServices.reportStep`), the one contract
 * live views, summaries and run history share (core `StepReport`).
 *
 * A reporter lives in the step's track: it reports `waiting` as soon as the step is
 * instantiated, `preparing` while the step's runner is being set up (or, for a step on a
 * runner, while its remote instance is requested and its input file written), `running` at
 * `started`, and at the end one of `passed`, `failed` (detail: the last exit code, or what
 * failed), `cancelled` (terminated, or the run stopped while it ran) or `skipped` (its
 * trigger never came). Inputs that have nothing to say are fed with `closeBlock`.
 */
import { END, type InputPort, type StepReport, type StepState, type TreatmentContext, treatment, type Value } from '@tutti/core';

const localInputs = {
  trigger: 'Block<void>',
  started: 'Block<void>',
  completed: 'Block<void>',
  success: 'Block<void>',
  error: 'Block<void>',
  failed: 'Block<void>',
  terminated: 'Block<void>',
  exit: 'Block<Option<i32>>',
  finished: 'Block<void>',
};

const inputs = { preparing: 'Block<void>', ready: 'Block<void>', ...localInputs };

type Port = keyof typeof inputs;
type Ctx = TreatmentContext<Port, 'prepare', 'name' | 'allow_failure'>;

/** What arrived: the inputs that delivered a value, and the exit code (null: none; undefined: no code came). */
interface Arrivals {
  readonly got: Set<Port>;
  exit?: number | null;
}

/** The state a finished step ends in, with its detail. */
export function finalState(a: Arrivals, finished: boolean): { state: StepState; detail?: string } {
  const has = (p: Port) => a.got.has(p);
  const code = a.exit === undefined || a.exit === null ? undefined : a.exit;
  const exitDetail = code === undefined ? undefined : `exit ${code}`;
  if (has('terminated')) return { state: 'cancelled', detail: 'terminated' };
  if (has('failed') || has('error')) return { state: 'failed', detail: exitDetail ?? (has('error') ? 'no exit code' : 'failed') };
  if (has('success') || has('completed')) return exitDetail === undefined ? { state: 'passed' } : { state: 'passed', detail: exitDetail };
  if (!has('trigger')) return { state: 'skipped' };
  // Triggered, yet neither outcome: the run stopped it, or it finished without commands.
  return finished ? { state: 'passed' } : { state: 'cancelled', detail: 'the run stopped' };
}

async function report(ctx: Ctx, runner: () => string | undefined, remote: boolean): Promise<void> {
  const name = ctx.params.name as string;
  let last: StepState | undefined;
  let lastDetail: string | undefined;
  const tell = (state: StepState, detail?: string) => {
    if (state === last && detail === lastDetail) return;
    last = state;
    lastDetail = detail;
    const r = runner();
    const rep: StepReport = { name, state, ...(r === undefined ? {} : { runner: r }), ...(detail === undefined ? {} : { detail }) };
    ctx.reportStep?.(rep);
  };
  tell('waiting');
  // The `prepare` output fires at instantiation: simpleStep starts its runner ahead of its trigger.
  await ctx.outputs.prepare.sendOne(undefined);
  ctx.outputs.prepare.close();

  const arrivals: Arrivals = { got: new Set() };
  let running = false;
  let ended = false;
  const arrive = (p: Port) =>
    (ctx.inputs[p] as InputPort).recvOne().then((v) => {
      if (v === END) return;
      arrivals.got.add(p);
      if (p === 'exit') arrivals.exit = v === null ? null : Number(v as Value);
      if (ended) return;
      switch (p) {
        case 'preparing':
          if (!running) tell('preparing');
          break;
        case 'ready':
          if (!running && !arrivals.got.has('trigger')) tell('waiting', 'runner ready');
          break;
        case 'trigger':
          if (!running && remote) tell('preparing');
          break;
        case 'started':
          running = true;
          tell('running');
          break;
        default:
      }
    });
  const all = (Object.keys(remote ? inputs : localInputs) as Port[]).filter((p) => p !== 'finished').map(arrive);
  const fin = await (ctx.inputs.finished as InputPort).recvOne();
  // `finished` is the step's last word, but the outcome signals may still be in flight.
  await Promise.all(all);
  ended = true;
  if (ctx.signal.aborted && fin === END && running) {
    tell('cancelled', 'the run stopped');
    return;
  }
  const f = finalState(arrivals, fin !== END);
  if (f.state === 'failed' && ctx.params.allow_failure === true) tell('passed', `${f.detail ?? 'failed'} (allowed to fail)`);
  else tell(f.state, f.detail);
}

/** The runner's name: the `label` its `setupRunner` gave to `start`, once known. */
interface Labelled {
  readonly startLabel?: string | undefined;
}

export const stepReporters = [
  treatment('cicd/steps', 'stepState', {
    params: { name: 'var string', allow_failure: 'var bool = false' },
    inputs: localInputs,
    outputs: { prepare: 'Block<void>' },
    doc:
      "Tutti's extension: tells the host (its live view, summary and history) the state of the step `name` run on this host: " +
      '`waiting` at instantiation (`prepare` is emitted then), `running` at `started`, and at `finished` `passed`, `failed` (detail: ' +
      'the exit code), `cancelled` (`terminated`) or `skipped` (no trigger came). With `allow_failure`, a failure is told as ' +
      '`passed` with the detail `… (allowed to fail)`: the pipeline tolerates it, so it does not fail the run.',
    run: (ctx) => report(ctx as Ctx, () => undefined, false),
  }),
  treatment('cicd/steps', 'stepStateOn', {
    models: { runner: 'distrib::DistributionEngine' },
    params: { name: 'var string' },
    inputs,
    outputs: { prepare: 'Block<void>' },
    doc:
      "Tutti's extension: as `stepState` for a step run on `runner` (named after the runner's label): `preparing` while the runner " +
      'is set up (`preparing` … `ready`) and between `trigger` and `started`.',
    run: (ctx) => report(ctx as Ctx, () => (ctx.models.runner as Labelled).startLabel, true),
  }),
];

/**
 * `cicd/steps::logLines` — Tutti's extension: logs every line of `lines` at debug level under
 * `label` (a Block), then emits `ended`. `spawnCommands` finishes on it, so a step's output is
 * in the log before its `finished` (the std log treatments have no such signal, and a runner
 * stopped on `finished` would otherwise lose the lines still queued).
 */
export const logLines = treatment('cicd/steps', 'logLines', {
  inputs: { label: 'Block<string>', lines: 'Stream<string>' },
  outputs: { ended: 'Block<void>' },
  doc: "Tutti's extension: logs each line at debug level under `label`, then emits `ended` (also when `lines` closes empty).",
  run: async (ctx) => {
    const label = await ctx.inputs.label.recvOne();
    for await (const batch of ctx.inputs.lines)
      if (label !== END) for (let i = 0; i < batch.length; i++) ctx.log('debug', label as string, batch[i] as string);
    await ctx.outputs.ended.sendOne(undefined);
  },
});
