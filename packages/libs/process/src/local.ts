/** `process/local`: the local executor; its `.mel` treatments are in `mel/local.mel`. */
import { fn } from '@tutti/core';
import { LocalExecutor } from './local-executor.js';

const area = 'process/local';

/** The local executor holds no state: one value serves every call. */
const localExecutor = new LocalExecutor();

export const local = [
  fn(area, 'local_executor', {
    returns: 'Option<Executor>',
    doc: 'Always some: runs commands as child processes of the engine.',
    impl: () => localExecutor,
  }),
];
