/** `std/engine` (libraries spec §3.1): the engine model, its `ready` source, run ids. */
import { fn, model, source } from '@tutti/core';

const area = 'std/engine';

export const engine = [
  model(area, 'Engine', {
    sources: ['ready'],
    doc: 'Handle on the running engine. Each instance fires its `ready` source once, when the engine starts.',
  }),
  source(area, 'ready', {
    model: 'Engine',
    outputs: { trigger: 'Block<void>' },
    doc: 'Opens one track when the engine is ready; sends one `_` on `trigger`, then closes it.',
  }),
  fn(area, 'version', { returns: 'string', doc: 'Engine version text (`0.10.2`).' }),
  fn(area, 'run_id', { returns: 'string', doc: 'Identifier of the current run (UUID), from `MELODIUM_RUN_ID` when valid.' }),
  fn(area, 'group_id', {
    returns: 'string',
    doc: 'Group identifier shared by a run and its workers, from `MELODIUM_GROUP_ID` when valid.',
  }),
];
