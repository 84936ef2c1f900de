/**
 * `container:` and `services:` of a job through a container engine (podman or docker, chosen as
 * the `work` library chooses: TUTTI_CONTAINER_ENGINE, else podman, else docker): a network of
 * the job's own, each service started on it under its id as host name (and its `ports`
 * published, for jobs on the host), the job container kept alive (`tail -f /dev/null`, as
 * GitHub's runner) with the workspace and runner temp mounted at the same paths as on the host,
 * so a step runs through `exec` with nothing to translate. Everything is removed at the end of
 * the job, failed or not.
 */
import { randomUUID } from 'node:crypto';
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

export interface ServiceInfo {
  readonly id: string;
  readonly network: string;
  readonly ports: Record<string, string>;
}

/** The containers of one job; `exec` runs a command in the job container. */
export class JobContainers {
  readonly engine: ContainerEngine;
  readonly network: string;
  private readonly names: string[] = [];
  containerId?: string;
  /** The job container's PATH and whether it has bash. */
  path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  hasBash = false;
  readonly services: Record<string, ServiceInfo> = {};
  private networkMade = false;
  private stopped = false;

  constructor(private readonly log: (line: string) => void) {
    try {
      this.engine = ContainerEngine.fromEnvironment();
    } catch (e) {
      throw new ContainerProblem((e as Error).message);
    }
    this.network = `tutti-gh-${randomUUID().slice(0, 8)}`;
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
    mounts: string[],
    signal?: AbortSignal,
  ): Promise<void> {
    await Promise.all(
      [...(container ? [container.image] : []), ...Object.values(services).map((s) => s.image)].map((i) => this.ensureImage(i, signal)),
    );
    await this.run(['network', 'create', this.network], signal);
    this.networkMade = true;
    await Promise.all(
      Object.entries(services).map(async ([id, s]) => {
        const name = `${this.network}-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
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
      for (const m of mounts) args.push('-v', `${m}:${m}`);
      for (const [k, v] of Object.entries(container.env)) args.push('-e', `${k}=${v}`);
      for (const p of container.ports) args.push('-p', p);
      for (const v of container.volumes) args.push('-v', v);
      args.push(...container.options, '--entrypoint', 'tail', container.image, '-f', '/dev/null');
      this.log(`Starting job container (${container.image})`);
      this.containerId = await this.run(args, signal);
      const probe = await this.engine.run(
        ['exec', name, 'sh', '-c', 'printf %s "$PATH"; command -v bash >/dev/null && printf "\\nbash"'],
        signal,
      );
      if (probe.code === 0) {
        const [path, bash] = probe.stdout.split('\n');
        if (path) this.path = path;
        this.hasBash = bash === 'bash';
      }
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

  /** `engine exec` arguments running `program args` in the job container at `cwd` with `env`. */
  execArgs(cwd: string, env: Record<string, string>, program: string, args: readonly string[]): { program: string; args: string[] } {
    const a = [...this.engine.globalArgs, 'exec', '-w', cwd];
    for (const [k, v] of Object.entries(env)) a.push('-e', `${k}=${v}`);
    a.push(this.containerId!, program, ...args);
    return { program: this.engine.program, args: a };
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
