/**
 * Volumes for the `local` location: each volume a runner asks for is a folder of its own
 * under one temporary folder, handed to the worker as the `MELODIUM_RUN_VOLUMES` /
 * `MELODIUM_RUN_VOLUME_<name>` environment that `getFileSystem` reads, as the
 * `compose` location does with its container volumes. The commands a local step runs are
 * host processes that inherit that environment, so a program can reach a volume's folder
 * as `$MELODIUM_RUN_VOLUME_<name>` where a container would mount it. The folders are
 * removed when the worker is stopped, or when this process exits first.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VolumeValue } from './resources/values.js';

const open = new Set<string>();
let exitHook = false;

/** Folders made for `volumes`, with the worker's environment and the function that removes them. */
export interface LocalVolumes {
  readonly env: Readonly<Record<string, string>>;
  remove(): void;
}

/** Makes one folder per volume (undefined when there is none). */
export function makeLocalVolumes(volumes: readonly VolumeValue[]): LocalVolumes | undefined {
  if (volumes.length === 0) return undefined;
  const root = mkdtempSync(join(tmpdir(), 'tutti-volumes-'));
  open.add(root);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const d of open) rmSync(d, { recursive: true, force: true });
    });
  }
  const env: Record<string, string> = { MELODIUM_RUN_VOLUMES: volumes.map((v) => v.name).join(',') };
  for (const v of volumes) {
    const dir = join(root, encodeURIComponent(v.name));
    mkdirSync(dir, { recursive: true });
    env[`MELODIUM_RUN_VOLUME_${v.name}`] = dir;
  }
  return {
    env,
    remove: () => {
      open.delete(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
