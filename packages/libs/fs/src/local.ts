/** `fs/local` (libraries spec §4.2): the local file system; its `.mel` treatments are in `mel/local.mel`. */
import { fn } from '@tutti/core';

const area = 'fs/local';

export const local = [
  fn(area, 'local_filesystem', {
    params: 'path: Option<string>',
    returns: 'Option<FileSystem>',
    doc: 'Always some: the local file system, paths joined to `path` when given (lexical containment check).',
  }),
];
