/**
 * One step's process: spawned in its own process group (so a timeout or a cancel stops the whole
 * tree), its stdout and stderr cut into lines as they come, each line handed over at once.
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it was stopped: 'timeout' or 'cancel'; undefined when it ended by itself. */
  readonly stopped?: 'timeout' | 'cancel';
  readonly error?: Error;
}

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (line: string, stream: 'out' | 'err') => void;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * For a process that runs elsewhere through this one (an engine's `exec` client for a step in a
   * job container): signals what it runs there. A timeout or a cancel then sends TERM there and,
   * when it is still running three seconds later, KILL there and to this process's group; this
   * process itself ends once what it runs did (killing an `exec` client does not stop its process).
   */
  readonly stopInside?: (signal: 'TERM' | 'KILL') => Promise<void>;
}

/** Cuts a byte stream into lines (a trailing partial line is flushed at the end). */
class Lines {
  private rest = '';
  constructor(private readonly emit: (l: string) => void) {}
  push(chunk: string): void {
    let text = this.rest + chunk;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.emit(text.charCodeAt(nl - 1) === 13 ? text.slice(0, nl - 1) : text.slice(0, nl));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    this.rest = text;
  }
  end(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }
}

export function runProcess(program: string, args: readonly string[], opts: SpawnOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stopped: 'timeout' | 'cancel' | undefined;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      resolve({ code: null, signal: null, error: error as Error });
      return;
    }
    const out = new Lines((l) => opts.onLine(l, 'out'));
    const err = new Lines((l) => opts.onLine(l, 'err'));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => err.push(c));
    let grace: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        if (signal === 'SIGTERM') child.kill(signal);
      }
    };
    const kill = (why: 'timeout' | 'cancel') => {
      if (stopped || child.exitCode !== null) return;
      stopped = why;
      const inside = opts.stopInside;
      if (inside) {
        // the process in the container first; its client ends with it (kept alive meanwhile)
        inside('TERM').catch(() => killGroup('SIGTERM'));
        grace = setTimeout(() => {
          inside('KILL')
            .catch(() => undefined)
            .finally(() => killGroup('SIGKILL'));
        }, 3000);
        return;
      }
      killGroup('SIGTERM');
      // a tree that ignores SIGTERM is killed after a grace period
      setTimeout(() => killGroup('SIGKILL'), 3000).unref();
    };
    const timer = opts.timeoutMs !== undefined ? setTimeout(() => kill('timeout'), opts.timeoutMs) : undefined;
    const onAbort = () => kill('cancel');
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      opts.signal?.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      resolve({
        code,
        signal,
        ...(stopped ? { stopped } : {}),
        ...(spawnError ? { error: spawnError } : {}),
      });
    });
  });
}
