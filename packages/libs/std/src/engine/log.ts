/** `std/engine/log` (libraries spec §3.3): log levels and the native logging treatments. */
import { dataType, fn, treatment } from '@tutti/core';

const area = 'std/engine/log';
const engine = { engine: 'std/engine::Engine' };

export const log = [
  dataType(area, 'Level', {
    traits: 'Serialize Deserialize Bounded PartialEquality Equality PartialOrder Order',
    doc: 'Log level: error, warning, info, debug or trace (ordered error < … < trace; min trace, max error).',
  }),
  fn(area, 'error', { returns: 'Level', doc: 'The error level.' }),
  fn(area, 'warning', { returns: 'Level', doc: 'The warning level.' }),
  fn(area, 'info', { returns: 'Level', doc: 'The info level.' }),
  fn(area, 'debug', { returns: 'Level', doc: 'The debug level.' }),
  fn(area, 'trace', { returns: 'Level', doc: 'The trace level.' }),
  treatment(area, 'logStream', {
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { messages: 'Stream<string>' },
    doc: 'Logs every received string as one record at `level` under `label`; ends when `messages` closes.',
  }),
  treatment(area, 'logStreamLabel', {
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', messages: 'Stream<string>' },
    doc: 'Waits for `label`, then logs each message under it.',
  }),
  treatment(area, 'logBlock', {
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { message: 'Block<string>' },
    doc: 'Logs the single message if it arrives.',
  }),
  treatment(area, 'logBlockLabel', {
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', message: 'Block<string>' },
    doc: 'Waits for label then message; logs once.',
  }),
  treatment(area, 'logDataStream', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { display: 'Stream<D>' },
    doc: 'Logs the display form of each value.',
  }),
  treatment(area, 'logDataStreamLabel', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', display: 'Stream<D>' },
    doc: 'Waits for `label`, then logs the display form of each value under it.',
  }),
  treatment(area, 'logDataBlock', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level', label: 'var string' },
    inputs: { display: 'Block<D>' },
    doc: 'Logs the display form of the single value if it arrives.',
  }),
  treatment(area, 'logDataBlockLabel', {
    generics: 'D: Display',
    models: engine,
    params: { level: 'var Level' },
    inputs: { label: 'Block<string>', display: 'Block<D>' },
    doc: 'Waits for label then value; logs its display form once.',
  }),
];
