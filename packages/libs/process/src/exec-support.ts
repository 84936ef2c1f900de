/**
 * What the `process/exec` treatments share: receiving their Block inputs, the `terminate`
 * input as an abort signal, byte sources and sinks on ports, and the status outputs.
 */
import { type Batch, END, type End, type InputPort, type OutputPort } from '@tutti/core';
import type { CommandValue } from './command-value.js';
import type { EnvironmentValue } from './environment-value.js';
import type { ByteSink, ByteSource, Executor, RunControl, RunOutcome } from './executor.js';

/** What every run waits for before starting (rule B). */
export interface Setup {
  readonly executor: Executor;
  readonly environment: EnvironmentValue | null;
}

/** Receives `executor` and `environment`; null when either closes empty (rule B). */
export async function receiveSetup(executor: InputPort, environment: InputPort): Promise<Setup | null> {
  const x = await executor.recvOne();
  if (x === END) return null;
  const env = await environment.recvOne();
  if (env === END) return null;
  return { executor: x as Executor, environment: env as EnvironmentValue | null };
}

/** Receives the command of a `One` variant; null when it closes empty (rule B). */
export async function receiveCommand(command: InputPort): Promise<CommandValue | null> {
  const c = await command.recvOne();
  return c === END ? null : (c as CommandValue);
}

/** Returned by {@link Termination.next} when termination was requested first. */
export const TERMINATE: unique symbol = Symbol('terminate');

/**
 * The `terminate` Block input: requested when a value arrives, never when it closes empty.
 */
export class Termination {
  private readonly controller = new AbortController();
  private wake: ((v: typeof TERMINATE) => void) | undefined;

  constructor(input: InputPort) {
    input.recvOne().then(
      (v) => {
        if (v === END) return;
        this.controller.abort();
        this.wake?.(TERMINATE);
      },
      () => undefined, // a failed input never terminates
    );
  }

  /** Aborted once termination is requested. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get requested(): boolean {
    return this.controller.signal.aborted;
  }

  /** The next batch of `input` (or its end), unless termination is requested first. */
  next(input: InputPort): Promise<Batch | End | typeof TERMINATE> {
    if (this.requested) return Promise.resolve(TERMINATE);
    return new Promise((resolve, reject) => {
      this.wake = resolve;
      input.recvMany().then((b) => {
        this.wake = undefined;
        resolve(b);
      }, reject);
    });
  }
}

/** Sends `started` once, on the first start of a run. */
export class Starts {
  private sent: Promise<boolean> | undefined;
  constructor(private readonly port: OutputPort) {}

  /** For {@link RunControl.started}. */
  readonly started = (): void => {
    this.sent ??= this.port.sendOne(undefined);
  };

  /** Waits until `started`, if sent, was delivered (before any later status). */
  async settled(): Promise<void> {
    await this.sent;
  }
}

/** The run control of a treatment: its starts, its termination and the engine's stop. */
export function controlOf(starts: Starts, termination: Termination, stop: AbortSignal): RunControl {
  return { started: starts.started, terminate: termination.signal, stop };
}

/** The process's stdin from a byte input (accepts arrays of numbers as well as bytes). */
export function sourceOf(input: InputPort): ByteSource {
  return {
    async next() {
      const b = await input.recvMany();
      if (b === END) return null;
      return b instanceof Uint8Array ? b : Uint8Array.from(b as readonly number[]);
    },
    cancel() {
      input.close();
    },
  };
}

/** Process output to a byte output. */
export function sinkOf(output: OutputPort): ByteSink {
  return (chunk) => output.sendMany(chunk);
}

/** Closes every output but those named. */
export function closeAllBut(outputs: Readonly<Record<string, OutputPort>>, ...keep: string[]): void {
  for (const [name, port] of Object.entries(outputs)) if (!keep.includes(name)) port.close();
}

/**
 * The statuses of a single run (`*One*` variants), in the reference's order: `completed`
 * then `exit`, or `failed`, `error` and `exit` when known, then `finished`; a terminated
 * run gives `finished` then `terminated`, and neither completed nor failed.
 */
export async function reportOne(outcome: RunOutcome, outputs: Readonly<Record<string, OutputPort>>): Promise<void> {
  const o = outputs as Record<'completed' | 'failed' | 'error' | 'exit' | 'finished' | 'terminated', OutputPort>;
  if (outcome.status === 'terminated') {
    closeAllBut(outputs, 'finished', 'terminated');
    await o.finished.sendOne(undefined);
    await o.terminated.sendOne(undefined);
    return;
  }
  o.terminated.close();
  if (outcome.status === 'completed') {
    o.failed.close();
    o.error.close();
    await o.completed.sendOne(undefined);
    await o.exit.sendOne(outcome.exit);
  } else {
    o.completed.close();
    await o.failed.sendOne(undefined);
    if (outcome.error !== undefined) await o.error.sendOne(outcome.error);
    if (outcome.exit !== undefined) await o.exit.sendOne(outcome.exit);
  }
  closeAllBut(outputs, 'finished');
  await o.finished.sendOne(undefined);
}

/** How a sequence of runs (`exec`/`spawn` variants over a stream) ended. */
export type SequenceEnd = 'completed' | 'failed' | 'terminated';

/**
 * Runs `commands` one after the other until the stream ends, a run fails or is terminated,
 * or termination is requested (also while waiting for commands). `ran` is given each outcome
 * that came to an end (completed or failed) before the next command starts. How the
 * sequence ended, or undefined when the engine stopped (nobody listens any more).
 */
export async function runSequence(
  commands: InputPort,
  termination: Termination,
  stop: AbortSignal,
  run: (command: CommandValue) => Promise<RunOutcome>,
  ran: (outcome: Exclude<RunOutcome, { readonly status: 'terminated' }>) => Promise<void> | void,
): Promise<SequenceEnd | undefined> {
  for (;;) {
    const batch = await termination.next(commands);
    if (batch === END) return 'completed';
    if (batch === TERMINATE) return 'terminated';
    for (let i = 0; i < batch.length; i++) {
      if (termination.requested) return 'terminated';
      const outcome = await run(batch[i] as CommandValue);
      if (stop.aborted) return undefined;
      if (outcome.status === 'terminated') return 'terminated';
      await ran(outcome);
      if (outcome.status === 'failed') return 'failed';
    }
  }
}

/** The final statuses of a sequence: every other output closed, then its end, then `finished`. */
export async function reportSequence(end: SequenceEnd, outputs: Readonly<Record<string, OutputPort>>): Promise<void> {
  closeAllBut(outputs, end, 'finished');
  await (outputs[end] as OutputPort).sendOne(undefined);
  await (outputs.finished as OutputPort).sendOne(undefined);
}
