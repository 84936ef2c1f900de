/**
 * `log/file::writeLabelLogs` — a Tutti addition to the 0.9 `log/file` area: one file per
 * label, so that `cicd/logging::manageLogs` leaves each step's log beside the full log
 * (a step's records carry the step's name as label). A label is made a file name by
 * replacing every character other than letters, digits, `.`, `-` and `_` with `_`.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { treatment } from '@tutti/core';
import type { LogValue } from './log-value.js';

/** The file name of a label's log (`build step` → `build_step.log`). */
export function labelFileName(label: string): string {
  const base = label.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, '_');
  return `${base === '' ? '_' : base}.log`;
}

export const labelFiles = [
  treatment('log/file', 'writeLabelLogs', {
    params: { directory: 'var string' },
    inputs: { logs: 'Stream<log/logger::Log>' },
    doc: 'Writes each record to `<directory>/<label>.log` (one file per label, created or replaced; unsafe characters of the label become `_`).',
    async run(ctx) {
      const dir = ctx.params.directory as string;
      const files = new Map<string, WriteStream>();
      let failed = false;
      try {
        mkdirSync(dir, { recursive: true });
      } catch (e) {
        ctx.log('error', 'writeLabelLogs', `cannot create ${dir}: ${(e as Error).message}`);
        failed = true;
      }
      for await (const batch of ctx.inputs.logs) {
        if (failed) continue;
        for (const l of batch as readonly LogValue[]) {
          const name = labelFileName(l.label);
          let f = files.get(name);
          if (f === undefined) {
            f = createWriteStream(join(dir, name));
            f.on('error', (e) => {
              if (!failed) ctx.log('error', 'writeLabelLogs', `cannot write ${join(dir, name)}: ${e.message}`);
              failed = true;
            });
            files.set(name, f);
          }
          if (!f.write(`${l.toString()}\n`)) await once(f, 'drain').catch(() => undefined);
        }
      }
      await Promise.all([...files.values()].map((f) => new Promise<void>((r) => f.end(() => r()))));
    },
  }),
];
