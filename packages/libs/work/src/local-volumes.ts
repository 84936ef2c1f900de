/**
 * Volumes for the `local` location: each volume a runner asks for is a folder of its own
 * under one temporary folder, handed to the worker as the `MELODIUM_RUN_VOLUMES` /
 * `MELODIUM_RUN_VOLUME_<name>` environment that `getFileSystem` reads, as the
 * `compose` location does with its container volumes. The commands a local step runs are
 * host processes that inherit that environment, so a program can reach a volume's folder
 * as `$MELODIUM_RUN_VOLUME_<name>` where a container would mount it. The folders are
 * removed when the worker is stopped, or when this process exits first.
 *
 * Containers asked for get a folder each too (`containers/<name>`): there are no containers on
 * `local`, their commands run on the host in that folder, with their mount points standing for
 * the volumes' folders (`resources/host-executor.ts`); the environment names them with
 * `MELODIUM_RUN_EXECUTOR=host`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_EXECUTOR } from './resources/resources.js';
import type { ContainerValue, VolumeValue } from './resources/values.js';

const open = new Set<string>();
let exitHook = false;

/** Folders made for `volumes`, with the worker's environment and the function that removes them. */
export interface LocalVolumes {
  readonly env: Readonly<Record<string, string>>;
  remove(): void;
}

/**
 * Makes one folder per volume and per container (undefined when there is none); throws when a
 * container mounts a volume the request does not declare.
 */
export function makeLocalVolumes(volumes: readonly VolumeValue[], containers: readonly ContainerValue[] = []): LocalVolumes | undefined {
  if (volumes.length === 0 && containers.length === 0) return undefined;
  const declared = new Set(volumes.map((v) => v.name));
  for (const c of containers)
    for (const m of c.mounts)
      if (!declared.has(m.name)) throw new Error(`Container '${c.name}' mounts volume '${m.name}', which the request does not declare`);
  const root = mkdtempSync(join(tmpdir(), 'tutti-local-'));
  open.add(root);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const d of open) rmSync(d, { recursive: true, force: true });
    });
  }
  const env: Record<string, string> = {};
  const volumeDirs = new Map<string, string>();
  if (volumes.length > 0) env.MELODIUM_RUN_VOLUMES = volumes.map((v) => v.name).join(',');
  for (const v of volumes) {
    const dir = join(root, 'volumes', encodeURIComponent(v.name));
    mkdirSync(dir, { recursive: true });
    volumeDirs.set(v.name, dir);
    env[`MELODIUM_RUN_VOLUME_${v.name}`] = dir;
  }
  if (containers.length > 0) {
    env.MELODIUM_RUN_EXECUTOR = HOST_EXECUTOR;
    env.MELODIUM_RUN_CONTAINERS = containers.map((c) => c.name).join(',');
  }
  for (const c of containers) {
    const dir = join(root, 'containers', encodeURIComponent(c.name));
    mkdirSync(dir, { recursive: true });
    env[`MELODIUM_RUN_CONTAINER_${c.name}`] = dir;
    env[`TUTTI_RUN_MOUNTS_${c.name}`] = JSON.stringify(c.mounts.map((m) => [m.point, volumeDirs.get(m.name)]));
  }
  return {
    env,
    remove: () => {
      open.delete(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
