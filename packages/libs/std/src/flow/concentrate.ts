/** `std/flow/concentrate` (libraries spec §3.6): fan-in of values within one track. */
import { model, treatment } from '@tutti/core';

const area = 'std/flow/concentrate';
const concentrator = { concentrator: 'Concentrator' };

export const concentrate = [
  model(area, 'Concentrator', {
    doc: 'Holds fan-in channels keyed by (track id, data type), each with capacity 500 values.',
  }),
  treatment(area, 'concentrate', {
    generics: 'T',
    models: concentrator,
    inputs: { data: 'Stream<T>' },
    doc: 'Pushes every value of `data` into the channel of its own track for type `T`.',
  }),
  treatment(area, 'concentrateBlock', {
    generics: 'T',
    models: concentrator,
    inputs: { data: 'Block<T>' },
    doc: 'Pushes the single value, if any, into the channel of its own track for type `T`.',
  }),
  treatment(area, 'concentrated', {
    generics: 'T',
    models: concentrator,
    inputs: { trigger: 'Block<T>' },
    outputs: { data: 'Stream<T>' },
    doc: 'When `trigger` arrives, re-emits everything concentrated in its own track for `T` until producers finish.',
  }),
];
