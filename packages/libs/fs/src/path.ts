/**
 * `fs/path`: local path syntax (see path-syntax.ts for the rules) and
 * local disk queries. `exists` and `meta` ask the local disk directly, whatever file system
 * handles a program uses, and turn every failure into "absent" as the reference does.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { END, fn, treatment } from '@tutti/core';
import { extension, fileName, fileStem, parent } from './path-syntax.js';

const area = 'fs/path';

/** Paths queried at once: enough to keep the I/O pool busy, few enough to bound open requests. */
const STAT_GROUP = 256;

export const path = [
  fn(area, 'extension', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Part of the file name after the last `.`; none without file name, `.` or for a dot-file.',
    impl: ([p]) => extension(p as string),
  }),
  fn(area, 'file_name', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Last normal component; none for `/`, empty paths or paths ending with `..`.',
    impl: ([p]) => fileName(p as string),
  }),
  fn(area, 'file_stem', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'File name without its final extension.',
    impl: ([p]) => fileStem(p as string),
  }),
  fn(area, 'parent', {
    params: 'path: string',
    returns: 'Option<string>',
    doc: 'Path without its last component; none for `/` or empty.',
    impl: ([p]) => parent(p as string),
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
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.path.recvMany();
        if (batch === END) return;
        const n = batch.length;
        const extensions = new Array<string | null>(n);
        const names = new Array<string | null>(n);
        const stems = new Array<string | null>(n);
        const parents = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const p = batch[i] as string;
          extensions[i] = extension(p);
          names[i] = fileName(p);
          stems[i] = fileStem(p);
          parents[i] = parent(p);
        }
        const sent = await Promise.all([
          outputs.extension.sendMany(extensions),
          outputs.file_name.sendMany(names),
          outputs.file_stem.sendMany(stems),
          outputs.parent.sendMany(parents),
        ]);
        if (!sent.includes(true)) return; // rule C: every output is gone
      }
    },
  }),
  treatment(area, 'exists', {
    inputs: { path: 'Stream<string>' },
    outputs: { exists: 'Stream<bool>' },
    doc: 'Whether each path exists on the local disk (following symlinks).',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.path.recvMany();
        if (batch === END) return;
        const found = await statAll(batch as readonly string[], (s) => s !== null);
        if (!(await outputs.exists.sendMany(found))) return;
      }
    },
  }),
  treatment(area, 'meta', {
    inputs: { path: 'Stream<string>' },
    outputs: { is_dir: 'Stream<bool>', is_file: 'Stream<bool>', length: 'Stream<u64>' },
    doc: 'Local metadata of each path (following symlinks); unreadable or missing gives `false, false, 0`.',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.path.recvMany();
        if (batch === END) return;
        const stats = await statAll(batch as readonly string[], (s) => s);
        const n = stats.length;
        const dirs = new Array<boolean>(n);
        const files = new Array<boolean>(n);
        const lengths = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          const s = stats[i];
          dirs[i] = s?.isDirectory() ?? false;
          files[i] = s?.isFile() ?? false;
          // A size past 2^53 bytes (8 PiB) cannot occur on a real file.
          lengths[i] = s?.size ?? 0;
        }
        const sent = await Promise.all([outputs.is_dir.sendMany(dirs), outputs.is_file.sendMany(files), outputs.length.sendMany(lengths)]);
        if (!sent.includes(true)) return;
      }
    },
  }),
];

/** `pick` of each path's metadata (following links), null for any failure; in input order. */
async function statAll<T>(paths: readonly string[], pick: (s: Stats | null) => T): Promise<T[]> {
  const out = new Array<T>(paths.length);
  for (let from = 0; from < paths.length; from += STAT_GROUP) {
    const to = Math.min(paths.length, from + STAT_GROUP);
    const group: Promise<void>[] = [];
    for (let i = from; i < to; i++) {
      group.push(
        stat(paths[i] as string).then(
          (s) => {
            out[i] = pick(s);
          },
          () => {
            out[i] = pick(null);
          },
        ),
      );
    }
    await Promise.all(group);
  }
  return out;
}
