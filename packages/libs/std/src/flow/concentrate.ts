/** `std/flow/concentrate`: fan-in of values within one track. */
import { END, model, treatment } from '@tutti/core';
import { yieldToLoop } from './batch.js';
import { Concentrator, concentratorOf, typeKey } from './concentrator.js';

const area = 'std/flow/concentrate';
const concentrator = { concentrator: 'Concentrator' };

export const concentrate = [
  model(area, 'Concentrator', {
    doc: 'Holds fan-in channels keyed by (track id, data type), each with capacity 500 values.',
    create: () => new Concentrator(),
  }),
  treatment(area, 'concentrate', {
    generics: 'T',
    models: concentrator,
    inputs: { data: 'Stream<T>' },
    doc: 'Pushes every value of `data` into the channel of its own track for type `T`.',
    async run({ inputs, models, track, generics }) {
      // Registered before the first await: see concentrator.ts.
      const channel = concentratorOf(models).channel(track, typeKey(generics.T));
      const finished = channel.addProducer();
      try {
        for (;;) {
          const b = await inputs.data.recvMany();
          if (b === END || !(await channel.push(b))) return;
        }
      } finally {
        finished();
      }
    },
  }),
  treatment(area, 'concentrateBlock', {
    generics: 'T',
    models: concentrator,
    inputs: { data: 'Block<T>' },
    doc: 'Pushes the single value, if any, into the channel of its own track for type `T`.',
    async run({ inputs, models, track, generics }) {
      const channel = concentratorOf(models).channel(track, typeKey(generics.T));
      const finished = channel.addProducer();
      try {
        const v = await inputs.data.recvOne();
        if (v !== END) await channel.push([v]);
      } finally {
        finished();
      }
    },
  }),
  treatment(area, 'concentrated', {
    generics: 'T',
    models: concentrator,
    inputs: { trigger: 'Block<T>' },
    outputs: { data: 'Stream<T>' },
    doc: 'When `trigger` arrives, re-emits everything concentrated in its own track for `T` until producers finish.',
    async run({ inputs, outputs, models, track, generics }) {
      const channel = concentratorOf(models).channel(track, typeKey(generics.T));
      const finished = channel.addConsumer();
      try {
        if ((await inputs.trigger.recvOne()) === END) return;
        // Every task of the track has registered after one turn of the event loop, so
        // "no producer left" is now a safe conclusion (the reference's `concentrated` never
        // ends without producers: fixed here).
        await yieldToLoop();
        for (;;) {
          const b = await channel.take();
          if (b === END || !(await outputs.data.sendMany(b))) return;
        }
      } finally {
        finished();
      }
    },
  }),
];
