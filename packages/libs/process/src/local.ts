/** `process/local` (libraries spec §5.1): the local executor; its `.mel` treatments are in `mel/local.mel`. */
import { fn } from '@tutti/core';

const area = 'process/local';

export const local = [
  fn(area, 'local_executor', {
    returns: 'Option<Executor>',
    doc: 'Always some: runs commands as child processes of the engine.',
  }),
];
