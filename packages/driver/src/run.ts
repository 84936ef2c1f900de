/**
 * The last step of the pipeline: run a design on the engine. The host gives a log sink,
 * optionally an event listener (`--debug`) and an abort signal (SIGINT, a cancelled
 * server run); the engine finds deadlocks itself, per track.
 */

import type { ProgramSource } from '@tutti/core';
import type { Design } from '@tutti/design';
import { Engine, type EngineEvent, type LogRecord, type StepRecord } from '@tutti/engine';

/** Options of {@link runDesign}. */
export interface RunOptions {
  /** Receives every log record of the run, in order. */
  readonly log: (r: LogRecord) => void;
  /** Receives the execution events (tracks, treatments, values crossing connections). */
  readonly event?: (e: EngineEvent) => void;
  /** Stops the run when aborted; the reason (a string) is logged as a warning. */
  readonly signal?: AbortSignal;
  /** The program's sources, for models that ship it to workers (`distrib`). */
  readonly program?: ProgramSource;
  /** Receives the state changes of pipeline steps (CI/CD elements), for live views. */
  readonly step?: (r: StepRecord) => void;
}

/** How a run ended. */
export interface RunResult {
  /** False when a track or a model failed, or a deadlock was found (exit status 1). */
  readonly ok: boolean;
  /** Tracks created. */
  readonly tracks: number;
  /** The abort reason, when the run was stopped from outside. */
  readonly stopped?: string;
  /**
   * The pipeline steps whose last reported state is `failed` (CI/CD elements), in the
   * order they failed. A run can be `ok` with failed steps (a step failing is a value the
   * program handles): hosts decide what it means for them (`tutti run` keeps the
   * program's status, docs/progress.md).
   */
  readonly failedSteps: readonly string[];
}

/**
 * Runs `design` to its end (no activity and no track left) or until `signal` aborts.
 *
 * Deadlocks inside the graph are the engine's to find. What it cannot see is a treatment
 * waiting on something outside the graph that will never come (a native promise that
 * never settles): then the process's event loop empties while the run still waits, and
 * Node would exit as if all went well. That last case is caught here and ends the run
 * as failed, naming what every task waits on.
 */
export async function runDesign(design: Design, o: RunOptions): Promise<RunResult> {
  const lastState = new Map<string, StepRecord['state']>();
  const engine = new Engine(design, {
    log: o.log,
    ...(o.event === undefined ? {} : { event: o.event }),
    ...(o.program === undefined ? {} : { program: o.program }),
    step: (r) => {
      lastState.delete(r.name);
      lastState.set(r.name, r.state);
      o.step?.(r);
    },
  });
  let stopped: string | undefined;
  const onAbort = () => {
    stopped = String(o.signal?.reason ?? 'stopped');
    engine.stop(stopped, false);
  };
  const onIdle = () => {
    if (!engine.running) return;
    const waiting = engine.blocked();
    engine.stop(
      `the run cannot progress: every live treatment waits on something that will not come${waiting.length > 0 ? `:\n  ${waiting.join('\n  ')}` : ''}`,
      true,
    );
  };
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  process.on('beforeExit', onIdle);
  try {
    const outcome = await engine.run();
    const failedSteps = [...lastState].filter(([, state]) => state === 'failed').map(([name]) => name);
    return { ok: outcome.ok, tracks: outcome.tracks, failedSteps, ...(stopped === undefined ? {} : { stopped }) };
  } finally {
    process.off('beforeExit', onIdle);
    o.signal?.removeEventListener('abort', onAbort);
  }
}
