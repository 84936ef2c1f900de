/**
 * `work/resources` and `work/resources/arch`: the resource
 * descriptions programs give `work/distant::distant`, and, inside a worker, access to the
 * executors and volumes next to it (`getExecutor`, `getFileSystem`) through the
 * `MELODIUM_RUN_*` environment (as the reference's workers read it).
 */
import { dataType, END, fn, treatment } from '@tutti/core';
import { LocalFileSystem } from '@tutti/lib-fs';
import { type Executor, LocalExecutor } from '@tutti/lib-process';
import type { StringMapValue } from '@tutti/lib-std';
import { ContainerEngine, engineArgs } from '../containers/engine.js';
import { ContainerExecutor } from './container-executor.js';
import { HostContainerExecutor, type HostMount } from './host-executor.js';
import { ArchValue, ContainerValue, MountValue, recordOf, ServiceContainerValue, VolumeValue } from './values.js';

const area = 'work/resources';
const archArea = 'work/resources/arch';

/** The local executor holds no state: one value serves every call. */
const localExecutor = new LocalExecutor();

/** Container executors by engine program and container: each caches the container's environment. */
const containerExecutors = new Map<string, ContainerExecutor>();

/** The comma list of variable `key` of `env`. */
function listed(env: NodeJS.ProcessEnv, key: string): string[] {
  return (env[key] ?? '').split(',').filter((n) => n !== '');
}

/**
 * The executor `getExecutor` gives for `name` in a worker whose environment is `env`:
 * none → the local executor; some → the container executor of the
 * container listed under that name; else the reason.
 */
export function executorFor(name: string | null, env: NodeJS.ProcessEnv = process.env): { executor: Executor } | { error: string } {
  if (name === null) return { executor: localExecutor };
  const kind = env.MELODIUM_RUN_EXECUTOR;
  if (kind === HOST_EXECUTOR) return hostExecutorFor(name, env);
  // A Kubernetes backend would take over here; this build has none.
  if (kind !== 'podman' && kind !== 'docker') return { error: 'Executor name not set' };
  const container = env[`MELODIUM_RUN_CONTAINER_${name}`];
  if (!listed(env, 'MELODIUM_RUN_CONTAINERS').includes(name) || container === undefined || container === '')
    return { error: `No container '${name}' listed as available` };
  const entrypoint = env.MELODIUM_RUN_EXECUTOR_ENTRYPOINT;
  const program = entrypoint === undefined || entrypoint === '' ? kind : entrypoint;
  const key = `${program}\n${env.TUTTI_CONTAINER_ENGINE_ARGS ?? ''}\n${container}`;
  let executor = containerExecutors.get(key);
  if (executor === undefined) {
    executor = new ContainerExecutor(
      new ContainerEngine(kind, program, engineArgs(kind, env.TUTTI_CONTAINER_ENGINE_ARGS).args, env),
      container,
    );
    containerExecutors.set(key, executor);
  }
  return { executor };
}

/**
 * `MELODIUM_RUN_EXECUTOR` of a `local` worker (Tutti's extension): its containers are folders
 * and their commands host processes (`host-executor.ts`). `MELODIUM_RUN_CONTAINER_<name>` is
 * the container's folder, `TUTTI_RUN_MOUNTS_<name>` a JSON list of `[mount point, folder]`.
 */
export const HOST_EXECUTOR = 'host';

const hostExecutors = new Map<string, HostContainerExecutor>();

function hostExecutorFor(name: string, env: NodeJS.ProcessEnv): { executor: Executor } | { error: string } {
  const dir = env[`MELODIUM_RUN_CONTAINER_${name}`];
  if (!listed(env, 'MELODIUM_RUN_CONTAINERS').includes(name) || dir === undefined || dir === '')
    return { error: `No container '${name}' listed as available` };
  const mountsText = env[`TUTTI_RUN_MOUNTS_${name}`] ?? '[]';
  const key = `${dir}\n${mountsText}`;
  let executor = hostExecutors.get(key);
  if (executor === undefined) {
    let mounts: HostMount[] = [];
    try {
      mounts = (JSON.parse(mountsText) as [string, string][]).map(([point, d]) => ({ point, dir: d }));
    } catch {
      return { error: `TUTTI_RUN_MOUNTS_${name} is not a JSON list of [mount point, folder]` };
    }
    executor = new HostContainerExecutor(localExecutor, name, dir, mounts);
    hostExecutors.set(key, executor);
  }
  return { executor };
}

/** The file system `getFileSystem` gives for volume `name`, or the reason. */
export function fileSystemFor(name: string, env: NodeJS.ProcessEnv = process.env): { filesystem: LocalFileSystem } | { error: string } {
  const root = env[`MELODIUM_RUN_VOLUME_${name}`];
  if (!listed(env, 'MELODIUM_RUN_VOLUMES').includes(name) || root === undefined || root === '')
    return { error: `No volume '${name}' available` };
  return { filesystem: new LocalFileSystem(root) };
}

const archOf = (v: unknown): 'amd64' | 'arm64' => (v as ArchValue).name;

export const resources = [
  dataType(archArea, 'Arch', {
    traits: 'PartialEquality Serialize Deserialize Display ToString',
    doc: 'CPU architecture; text `"amd64"` / `"arm64"`.',
  }),
  fn(archArea, 'amd64', { returns: 'Arch', doc: 'The amd64 (x86-64) architecture.', impl: () => ArchValue.amd64 }),
  fn(archArea, 'arm64', { returns: 'Arch', doc: 'The arm64 (AArch64) architecture.', impl: () => ArchValue.arm64 }),

  dataType(area, 'Container', { doc: 'Executor container spec: name, image, pull_secret, memory, cpu, storage, arch, mounts.' }),
  fn(area, 'container', {
    params: 'name: string, memory: u32, cpu: u32, storage: u32, arch: Arch, mounts: Vec<Mount>, image: string, pull_secret: Option<string>',
    returns: 'Container',
    doc: 'An executor container (memory and storage in MB, cpu in millicores); none pull secret → `"{}"`.',
    impl: ([name, memory, cpu, storage, arch, mounts, image, secret]) =>
      new ContainerValue(
        name as string,
        memory as number,
        cpu as number,
        storage as number,
        archOf(arch),
        mounts as MountValue[],
        image as string,
        (secret as string | null) ?? '{}',
      ),
  }),
  dataType(area, 'ServiceContainer', { doc: 'Side-car service container: as `Container` plus env and command.' }),
  fn(area, 'service_container', {
    params:
      'name: string, memory: u32, cpu: u32, storage: u32, arch: Arch, mounts: Vec<Mount>, image: string, pull_secret: Option<string>, env: Option<StringMap>, command: Option<Vec<string>>',
    returns: 'ServiceContainer',
    doc: 'A service container; none env → empty, none command → the image default.',
    impl: ([name, memory, cpu, storage, arch, mounts, image, secret, env, command]) =>
      new ServiceContainerValue(
        name as string,
        memory as number,
        cpu as number,
        storage as number,
        archOf(arch),
        mounts as MountValue[],
        image as string,
        (secret as string | null) ?? '{}',
        recordOf(env as StringMapValue | null),
        (command as string[] | null) ?? undefined,
      ),
  }),
  dataType(area, 'Mount', { doc: 'Volume name + mount point.' }),
  fn(area, 'mount', {
    params: 'name: string, point: string',
    returns: 'Mount',
    doc: 'Volume `name` mounted at `point`.',
    impl: ([name, point]) => new MountValue(name as string, point as string),
  }),
  dataType(area, 'Volume', { doc: 'Shared volume name + size (MB).' }),
  fn(area, 'volume', {
    params: 'name: string, storage: u32',
    returns: 'Volume',
    doc: 'A shared volume of `storage` MB.',
    impl: ([name, storage]) => new VolumeValue(name as string, storage as number),
  }),

  treatment(area, 'getExecutor', {
    inputs: { name: 'Block<Option<string>>' },
    outputs: { executor: 'Block<Executor>', error: 'Block<string>', failed: 'Block<void>' },
    doc: 'none → the local executor; some(name) → an executor running commands inside container `name` of the current worker (podman or docker exec). Unknown container → `failed` + message.',
    run: async ({ inputs, outputs }) => {
      const name = await inputs.name.recvOne();
      if (name === END) return;
      const got = executorFor(name as string | null);
      if ('executor' in got) {
        await outputs.executor.sendOne(got.executor);
        return;
      }
      await outputs.failed.sendOne(undefined);
      await outputs.error.sendOne(got.error);
    },
  }),
  treatment(area, 'getFileSystem', {
    inputs: { name: 'Block<string>' },
    outputs: { filesystem: 'Block<FileSystem>', error: 'Block<string>', failed: 'Block<void>' },
    doc: "File system rooted at volume `name` of the current worker. Without one: `failed` + `No volume '<name>' available`.",
    run: async ({ inputs, outputs }) => {
      const name = await inputs.name.recvOne();
      if (name === END) return;
      const got = fileSystemFor(name as string);
      if ('filesystem' in got) {
        await outputs.filesystem.sendOne(got.filesystem);
        return;
      }
      await outputs.failed.sendOne(undefined);
      await outputs.error.sendOne(got.error);
    },
  }),
];
