/**
 * `fs/dir`: creating and scanning directories on a file system.
 *
 * `scan` emits `finished` in every case that reaches the file system, including a path
 * outside a rooted file system (a fix: the reference omits it there). It
 * stops early when neither `entries` nor `errors` has a consumer left, and still ends with `finished` and
 * `completed` (or `failed` if errors were met before). On a rooted file system, entries are
 * shown under the `path` given (so they can be fed back to the same file system), not under
 * the root.
 */
import { treatment } from '@tutti/core';
import { receivePathAndSystem } from './blocks.js';
import { type FileSystem, failureText } from './filesystem.js';

const area = 'fs/dir';

export const dir = [
  treatment(area, 'create', {
    params: { recursive: 'var bool = true' },
    inputs: { path: 'Block<string>', filesystem: 'Block<FileSystem>' },
    outputs: { success: 'Block<void>', failure: 'Block<void>', error: 'Block<string>' },
    doc: 'Creates the directory (with its parents when `recursive`); `success`, or `error` and `failure`.',
    async run({ inputs, outputs, params }) {
      const received = await receivePathAndSystem(inputs.path, inputs.filesystem);
      if (received === null) return; // rule B
      const [path, system] = received;
      try {
        await (system as FileSystem).createDir(path, params.recursive !== false);
      } catch (e) {
        // The reference's order: the message, then `failure`.
        await outputs.error.sendOne(failureText(e));
        await outputs.failure.sendOne(undefined);
        return;
      }
      await outputs.success.sendOne(undefined);
    },
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
    async run({ inputs, outputs, params }) {
      const received = await receivePathAndSystem(inputs.path, inputs.filesystem);
      if (received === null) return; // rule B
      const [path, system] = received;
      const options = { recursive: params.recursive === true, followLinks: params.follow_links !== false };
      let failed = false;
      // Leaving the loop early closes the scan's open directory (iterator return).
      for await (const items of (system as FileSystem).scanDir(path, options)) {
        const entries: string[] = [];
        const errors: string[] = [];
        for (const item of items) {
          if (item.error === undefined) entries.push(item.entry);
          else errors.push(item.error);
        }
        if (errors.length > 0) {
          failed = true;
          await outputs.errors.sendMany(errors);
        }
        if (entries.length > 0) await outputs.entries.sendMany(entries);
        // Rule C: nobody wants entries or errors any more.
        if (!outputs.entries.usable && !outputs.errors.usable) break;
      }
      outputs.entries.close();
      outputs.errors.close();
      await outputs.finished.sendOne(undefined);
      if (failed) await outputs.failed.sendOne(undefined);
      else await outputs.completed.sendOne(undefined);
    },
  }),
];
