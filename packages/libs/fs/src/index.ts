/**
 * The `fs` package: descriptors of its native elements, plus its own
 * `.mel` areas under `mel/` (`mel/local.mel` is `fs/local`, `mel/text.mel` is `fs/text`).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { dir } from './dir.js';
import { file } from './file.js';
import { filesystem } from './filesystem.js';
import { local } from './local.js';
import { path } from './path.js';

/** The bundled `fs` package, version 0.10.2. */
export const fs: PackageDescriptor = {
  name: 'fs',
  version: '0.10.2',
  doc: 'File systems: local file system, file reading and writing, directories, paths and text files.',
  dependencies: { std: '0.10.2' },
  melRoot: fileURLToPath(new URL('../mel', import.meta.url)),
  elements: [...filesystem, ...local, ...file, ...dir, ...path],
};
export * from './filesystem.js';
export { LocalFileSystem } from './local-filesystem.js';
