/**
 * `tutti run` after the check: the design runs through the driver, with its logs on
 * stdout (and `--logs FILE`), the live debug file, and SIGINT/SIGTERM/SIGHUP turned into
 * a stop of the run.
 */
import { closeSync, writeSync } from 'node:fs';
import type { ProgramSource } from '@tutti/core';
import type { Design } from '@tutti/design';
import { type DebugFile, runDesign } from '@tutti/driver';
import type { EngineEvent, LogRecord } from '@tutti/engine';
import { isSecretName, MASK, SecretMasker } from '@tutti/pipeline';
import { type ProgressOption, StepOutput } from './steps.js';

/** Options of {@link runProgram}. */
export interface RunOptions {
  readonly design: Design;
  /** An open log file (`--logs`), appended to line by line. */
  readonly logs?: number;
  readonly debug?: DebugFile;
  readonly color: boolean;
  /** The program's sources, for models that ship it to workers. */
  readonly program?: ProgramSource;
  /** The program as given on the command line (named in reports). */
  readonly programPath?: string;
  /** Secret values known before the run (entry arguments, constants of the design). */
  readonly masker?: SecretMasker;
  /** How reported steps are shown (`--progress`, default auto). */
  readonly progress?: ProgressOption;
  /** `--step-logs`, `--logs` (its path) and `--report`. */
  readonly stepLogs?: string;
  readonly logsPath?: string;
  readonly report?: string;
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
  // the commands the program starts know which process runs it: what they leave running past
  // it (the job containers of an imported GitHub workflow) is removed once it is gone
  process.env.TUTTI_RUN_PID = String(process.pid);
  const masker = o.masker ?? new SecretMasker();
  const out = new LogWriter(o.color, o.logs, masker);
  const steps = new StepOutput({
    progress: o.progress ?? 'auto',
    color: o.color,
    masker,
    program: o.programPath ?? o.design.entry,
    flush: () => out.flush(),
    ...(o.stepLogs === undefined ? {} : { stepLogs: o.stepLogs }),
    ...(o.logsPath === undefined ? {} : { logs: o.logsPath }),
    ...(o.report === undefined ? {} : { report: o.report }),
  });
  out.steps = steps;
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
  let ok = false;
  o.debug?.write({ kind: 'run-started', entry: o.design.entry, leaves: o.design.leaves.length, models: o.design.models.length });
  try {
    const result = await runDesign(o.design, {
      log: (r) => out.write(r),
      signal: abort.signal,
      ...(o.program === undefined ? {} : { program: o.program }),
      ...(o.debug === undefined ? {} : { event: (e) => o.debug?.write(maskEvent(e, masker)) }),
      step: (r) => steps.step(r),
    });
    o.debug?.write({ kind: 'run-ended', ok: result.ok, tracks: result.tracks, ...(result.stopped ? { stopped: result.stopped } : {}) });
    if (signalled !== undefined) {
      // The run is over; a native treatment that ignores its closed ports must not keep
      // the process alive after a signal (the run must end within seconds).
      const code = signalled;
      setTimeout(() => process.exit(code), SIGNAL_EXIT_GRACE_MS).unref();
    }
    // A pipeline whose step failed is a failed run, as in every CI system: `tutti run ci`
    // must not pass in CI while its tests fail.
    ok = result.ok && result.failedSteps.length === 0;
    return signalled ?? (ok ? 0 : 1);
  } finally {
    for (const [name, h] of handlers) process.off(name, h);
    out.flush();
    steps.finish(ok && signalled === undefined, signalled !== undefined);
    out.close();
    o.debug?.close();
  }
}

/**
 * Prints log records as `[time] level: label: message`. Lines to stdout are
 * gathered and written once per turn of the event loop, so a chatty program does not
 * pay one write per line; `--logs` lines are appended and flushed per line.
 */
class LogWriter {
  private pending: string[] = [];
  private scheduled = false;
  /** Takes the records of reported steps once there are any. */
  steps: StepOutput | undefined;

  constructor(
    private readonly color: boolean,
    private readonly fd: number | undefined,
    private readonly masker: SecretMasker,
  ) {}

  write(r: LogRecord): void {
    const ts = r.time.toISOString();
    const message = this.masker.mask(r.message);
    const line = `[${ts}] ${r.level}: ${r.label}: ${message}\n`;
    if (this.fd !== undefined) writeSync(this.fd, line);
    const steps = this.steps;
    if (steps?.active) {
      if (steps.log(r.time, r.level, r.label, message)) return;
      if (steps.viewing) {
        // Through the view, so a TTY board stays below the output.
        this.flush();
        steps.print(this.color ? colored(ts, r.level, r.label, message) : line);
        return;
      }
    }
    this.pending.push(this.color ? colored(ts, r.level, r.label, message) : line);
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

function colored(ts: string, level: string, label: string, message: string): string {
  return `\x1b[2m[${ts}]\x1b[0m ${LEVEL_COLORS[level] ?? ''}${level}\x1b[0m: ${label}: ${message}\n`;
}

/**
 * A debug event with secrets hidden: parameters named as secrets (docs/progress.md) show
 * `***`, and known secret values are masked wherever they appear (values crossing
 * connections included). Values of secret parameters computed at run time are learnt here,
 * from the treatments that receive them.
 */
function maskEvent(e: EngineEvent, masker: SecretMasker): EngineEvent {
  if (e.kind === 'treatment-started') {
    let params: Record<string, unknown> | undefined;
    for (const k of Object.keys(e.params))
      if (isSecretName(k)) {
        // Previews of long values are shortened: masking the preview hides what is shown.
        masker.addValue(e.params[k]);
        params ??= { ...e.params };
        params[k] = MASK;
      }
    if (params !== undefined) e = { ...e, params };
  }
  return e; // the debug file masks known values in every line it writes
}
