/** `fs/file` (libraries spec §4.3): reading and writing one file on a file system. */
import { treatment } from '@tutti/core';

const area = 'fs/file';

export const file = [
  treatment(area, 'read', {
    inputs: { path: 'Block<string>', filesystem: 'Block<FileSystem>' },
    outputs: {
      data: 'Stream<byte>',
      reached: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      finished: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Opens the file (`reached`), streams it, then `completed`; `failed` + `errors` on error; `finished` last.',
  }),
  treatment(area, 'write', {
    params: { append: 'var bool = false', create: 'var bool = true', new: 'var bool = false' },
    inputs: { path: 'Block<string>', filesystem: 'Block<FileSystem>', data: 'Stream<byte>' },
    outputs: {
      completed: 'Block<void>',
      failed: 'Block<void>',
      finished: 'Block<void>',
      errors: 'Stream<string>',
      amount: 'Stream<u128>',
    },
    doc: 'Opens the file with the flags, writes every chunk and streams the cumulative byte count; `finished` always.',
  }),
];
