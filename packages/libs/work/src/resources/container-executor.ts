/**
 * The container executor: a `process/exec`
 * backend running commands inside a running container through `<engine> exec`, so that
 * `process/exec` treatments work with it unchanged.
 *
 * Command line: `<entrypoint> <global args> exec [--interactive] [--workdir=<dir>]
 * [--env K=V]… --env TUTTI_EXEC=<id> <container> <command> <args…>`; `--interactive` only
 * for spawn with stdin. Differences from the reference, documented in docs/containers.md:
 * no `--remote` (the worker runs on the host, next to the engine); `TUTTI_EXEC` marks the
 * processes of one run so that a terminate kills them inside the container (killing the
 * local `exec` client alone would leave them running); `clear_env` cannot be honoured (as
 * in the reference). With `expand_variables`, `${NAME}` is resolved against the container's
 * configured environment (read once per executor with `inspect`, not with `echo`).
 *
 * Outcomes: the exit code of `exec` is the command's, reported as a completion for every
 * operation (a non-zero exit included: the reference's container executors report it as a
 * completion). For `exec` (no stdio) an engine error (podman: exit 125 with its `Error:`
 * line; docker: exit 1 with `Error response from daemon:`; e.g. the container is gone) is
 * reported as a failure with that message ({@link engineErrorOf}).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import {
  type ByteSink,
  type ByteSource,
  type CommandValue,
  type EnvironmentValue,
  type Executor,
  feed,
  forward,
  type RunControl,
  type RunOutcome,
} from '@tutti/lib-process';
import type { ContainerEngine } from '../containers/engine.js';

const TERMINATED: RunOutcome = { status: 'terminated' };

/** Runs commands inside one container. */
export class ContainerExecutor implements Executor {
  private containerEnv: Promise<Record<string, string>> | undefined;

  constructor(
    /** The engine CLI (its program is `MELODIUM_RUN_EXECUTOR_ENTRYPOINT` or the engine's name). */
    readonly engine: ContainerEngine,
    /** The full container name (`MELODIUM_RUN_CONTAINER_<name>`). */
    readonly container: string,
  ) {}

  display(): string {
    return `ContainerExecutor(${this.engine.kind}, ${this.container})`;
  }

  async exec(command: CommandValue, environment: EnvironmentValue | null, control: RunControl): Promise<RunOutcome> {
    const args = await this.args(command, environment, false);
    return new Promise((resolve) => {
      // stdout is the command's and is discarded; stderr is read for the engine's own error line.
      const child = this.start(args, ['ignore', 'ignore', 'pipe'], resolve);
      if (child === undefined) return;
      const run = new Supervision(this, control, args.marker);
      let tail = '';
      (child.stderr as Readable).on('data', (b: Buffer) => {
        tail = (tail + b.toString('utf8')).slice(-4096);
      });
      child.once('close', (code) => {
        if (run.end()) return resolve(TERMINATED);
        const engineError = engineErrorOf(this.engine.kind, code, tail);
        resolve(engineError !== undefined ? { status: 'failed', error: engineError } : { status: 'completed', exit: code });
      });
    });
  }

  spawn(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.piped(command, environment, control, stdio);
  }

  spawnOut(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.piped(command, environment, control, stdio);
  }

  private async piped(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin?: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    const args = await this.args(command, environment, stdio.stdin !== undefined);
    return new Promise((resolve) => {
      const child = this.start(args, [stdio.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], resolve);
      if (child === undefined) {
        stdio.stdin?.cancel();
        return;
      }
      const run = new Supervision(this, control, args.marker);
      const outs = [forward(child.stdout as Readable, stdio.stdout), forward(child.stderr as Readable, stdio.stderr)];
      if (stdio.stdin !== undefined) void feed(stdio.stdin, child.stdin as Writable);
      const exited = new Promise<number | null>((done) => {
        child.once('exit', (code) => {
          stdio.stdin?.cancel();
          done(code);
        });
      });
      void Promise.all([exited, ...outs]).then(([code]) => resolve(run.end() ? TERMINATED : { status: 'completed', exit: code }));
    });
  }

  /** The `exec` arguments for one run, and the marker its processes carry. */
  private async args(
    command: CommandValue,
    environment: EnvironmentValue | null,
    interactive: boolean,
  ): Promise<string[] & { marker: string }> {
    const marker = randomUUID();
    const args = ['exec'];
    if (interactive) args.push('--interactive');
    if (environment !== null) {
      if (environment.workingDirectory !== null) args.push(`--workdir=${environment.workingDirectory}`);
      const vars = environment.expandVariables ? environment.variablesFor(await this.environment()) : environment.variablesFor({});
      for (const [k, v] of Object.entries(vars)) args.push('--env', `${k}=${v}`);
    }
    args.push('--env', `TUTTI_EXEC=${marker}`, this.container, command.command, ...command.arguments);
    return Object.assign(args, { marker });
  }

  /** The container's configured environment (for `expand_variables`); empty when it cannot be read. */
  private environment(): Promise<Record<string, string>> {
    this.containerEnv ??= this.engine.run(['inspect', '--format', '{{json .Config.Env}}', this.container]).then((r) => {
      const env: Record<string, string> = {};
      if (r.code !== 0) return env;
      try {
        for (const entry of JSON.parse(r.stdout) as string[]) {
          const i = entry.indexOf('=');
          if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
        }
      } catch {}
      return env;
    });
    return this.containerEnv;
  }

  /** Spawns the engine's `exec`; when it cannot start, resolves `fail` and returns undefined. */
  private start(args: readonly string[], stdio: ('ignore' | 'pipe')[], fail: (o: RunOutcome) => void): ChildProcess | undefined {
    let child: ChildProcess;
    try {
      child = this.engine.spawn(args, stdio);
    } catch (e) {
      fail({ status: 'failed', error: (e as Error).message });
      return undefined;
    }
    if (child.pid === undefined) {
      child.once('error', (e) => fail({ status: 'failed', error: `Cannot run ${this.engine.program}: ${e.message}` }));
      return undefined;
    }
    child.on('error', ignore);
    const marker = (args as { marker?: string }).marker as string;
    this.children.set(marker, child);
    child.once('exit', () => this.children.delete(marker));
    return child;
  }

  /** The local `exec` clients of the runs in progress, by marker. */
  private readonly children = new Map<string, ChildProcess>();

  /**
   * Kills the processes of the run marked `marker` inside the container (the command and
   * its descendants carry the marker in their environment), then its local `exec` client.
   * The in-container kill is repeated while the client runs (the command may not have been
   * started yet when a terminate arrives early), up to {@link KILL_ATTEMPTS} times; the
   * client's own exit then ends the run.
   */
  kill(marker: string): void {
    const child = this.children.get(marker);
    const script = `for d in /proc/[0-9]*; do if tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx 'TUTTI_EXEC=${marker}'; then kill -9 "\${d#/proc/}" 2>/dev/null; fi; done; true`;
    void (async () => {
      for (let i = 0; i < KILL_ATTEMPTS && child !== undefined && child.exitCode === null && child.signalCode === null; i++) {
        await this.engine.run(['exec', this.container, 'sh', '-c', script]);
        await exitOf(child, 100);
      }
      child?.kill('SIGKILL');
    })();
  }
}

/**
 * The engine's own error in the stderr of an `exec` that exited with `code`, if it is one:
 * podman exits 125 with `Error: <message>`; docker's CLI exits 1 with `Error response from
 * daemon: <message>` (e.g. `No such container`) or `Error: <message>`. A command of the
 * container that exits 1 and prints such a line itself is taken for an engine error (docker
 * gives no other way to tell them apart).
 */
export function engineErrorOf(kind: 'podman' | 'docker', code: number | null, stderr: string): string | undefined {
  if (code !== 125 && !(kind === 'docker' && code === 1)) return undefined;
  for (const line of stderr.split('\n')) {
    if (line.startsWith('Error response from daemon: ')) return line.slice('Error response from daemon: '.length);
    if (line.startsWith('Error: ')) return line.slice('Error: '.length);
  }
  return undefined;
}

/** How many times a terminate tries to kill a run inside its container before giving up on it. */
const KILL_ATTEMPTS = 5;

/** Resolves when `child` exited, or after `ms`. */
function exitOf(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('exit', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    child.once('exit', done);
  });
}

/** One run: kills it on `terminate` (then reported as terminated) and on engine stop. */
class Supervision {
  private terminated = false;
  private readonly onTerminate = (): void => {
    this.terminated = true;
    this.executor.kill(this.marker);
  };
  private readonly onStop = (): void => {
    this.executor.kill(this.marker);
  };

  constructor(
    private readonly executor: ContainerExecutor,
    private readonly control: RunControl,
    private readonly marker: string,
  ) {
    control.started();
    if (control.terminate.aborted) this.onTerminate();
    else control.terminate.addEventListener('abort', this.onTerminate, { once: true });
    if (control.stop.aborted) this.onStop();
    else control.stop.addEventListener('abort', this.onStop, { once: true });
  }

  /** The run is over; true when it was terminated. */
  end(): boolean {
    this.control.terminate.removeEventListener('abort', this.onTerminate);
    this.control.stop.removeEventListener('abort', this.onStop);
    return this.terminated;
  }
}

function ignore(): void {}
