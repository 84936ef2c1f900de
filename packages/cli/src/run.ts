/**
 * `tutti run` after the check: entry arguments to values, genesis (lowering to a design),
 * the engine run with its logs on stdout (and `--logs FILE`), deadlock and signal
 * handling, exit status (language spec §5, §6.1, Appendix C.4).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DiagnosticSink, SourceFile, type Span, type Value } from '@tutti/core';
import { Engine, type EngineEvent, type LogRecord } from '@tutti/engine';
import { type InstanceFacts, literalValue, lowerProgram, parseValueText, rawArgumentValue, type TreatmentSymbol } from '@tutti/lang';
import { renderHuman } from './render.js';

/** Options of {@link runEntry}. */
export interface RunOptions {
  readonly entry: TreatmentSymbol;
  readonly facts: ReadonlyMap<string, readonly InstanceFacts[]>;
  /** Validated argument texts by parameter name. */
  readonly args: ReadonlyMap<string, string>;
  readonly parsed: boolean;
  readonly logs?: string;
  readonly debug?: string;
  readonly color: boolean;
}

const LEVEL_COLORS: Readonly<Record<string, string>> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[34m',
  trace: '\x1b[90m',
};

/** Renders a span as `file:line:col`. */
function origin(span: Span): string {
  const p = span.file.position(span.start);
  return `${span.file.path}:${p.line}:${p.column}`;
}

/** Converts validated argument texts to values of the parameters' types. */
function argumentValues(entry: TreatmentSymbol, args: ReadonlyMap<string, string>, parsed: boolean): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, text] of args) {
    const t = entry.params.get(name)?.type;
    if (t === undefined) continue;
    if (!parsed) out.set(name, rawArgumentValue(text, t));
    else {
      const v = parseValueText(new SourceFile(`--${name}`, text), new DiagnosticSink());
      if (v === undefined) throw new Error(`argument --${name} no longer parses`);
      out.set(name, literalValue(v, t));
    }
  }
  return out;
}

/**
 * Runs the entrypoint; returns the exit status. Launch failures print a diagnostic on
 * stderr; everything the program logs goes to stdout.
 */
export async function runEntry(o: RunOptions): Promise<number> {
  const sink = new DiagnosticSink();
  const design = lowerProgram({ entry: o.entry, facts: o.facts, args: argumentValues(o.entry, o.args, o.parsed), origin }, sink);
  if (design === undefined) {
    for (const d of sink.items) process.stderr.write(`${renderHuman(d, { color: o.color, defaultFile: o.entry.id })}\n\n`);
    process.stderr.write('Nothing was run.\n');
    return 1;
  }

  const out = new LogWriter(o.color, o.logs);
  const events: EngineEvent[] | undefined = o.debug === undefined ? undefined : [];
  const engine = new Engine(design, {
    log: (r) => out.write(r),
    ...(events === undefined ? {} : { event: (e: EngineEvent) => events.push(e) }),
  });
  // The event loop empties only when every task waits on another: a deadlock (§5.9).
  const onIdle = () => {
    if (!engine.running) return;
    const blocked = engine.blocked();
    engine.stop(
      `deadlock: every live treatment waits on another; nothing can progress${blocked.length > 0 ? `:\n  ${blocked.join('\n  ')}` : ''}`,
      true,
    );
  };
  let signalled: number | undefined;
  const onSignal = (name: NodeJS.Signals, code: number) => () => {
    signalled = code;
    engine.stop(`interrupted by ${name}`, false);
  };
  const onInt = onSignal('SIGINT', 130);
  const onTerm = onSignal('SIGTERM', 143);
  // A closed terminal ends the run too: children run in their own process groups and
  // would not get the hangup themselves.
  const onHup = onSignal('SIGHUP', 129);
  process.on('beforeExit', onIdle);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  try {
    const outcome = await engine.run();
    return signalled ?? (outcome.ok ? 0 : 1);
  } finally {
    process.off('beforeExit', onIdle);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
    out.close();
    if (events !== undefined && o.debug !== undefined) {
      const fd = openSync(o.debug, 'w');
      writeSync(fd, `${JSON.stringify(events, null, 1)}\n`);
      closeSync(fd);
    }
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
  private readonly fd: number | undefined;

  constructor(
    private readonly color: boolean,
    logs: string | undefined,
  ) {
    this.fd = logs === undefined ? undefined : openSync(logs, 'a');
  }

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
