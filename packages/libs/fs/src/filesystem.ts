/** `fs/filesystem` (libraries spec §4.1): the file-system handle data type. */
import { dataType } from '@tutti/core';

const area = 'fs/filesystem';

export const filesystem = [
  dataType(area, 'FileSystem', {
    doc: 'Handle on a file-system backend (read file, write file, create directory, scan directory).',
  }),
];
