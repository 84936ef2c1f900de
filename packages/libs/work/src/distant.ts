/**
 * `work/distant`: obtaining a worker. The model holds the
 * location and API settings; `distant` builds the reference's request document with a fresh
 * key pair and hands it to a {@link Location}:
 *
 * - `local` (Tutti's, the default: no setup): a `tutti dist --localhost` child process on
 *   this host, on a free port, whose generated certificate is pinned by the returned
 *   `Access`;
 * - `api`: the Mélodium cloud protocol (start, poll for the access);
 * - `compose` (and later Kubernetes) plug in through {@link registerLocation}.
 *
 * Deviation: the reference's default location is `"api"`; Tutti's is `"local"`, so that a
 * program naming no location runs with no account and no setup (docs/distribution.md).
 * Every worker a model started is stopped when the run ends (and, as a last resort, when
 * the process exits), so no process is left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { END, fn, type LogLevel, type ModelContext, type ModelInstance, model, treatment, type Value } from '@tutti/core';
import { AccessValue } from './access.js';
import { ContainerEngine } from './containers/engine.js';
import { removeSetNow, startContainerSet } from './containers/set.js';
import { makeLocalVolumes } from './local-volumes.js';
import type { ContainerValue, ServiceContainerValue, VolumeValue } from './resources/values.js';

const area = 'work/distant';
const DEFAULT_API_URL = 'https://api.melodium.tech/0.1';
/** The User-Agent of API calls (the reference's). */
export const USER_AGENT = 'work-mel/0.10.2';
/** The engine version sent in requests. */
const ENGINE_VERSION = '0.10.2';

/** `MELODIUM_API_URL` or the default cloud address. */
export function defaultApiUrl(): string {
  const v = process.env.MELODIUM_API_URL;
  return v === undefined || v === '' ? DEFAULT_API_URL : v;
}

/** What a location receives. */
export interface DistantRequest {
  /** The request document, as the reference sends it (JSON-ready). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Sent to the worker (its `--recv-key`). */
  readonly remoteKey: string;
  /** Expected back from the worker (its `--send-key`). */
  readonly selfKey: string;
  /** Seconds the worker may live (0: no limit). */
  readonly maxDuration: number;
  /** The containers and volumes the program asked for (the document's, as values). */
  readonly resources?: {
    readonly volumes: readonly VolumeValue[];
    readonly containers: readonly ContainerValue[];
    readonly serviceContainers: readonly ServiceContainerValue[];
  };
}

/** What a location may use besides the request. */
export interface DistantContext {
  readonly apiUrl: string | undefined;
  readonly apiToken: string | undefined;
  readonly log: (level: LogLevel, message: string) => void;
  /** Aborted when the run stops. */
  readonly signal: AbortSignal;
  /** What this `DistantEngine` already told the user once (the `local` location's notices). */
  readonly noticed?: Set<string>;
}

/** A worker obtained by a location. */
export interface StartedWorker {
  readonly access: AccessValue;
  /** Non-fatal messages (bookkeeping problems). */
  readonly errors?: readonly string[];
  /** Stops the worker and frees what it holds; resolves to teardown warnings. */
  stop(): Promise<readonly string[]>;
}

/** A way of obtaining workers; throws (with the message for `errors`) on failure. */
export type Location = (request: DistantRequest, context: DistantContext) => Promise<StartedWorker>;

const locations = new Map<string, Location>();

/** Makes a location available to `distant` under `name` (compose, kubernetes…). */
export function registerLocation(name: string, location: Location): void {
  locations.set(name, location);
}

let workerCommand: readonly string[] | undefined;

/**
 * Tells the `local` location how to start `tutti dist`: the host registers its own command
 * (the CLI: `[process.execPath, <its bin>]`). Without it, `TUTTI_DIST_COMMAND` (a JSON
 * array) is used.
 */
export function setWorkerCommand(command: readonly string[]): void {
  workerCommand = command;
}

function resolveWorkerCommand(): readonly string[] {
  if (workerCommand !== undefined) return workerCommand;
  const env = process.env.TUTTI_DIST_COMMAND;
  if (env !== undefined && env !== '') {
    try {
      const a = JSON.parse(env) as unknown;
      if (Array.isArray(a) && a.length > 0 && a.every((x) => typeof x === 'string')) return a as string[];
    } catch {
      // reported below
    }
    throw new Error('TUTTI_DIST_COMMAND must be a JSON array of strings, e.g. ["node", "/path/to/tutti.js"]');
  }
  throw new Error('the local location does not know how to start `tutti dist` here (set TUTTI_DIST_COMMAND)');
}

/** Children still alive, killed when the process exits whatever happens. */
const children = new Set<ChildProcess>();
let exitHook = false;

/** Milliseconds a local worker may take to end by itself before it is signalled. */
const STOP_GRACE = 1500;

/** Milliseconds `local` waits for a started worker to report its port. */
const LOCAL_START_TIMEOUT = 30_000;

/**
 * The `local` location: a `tutti dist --localhost` child process on this host, with a
 * folder for each volume asked for (`local-volumes.ts`).
 */
export const localLocation: Location = async (request, context) => {
  const containers = request.resources?.containers ?? [];
  const services = request.resources?.serviceContainers ?? [];
  noticeIgnoredImages(containers, services, context);
  const volumes = makeLocalVolumes(request.resources?.volumes ?? [], containers);
  if (volumes === undefined) return startLocalWorker(request, context, undefined);
  let worker: StartedWorker;
  try {
    worker = await startLocalWorker(request, context, volumes.env);
  } catch (e) {
    volumes.remove();
    throw e;
  }
  return {
    ...worker,
    stop: async () => {
      const warnings = await worker.stop();
      volumes.remove();
      return warnings;
    },
  };
};

/**
 * The one notice of `local` about containers (images are ignored there): each image and each
 * service container is named once per `DistantEngine` (the first request naming it), so a
 * pipeline of many steps on the same image says it once.
 */
function noticeIgnoredImages(
  containers: readonly ContainerValue[],
  services: readonly ServiceContainerValue[],
  context: DistantContext,
): void {
  const seen = context.noticed ?? new Set<string>();
  const images = [...new Set(containers.map((c) => c.image))].filter((i) => !seen.has(`image ${i}`));
  const skipped = services.filter((c) => !seen.has(`service ${c.name}`));
  for (const i of images) seen.add(`image ${i}`);
  for (const c of skipped) seen.add(`service ${c.name}`);
  const parts: string[] = [];
  if (images.length > 0)
    parts.push(
      `image${images.length > 1 ? 's' : ''} ${images.map((i) => `'${i}'`).join(', ')} ignored: the commands of container${containers.length > 1 ? 's' : ''} ${containers.map((c) => `'${c.name}'`).join(', ')} run as host processes in the runner's work directory`,
    );
  if (skipped.length > 0)
    parts.push(
      `service container${skipped.length > 1 ? 's' : ''} ${skipped.map((c) => `'${c.name}' (${c.image})`).join(', ')} not started`,
    );
  if (parts.length > 0)
    context.log('warning', `location "local" has no containers: ${parts.join('; ')}; use location "compose" for containers`);
}

/**
 * Run ids of container sets still open, with the engine that made them: removed at once
 * (synchronously) if the process exits before their `stop` ran, so an orchestrator that
 * ends abruptly leaves no container behind.
 */
const openSets = new Map<string, { readonly engine: ContainerEngine; dir?: string }>();
let setExitHook = false;

/**
 * The `compose` location (docs/containers.md): the program's executor containers, service
 * containers, volumes and one network are started with podman or docker
 * (`TUTTI_CONTAINER_ENGINE`), then the worker runs on this host next to them as for `local`,
 * with the `MELODIUM_RUN_*` environment that lets `getExecutor`/`getFileSystem` reach them.
 * Stopping the worker removes the whole set.
 */
/** Removes set `runId` synchronously if the process exits while it is open. */
function registerExitHook(runId: string, engine: ContainerEngine): void {
  openSets.set(runId, { engine });
  if (!setExitHook) {
    setExitHook = true;
    process.on('exit', () => {
      for (const [id, s] of openSets) removeSetNow(id, s.engine, s.dir);
    });
  }
}

export const composeLocation: Location = async (request, context) => {
  const runId = String(request.document.id ?? randomUUID()).slice(0, 8);
  const resources = request.resources ?? { volumes: [], containers: [], serviceContainers: [] };
  const engine = ContainerEngine.fromEnvironment();
  if (engine.ignoredArgs.length > 0)
    context.log('warning', `TUTTI_CONTAINER_ENGINE_ARGS: ${engine.ignoredArgs.join(' ')} ignored (not global flags of ${engine.kind})`);
  // Registered before the start: a process exiting mid-start still removes what was created.
  registerExitHook(runId, engine);
  const set = await startContainerSet(
    {
      runId,
      maxDuration: request.maxDuration,
      volumes: resources.volumes,
      containers: resources.containers,
      serviceContainers: resources.serviceContainers,
    },
    {
      engine,
      signal: context.signal,
      onDirectory: (dir) => {
        const open = openSets.get(runId);
        if (open !== undefined) open.dir = dir;
      },
    },
  ).catch((e: unknown) => {
    openSets.delete(runId);
    throw e;
  });
  const close = async (): Promise<string[]> => {
    const warnings = await set.close();
    openSets.delete(runId);
    return warnings;
  };
  let worker: StartedWorker;
  try {
    worker = await startLocalWorker(request, context, set.env);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    access: worker.access,
    // The containers go while the worker ends: both within the 5 s a stopped run has.
    stop: async () => (await Promise.all([worker.stop(), close()])).flat(),
  };
};

/** Starts `tutti dist --localhost` on this host, with `env` added to this process's environment. */
async function startLocalWorker(
  request: DistantRequest,
  context: DistantContext,
  env: Readonly<Record<string, string>> | undefined,
): Promise<StartedWorker> {
  const [cmd, ...pre] = resolveWorkerCommand();
  const args = [
    ...pre,
    'dist',
    '--localhost',
    '--ip',
    '127.0.0.1',
    '--port',
    '0',
    '--recv-key',
    request.remoteKey,
    '--send-key',
    request.selfKey,
    '--wait',
    '30',
    ...(request.maxDuration > 0 ? ['--duration', String(request.maxDuration)] : []),
  ];
  const child = spawn(cmd as string, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env === undefined ? process.env : { ...process.env, ...env },
  });
  children.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // At the end of a run the orchestrator's DistributionEngine sends the worker its end
  // message while this model shuts down: give the worker 1.5 s to end by itself (its last
  // logs arrive), then SIGTERM, then SIGKILL 2 s later — gone within 5 s in any case.
  const stop = async (): Promise<readonly string[]> => {
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    if (gone()) return [];
    const timers = [setTimeout(() => child.kill('SIGTERM'), STOP_GRACE), setTimeout(() => child.kill('SIGKILL'), STOP_GRACE + 2000)];
    await exited;
    for (const t of timers) clearTimeout(t);
    return [];
  };
  const ready = await new Promise<{ port: number; fingerprint: string } | string>((resolve) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => resolve(`the local worker did not start within ${LOCAL_START_TIMEOUT / 1000} s`), LOCAL_START_TIMEOUT);
    lines.on('line', (line) => {
      const m = /^tutti dist ready: port (\d+) sha256 ([0-9A-F:]+)$/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), fingerprint: m[2] as string });
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve(`cannot start the local worker (${cmd}): ${e.message}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(`the local worker exited with status ${code}${stderr === '' ? '' : `: ${stderr.trim()}`}`);
    });
    context.signal.addEventListener('abort', () => resolve('the run was stopped'), { once: true });
  });
  if (typeof ready === 'string') {
    await stop();
    throw new Error(ready);
  }
  return {
    access: new AccessValue(['127.0.0.1'], ready.port, request.remoteKey, request.selfKey, true, ready.fingerprint),
    stop,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        r();
      },
      { once: true },
    );
  });

/** Milliseconds of the API's first poll and of later ones (as the reference: 1 s, then 5 s); tests shorten them. */
export const apiTiming = { first: 1000, next: 5000 };

/** The `api` location: the Mélodium cloud API's HTTP protocol. */
export const apiLocation: Location = async (request, context) => {
  if (context.apiUrl === undefined || context.apiToken === undefined)
    throw new Error(
      'API address and token missing: set api_url and api_token (or MELODIUM_API_URL and MELODIUM_API_TOKEN), or use the location "local" (a worker on this host) or "compose" (containers)',
    );
  const base = context.apiUrl.replace(/\/+$/, '');
  const headers = { 'User-Agent': USER_AGENT, Authorization: `Bearer ${context.apiToken}`, 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: context.signal,
    });
    return { status: r.status, text: await r.text() };
  };
  const json = (text: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(text) as unknown;
      if (v !== null && typeof v === 'object') return v as Record<string, unknown>;
    } catch {
      // below
    }
    throw new Error(`Invalid server response: ${text}`);
  };
  const errorsOf = (v: unknown) => (Array.isArray(v) ? v.map(String).join('; ') : String(v));
  const started = await call('POST', '/execution/run/start', request.document);
  if (started.status !== 200) throw new Error(`Server ${started.status} response: ${started.text}`);
  const s = json(started.text);
  if ('error' in s) throw new Error(errorsOf(s.error));
  const runId = String(s.ok);
  await sleep(apiTiming.first, context.signal);
  for (;;) {
    if (context.signal.aborted) throw new Error('the run was stopped');
    const a = await call('GET', `/execution/run/${encodeURIComponent(runId)}/access`);
    if (a.status === 202) {
      await sleep(apiTiming.next, context.signal);
      continue;
    }
    if (a.status !== 200) throw new Error(`Server ${a.status} response: ${a.text}`);
    const body = json(a.text);
    if ('error' in body) throw new Error(errorsOf(body.error));
    const st = body.started as { addresses?: unknown; port?: unknown; key?: unknown } | undefined;
    if (st === undefined || !Array.isArray(st.addresses) || typeof st.port !== 'number' || typeof st.key !== 'string')
      throw new Error(`Invalid server response: ${a.text}`);
    return {
      access: new AccessValue(st.addresses.map(String), st.port, request.remoteKey, st.key, true),
      stop: async () => [],
    };
  }
};

registerLocation('local', localLocation);
registerLocation('api', apiLocation);
registerLocation('compose', composeLocation);

/** The live `DistantEngine`: its settings and the workers it started. */
class DistantEngineInstance implements ModelInstance {
  apiUrl: string | undefined;
  apiToken: string | undefined;
  readonly started = new Set<StartedWorker>();
  /** See {@link DistantContext.noticed}. */
  readonly noticed = new Set<string>();

  constructor(readonly ctx: ModelContext) {}

  initialize(): void {
    const url = this.ctx.params.api_url as string | null;
    const token = this.ctx.params.api_token as string | null;
    this.apiUrl = url ?? defaultApiUrl();
    const envToken = process.env.MELODIUM_API_TOKEN;
    this.apiToken = token ?? (envToken === undefined || envToken === '' ? undefined : envToken);
  }

  /** Resolves once every worker this model started is stopped (after {@link shutdown}). */
  stopped: Promise<unknown> = Promise.resolve();

  /**
   * Stops the workers in the background: the engine shuts models down one after the
   * other, and a `DistributionEngine` shut down after this one still has to send its
   * worker the end message. The workers' processes keep this one alive until they are
   * gone (at most 3.5 s, see `localLocation`), and an exit hook kills any that remain.
   */
  shutdown(): void {
    const all = [...this.started];
    this.started.clear();
    // Teardown warnings (a container or network that could not be removed) are logged here: the
    // spec hands them to `distant`'s `errors`, which has closed by then (docs/distribution.md).
    const log = (warnings: readonly string[]) => {
      for (const w of warnings) this.ctx.log('warning', this.ctx.path, w);
    };
    this.stopped = Promise.all(all.map((w) => w.stop().then(log, (e: Error) => log([e.message]))));
  }
}

/** A resource value in its request-document JSON form (the resource types provide `toJSON`). */
const json = (v: Value): unknown => JSON.parse(JSON.stringify(v ?? null));

export const distant = [
  model(area, 'DistantEngine', {
    params: { location: 'string = "local"', api_url: 'Option<string>', api_token: 'Option<string>' },
    doc: 'Worker provider. `location`: `"local"` (default: a `tutti dist` process on this host), `"api"` (the Mélodium cloud API), `"compose"`. None `api_url`/`api_token` fall back to `MELODIUM_API_URL` (or the default address) and `MELODIUM_API_TOKEN`.',
    create: (ctx) => new DistantEngineInstance(ctx),
  }),
  treatment(area, 'distant', {
    models: { distant_engine: 'DistantEngine' },
    params: {
      max_duration: 'var u32',
      memory: 'var u32',
      cpu: 'var u32',
      storage: 'var u32',
      edition: 'var Option<string>',
      arch: 'var Option<Arch>',
      volumes: 'var Vec<Volume>',
      containers: 'var Vec<Container>',
      service_containers: 'var Vec<ServiceContainer>',
      tags: 'var Vec<string>',
    },
    inputs: { trigger: 'Block<void>' },
    outputs: { access: 'Block<Access>', failed: 'Block<void>', errors: 'Stream<string>' },
    doc: 'On trigger, requests a worker with a fresh key pair: its `access`, or `failed` and messages on `errors`.',
    run: async (ctx) => {
      if ((await ctx.inputs.trigger.recvOne()) === END) return;
      const engine = ctx.models.distant_engine as DistantEngineInstance;
      const name = engine.ctx.params.location as string;
      const location = locations.get(name);
      const fail = async (message: string) => {
        ctx.log('error', ctx.path, message);
        await ctx.outputs.failed.sendOne(undefined);
        await ctx.outputs.errors.sendOne(message);
      };
      if (location === undefined) {
        await fail(`"${name}" is not a recognized distant execution location`);
        return;
      }
      const p = ctx.params;
      const remoteKey = randomUUID();
      const selfKey = randomUUID();
      const document = {
        config: null,
        id: randomUUID(),
        organization_id: null,
        edition: (p.edition as string | null) ?? 'scratch',
        version: ENGINE_VERSION,
        mode: { distribution_secret_key: { key: remoteKey } },
        max_duration: p.max_duration,
        memory: p.memory,
        cpu: p.cpu,
        storage: p.storage,
        arch: json(p.arch),
        volumes: json(p.volumes),
        containers: json(p.containers),
        service_containers: json(p.service_containers),
        tags: p.tags,
        group_id: process.env.MELODIUM_GROUP_ID ?? randomUUID(),
        parent_id: process.env.MELODIUM_RUN_ID ?? null,
        local_exec: name !== 'api',
      };
      let worker: StartedWorker;
      try {
        worker = await location(
          {
            document,
            remoteKey,
            selfKey,
            maxDuration: p.max_duration as number,
            resources: {
              volumes: p.volumes as VolumeValue[],
              containers: p.containers as ContainerValue[],
              serviceContainers: p.service_containers as ServiceContainerValue[],
            },
          },
          {
            apiUrl: engine.apiUrl,
            apiToken: engine.apiToken,
            log: (level, message) => ctx.log(level, ctx.path, message),
            signal: ctx.signal,
            noticed: engine.noticed,
          },
        );
      } catch (e) {
        await fail((e as Error).message);
        return;
      }
      engine.started.add(worker);
      await ctx.outputs.access.sendOne(worker.access);
      ctx.outputs.access.close();
      ctx.outputs.failed.close();
      if (worker.errors !== undefined && worker.errors.length > 0) await ctx.outputs.errors.sendMany([...worker.errors]);
    },
  }),
  fn(area, 'default_api_url', {
    returns: 'string',
    doc: '`MELODIUM_API_URL` or `https://api.melodium.tech/0.1`.',
    impl: () => defaultApiUrl(),
  }),
];
