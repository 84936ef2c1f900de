/**
 * The local executor (`|local_executor`): commands run as child
 * processes of the engine, on `node:child_process.spawn`.
 *
 * Each child leads its own process group (see process-groups.ts), so terminating a run or
 * stopping the engine kills the whole tree. The engine's own work per command is kept to
 * the spawn call, two listeners and a `kill(pgid, 0)` probe at exit: spawning itself costs
 * about a millisecond, everything here a few microseconds (bench/process.mjs).
 */
import { type ChildProcess, type SpawnOptions, type StdioOptions, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { getSystemErrorMap } from 'node:util';
import type { CommandValue } from './command-value.js';
import type { EnvironmentValue } from './environment-value.js';
import type { ByteSink, ByteSource, Executor, RunControl, RunOutcome } from './executor.js';
import { killGroup, leaderExited, trackGroup } from './process-groups.js';
import { feed, forward } from './stdio.js';

const TERMINATED: RunOutcome = { status: 'terminated' };
const IGNORE: StdioOptions = 'ignore';
const PIPES: StdioOptions = ['pipe', 'pipe', 'pipe'];
const OUT_PIPES: StdioOptions = ['ignore', 'pipe', 'pipe'];

/** Runs commands as local child processes. One value serves every run: it holds no state. */
export class LocalExecutor implements Executor {
  /** Child environments by environment value: built once, a value is often reused for many commands. */
  private readonly envs = new WeakMap<EnvironmentValue, NodeJS.ProcessEnv>();

  exec(command: CommandValue, environment: EnvironmentValue | null, control: RunControl): Promise<RunOutcome> {
    return new Promise((resolve) => {
      const child = this.start(command, environment, IGNORE, resolve);
      if (child === undefined) return;
      const run = new Supervision(child.pid as number, control);
      child.once('exit', (code) => {
        run.leaderExited();
        resolve(run.end() ? TERMINATED : { status: 'completed', exit: code });
      });
    });
  }

  spawn(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.piped(command, environment, control, stdio, (code) => ({ status: 'completed', exit: code }));
  }

  /**
   * As `spawn` with stdin null; a non-zero exit (or a signal) is a failure with this
   * backend (as in the reference: `spawnTerminable` stops there with `failed`).
   */
  spawnOut(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.piped(command, environment, control, stdio, (code) =>
      code === 0 ? { status: 'completed', exit: code } : { status: 'failed', exit: code },
    );
  }

  /** Libraries may log executors; `Executor` has no traits, this is only a debug text. */
  display(): string {
    return 'LocalExecutor';
  }

  /**
   * Runs with stdout/stderr piped (and stdin when `stdio.stdin` is given); resolves once the
   * process exited and both outputs reached their end (the reference may lose tail
   * output: fixed here).
   */
  private piped(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin?: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
    judge: (code: number | null) => RunOutcome,
  ): Promise<RunOutcome> {
    return new Promise((resolve) => {
      const child = this.start(command, environment, stdio.stdin === undefined ? OUT_PIPES : PIPES, resolve);
      if (child === undefined) {
        stdio.stdin?.cancel();
        return;
      }
      const run = new Supervision(child.pid as number, control);
      const outs = [forward(child.stdout as Readable, stdio.stdout), forward(child.stderr as Readable, stdio.stderr)];
      if (stdio.stdin !== undefined) void feed(stdio.stdin, child.stdin as Writable);
      const exited = new Promise<number | null>((done) => {
        child.once('exit', (code) => {
          // Whatever is still unsent cannot be read any more.
          stdio.stdin?.cancel();
          run.leaderExited();
          done(code);
        });
      });
      // None of these rejects.
      void Promise.all([exited, ...outs]).then(([code]) => resolve(run.end() ? TERMINATED : judge(code)));
    });
  }

  /**
   * Spawns the child, calling `control.started` when it runs; when it cannot be started,
   * resolves `fail` with the failure and returns undefined.
   */
  private start(
    command: CommandValue,
    environment: EnvironmentValue | null,
    stdio: StdioOptions,
    fail: (outcome: RunOutcome) => void,
  ): ChildProcess | undefined {
    // Node refuses an empty program name outright; the system would say ENOENT.
    if (command.command === '') {
      fail({ status: 'failed', error: errorText({ errno: -2 }) });
      return undefined;
    }
    let child: ChildProcess;
    try {
      child = spawn(command.command, command.arguments as string[], this.options(environment, stdio));
    } catch (e) {
      // Invalid arguments (a NUL byte) and some resource errors are thrown at once.
      fail({ status: 'failed', error: errorText(e) });
      return undefined;
    }
    if (child.pid === undefined) {
      // ENOENT, EACCES, a missing working directory: reported asynchronously.
      child.once('error', (e) => fail({ status: 'failed', error: errorText(e) }));
      return undefined;
    }
    // Later errors concern signals sent to an exited child: nothing to report.
    child.on('error', ignore);
    return child;
  }

  private options(environment: EnvironmentValue | null, stdio: StdioOptions): SpawnOptions {
    if (environment === null) return { stdio, detached: true };
    let env = this.envs.get(environment);
    if (env === undefined) {
      env = { ...(environment.clearEnv ? {} : process.env), ...environment.variablesFor(process.env) };
      this.envs.set(environment, env);
    }
    return environment.workingDirectory === null
      ? { stdio, detached: true, env }
      : { stdio, detached: true, env, cwd: environment.workingDirectory };
  }
}

/** One running child: its group is tracked and killed on `terminate`. */
class Supervision {
  private terminated = false;
  private readonly onTerminate = (): void => {
    this.terminated = true;
    killGroup(this.pgid);
  };

  constructor(
    private readonly pgid: number,
    private readonly control: RunControl,
  ) {
    trackGroup(pgid, control.stop);
    control.started();
    if (control.terminate.aborted) this.onTerminate();
    else control.terminate.addEventListener('abort', this.onTerminate, { once: true });
  }

  /** The leader exited (the run may still drain output a descendant keeps writing). */
  leaderExited(): void {
    leaderExited(this.pgid, this.control.stop);
  }

  /** The run is over; true when it was terminated. */
  end(): boolean {
    this.control.terminate.removeEventListener('abort', this.onTerminate);
    return this.terminated;
  }
}

function ignore(): void {}

let systemErrors: Map<number, [string, string]> | undefined;

/**
 * The text put on `error`: for system errors the reference's form (Rust's
 * `io::Error` display, `No such file or directory (os error 2)`), else the message.
 */
export function errorText(e: unknown): string {
  const errno = (e as { errno?: unknown } | null)?.errno;
  if (typeof errno === 'number') {
    systemErrors ??= getSystemErrorMap();
    const entry = systemErrors.get(errno < 0 ? errno : -errno);
    if (entry !== undefined) return `${entry[1].charAt(0).toUpperCase()}${entry[1].slice(1)} (os error ${Math.abs(errno)})`;
  }
  return e instanceof Error ? e.message : String(e);
}
