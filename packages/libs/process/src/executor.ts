/**
 * The execution backend behind a `process/exec::Executor` value: the
 * treatments of `process/exec` only call the three operations below, so other packages
 * (`work` container and Kubernetes executors) provide backends by implementing this
 * interface, without importing this package's internals.
 *
 * A backend decides what a run's outcome is (the reference's behaviour, reproduced per backend: the
 * local `spawnOut` reports a non-zero exit as a failure, container backends as a
 * completion); the treatments map outcomes onto their status outputs.
 */
import type { DataValue } from '@tutti/core';
import type { CommandValue } from './command-value.js';
import type { EnvironmentValue } from './environment-value.js';

/** How one run ended. */
export type RunOutcome =
  /** The process ran and exited; `exit` is its code, null when a signal killed it. */
  | { readonly status: 'completed'; readonly exit: number | null }
  /**
   * The backend could not run it (`error` tells why), or judged the exit a failure (`exit`
   * is then the code, null for a signal, and `error` is absent).
   */
  | { readonly status: 'failed'; readonly exit?: number | null; readonly error?: string }
  /** Killed on request (`RunControl.terminate`). */
  | { readonly status: 'terminated' };

/** What a run is told by the treatment driving it. */
export interface RunControl {
  /** Called once, synchronously, as soon as the process is running. */
  started(): void;
  /** Aborted when the process must be killed (its whole tree) and the run end as `terminated`. */
  readonly terminate: AbortSignal;
  /**
   * Aborted when the engine stops (end of the run, SIGINT/SIGTERM, fatal error): the
   * process must be killed at once; the outcome is then ignored.
   */
  readonly stop: AbortSignal;
}

/**
 * Receives one chunk of process output; resolves to false once nobody consumes it any more
 * (later output is then discarded, the process is not disturbed).
 */
export type ByteSink = (chunk: Uint8Array) => Promise<boolean>;

/** Where a process's standard input comes from. */
export interface ByteSource {
  /** The next chunk, or null at the end of the input. */
  next(): Promise<Uint8Array | null>;
  /** No more input is wanted (the process is gone): a pending `next` resolves to null. */
  cancel(): void;
}

/** An execution backend. */
export interface Executor extends DataValue {
  /** Runs `command` with no standard input or output. */
  exec(command: CommandValue, environment: EnvironmentValue | null, control: RunControl): Promise<RunOutcome>;
  /**
   * Runs `command` with piped standard streams: `stdin` is written as it comes and closed
   * at its end; output goes to the sinks, drained to the end before the run resolves.
   */
  spawn(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome>;
  /** As {@link spawn}, with no standard input. */
  spawnOut(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome>;
}
