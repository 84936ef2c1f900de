/**
 * `std/engine/log`: log levels and the native logging treatments.
 * Records go to the engine's log facility with the track id; the engine adds the time.
 */
import {
  type DataType,
  dataType,
  displayValue,
  END,
  fn,
  type InputPort,
  type LogLevel,
  registerDataCodec,
  type TreatmentContext,
  treatment,
  type Value,
} from '@tutti/core';
import { LevelValue } from './level.js';

const area = 'std/engine/log';

const LEVELS: ReadonlySet<unknown> = new Set(['error', 'warning', 'info', 'debug', 'trace']);
// Serialize/Deserialize: a level is its name.
registerDataCodec(`${area}::Level`, {
  encode: (v) => (v as LevelValue).level,
  decode: (w) => {
    if (!LEVELS.has(w)) throw new Error(`'${String(w)}' is not a log level`);
    return LevelValue.of(w as LogLevel);
  },
});
const engine = { engine: 'std/engine::Engine' };

function levelOf(v: Value): LogLevel {
  return v instanceof LevelValue ? v.level : 'info';
}

/** Renders values for the log: strings as they are, data through Display. */
function renderer(t: DataType | undefined): (v: Value) => string {
  return t === undefined ? (v) => String(v) : (v) => displayValue(v, t);
}

/** Logs every value of `input` until it ends. */
async function logAll(ctx: TreatmentContext, input: InputPort, level: LogLevel, label: string, render: (v: Value) => string) {
  for await (const batch of input) for (let i = 0; i < batch.length; i++) ctx.log(level, label, render(batch[i]));
}

/** Waits for a label block (rule B: nothing when it closes empty). */
async function labelOf(input: InputPort): Promise<string | undefined> {
  const l = await input.recvOne();
  return l === END ? undefined : (l as string);
}

export const log = [
  dataType(area, 'Level', {
    traits: 'Serialize Deserialize Bounded PartialEquality Equality PartialOrder Order',
    doc: 'Log level: error, warning, info, debug or trace (ordered error < … < trace; min trace, max error).',
  }),
  fn(area, 'error', { returns: 'Level', doc: 'The error level.', impl: () => LevelValue.of('error') }),
  fn(area, 'warning', { returns: 'Level', doc: 'The warning level.', impl: () => LevelValue.of('warning') }),
  fn(area, 'info', { returns: 'Level', doc: 'The info level.', impl: () => LevelValue.of('info') }),
  fn(area, 'debug', { returns: 'Level', doc: 'The debug level.', impl: () => LevelValue.of('debug') }),
  fn(area, 'trace', { returns: 'Level', doc: 'The trace level.', impl: () => LevelValue.of('trace') }),
  treatment(area, 'logStream', {
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { messages: 'Stream<string>' },
    doc: 'Logs every received string as one record at `level` under `label`; ends when `messages` closes.',
    run: (ctx) => logAll(ctx, ctx.inputs.messages, levelOf(ctx.params.level), ctx.params.label as string, renderer(undefined)),
  }),
  treatment(area, 'logStreamLabel', {
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', messages: 'Stream<string>' },
    doc: 'Waits for `label`, then logs each message under it.',
    async run(ctx) {
      const label = await labelOf(ctx.inputs.label);
      if (label !== undefined) await logAll(ctx, ctx.inputs.messages, levelOf(ctx.params.level), label, renderer(undefined));
    },
  }),
  treatment(area, 'logBlock', {
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { message: 'Block<string>' },
    doc: 'Logs the single message if it arrives.',
    async run(ctx) {
      const m = await ctx.inputs.message.recvOne();
      if (m !== END) ctx.log(levelOf(ctx.params.level), ctx.params.label as string, m as string);
    },
  }),
  treatment(area, 'logBlockLabel', {
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', message: 'Block<string>' },
    doc: 'Waits for label then message; logs once.',
    async run(ctx) {
      const label = await labelOf(ctx.inputs.label);
      if (label === undefined) return;
      const m = await ctx.inputs.message.recvOne();
      if (m !== END) ctx.log(levelOf(ctx.params.level), label, m as string);
    },
  }),
  treatment(area, 'logDataStream', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { display: 'Stream<D>' },
    doc: 'Logs the display form of each value.',
    run: (ctx) => logAll(ctx, ctx.inputs.display, levelOf(ctx.params.level), ctx.params.label as string, renderer(ctx.generics.D)),
  }),
  treatment(area, 'logDataStreamLabel', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', display: 'Stream<D>' },
    doc: 'Waits for `label`, then logs the display form of each value under it.',
    async run(ctx) {
      const label = await labelOf(ctx.inputs.label);
      if (label !== undefined) await logAll(ctx, ctx.inputs.display, levelOf(ctx.params.level), label, renderer(ctx.generics.D));
    },
  }),
  treatment(area, 'logDataBlock', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { display: 'Block<D>' },
    doc: 'Logs the display form of the single value if it arrives.',
    async run(ctx) {
      const v = await ctx.inputs.display.recvOne();
      if (v !== END) ctx.log(levelOf(ctx.params.level), ctx.params.label as string, renderer(ctx.generics.D)(v));
    },
  }),
  treatment(area, 'logDataBlockLabel', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', display: 'Block<D>' },
    doc: 'Waits for label then value; logs its display form once.',
    async run(ctx) {
      const label = await labelOf(ctx.inputs.label);
      if (label === undefined) return;
      const v = await ctx.inputs.display.recvOne();
      if (v !== END) ctx.log(levelOf(ctx.params.level), label, renderer(ctx.generics.D)(v));
    },
  }),
];
