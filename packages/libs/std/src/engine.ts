/** `std/engine`: the engine model, its `ready` source, run ids. */
import { randomUUID } from 'node:crypto';
import { fn, model, source } from '@tutti/core';

const area = 'std/engine';

/** The version the bundled packages report: 0.10.2, that of the reference they follow. */
export const ENGINE_VERSION = '0.10.2';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id from `variable` when it holds a valid UUID, else one generated once per process. */
function idFrom(variable: string): () => string {
  let id: string | undefined;
  return () => {
    if (id === undefined) {
      const v = process.env[variable];
      id = v !== undefined && UUID.test(v) ? v.toLowerCase() : randomUUID();
    }
    return id;
  };
}
/** The run's identifier (`|run_id`), also used by cicd's status links. */
export const runId = idFrom('MELODIUM_RUN_ID');
/** The run group's identifier (`|group_id`). */
export const groupId = idFrom('MELODIUM_GROUP_ID');

export const engine = [
  model(area, 'Engine', {
    sources: ['ready'],
    doc: 'Handle on the running engine. Each instance fires its `ready` source once, when the engine starts.',
    create: (ctx) => ({
      // Background activity: exactly one track for `ready`, whose trigger emits one `_`
      // (so every `startup` instance, owning its model, starts one track).
      async continuous() {
        await ctx.createTrack('ready', {
          feed: async (outputs) => {
            await outputs.trigger?.sendOne(undefined);
          },
        });
      },
    }),
  }),
  source(area, 'ready', {
    model: 'Engine',
    outputs: { trigger: 'Block<void>' },
    doc: 'Opens one track when the engine is ready; sends one `_` on `trigger`, then closes it.',
  }),
  fn(area, 'version', { returns: 'string', doc: 'Engine version text (`0.10.2`).', impl: () => ENGINE_VERSION }),
  fn(area, 'run_id', {
    returns: 'string',
    doc: 'Identifier of the current run (UUID), from `MELODIUM_RUN_ID` when valid.',
    impl: () => runId(),
  }),
  fn(area, 'group_id', {
    returns: 'string',
    doc: 'Group identifier shared by a run and its workers, from `MELODIUM_GROUP_ID` when valid.',
    impl: () => groupId(),
  }),
];
