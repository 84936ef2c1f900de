/** `fs/dir` (libraries spec §4.4): creating and scanning directories on a file system. */
import { treatment } from '@tutti/core';

const area = 'fs/dir';

export const dir = [
  treatment(area, 'create', {
    params: { recursive: 'var bool = true' },
    inputs: { path: 'Block<string>', filesystem: 'Block<FileSystem>' },
    outputs: { success: 'Block<void>', failure: 'Block<void>', error: 'Block<string>' },
    doc: 'Creates the directory (with its parents when `recursive`); `success`, or `error` and `failure`.',
  }),
  treatment(area, 'scan', {
    params: { recursive: 'var bool = false', follow_links: 'var bool = true' },
    inputs: { path: 'Block<string>', filesystem: 'Block<FileSystem>' },
    outputs: {
      entries: 'Stream<string>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      finished: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Lists entries under `path` as full paths (links never traversed); `finished`, then `completed` or `failed`.',
  }),
];
