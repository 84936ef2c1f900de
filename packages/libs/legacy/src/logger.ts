/**
 * `log/logger` of the 0.9 surface (docs/legacy.md). Tutti has one log facility,
 * the engine's: a `Logger` does not collect records of its own, it subscribes to the
 * engine's log stream (`ModelContext.subscribeLogs`) and hands every record of the run to
 * its `logs` tracks and `trackLogs` instances. So the `log*` treatments log to the engine
 * (the record is printed once by the host, written to `--logs`, and seen by every Logger),
 * `report*Log` hand `Log` values to the engine, and `inject*Log` give them to this Logger
 * only, as the reference's injection did.
 *
 * `stop` ends the Logger's streams once no `log*`/`inject*`/`report*` instance on it is
 * still running (the reference polls for the same condition). A Logger whose `logs`
 * source nobody instantiates has no background activity, so it never holds a run open.
 */
import {
  type DataType,
  dataType,
  displayValue,
  END,
  fn,
  type InputPort,
  type LogLevel,
  type ModelContext,
  model,
  registerDataCodec,
  source,
  type TreatmentContext,
  treatment,
  type Value,
} from '@tutti/core';
import { LevelValue } from '@tutti/lib-std';
import { LogValue } from './log-value.js';
import { LogQueue } from './queue.js';

const area = 'log/logger';
const LEVEL = `${area}::Level`;
const LOG = `${area}::Log`;
const slot = { logger: `${area}::Logger` };
const LEVELS: ReadonlySet<unknown> = new Set(['error', 'warning', 'info', 'debug', 'trace']);

registerDataCodec(LEVEL, {
  encode: (v) => (v as LevelValue).level,
  decode: (w) => {
    if (!LEVELS.has(w)) throw new Error(`'${String(w)}' is not a log level`);
    return LevelValue.of(w as LogLevel);
  },
});
registerDataCodec(LOG, {
  encode: (v) => {
    const l = v as LogValue;
    return { timestamp: l.timestamp.toISOString(), level: l.level, label: l.label, message: l.message, track: l.track ?? null };
  },
  decode: (w) => {
    const o = w as { timestamp?: unknown; level?: unknown; label?: unknown; message?: unknown; track?: unknown };
    const time = new Date(String(o.timestamp));
    if (Number.isNaN(time.getTime()) || !LEVELS.has(o.level) || typeof o.label !== 'string' || typeof o.message !== 'string')
      throw new Error('not a log record');
    return new LogValue(time, o.level as LogLevel, o.label, o.message, typeof o.track === 'number' ? o.track : undefined, false);
  },
});

/** The state behind one `Logger` instance. */
export class LoggerModel {
  readonly #queues = new Set<LogQueue>();
  #open = 0;
  #stopping = false;
  #closed = false;
  readonly #unsubscribe: (() => void) | undefined;

  constructor(readonly ctx: ModelContext) {
    this.#unsubscribe = ctx.subscribeLogs?.((r) => {
      if (this.#queues.size > 0) this.deliver(LogValue.of(r));
    });
    ctx.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Hands a record to every stream of this Logger. */
  deliver(log: LogValue): void {
    for (const q of this.#queues) q.push(log);
  }

  /** A new stream of this Logger's records (ended at once when the Logger is closed). */
  subscribe(accept?: (log: LogValue) => boolean): LogQueue {
    const q = new LogQueue(accept);
    if (this.#closed) q.end();
    else this.#queues.add(q);
    return q;
  }

  unsubscribe(q: LogQueue): void {
    this.#queues.delete(q);
    q.end();
  }

  /** Runs `body` as an entry of this Logger: `stop` waits for it. */
  async entry(body: () => Promise<void>): Promise<void> {
    this.#open++;
    try {
      await body();
    } finally {
      this.#open--;
      if (this.#stopping && this.#open === 0) this.close();
    }
  }

  /** Ends the streams once no entry is running. */
  stop(): void {
    this.#stopping = true;
    if (this.#open === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    for (const q of this.#queues) q.end();
    this.#queues.clear();
  }

  /** The background activity: the `logs` track, when a `logs` source was instantiated. */
  async continuous(): Promise<void> {
    if (this.ctx.registrations('logs').length === 0) return;
    const q = this.subscribe();
    await this.ctx.createTrack('logs', {
      feed: async (outputs) => {
        const all = outputs.all;
        if (all === undefined) return;
        for (;;) {
          const batch = await q.next();
          if (batch === END || !(await all.sendMany(batch))) break;
        }
        this.unsubscribe(q);
      },
    });
  }
}

function levelOf(v: Value): LogLevel {
  return v instanceof LevelValue ? v.level : 'info';
}

function loggerOf(ctx: TreatmentContext): LoggerModel {
  return ctx.models.logger as LoggerModel;
}

function renderer(t: DataType | undefined): (v: Value) => string {
  return t === undefined ? (v) => String(v) : (v) => displayValue(v, t);
}

async function labelOf(input: InputPort): Promise<string | undefined> {
  const l = await input.recvOne();
  return l === END ? undefined : (l as string);
}

/** A `log*` treatment: logs through the engine as an entry of the Logger, then `ended`. */
function logging(name: string, o: { label: boolean; stream: boolean; data: boolean }): ReturnType<typeof treatment> {
  const input = o.data ? 'display' : o.stream ? 'messages' : 'message';
  const flow = o.stream ? 'Stream' : 'Block';
  const inputs: Record<string, string> = {};
  if (o.label) inputs.label = 'Block<string>';
  inputs[input] = `${flow}<${o.data ? 'D' : 'string'}>`;
  return treatment(area, name, {
    ...(o.data ? { generics: 'D: Display' } : {}),
    models: slot,
    params: o.label ? { level: `var ${LEVEL}` } : { level: `var ${LEVEL}`, label: 'var string' },
    inputs,
    outputs: { ended: 'Block<void>' },
    doc: `Logs ${o.stream ? 'every received' : 'the received'} ${o.data ? "value's display form" : 'string'} at \`level\` under ${
      o.label ? 'the label received first' : '`label`'
    }, through the engine's log (so every Logger sees it); \`ended\` when done.`,
    async run(ctx) {
      const logger = loggerOf(ctx);
      const level = levelOf(ctx.params.level);
      const render = renderer(o.data ? ctx.generics.D : undefined);
      await logger.entry(async () => {
        const label = o.label ? await labelOf(ctx.inputs.label as InputPort) : (ctx.params.label as string);
        if (label === undefined) return;
        const port = ctx.inputs[input] as InputPort;
        if (o.stream) {
          for await (const batch of port) for (let i = 0; i < batch.length; i++) ctx.log(level, label, render(batch[i]));
        } else {
          const v = await port.recvOne();
          if (v !== END) ctx.log(level, label, render(v));
        }
      });
      await ctx.outputs.ended?.sendOne(undefined);
    },
  });
}

/** Hands `Log` values to the Logger only (`inject`) or to the engine's log (`report`). */
function handing(name: string, stream: boolean, to: 'logger' | 'engine'): ReturnType<typeof treatment> {
  const input = stream ? 'logs' : 'log';
  return treatment(area, name, {
    models: slot,
    inputs: { [input]: `${stream ? 'Stream' : 'Block'}<${LOG}>` },
    doc:
      to === 'logger'
        ? `Gives the received record${stream ? 's' : ''} to this Logger's streams only (not to the engine's log).`
        : `Hands the received record${stream ? 's' : ''} to the engine's log (printed by the host, seen by every Logger); the engine stamps its own time.`,
    async run(ctx) {
      const logger = loggerOf(ctx);
      const give = (l: LogValue) => (to === 'logger' ? logger.deliver(l) : ctx.log(l.level, l.label, l.message));
      await logger.entry(async () => {
        const port = ctx.inputs[input] as InputPort;
        for await (const batch of port) for (let i = 0; i < batch.length; i++) give(batch[i] as LogValue);
      });
    },
  });
}

export const logger = [
  dataType(area, 'Level', {
    traits: 'Serialize Deserialize Bounded PartialEquality Equality PartialOrder Order',
    doc: 'Log level of the 0.9 surface: error, warning, info, debug or trace (ordered as `std/engine/log::Level`).',
  }),
  dataType(area, 'Log', {
    traits: 'Serialize Deserialize ToString Display',
    doc: 'One log record: time, level, label, message and the emitting track. Text: `[<RFC 3339 time, ms>] <level>: <label>: <message>`.',
  }),
  fn(area, 'error', { returns: LEVEL, doc: 'The error level.', impl: () => LevelValue.of('error') }),
  fn(area, 'warning', { returns: LEVEL, doc: 'The warning level.', impl: () => LevelValue.of('warning') }),
  fn(area, 'info', { returns: LEVEL, doc: 'The info level.', impl: () => LevelValue.of('info') }),
  fn(area, 'debug', { returns: LEVEL, doc: 'The debug level.', impl: () => LevelValue.of('debug') }),
  fn(area, 'trace', { returns: LEVEL, doc: 'The trace level.', impl: () => LevelValue.of('trace') }),
  model(area, 'Logger', {
    sources: ['logs'],
    doc: "The run's log records as a stream (0.9 surface). Subscribes to the engine's log; `stop` ends its streams.",
    create: (ctx) => new LoggerModel(ctx),
  }),
  source(area, 'logs', {
    model: 'Logger',
    outputs: { all: `Stream<${LOG}>` },
    doc: 'One track carrying every log record of the run on `all`, until `stop` (or the end of the run).',
  }),
  treatment(area, 'stop', {
    models: slot,
    inputs: { trigger: 'Block<void>' },
    doc: "On `trigger`, ends the Logger's streams once no log treatment on it is still running.",
    async run(ctx) {
      if ((await ctx.inputs.trigger.recvOne()) !== END) loggerOf(ctx).stop();
    },
  }),
  treatment(area, 'trackLogs', {
    models: slot,
    params: { same_track_only: 'var bool = true' },
    inputs: { trigger: 'Block<void>', stop: 'Block<void>' },
    outputs: { logs: `Stream<${LOG}>` },
    doc: "On `trigger`, streams the run's records (only this track's with `same_track_only`) until `stop` or the Logger's end.",
    async run(ctx) {
      if ((await ctx.inputs.trigger.recvOne()) === END) return;
      const logger = loggerOf(ctx);
      const track = ctx.track;
      const q = logger.subscribe(ctx.params.same_track_only === true ? (l) => l.track === track : undefined);
      void ctx.inputs.stop.recvOne().then((v) => {
        if (v !== END) logger.unsubscribe(q);
      });
      for (;;) {
        const batch = await q.next();
        if (batch === END || !(await ctx.outputs.logs.sendMany(batch))) break;
      }
      logger.unsubscribe(q);
    },
  }),
  handing('injectStreamLog', true, 'logger'),
  handing('injectBlockLog', false, 'logger'),
  handing('reportStreamLog', true, 'engine'),
  handing('reportBlockLog', false, 'engine'),
  logging('logStream', { label: false, stream: true, data: false }),
  logging('logStreamLabel', { label: true, stream: true, data: false }),
  logging('logBlock', { label: false, stream: false, data: false }),
  logging('logBlockLabel', { label: true, stream: false, data: false }),
  logging('logDataStream', { label: false, stream: true, data: true }),
  logging('logDataStreamLabel', { label: true, stream: true, data: true }),
  logging('logDataBlock', { label: false, stream: false, data: true }),
  logging('logDataBlockLabel', { label: true, stream: false, data: true }),
  treatment(area, 'filterLogs', {
    params: { levels: `var Vec<${LEVEL}>`, labels: 'var Vec<string>' },
    inputs: { logs: `Stream<${LOG}>` },
    outputs: { filtered: `Stream<${LOG}>` },
    doc: 'Keeps the records whose level is in `levels` and whose label is in `labels`.',
    async run(ctx) {
      const levels = new Set((ctx.params.levels as readonly Value[]).map(levelOf));
      const labels = new Set(ctx.params.labels as readonly string[]);
      for await (const batch of ctx.inputs.logs) {
        const kept = (batch as readonly LogValue[]).filter((l) => levels.has(l.level) && labels.has(l.label));
        if (kept.length > 0 && !(await ctx.outputs.filtered.sendMany(kept))) return;
      }
    },
  }),
];
