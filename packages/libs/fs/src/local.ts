/** `fs/local`: the local file system; its `.mel` treatments are in `mel/local.mel`. */
import { fn } from '@tutti/core';
import { LocalFileSystem } from './local-filesystem.js';

const area = 'fs/local';

/** The unrooted local file system: one value serves every call (it holds no state). */
const unrooted = new LocalFileSystem();

export const local = [
  fn(area, 'local_filesystem', {
    params: 'path: Option<string>',
    returns: 'Option<FileSystem>',
    doc: 'Always some: the local file system, paths joined to `path` when given (paths are normalised and may not leave the root, where the reference lets `..` escape it).',
    impl: ([path]) => (path === null || path === undefined ? unrooted : new LocalFileSystem(path as string)),
  }),
];
