/**
 * `tutti run` after the check: the design runs through the driver, with its logs on
 * stdout (and `--logs FILE`), the live debug file, and SIGINT/SIGTERM/SIGHUP turned into
 * a stop of the run (language spec §5, §6.1, Appendix C.4, Appendix E.4).
 */
import { closeSync, writeSync } from 'node:fs';
import type { ProgramSource } from '@tutti/core';
import type { Design } from '@tutti/design';
import { type DebugFile, runDesign } from '@tutti/driver';
import type { LogRecord } from '@tutti/engine';

/** Options of {@link runProgram}. */
export interface RunOptions {
  readonly design: Design;
  /** An open log file (`--logs`), appended to line by line. */
  readonly logs?: number;
  readonly debug?: DebugFile;
  readonly color: boolean;
  /** The program's sources, for models that ship it to workers. */
  readonly program?: ProgramSource;
}

const LEVEL_COLORS: Readonly<Record<string, string>> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[34m',
  trace: '\x1b[90m',
};

const SIGNALS: readonly (readonly [NodeJS.Signals, number])[] = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  // A closed terminal ends the run too: children run in their own process groups and
  // would not get the hangup themselves.
  ['SIGHUP', 129],
];

/** Milliseconds a stopped process may take to wind down before it exits anyway. */
const SIGNAL_EXIT_GRACE_MS = 2000;

/** Runs the design; returns the exit status. Everything the program logs goes to stdout. */
export async function runProgram(o: RunOptions): Promise<number> {
  const out = new LogWriter(o.color, o.logs);
  const abort = new AbortController();
  let signalled: number | undefined;
  const handlers = SIGNALS.map(([name, code]) => {
    const h = () => {
      signalled ??= code;
      abort.abort(`interrupted by ${name}`);
    };
    process.on(name, h);
    return [name, h] as const;
  });
  o.debug?.write({ kind: 'run-started', entry: o.design.entry, leaves: o.design.leaves.length, models: o.design.models.length });
  try {
    const result = await runDesign(o.design, {
      log: (r) => out.write(r),
      signal: abort.signal,
      ...(o.program === undefined ? {} : { program: o.program }),
      ...(o.debug === undefined ? {} : { event: (e) => o.debug?.write(e) }),
    });
    o.debug?.write({ kind: 'run-ended', ok: result.ok, tracks: result.tracks, ...(result.stopped ? { stopped: result.stopped } : {}) });
    if (signalled !== undefined) {
      // The run is over; a native treatment that ignores its closed ports must not keep
      // the process alive after a signal (the run must end within seconds).
      const code = signalled;
      setTimeout(() => process.exit(code), SIGNAL_EXIT_GRACE_MS).unref();
    }
    return signalled ?? (result.ok && result.failedSteps.length === 0 ? 0 : 1);
  } finally {
    for (const [name, h] of handlers) process.off(name, h);
    out.close();
    o.debug?.close();
  }
}

/**
 * Prints log records as `[time] level: label: message` (§6.1). Lines to stdout are
 * gathered and written once per turn of the event loop, so a chatty program does not
 * pay one write per line; `--logs` lines are appended and flushed per line.
 */
class LogWriter {
  private pending: string[] = [];
  private scheduled = false;

  constructor(
    private readonly color: boolean,
    private readonly fd: number | undefined,
  ) {}

  write(r: LogRecord): void {
    const ts = r.time.toISOString();
    const line = `[${ts}] ${r.level}: ${r.label}: ${r.message}\n`;
    if (this.fd !== undefined) writeSync(this.fd, line);
    this.pending.push(
      this.color ? `\x1b[2m[${ts}]\x1b[0m ${LEVEL_COLORS[r.level] ?? ''}${r.level}\x1b[0m: ${r.label}: ${r.message}\n` : line,
    );
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    process.stdout.write(text);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
  }
}
