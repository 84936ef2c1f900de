/**
 * The `testkit` fixture package: a context `@Turn`, a model
 * `Counter` and its source `turns`, used only by the test suite (loaded with `--path`).
 */
import { context, model, type PackageDescriptor, source } from '@tutti/core';

const area = 'testkit';
/** Tracks a Counter keeps live at once. */
const WINDOW = 256;

/** The `testkit` fixture package, version 1.0.0. */
export const testkit: PackageDescriptor = {
  name: 'testkit',
  version: '1.0.0',
  doc: 'Test fixture: a counter model opening one track per turn, each with a `@Turn` context.',
  elements: [
    context(area, '@Turn', {
      fields: { index: 'u64', name: 'string' },
      doc: 'The turn a track belongs to: its index from 0 and its name `turn-<index>`.',
    }),
    model(area, 'Counter', {
      params: { count: 'u64 = 3' },
      sources: ['turns'],
      doc: 'Opens `count` tracks of its source `turns`, the k-th with `@Turn { index: k, name: "turn-k" }`, then ends.',
      create: (ctx) => ({
        // At most WINDOW tracks live at once: a source of many tracks must not hold them all.
        async continuous() {
          const count = Number(ctx.params.count);
          const live = new Set<Promise<unknown>>();
          for (let k = 0; k < count; k++) {
            if (ctx.signal.aborted) return;
            const p: Promise<unknown> = ctx
              .createTrack('turns', {
                contexts: new Map([['testkit::@Turn', { index: k, name: `turn-${k}` }]]),
                feed: async (outputs) => {
                  await outputs.started?.sendOne(undefined);
                },
              })
              .finally(() => live.delete(p));
            live.add(p);
            if (live.size >= WINDOW) await Promise.race(live);
          }
        },
      }),
    }),
    source(area, 'turns', {
      model: 'Counter',
      outputs: { started: 'Block<void>' },
      contexts: ['@Turn'],
      doc: 'One track per turn of its `Counter`, providing `@Turn`; `started` emits one `_` then closes.',
    }),
  ],
};

export default testkit;
