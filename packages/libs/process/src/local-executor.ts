/**
 * The local executor (`|local_executor`): commands run as child
 * processes of the engine, on `node:child_process.spawn`, from the engine's process for the
 * first command and through the long-lived spawner (spawner.ts) once it is up.
 *
 * Each child leads its own process group (see process-groups.ts), so terminating a run or
 * stopping the engine kills the whole tree. The engine's own work per command is kept to
 * the spawn request, two listeners and a `kill(pgid, 0)` probe at exit (bench/process.mjs).
 */
import { type SpawnOptions, type StdioOptions, spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { getSystemErrorMap } from 'node:util';
import type { CommandValue } from './command-value.js';
import type { EnvironmentValue } from './environment-value.js';
import type { ByteSink, ByteSource, Executor, RunControl, RunOutcome } from './executor.js';
import { killGroup, leaderExited, trackGroup } from './process-groups.js';
import { directSpawnNow, type SpawnError, type SpawnRequest, spawnerFor } from './spawner.js';
import { feed, forward } from './stdio.js';

const TERMINATED: RunOutcome = { status: 'terminated' };
const IGNORE: StdioOptions = 'ignore';
const PIPES: StdioOptions = ['pipe', 'pipe', 'pipe'];
const OUT_PIPES: StdioOptions = ['ignore', 'pipe', 'pipe'];

/** What the executor uses of a started child, whether Node's `ChildProcess` or the spawner's. */
interface Child extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** Most distinct environments kept built (a pipeline's steps mostly share a few). */
const ENV_CACHE = 256;

/**
 * Runs commands as local child processes. One value serves every run: it holds no state
 * beyond caches.
 *
 * `spawner`: `auto` (the default) hands commands to the long-lived spawner once a second one
 * comes; `off` spawns every command from this process; `always` uses the spawner as soon as it
 * is up (tests).
 */
export class LocalExecutor implements Executor {
  /** Child environments by environment value: built once, a value is often reused for many commands. */
  private readonly envs = new WeakMap<EnvironmentValue, NodeJS.ProcessEnv>();
  /** The same by content: each step of a pipeline makes its own value of the same environment. */
  private readonly envsByContent = new Map<string, NodeJS.ProcessEnv>();

  constructor(private readonly spawner: 'auto' | 'off' | 'always' = 'auto') {}

  exec(command: CommandValue, environment: EnvironmentValue | null, control: RunControl): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.start(command, environment, 'none', resolve, (child) => {
        const run = new Supervision(child.pid as number, control);
        child.once('exit', (code: number | null) => {
          run.leaderExited();
          resolve(run.end() ? TERMINATED : { status: 'completed', exit: code });
        });
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
      const failed = (outcome: RunOutcome): void => {
        stdio.stdin?.cancel();
        resolve(outcome);
      };
      this.start(command, environment, stdio.stdin === undefined ? 'out' : 'all', failed, (child) => {
        const run = new Supervision(child.pid as number, control);
        const outs = [forward(child.stdout as Readable, stdio.stdout), forward(child.stderr as Readable, stdio.stderr)];
        if (stdio.stdin !== undefined) void feed(stdio.stdin, child.stdin as Writable);
        const exited = new Promise<number | null>((done) => {
          child.once('exit', (code: number | null) => {
            // Whatever is still unsent cannot be read any more.
            stdio.stdin?.cancel();
            run.leaderExited();
            done(code);
          });
        });
        // None of these rejects.
        void Promise.all([exited, ...outs]).then(([code]) => resolve(run.end() ? TERMINATED : judge(code)));
      });
    });
  }

  /**
   * Spawns the child (directly or through the spawner) and hands it to `started` once it
   * runs; when it cannot be started, resolves `fail` with the failure instead.
   */
  private start(
    command: CommandValue,
    environment: EnvironmentValue | null,
    pipes: SpawnRequest['pipes'],
    fail: (outcome: RunOutcome) => void,
    started: (child: Child) => void,
  ): void {
    // Node refuses an empty program name outright; the system would say ENOENT.
    if (command.command === '') {
      fail({ status: 'failed', error: errorText({ errno: -2 }) });
      return;
    }
    const spawner = spawnerFor(this.spawner);
    if (spawner === undefined && !directSpawnNow()) {
      setImmediate(() => this.start(command, environment, pipes, fail, started));
      return;
    }
    const env = this.environment(environment);
    const cwd = environment?.workingDirectory ?? null;
    if (spawner !== undefined) {
      const request: SpawnRequest = { file: command.command, args: command.arguments as string[], env, cwd, pipes };
      spawner.start(request, started, (e: SpawnError) =>
        fail({ status: 'failed', error: errorText(Object.assign(new Error(e.message), { errno: e.errno })) }),
      );
      return;
    }
    const options: SpawnOptions = { stdio: STDIO[pipes], detached: true };
    if (env !== null) options.env = env;
    if (cwd !== null) options.cwd = cwd;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command.command, command.arguments as string[], options);
    } catch (e) {
      // Invalid arguments (a NUL byte) and some resource errors are thrown at once.
      fail({ status: 'failed', error: errorText(e) });
      return;
    }
    if (child.pid === undefined) {
      // ENOENT, EACCES, a missing working directory: reported asynchronously.
      child.once('error', (e) => fail({ status: 'failed', error: errorText(e) }));
      return;
    }
    // Later errors concern signals sent to an exited child: nothing to report.
    child.on('error', ignore);
    started(child);
  }

  /** The child's environment; null to inherit the engine's. */
  private environment(environment: EnvironmentValue | null): NodeJS.ProcessEnv | null {
    if (environment === null) return null;
    let env = this.envs.get(environment);
    if (env !== undefined) return env;
    const key = JSON.stringify([environment.clearEnv, environment.expandVariables, ...environment.variables]);
    env = this.envsByContent.get(key);
    if (env === undefined) {
      env = { ...(environment.clearEnv ? {} : process.env), ...environment.variablesFor(process.env) };
      if (this.envsByContent.size >= ENV_CACHE) this.envsByContent.clear();
      this.envsByContent.set(key, env);
    }
    this.envs.set(environment, env);
    return env;
  }
}

const STDIO: Record<SpawnRequest['pipes'], StdioOptions> = { none: IGNORE, out: OUT_PIPES, all: PIPES };

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
