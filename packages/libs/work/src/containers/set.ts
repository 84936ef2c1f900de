/**
 * A container set: the executor containers, service containers, volumes and network one
 * `compose` worker request asks for, started with the podman or
 * docker CLI next to a worker engine that runs on the host. See docs/containers.md for the
 * decisions (worker on the host, volumes as host directories, names and labels, limits).
 *
 * Everything a set creates carries the label `tutti.run=<run id>` (the network also
 * `tutti.dir=<its host directory>`), so that {@link removeLeftovers} finds what a crashed
 * orchestrator left behind. Containers are removed with `rm -f -t 0` (no 10 s stop wait).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerEngine, ContainerError, engineMessage } from './engine.js';

/** A container of a request (executor or service). */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** MB; 0 for no limit. */
  readonly memory: number;
  /** Millicores; 0 for no limit. */
  readonly cpu: number;
  /** MB; not enforced (see docs/containers.md). */
  readonly storage: number;
  readonly arch: 'amd64' | 'arm64' | undefined;
  readonly mounts: readonly { name: string; point: string }[];
}

/** A service container: as a container, plus its environment and command (none: the image's). */
export interface ServiceContainerSpec extends ContainerSpec {
  readonly env: Readonly<Record<string, string>>;
  readonly command: readonly string[] | undefined;
  /**
   * Extension (GitLab's `services: entrypoint`): replaces the image's entrypoint; its first word
   * is the program, the others come before `command`. `[]` or `['']` clears it. None: the image's.
   */
  readonly entrypoint?: readonly string[] | undefined;
  /** Extension (GitLab's `services: alias: "a,b"`): more names on the set's network, besides `name`. */
  readonly aliases?: readonly string[] | undefined;
}

export interface ContainerSetRequest {
  /** Used in names and a label, for cleanup. */
  readonly runId: string;
  /** Seconds; the set closes itself when it expires. */
  readonly maxDuration: number;
  readonly volumes: readonly { name: string; storage: number }[];
  readonly containers: readonly ContainerSpec[];
  readonly serviceContainers: readonly ServiceContainerSpec[];
}

export interface ContainerSet {
  /**
   * The MELODIUM_RUN_* environment a worker on the host needs to reach these executors and
   * volumes (`MELODIUM_RUN_CONTAINERS`, `MELODIUM_RUN_VOLUMES`, …, as the reference's compose
   * location gives them).
   */
  readonly env: Readonly<Record<string, string>>;
  /** The set's host directory (its volumes). */
  readonly dir: string;
  /** Removes every container, volume (its host directory) and network of the set; idempotent; returns warnings. */
  close(): Promise<string[]>;
}

export interface ContainerSetOptions {
  /** The engine to drive; default: {@link ContainerEngine.fromEnvironment}. */
  readonly engine?: ContainerEngine;
  /** Where the set's directory (holding the volumes) is created; default: the system's temporary directory. */
  readonly workDir?: string;
  /** Aborts the start: what was created is removed and the promise rejects. Ignored once started. */
  readonly signal?: AbortSignal;
  /** Extension: called after the set closed itself because `maxDuration` expired, with the close warnings. */
  readonly onExpire?: (warnings: string[]) => void;
  /** Called with the set's host directory as soon as it exists (a host removing sets at exit needs it before the start ends). */
  readonly onDirectory?: (dir: string) => void;
}

/** The label every object of a set carries. */
export const RUN_LABEL = 'tutti.run';

/** Names usable as container host names, volume names and in environment variable names. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The run id as it appears in object names. */
function runSlug(runId: string): string {
  const slug = runId.toLowerCase().replace(/[^a-z0-9_.-]/g, '');
  return slug === '' ? 'run' : slug.slice(0, 40);
}

/** Checks a request; throws a {@link ContainerError} with the first problem found. */
export function validateRequest(request: ContainerSetRequest): void {
  const fail = (message: string): never => {
    throw new ContainerError(message, 'E_CONTAINER_REQUEST');
  };
  if (!Number.isFinite(request.maxDuration) || request.maxDuration <= 0)
    fail(`Maximum duration must be positive, got ${request.maxDuration}`);
  const volumes = new Set<string>();
  for (const v of request.volumes) {
    if (!NAME.test(v.name)) fail(`Volume name '${v.name}' is not valid: letters, digits, '_', '.' and '-' only`);
    if (volumes.has(v.name)) fail(`Volume '${v.name}' is declared twice`);
    volumes.add(v.name);
  }
  const names = new Set<string>();
  let arch: { name: string; arch: string } | undefined;
  for (const c of [...request.containers, ...request.serviceContainers]) {
    if (!NAME.test(c.name)) fail(`Container name '${c.name}' is not valid: letters, digits, '_', '.' and '-' only`);
    if (names.has(c.name)) fail(`Container '${c.name}' is declared twice`);
    names.add(c.name);
    if (c.image.trim() === '') fail(`Container '${c.name}' has no image`);
    for (const a of (c as Partial<ServiceContainerSpec>).aliases ?? [])
      if (!NAME.test(a)) fail(`Network alias '${a}' of container '${c.name}' is not valid: letters, digits, '_', '.' and '-' only`);
    if (c.arch !== undefined) {
      if (arch !== undefined && arch.arch !== c.arch)
        fail(`All containers of a request must share one architecture: '${arch.name}' is ${arch.arch}, '${c.name}' is ${c.arch}`);
      arch ??= { name: c.name, arch: c.arch };
    }
    for (const m of c.mounts) {
      if (!volumes.has(m.name)) fail(`Container '${c.name}' mounts volume '${m.name}', which the request does not declare`);
      if (!m.point.startsWith('/'))
        fail(`Container '${c.name}' mounts volume '${m.name}' at '${m.point}': the mount point must be an absolute path`);
    }
  }
}

/**
 * Starts the set: checks the request and the images (never pulled: a missing image is an
 * error naming it), creates the network and the volumes' host directories, then starts
 * every container. On any failure what was created is removed before the promise rejects
 * with a {@link ContainerError}.
 */
export async function startContainerSet(request: ContainerSetRequest, options: ContainerSetOptions = {}): Promise<ContainerSet> {
  validateRequest(request);
  const engine = options.engine ?? ContainerEngine.fromEnvironment();
  const signal = options.signal;
  const aborted = (): void => {
    if (signal?.aborted) throw new ContainerError('Container set start aborted', 'E_CONTAINER_ABORTED');
  };
  aborted();
  await checkImages(engine, request, signal);
  aborted();

  const slug = runSlug(request.runId);
  const prefix = `tutti-${slug}`;
  const dir = mkdtempSync(join(options.workDir ?? tmpdir(), `${prefix}-`));
  options.onDirectory?.(dir);
  const set = new RunningSet(engine, dir, `${prefix}-net`, request.runId);
  try {
    const env: Record<string, string> = {
      MELODIUM_RUN_ID: request.runId,
      MELODIUM_RUN_EXECUTOR: engine.kind,
      MELODIUM_RUN_EXECUTOR_ENTRYPOINT: engine.program,
      MELODIUM_RUN_CONTAINERS: request.containers.map((c) => c.name).join(','),
      MELODIUM_RUN_SERVICE_CONTAINERS: request.serviceContainers.map((c) => c.name).join(','),
      MELODIUM_RUN_VOLUMES: request.volumes.map((v) => v.name).join(','),
      TUTTI_CONTAINER_ENGINE_ARGS: engine.globalArgs.join(' '),
    };
    const conf = (engine.env ?? process.env).CONTAINERS_CONF;
    if (conf !== undefined) env.CONTAINERS_CONF = conf;
    const volumeDirs = new Map<string, string>();
    for (const v of request.volumes) {
      const path = join(dir, 'volumes', v.name);
      mkdirSync(path, { recursive: true });
      volumeDirs.set(v.name, path);
      env[`MELODIUM_RUN_VOLUME_${v.name}`] = path;
    }
    const labels = ['--label', `${RUN_LABEL}=${request.runId}`];
    await engine.check(['network', 'create', ...labels, '--label', `tutti.dir=${dir}`, set.network], signal);
    set.networkCreated = true;
    aborted();

    // The engine's own kill after max_duration (podman only), in case this process dies first.
    const lifetime = Math.ceil(request.maxDuration);
    const common = (name: string, full: string, role: string): string[] => [
      'run',
      '--detach',
      '--name',
      full,
      '--hostname',
      name,
      '--network',
      set.network,
      '--network-alias',
      name,
      ...labels,
      '--label',
      `tutti.role=${role}`,
      '--pull=never',
      ...(engine.kind === 'podman' ? ['--timeout', String(lifetime + 5)] : []),
    ];
    const runs: { name: string; args: string[] }[] = [];
    for (const c of request.serviceContainers) {
      const full = `${prefix}-service-${c.name}`;
      env[`MELODIUM_RUN_SERVICE_CONTAINER_${c.name}`] = full;
      const vars = Object.entries(c.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const aliases = (c.aliases ?? []).filter((a) => a !== c.name).flatMap((a) => ['--network-alias', a]);
      // `--entrypoint` takes one program: the entrypoint's other words lead the command.
      const entry = c.entrypoint === undefined ? [] : ['--entrypoint', c.entrypoint[0] ?? ''];
      const command = [...(c.entrypoint?.slice(1) ?? []), ...(c.command ?? [])];
      runs.push({
        name: full,
        args: [...common(c.name, full, 'service'), ...aliases, ...limits(c, volumeDirs), ...vars, ...entry, c.image, ...command],
      });
    }
    for (const c of request.containers) {
      const full = `${prefix}-custom-${c.name}`;
      env[`MELODIUM_RUN_CONTAINER_${c.name}`] = full;
      // Kept alive by a sleep as long as the set may live (under an init, which ends it at once).
      const keepAlive = ['--init', '--entrypoint', 'sleep', c.image, String(lifetime + 5)];
      runs.push({ name: full, args: [...common(c.name, full, 'executor'), ...limits(c, volumeDirs), ...keepAlive] });
    }
    const started = await Promise.all(
      runs.map(async (r) => {
        const result = await engine.run(r.args, signal);
        // Even a failed run may leave a created container behind.
        set.containers.push(r.name);
        return { ...r, result };
      }),
    );
    aborted();
    const failed = started.find((s) => s.result.code !== 0);
    if (failed !== undefined)
      throw new ContainerError(`Container '${failed.name}' could not start: ${engineMessage(failed.result)}`, 'E_CONTAINER_ENGINE');

    set.expireAfter(request.maxDuration, options.onExpire);
    return { env, dir, close: () => set.close() };
  } catch (e) {
    await set.close();
    throw e;
  }
}

/** Forced removal without a stop wait: podman's `rm -f -t 0`; docker's `rm -f` kills at once (it has no `-t`). */
function removeCommand(engine: ContainerEngine): string[] {
  return engine.kind === 'podman' ? ['rm', '--force', '--time', '0'] : ['rm', '--force'];
}

/** Resource flags of one container: limits and bind mounts of the volumes' directories. */
function limits(c: ContainerSpec, volumeDirs: ReadonlyMap<string, string>): string[] {
  const args: string[] = [];
  if (c.cpu > 0) args.push('--cpus', (c.cpu / 1000).toString());
  if (c.memory > 0) args.push('--memory', `${c.memory}m`);
  for (const m of c.mounts) args.push('--volume', `${volumeDirs.get(m.name)}:${m.point}`);
  return args;
}

/** Every image exists locally with the requested architecture (images are never pulled). */
async function checkImages(engine: ContainerEngine, request: ContainerSetRequest, signal?: AbortSignal): Promise<void> {
  const wanted = new Map<string, { name: string; arch: string | undefined }>();
  for (const c of [...request.containers, ...request.serviceContainers]) {
    const prior = wanted.get(c.image);
    if (prior === undefined || prior.arch === undefined) wanted.set(c.image, { name: c.name, arch: c.arch });
  }
  await Promise.all(
    [...wanted].map(async ([image, use]) => {
      const r = await engine.run(['image', 'inspect', '--format', '{{.Architecture}}', image], signal);
      if (r.code !== 0) {
        if (r.code === null && !signal?.aborted)
          throw new ContainerError(`${engine.kind} could not run: ${r.stderr}`, 'E_CONTAINER_ENGINE');
        throw new ContainerError(
          `Container image '${image}' (of container '${use.name}') not found in ${engine.kind}'s image store; images are never pulled: build, import or pull it first`,
          'E_CONTAINER_IMAGE',
        );
      }
      const arch = r.stdout.trim();
      if (use.arch !== undefined && arch !== '' && arch !== use.arch)
        throw new ContainerError(
          `Container image '${image}' is for ${arch}, but container '${use.name}' asks for ${use.arch}`,
          'E_CONTAINER_IMAGE',
        );
    }),
  );
}

/** What a set created, and its removal. */
class RunningSet {
  readonly containers: string[] = [];
  networkCreated = false;
  private closing: Promise<string[]> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly dir: string,
    readonly network: string,
    private readonly runId?: string,
  ) {}

  /** Closes the set after `seconds` (the timer does not keep the process alive). */
  expireAfter(seconds: number, onExpire?: (warnings: string[]) => void): void {
    // setTimeout's delay is a 32-bit number of milliseconds: longer durations are re-armed.
    const until = Date.now() + seconds * 1000;
    const arm = (): void => {
      const left = until - Date.now();
      if (left > 0) {
        this.timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
        this.timer.unref();
        return;
      }
      void this.close().then((warnings) => onExpire?.(warnings));
    };
    arm();
  }

  close(): Promise<string[]> {
    this.closing ??= this.remove();
    return this.closing;
  }

  private async remove(): Promise<string[]> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const warnings: string[] = [];
    // A `run` killed by an abort may still have created its container: the label finds it.
    const all = new Set(this.containers);
    if (this.runId !== undefined) {
      const r = await this.engine.run(['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${this.runId}`]);
      for (const id of r.stdout.split('\n')) if (id.trim() !== '') all.add(id.trim());
    }
    if (all.size > 0) {
      const r = await this.engine.run([...removeCommand(this.engine), ...all]);
      if (r.code !== 0 && !/no such container/i.test(r.stderr)) warnings.push(`Removing the containers failed: ${engineMessage(r)}`);
    }
    if (this.networkCreated) {
      const r = await this.engine.run(['network', 'rm', this.network]);
      if (r.code !== 0) warnings.push(`Removing network '${this.network}' failed: ${engineMessage(r)}`);
    }
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch (e) {
      warnings.push(`Removing the volumes' directory '${this.dir}' failed: ${(e as Error).message}`);
    }
    return warnings;
  }
}

/**
 * Removes set `runId` from the process's `exit` hook, when a set's asynchronous `close` can no
 * longer run: its host directory `dir` (when known) at once, and its containers and network by
 * a detached shell started now, which outlives this process by the second or two the engine
 * takes (every set in parallel; waiting for them here would hold the exit for seconds a set
 * on a loaded machine). Whatever that shell misses is left to {@link removeLeftovers}.
 */
export function removeSetNow(runId: string, engine: ContainerEngine, dir?: string): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const cmd = [engine.program, ...engine.globalArgs].map(quote).join(' ');
  const filter = quote(`label=${RUN_LABEL}=${runId}`);
  const rm = removeCommand(engine).join(' ');
  const script =
    `ids=$(${cmd} ps --all --quiet --filter ${filter}); [ -n "$ids" ] && ${cmd} ${rm} $ids; ` +
    `for n in $(${cmd} network ls --quiet --filter ${filter}); do ` +
    `d=$(${cmd} network inspect --format '{{index .Labels "tutti.dir"}}' "$n"); ${cmd} network rm "$n"; ` +
    'case "$d" in /*tutti-*) rm -rf "$d";; esac; done';
  try {
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: engine.env ?? process.env }).unref();
  } catch {
    // No shell: removeLeftovers is the remedy.
  }
}

/**
 * Removes what sets left behind (a crashed orchestrator): every container and network
 * labelled with `runId`, or with any run id when `runId` is undefined, and the host
 * directories their networks name. Returns warnings.
 */
export async function removeLeftovers(runId?: string, engine: ContainerEngine = ContainerEngine.fromEnvironment()): Promise<string[]> {
  const filter = runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${runId}`;
  const warnings: string[] = [];
  const containers = await engine.run(['ps', '--all', '--quiet', '--filter', `label=${filter}`]);
  const ids = containers.stdout.split('\n').filter((l) => l.trim() !== '');
  if (ids.length > 0) {
    const r = await engine.run([...removeCommand(engine), ...ids]);
    if (r.code !== 0) warnings.push(`Removing containers failed: ${engineMessage(r)}`);
  }
  const networks = await engine.run(['network', 'ls', '--filter', `label=${filter}`, '--format', '{{.Name}}']);
  for (const name of networks.stdout.split('\n').filter((l) => l.trim() !== '')) {
    const inspect = await engine.run(['network', 'inspect', '--format', '{{index .Labels "tutti.dir"}}', name]);
    const dir = inspect.stdout.trim();
    const r = await engine.run(['network', 'rm', name]);
    if (r.code !== 0) warnings.push(`Removing network '${name}' failed: ${engineMessage(r)}`);
    if (inspect.code === 0 && dir.startsWith('/') && dir.includes('tutti-')) rmSync(dir, { recursive: true, force: true });
  }
  return warnings;
}
