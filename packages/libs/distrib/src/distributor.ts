/**
 * The orchestrator side of a distribution: the live `DistributionEngine` model instance.
 * One connection to one worker; `start` connects, shakes hands, ships the program and
 * launches the treatment; `distribute` asks for instances; `send…`/`recv…` move their
 * data through {@link Streams}. Worker logs are injected into the local log as they come.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { LogLevel, ModelContext, ModelInstance, ProgramSource } from '@tutti/core';
import type { MapValue } from '@tutti/lib-std';
import { encodeValue, unserializable, wireType } from './codec.js';
import { openSocket } from './connect.js';
import {
  Connection,
  type ConnectionOptions,
  defaultTimeout,
  keysEqual,
  MELODIUM_VERSION,
  type Message,
  type PathFiles,
  PROTOCOL_VERSION,
  type ProgramFiles,
  versionsCompatible,
} from './protocol.js';
import { Streams } from './streams.js';

/** What `start` needs from a `work/access::Access` value (read structurally: no import of work's class needed). */
export interface AccessLike {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly remoteKey: string;
  readonly selfKey: string;
  readonly tls: boolean;
  readonly fingerprint?: string;
}

/** Test and bench knobs (probe intervals, timeouts), set by the host through the environment. */
function connectionOptions(): ConnectionOptions {
  const n = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const interval = n(process.env.TUTTI_DIST_PROBE_INTERVAL_MS);
  const delay = n(process.env.TUTTI_DIST_PROBE_DELAY_MS);
  return {
    timeout: defaultTimeout(),
    ...(interval === undefined ? {} : { probeInterval: interval }),
    ...(delay === undefined ? {} : { probeAttemptDelay: delay }),
  };
}

/** The files of the running program, as shipped to the worker. */
export function programFiles(p: ProgramSource): ProgramFiles {
  if (p.kind === 'script')
    return { kind: 'script', name: p.name, version: p.version, files: [[basename(p.path), readFileSync(p.path, 'utf8')]] };
  return { kind: 'project', name: p.name, version: p.version, files: melFiles(p.path) };
}

/** Files of `.mel` packages under a folder (not hidden ones, not node_modules), at their paths relative to it. */
function melFiles(root: string): [string, string][] {
  const files: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && (e.name.endsWith('.mel') || e.name === 'Compo.toml') && statSync(full).size < 16 << 20)
        files.push([relative(root, full), readFileSync(full, 'utf8')]);
    }
  };
  walk(root);
  return files;
}

/**
 * The program's `--path` locations as shipped to the worker: `.mel` scripts, and folders
 * (a project, or a folder of packages) with their `.mel` and `Compo.toml` files. Native
 * packages and `.jeu` archives are not shipped: the worker must have them installed.
 */
export function pathFiles(p: ProgramSource): PathFiles[] {
  const out: PathFiles[] = [];
  for (const path of p.paths ?? []) {
    const at = basename(path) === 'Compo.toml' ? dirname(path) : path;
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch {
      continue; // the loader already reported it
    }
    if (isDir) out.push({ kind: 'folder', name: basename(at), files: melFiles(at) });
    else if (at.endsWith('.mel')) out.push({ kind: 'file', name: basename(at), files: [[basename(at), readFileSync(at, 'utf8')]] });
  }
  return out;
}

/** The `DistributionEngine` model instance. */
export class Distributor implements ModelInstance {
  private starting: Promise<string | undefined> | undefined;
  private conn: Connection | undefined;
  private nextId = 1;
  private readonly instances = new Map<number, (r: { ok: boolean; message?: string }) => void>();
  private launched: ((m: { ok: boolean; message?: string; inputs?: readonly string[]; outputs?: readonly string[] }) => void) | undefined;
  /** The launched treatment's ports, when the worker told them. */
  private ports: { readonly inputs: ReadonlySet<string>; readonly outputs: ReadonlySet<string> } | undefined;
  private confirmed: ((m: Extract<Message, { t: 'confirm' }>) => void) | undefined;
  private workerEnded: (() => void) | undefined;
  private stopped = false;
  private failure: string | undefined;
  readonly streams = new Streams(() => this.conn, 'in');
  private readonly label: string;
  /** The `label` parameter given to `start`, when it is a string (CI/CD runners are named by it). */
  startLabel: string | undefined;

  constructor(private readonly ctx: ModelContext) {
    this.label = ctx.path;
  }

  /** Whether `start` succeeded and the connection is up. */
  get ready(): boolean {
    return this.conn?.open === true && this.failure === undefined && !this.stopped;
  }

  /** Starts once; later calls wait for the first outcome. Resolves to an error text or undefined. */
  start(access: AccessLike, params: MapValue | undefined): Promise<string | undefined> {
    if (this.starting === undefined) {
      const label = params?.get('label')?.value;
      if (typeof label === 'string') this.startLabel = label;
    }
    this.starting ??= this.doStart(access, params).then(
      (e) => {
        if (e !== undefined) this.failure = e;
        return e;
      },
      (e: Error) => {
        this.failure = e.message;
        this.conn?.fail(e.message);
        return e.message;
      },
    );
    return this.starting;
  }

  private async doStart(access: AccessLike, params: MapValue | undefined): Promise<string | undefined> {
    if (this.stopped) return 'the distributor was stopped';
    const treatment = this.ctx.params.treatment as string;
    const version = this.ctx.params.version as string;
    // Parameters first: a value that cannot cross fails before anything is opened.
    const wireParams: [string, string, unknown][] = [];
    if (params !== undefined)
      for (const [name, e] of params.entries()) {
        const why = unserializable(e.type);
        if (why !== undefined) return `parameter '${name}': ${why}`;
        wireParams.push([name, wireType(e.type), encodeValue(e.type, e.value)]);
      }
    const program = this.ctx.program === undefined ? null : programFiles(this.ctx.program);
    const paths = this.ctx.program === undefined ? [] : pathFiles(this.ctx.program);
    const o = connectionOptions();
    const socket = await openSocket(access, o.timeout ?? defaultTimeout());
    const conn = new Connection(socket, (m) => this.onMessage(m), o);
    this.conn = conn;
    void conn.closed.then((reason) => this.onClosed(reason));
    const confirm = await this.request<Extract<Message, { t: 'confirm' }>>((r) => (this.confirmed = r), {
      t: 'ask',
      protocol: PROTOCOL_VERSION,
      melodium_version: MELODIUM_VERSION,
      key: access.remoteKey,
      run_id: randomUUID(),
      group_id: randomUUID(),
    });
    if (typeof confirm === 'string') return confirm;
    if (!confirm.accept) {
      conn.close();
      return `the worker refused the connection: ${confirm.reason ?? 'no reason given'}`;
    }
    if (confirm.protocol !== PROTOCOL_VERSION || !versionsCompatible(confirm.melodium_version, MELODIUM_VERSION)) {
      conn.close();
      return `version mismatch: the worker speaks protocol ${confirm.protocol} for Mélodium ${confirm.melodium_version}, this engine protocol ${PROTOCOL_VERSION} for Mélodium ${MELODIUM_VERSION}`;
    }
    if (!keysEqual(confirm.key, access.selfKey)) {
      conn.close();
      return 'the worker answered with a wrong key';
    }
    const launched = await this.request<{ ok: boolean; message?: string; inputs?: readonly string[]; outputs?: readonly string[] }>(
      (r) => (this.launched = r),
      {
        t: 'load',
        program,
        ...(paths.length > 0 ? { paths } : {}),
        entrypoint: treatment,
        version,
        params: wireParams,
      },
    );
    if (typeof launched === 'string') return launched;
    if (!launched.ok) return `the worker could not launch ${treatment}: ${launched.message ?? 'no reason given'}`;
    if (launched.inputs !== undefined && launched.outputs !== undefined)
      this.ports = { inputs: new Set(launched.inputs), outputs: new Set(launched.outputs) };
    return undefined;
  }

  /**
   * Why a send to input `name` (or a receive of output `name`) of instance `id` cannot be
   * served: the launched treatment has no such port. Undefined when it has, or when the worker
   * did not tell. (Without this check a receive of a misspelt output would wait for ever.)
   */
  portProblem(kind: 'input' | 'output', name: string, id: number): string | undefined {
    const names = kind === 'input' ? this.ports?.inputs : this.ports?.outputs;
    if (names === undefined || names.has(name)) return undefined;
    // The instance cannot work as wired: its receives end now, so that nothing here waits for
    // outputs it may never give (the remote input meant by a misspelt send is never closed).
    for (const output of this.ports?.outputs ?? []) this.streams.onClose(id, output);
    const treatment = this.ctx.params.treatment as string;
    const list = [...names].map((n) => `'${n}'`).join(', ');
    return `${treatment} has no ${kind} '${name}' (its ${kind}s: ${list === '' ? 'none' : list})`;
  }

  /** Sends `m` and waits for the answer registered by `register`, the per-message timeout, or the connection's end. */
  private async request<T>(register: (r: (v: T) => void) => void, m: Message): Promise<T | string> {
    const conn = this.conn as Connection;
    const answer = new Promise<T>((r) => register(r));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((r) => {
      timer = setTimeout(() => r(`the worker did not answer within ${conn.timeoutMs() / 1000} s`), conn.timeoutMs());
    });
    const closed = conn.closed.then((reason) => reason ?? 'the connection was closed');
    await conn.send(m);
    try {
      return await Promise.race([answer, timeout, closed]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks for a new instance; resolves to its id or to an error text. */
  async distribute(): Promise<number | string> {
    if (this.starting === undefined) return 'Distribution failed';
    const e = await this.starting;
    if (e !== undefined || !this.ready) return 'Distribution failed';
    const id = this.nextId++;
    const r = await this.request<{ ok: boolean; message?: string }>((res) => this.instances.set(id, res), { t: 'inst', id });
    this.instances.delete(id);
    if (typeof r === 'string' || !r.ok) return 'Instanciation failed';
    return id;
  }

  /** Sends the end message and closes the connection (after an in-flight start). */
  async stop(reason?: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.starting === undefined) return;
    await this.starting;
    const conn = this.conn;
    if (conn === undefined || !conn.open) return;
    // The worker answers with its last logs, `logended` and `ended`, then closes.
    const ended = new Promise<void>((r) => (this.workerEnded = r));
    await conn.send({ t: 'end', ...(reason === undefined ? {} : { reason }) });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, conn.closed, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    conn.close();
  }

  async shutdown(): Promise<void> {
    await this.stop();
  }

  private onMessage(m: Message): void {
    switch (m.t) {
      case 'confirm':
        this.confirmed?.(m);
        break;
      case 'launch':
        this.launched?.(m);
        break;
      case 'instd':
        this.instances.get(m.id)?.(m);
        break;
      case 'out':
        this.streams.onData(m.id, m.name, m.ty, m.v);
        break;
      case 'outclose':
        this.streams.onClose(m.id, m.name);
        break;
      case 'credit':
        if (m.dir === 'in') this.streams.onCredit(m.id, m.name, m.n);
        break;
      case 'drop':
        if (m.dir === 'in') this.streams.onDrop(m.id, m.name);
        break;
      case 'log':
        this.ctx.log(m.level as LogLevel, m.label, m.message);
        break;
      case 'ended':
        this.workerEnded?.();
        break;
      case 'logended':
        break;
      default:
        this.conn?.fail(`protocol error: unexpected message '${m.t}' from the worker`);
    }
  }

  private onClosed(reason: string | undefined): void {
    if (reason !== undefined && !this.stopped) {
      this.failure ??= reason;
      this.ctx.log('error', this.label, `connection to the worker lost: ${reason}`);
    }
    this.streams.abortAll();
    // Instances still waiting for an answer fail.
    for (const r of this.instances.values()) r({ ok: false, message: reason ?? 'closed' });
    this.workerEnded?.();
  }

  /** Why the connection failed, if it did. */
  get lost(): string | undefined {
    return this.failure;
  }
}
