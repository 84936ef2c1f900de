/**
 * `container:` and `services:` of a job through a container engine (podman or docker, chosen as
 * the `work` library chooses: TUTTI_CONTAINER_ENGINE, else podman, else docker): a network of
 * the job's own, each service started on it under its id as host name (and its `ports`
 * published, for jobs on the host), the job container kept alive (`tail -f /dev/null`, as
 * GitHub's runner) with the runner's folders mounted where GitHub's runner mounts them
 * (`/__w/<repo>/<repo>`, `/__w/_temp`, `/github/home`, `/github/workflow`, `/__w/_actions`,
 * the runner's Node at `/__e/node20`) and also at their host paths, so that `${{
 * github.workspace }}` (a host path on GitHub too) still names the workspace. Steps run through
 * `exec`. Everything is removed at the end of the job, failed or not.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { ContainerEngine } from '@tutti/lib-work';

export type Raw = Record<string, unknown>;

export class ContainerProblem extends Error {}

export interface ContainerSpec {
  readonly image: string;
  readonly env: Record<string, string>;
  readonly ports: string[];
  readonly volumes: string[];
  readonly options: string[];
}

/** `container: image` or the mapping form, evaluated; undefined when absent or empty. */
export function containerSpec(v: unknown, what: string): ContainerSpec | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return { image: v, env: {}, ports: [], volumes: [], options: [] };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ContainerProblem(`${what} must be an image name or a mapping`);
  const o = v as Raw;
  if (typeof o.image !== 'string' || o.image === '') {
    if (o.image === '' || o.image === undefined) return undefined; // GitHub: an empty image means no container
    throw new ContainerProblem(`${what}.image must be a string`);
  }
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : x === undefined || x === null ? [] : [String(x)]);
  return {
    image: o.image,
    env: Object.fromEntries(Object.entries((o.env ?? {}) as Raw).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)])),
    ports: list(o.ports),
    volumes: list(o.volumes),
    options: typeof o.options === 'string' ? splitOptions(o.options) : [],
  };
}

/** Splits `options:` as a shell would (quotes kept together). */
export function splitOptions(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A folder or file of the runner and where the job container sees it. */
export interface Mount {
  readonly host: string;
  readonly inner: string;
  readonly ro?: boolean;
}

/** The paths GitHub's runner gives a container job (`repo`: the repository's name). */
export function containerPaths(repo: string): { workspace: string; temp: string; home: string; eventPath: string; actions: string } {
  return {
    workspace: `/__w/${repo}/${repo}`,
    temp: '/__w/_temp',
    home: '/github/home',
    eventPath: '/github/workflow/event.json',
    actions: '/__w/_actions',
  };
}

/** Where the runner's Node is in a job container (GitHub's `/__e/node20`). */
export const INNER_NODE = '/__e/node20/bin/node';
const INNER_NODE_LIB = '/__e/node20/lib';

/**
 * The shared libraries the running Node has loaded, the dynamic loader included (from
 * /proc/self/maps: exact, no process spawned); native addons are left out. Empty off Linux.
 */
let nodeLibs: string[] | undefined;
export function hostNodeLibraries(): string[] {
  if (nodeLibs) return nodeLibs;
  const libs = new Set<string>();
  try {
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const i = line.indexOf('/');
      if (i < 0) continue;
      const p = line.slice(i).trim();
      if (p.includes(`${sep}node_modules${sep}`) || !/\.so(\.[\d.]+)?$/.test(p)) continue;
      if (p === process.execPath || p.endsWith('.node')) continue;
      libs.add(p);
    }
  } catch {
    // not Linux: no /proc
  }
  nodeLibs = [...libs];
  return nodeLibs;
}

/**
 * The mounts of a job container: the workspace, runner temp, home (`temp/_github_home`), the
 * event payload, the action cache (read-only) and the Node binary Tutti runs on with the
 * libraries it loaded (read-only, at `/__e/node20/bin/node` and `/__e/node20/lib/`), as GitHub
 * mounts its runner's folders and Node.
 */
export async function jobMounts(o: {
  readonly workspace: string;
  readonly temp: string;
  readonly repo: string;
  readonly eventPath: string;
  readonly actionCache: string;
}): Promise<Mount[]> {
  const p = containerPaths(o.repo);
  const home = join(o.temp, '_github_home');
  await mkdir(home, { recursive: true });
  const m: Mount[] = [
    { host: o.workspace, inner: p.workspace },
    { host: o.temp, inner: p.temp },
    { host: home, inner: p.home },
    { host: o.eventPath, inner: p.eventPath, ro: true },
    // the host paths too: `${{ github.workspace }}` and `${{ runner.temp }}` are host paths on GitHub
    { host: o.workspace, inner: o.workspace },
    { host: o.temp, inner: o.temp },
  ];
  if (existsSync(o.actionCache))
    m.push({ host: o.actionCache, inner: p.actions, ro: true }, { host: o.actionCache, inner: o.actionCache, ro: true });
  if (process.platform === 'linux') {
    m.push({ host: process.execPath, inner: INNER_NODE, ro: true });
    // under the name the loader looks for: libstdc++.so.6.0.30 is found as libstdc++.so.6
    for (const l of hostNodeLibraries())
      m.push({ host: l, inner: `${INNER_NODE_LIB}/${basename(l).replace(/^(.*\.so\.\d+)\.[\d.]+$/, '$1')}`, ro: true });
  }
  return m;
}

/** The path a job container sees for a host path under one of its mounts (the longest match), else undefined. */
export function innerPath(mounts: readonly Mount[], hostPath: string): string | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    if (m.host === m.inner) continue; // the host-path mounts: GitHub's paths are preferred
    if (hostPath !== m.host && !hostPath.startsWith(m.host + sep)) continue;
    if (!best || m.host.length > best.host.length) best = m;
  }
  if (!best) return undefined;
  const rest = relative(best.host, hostPath);
  return rest === '' ? best.inner : `${best.inner}/${rest.split(sep).join('/')}`;
}

export interface ServiceInfo {
  readonly id: string;
  readonly network: string;
  readonly ports: Record<string, string>;
}

/**
 * What a `JobContainers` holds, as JSON: the job environment of an imported job is started by
 * one process (`tutti github job up`), used by others (`job step`) and removed by a last one
 * (`job down`), each restoring it from this.
 */
export interface JobContainersState {
  readonly network: string;
  readonly names: readonly string[];
  readonly networkMade: boolean;
  readonly containerId?: string;
  readonly path: string;
  readonly hasBash: boolean;
  readonly node?: readonly string[];
  readonly nodeProblem: string;
  readonly mounts: readonly Mount[];
  readonly services: Record<string, ServiceInfo>;
}

/**
 * Signals (`$2`: TERM or KILL) the process group whose leader's id the file `$1` holds, in the
 * job container (execArgs); a group already gone is no failure.
 */
const STOP_SCRIPT = 'p=$(cat "$1" 2>/dev/null) || exit 0; kill -s "$2" -- "-$p" 2>/dev/null || kill -s "$2" "$p" 2>/dev/null; exit 0';

/** The containers of one job; `exec` runs a command in the job container. */
export class JobContainers {
  readonly engine: ContainerEngine;
  readonly network: string;
  private readonly names: string[] = [];
  containerId?: string;
  /** The job container's PATH and whether it has bash. */
  path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  hasBash = false;
  /**
   * How the job container runs the runner's Node: the binary itself when it starts there, else
   * through the host's dynamic loader with the host's libraries (images without glibc or
   * libstdc++); undefined when neither starts (the reason in `nodeProblem`).
   */
  node?: readonly string[];
  nodeProblem = "the runner's Node is not mounted (only on Linux hosts)";
  /** The runner's folders as the job container sees them. */
  mounts: readonly Mount[] = [];
  readonly services: Record<string, ServiceInfo> = {};
  private networkMade = false;
  private stopped = false;

  constructor(
    private readonly log: (line: string) => void,
    network?: string,
  ) {
    try {
      this.engine = ContainerEngine.fromEnvironment();
    } catch (e) {
      throw new ContainerProblem((e as Error).message);
    }
    this.network = network ?? `tutti-gh-${randomUUID().slice(0, 8)}`;
  }

  /** The names `start` gives the containers of these services and of a job container. */
  plannedNames(services: readonly string[], container: boolean): string[] {
    return [...services.map((id) => this.serviceName(id)), ...(container ? [`${this.network}-job`] : [])];
  }

  private serviceName(id: string): string {
    return `${this.network}-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  }

  /** The state to restore this from in another process. */
  snapshot(): JobContainersState {
    return {
      network: this.network,
      names: [...this.names],
      networkMade: this.networkMade,
      ...(this.containerId !== undefined ? { containerId: this.containerId } : {}),
      path: this.path,
      hasBash: this.hasBash,
      ...(this.node ? { node: this.node } : {}),
      nodeProblem: this.nodeProblem,
      mounts: this.mounts,
      services: this.services,
    };
  }

  /**
   * The containers a snapshot describes. `planned` (names `start` was to give, the network
   * made or not): a snapshot written before `start` ended, so that `stop` still removes
   * whatever a start cut short had made.
   */
  static restore(s: JobContainersState, log: (line: string) => void): JobContainers {
    const c = new JobContainers(log, s.network);
    c.names.push(...s.names);
    c.networkMade = s.networkMade;
    if (s.containerId !== undefined) c.containerId = s.containerId;
    c.path = s.path;
    c.hasBash = s.hasBash;
    if (s.node) c.node = s.node;
    c.nodeProblem = s.nodeProblem;
    c.mounts = s.mounts;
    Object.assign(c.services, s.services);
    return c;
  }

  private async run(args: string[], signal?: AbortSignal): Promise<string> {
    const r = await this.engine.run(args, signal);
    if (r.code !== 0)
      throw new ContainerProblem(`${this.engine.kind} ${args.slice(0, 2).join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout.trim();
  }

  /** Pulls `image` unless the engine has it. */
  async ensureImage(image: string, signal?: AbortSignal): Promise<void> {
    const has = await this.engine.run(['image', 'inspect', '--format', '{{.Id}}', image], signal);
    if (has.code === 0) return;
    this.log(`Pulling ${image}`);
    await this.run(['pull', image], signal);
  }

  /** Starts the services and the job container (`container` undefined: a job on the host). */
  async start(
    container: ContainerSpec | undefined,
    services: Record<string, ContainerSpec>,
    mounts: readonly Mount[],
    signal?: AbortSignal,
  ): Promise<void> {
    this.mounts = mounts;
    await Promise.all(
      [...(container ? [container.image] : []), ...Object.values(services).map((s) => s.image)].map((i) => this.ensureImage(i, signal)),
    );
    await this.run(['network', 'create', this.network], signal);
    this.networkMade = true;
    await Promise.all(
      Object.entries(services).map(async ([id, s]) => {
        const name = this.serviceName(id);
        this.names.push(name);
        const args = ['run', '-d', '--name', name, '--network', this.network, '--network-alias', id];
        for (const [k, v] of Object.entries(s.env)) args.push('-e', `${k}=${v}`);
        // a job on the host reaches services through published ports; in a container, by name
        for (const p of s.ports) args.push('-p', container ? p : p.includes(':') ? `127.0.0.1:${p}` : `127.0.0.1::${p}`);
        for (const v of s.volumes) args.push('-v', v);
        args.push(...s.options, s.image);
        this.log(`Starting service ${id} (${s.image})`);
        const cid = await this.run(args, signal);
        const ports: Record<string, string> = {};
        if (s.ports.length > 0) {
          const out = await this.run(['port', name], signal);
          for (const line of out.split('\n')) {
            const m = /^(\d+)\/\w+\s*->\s*.*:(\d+)$/.exec(line.trim());
            if (m) ports[m[1]!] = m[2]!;
          }
        }
        this.services[id] = { id: cid, network: this.network, ports };
        await this.waitHealthy(name, id, signal);
      }),
    );
    if (container) {
      const name = `${this.network}-job`;
      this.names.push(name);
      const args = ['run', '-d', '--name', name, '--network', this.network];
      for (const m of mounts) args.push('-v', `${m.host}:${m.inner}${m.ro ? ':ro' : ''}`);
      for (const [k, v] of Object.entries(container.env)) args.push('-e', `${k}=${v}`);
      for (const p of container.ports) args.push('-p', p);
      for (const v of container.volumes) args.push('-v', v);
      args.push(...container.options, '--entrypoint', 'tail', container.image, '-f', '/dev/null');
      this.log(`Starting job container (${container.image})`);
      this.containerId = await this.run(args, signal);
      // its PATH, whether it has bash, and how the runner's Node starts in it
      const loader = mounts.find((m) => m.inner.startsWith(`${INNER_NODE_LIB}/ld-`))?.inner;
      const viaLoader = loader ? `${loader} --library-path ${INNER_NODE_LIB} ${INNER_NODE}` : '';
      const script = [
        'printf %s "$PATH"',
        'if command -v bash >/dev/null; then printf "\\nbash"; else printf "\\n"; fi',
        `if [ -x ${INNER_NODE} ]; then if ${INNER_NODE} --version >/dev/null 2>&1; then printf "\\nnode"; ${viaLoader ? `elif ${viaLoader} --version >/dev/null 2>&1; then printf "\\nloader"; ` : ''}else printf "\\nbroken"; fi; fi`,
      ].join('; ');
      const probe = await this.engine.run(['exec', name, 'sh', '-c', script], signal);
      if (probe.code === 0) {
        const [path, bash, node] = probe.stdout.split('\n');
        if (path) this.path = path;
        this.hasBash = bash === 'bash';
        if (node === 'node') this.node = [INNER_NODE];
        else if (node === 'loader' && loader) this.node = [loader, '--library-path', INNER_NODE_LIB, INNER_NODE];
        else if (node === 'broken')
          this.nodeProblem = `the runner's Node (mounted at ${INNER_NODE}) does not start in ${container.image}, neither by itself nor through the host's dynamic loader`;
      } else this.nodeProblem = `cannot probe the job container (${probe.stderr.trim() || `exit ${probe.code}`})`;
    }
  }

  /** Waits for a service with a health check to report healthy (GitHub waits too). */
  private async waitHealthy(name: string, id: string, signal?: AbortSignal): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const r = await this.engine.run(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', name], signal);
      const status = r.stdout.trim();
      if (r.code !== 0 || status === '' || status === 'healthy') return;
      if (status === 'unhealthy') throw new ContainerProblem(`service ${id} is unhealthy`);
      if (signal?.aborted) throw new ContainerProblem('cancelled');
      await new Promise((res) => setTimeout(res, delay));
    }
  }

  /** The path the job container sees for a host path (the host path itself when it is not under a runner folder). */
  inner(hostPath: string): string {
    return innerPath(this.mounts, hostPath) ?? hostPath;
  }

  /**
   * `engine exec` arguments running `program args` in the job container at `cwd` with `env`, and
   * `stop`, which signals what they started in the container. Killing the `exec` client does not
   * stop the process it started there (it keeps running until the container is removed), so the
   * process is started by a small `sh` that writes its own id to a file of the container's /tmp
   * and then becomes the program (`exec`): each process an engine `exec`s is the leader of a
   * process group of its own, so `stop` signals that group (the step and whatever it started).
   */
  execArgs(
    cwd: string,
    env: Record<string, string>,
    program: string,
    args: readonly string[],
  ): { program: string; args: string[]; stop: (signal: 'TERM' | 'KILL') => Promise<void> } {
    const a = [...this.engine.globalArgs, 'exec', '-w', cwd];
    for (const [k, v] of Object.entries(env)) a.push('-e', `${k}=${v}`);
    const pidFile = `/tmp/tutti-step-${randomUUID()}.pid`;
    a.push(this.containerId!, 'sh', '-c', '{ echo $$ > "$1"; } 2>/dev/null; shift; exec "$@"', 'tutti-step', pidFile, program, ...args);
    const stop = async (signal: 'TERM' | 'KILL') => {
      await this.run(['exec', this.containerId!, 'sh', '-c', STOP_SCRIPT, 'tutti-stop', pidFile, signal]);
    };
    return { program: this.engine.program, args: a, stop };
  }

  /** Removes the containers and the network (never throws). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // podman waits for a stop timeout first (tail as PID 1 ignores SIGTERM): none here
    const now = this.engine.kind === 'podman' ? ['-t', '0'] : [];
    if (this.names.length > 0) await this.engine.run(['rm', '-f', ...now, ...this.names]).catch(() => undefined);
    if (this.networkMade) await this.engine.run(['network', 'rm', '-f', this.network]).catch(() => undefined);
  }
}
