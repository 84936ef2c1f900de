/** `fs/path` (libraries spec §4.5): local path syntax and local disk queries. */
import { fn, treatment } from '@tutti/core';

const area = 'fs/path';

export const path = [
  fn(area, 'extension', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Part of the file name after the last `.`; none without file name, `.` or for a dot-file.',
  }),
  fn(area, 'file_name', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Last normal component; none for `/`, empty paths or paths ending with `..`.',
  }),
  fn(area, 'file_stem', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'File name without its final extension.',
  }),
  fn(area, 'parent', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Path without its last component; none for `/` or empty.',
  }),
  treatment(area, 'composition', {
    inputs: { path: 'Stream<string>' },
    outputs: {
      extension: 'Stream<Option<string>>',
      file_name: 'Stream<Option<string>>',
      file_stem: 'Stream<Option<string>>',
      parent: 'Stream<Option<string>>',
    },
    doc: 'Applies `|extension`, `|file_name`, `|file_stem` and `|parent` to each path.',
  }),
  treatment(area, 'exists', {
    inputs: { path: 'Stream<string>' },
    outputs: { exists: 'Stream<bool>' },
    doc: 'Whether each path exists on the local disk (following symlinks).',
  }),
  treatment(area, 'meta', {
    inputs: { path: 'Stream<string>' },
    outputs: { is_dir: 'Stream<bool>', is_file: 'Stream<bool>', length: 'Stream<u64>' },
    doc: 'Local metadata of each path (following symlinks); unreadable or missing gives `false, false, 0`.',
  }),
];
