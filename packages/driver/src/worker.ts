/**
 * The worker side of distribution (`tutti dist`, docs/distribution.md):
 * serves one orchestrator. It accepts one connection, checks the orchestrator's key and
 * versions and answers with its own key, receives the program, loads and checks it
 * through the same pipeline as `tutti run` ({@link checkPath}, {@link launch},
 * {@link runDesign}), and runs the distributed treatment once per `distribute` request,
 * each instance a track whose inputs and outputs are bridged to the connection. Its logs
 * stream back live.
 *
 * How an instance is a track: the worker writes a small wrapper script next to the
 * shipped program whose entrypoint holds a `Bridge` model (a package of its own, given
 * to the check as an extra bundled package); the bridge's source `instance` opens one
 * track per instance, in which `inStream`/`inBlock` feed the treatment's inputs from the
 * connection and `outStream`/`outBlock` send its outputs back. The engine, its channels
 * and its model lifecycle are the ordinary ones: nothing here schedules values.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as netServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer as tlsServer } from 'node:tls';
import {
  type DataType,
  END,
  type ModelContext,
  type ModelInstance,
  model,
  type PackageDescriptor,
  source,
  type TreatmentContext,
  treatment,
  type Value,
} from '@tutti/core';
import type { LogRecord } from '@tutti/engine';
import {
  Connection,
  type ConnectionOptions,
  decodeBatch,
  decodeValue,
  encodeBatch,
  keysEqual,
  MELODIUM_VERSION,
  type Message,
  type PathFiles,
  PROTOCOL_VERSION,
  type ProgramFiles,
  parseWireType,
  Streams,
  versionsCompatible,
  wireType,
} from '@tutti/lib-distrib';
import { BUNDLED } from './bundled.js';
import { launch } from './launch.js';
import { checkPath } from './program.js';
import { renderHuman } from './render.js';
import { runDesign } from './run.js';

/** Options of {@link serveWorker} (the options of `tutti dist`). */
export interface WorkerOptions {
  readonly ip: string;
  /** 0 picks a free port (reported through `onListening`). */
  readonly port: number;
  /** The key the orchestrator must send (`--recv-key`). */
  readonly recvKey: string;
  /** The key answered to the orchestrator (`--send-key`). */
  readonly sendKey: string;
  /** PEM certificate chain and key; undefined with `--disable-tls`. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** Ends when no orchestrator connected within this many ms (`--wait`). */
  readonly waitMs?: number;
  /** Ends after this many ms in any case (`--duration`). */
  readonly durationMs?: number;
  /** The worker's own log (its lines are also sent to the orchestrator once connected). */
  readonly log: (r: LogRecord) => void;
  readonly onListening?: (port: number) => void;
  /** Keep-alive and timeout settings (tests shorten them). */
  readonly connection?: ConnectionOptions;
  /** Stops the worker from outside (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

/** How a worker ended. */
export interface WorkerResult {
  readonly ok: boolean;
  /** Why it ended, for the log. */
  readonly reason: string;
}

/** Name of the bridge package given to the wrapper's check. */
const BRIDGE = 'tutti_dist';
const BRIDGE_VERSION = '0.1.0';
const bridgeArea = BRIDGE;

/** Serves one orchestrator; resolves when the worker is done (never rejects). */
export async function serveWorker(o: WorkerOptions): Promise<WorkerResult> {
  const session = new Session(o);
  return session.serve();
}

class Session {
  private server: Server | undefined;
  private conn: Connection | undefined;
  private readonly streams = new Streams(() => this.conn, 'out');
  private result: ((r: WorkerResult) => void) | undefined;
  private done = false;
  private bridge: WorkerBridge | undefined;
  private bridgeReady: ((b: WorkerBridge) => void) | undefined;
  private readonly runAbort = new AbortController();
  private run: Promise<unknown> | undefined;
  private tmp: string | undefined;
  /** The launched treatment's port names, told to the orchestrator with the launch. */
  private ports: { inputs: string[]; outputs: string[] } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private state: 'handshake' | 'load' | 'running' = 'handshake';
  /** Track id → instance id. */
  readonly tracks = new Map<number, number>();

  constructor(private readonly o: WorkerOptions) {}

  serve(): Promise<WorkerResult> {
    const finished = new Promise<WorkerResult>((r) => (this.result = r));
    const onSocket = (s: Socket) => this.accept(s);
    const server =
      this.o.tls === undefined
        ? netServer(onSocket)
        : tlsServer({ cert: this.o.tls.cert, key: this.o.tls.key, minVersion: 'TLSv1.3' }, onSocket);
    this.server = server;
    server.on('error', (e) => void this.end(false, `cannot listen on ${this.o.ip}:${this.o.port}: ${e.message}`));
    // A TLS handshake that fails (wrong pin, plain TCP) is the client's problem: keep waiting.
    server.on('tlsClientError', () => {});
    server.listen(this.o.port, this.o.ip, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : this.o.port;
      this.info(`listening on ${this.o.ip}:${port}${this.o.tls === undefined ? ' (TLS disabled)' : ''}`);
      this.o.onListening?.(port);
    });
    if (this.o.waitMs !== undefined)
      this.timers.push(
        setTimeout(() => {
          if (this.conn === undefined) void this.end(false, `no orchestrator connected within ${this.o.waitMs! / 1000} s`);
        }, this.o.waitMs),
      );
    if (this.o.durationMs !== undefined)
      this.timers.push(setTimeout(() => void this.end(false, `the duration of ${this.o.durationMs! / 1000} s is over`), this.o.durationMs));
    this.o.signal?.addEventListener('abort', () => void this.end(false, String(this.o.signal?.reason ?? 'stopped')), { once: true });
    return finished;
  }

  private info(message: string, level: LogRecord['level'] = 'info'): void {
    this.log({ time: new Date(), level, label: 'dist', message });
  }

  /** Local log and, once connected, the orchestrator's. */
  private log(r: LogRecord): void {
    this.o.log(r);
    if (this.state === 'running') this.conn?.post({ t: 'log', level: r.level, label: r.label, message: r.message, time: r.time.getTime() });
  }

  private accept(socket: Socket): void {
    if (this.conn !== undefined || this.done) {
      socket.destroy();
      return;
    }
    // One orchestrator: stop listening.
    this.server?.close();
    // Small messages (a Block, an instance request) must not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    const conn = new Connection(socket, (m) => this.onMessage(m), this.o.connection ?? {});
    this.conn = conn;
    this.info(`orchestrator connected from ${socket.remoteAddress}`);
    void conn.closed.then((reason) => {
      if (reason !== undefined) void this.end(false, `the orchestrator is gone: ${reason}`);
      else void this.end(true, 'connection closed');
    });
    // The handshake must come within the per-message timeout.
    const t = setTimeout(() => {
      if (this.state === 'handshake') void this.end(false, 'the orchestrator did not introduce itself in time');
    }, conn.timeoutMs());
    t.unref();
    this.timers.push(t);
  }

  private onMessage(m: Message): void {
    switch (m.t) {
      case 'ask':
        this.onAsk(m);
        return;
      case 'load':
        if (this.state !== 'load') {
          this.protocolError(m.t);
          return;
        }
        this.state = 'running';
        void this.onLoad(m);
        return;
      case 'inst':
        if (this.state !== 'running') {
          this.protocolError(m.t);
          return;
        }
        void this.onInstance(m.id);
        return;
      case 'in':
        this.streams.onData(m.id, m.name, m.ty, m.v);
        return;
      case 'inclose':
        this.streams.onClose(m.id, m.name);
        return;
      case 'credit':
        if (m.dir === 'out') this.streams.onCredit(m.id, m.name, m.n);
        return;
      case 'drop':
        if (m.dir === 'out') this.streams.onDrop(m.id, m.name);
        return;
      case 'end':
        void this.end(true, m.reason === undefined ? 'the orchestrator ended the distribution' : `the orchestrator ended: ${m.reason}`);
        return;
      default:
        this.protocolError(m.t);
    }
  }

  private protocolError(t: string): void {
    void this.end(false, `protocol error: unexpected message '${t}'`);
  }

  private onAsk(m: Extract<Message, { t: 'ask' }>): void {
    if (this.state !== 'handshake') {
      this.protocolError(m.t);
      return;
    }
    const conn = this.conn as Connection;
    let reason: string | undefined;
    if (m.protocol !== PROTOCOL_VERSION || !versionsCompatible(m.melodium_version, MELODIUM_VERSION))
      reason = `version mismatch: the orchestrator speaks protocol ${m.protocol} for Mélodium ${m.melodium_version}, this worker protocol ${PROTOCOL_VERSION} for Mélodium ${MELODIUM_VERSION}`;
    else if (!keysEqual(m.key, this.o.recvKey)) reason = 'wrong key';
    const confirm: Message = {
      t: 'confirm',
      accept: reason === undefined,
      protocol: PROTOCOL_VERSION,
      melodium_version: MELODIUM_VERSION,
      // The worker's key is only revealed to an orchestrator that proved its own.
      key: reason === undefined ? this.o.sendKey : '',
      run_id: m.run_id,
      group_id: m.group_id,
      ...(reason === undefined ? {} : { reason }),
    };
    void conn.send(confirm).then(() => {
      if (reason !== undefined) void this.end(false, `orchestrator refused: ${reason}`);
      else this.state = 'load';
    });
  }

  private async onLoad(m: Extract<Message, { t: 'load' }>): Promise<void> {
    const conn = this.conn as Connection;
    const failure = await this.load(m).catch((e: Error) => `internal error while loading: ${e.message}`);
    if (failure !== undefined) {
      this.info(`launch failed: ${failure}`, 'error');
      await conn.send({ t: 'launch', ok: false, message: failure });
      return;
    }
    await conn.send({ t: 'launch', ok: true, ...(this.ports ?? {}) });
  }

  /** Writes the program, checks it, builds the wrapper and starts the run; returns a failure text. */
  private async load(m: Extract<Message, { t: 'load' }>): Promise<string | undefined> {
    const id = m.entrypoint;
    const sep = id.indexOf('::');
    if (sep <= 0) return `'${id}' is not a treatment identifier package/area::name`;
    const pkg = id.slice(0, id.includes('/') && id.indexOf('/') < sep ? id.indexOf('/') : sep);
    this.tmp = mkdtempSync(join(tmpdir(), 'tutti-dist-'));
    const paths: string[] = [];
    if (m.program !== null) paths.push(writeProgram(this.tmp, m.program));
    for (const [i, p] of (m.paths ?? []).entries()) paths.push(writePath(join(this.tmp, `path-${i}`), p));
    const bundledNames = new Set(BUNDLED.map((b) => b.name));
    if (!bundledNames.has(pkg) && m.program?.name !== pkg && (m.paths ?? []).length === 0)
      return `package '${pkg}' is neither bundled nor the program sent`;

    // Pass 1: the treatment's signature, from a wrapper that only requires its package.
    const probe = join(this.tmp, 'probe.mel');
    writeFileSync(
      probe,
      `#! name = ${BRIDGE}_probe\n#! version = 0.0.0\n#! require = ${pkg}:${exactly(m.version)}\n\ntreatment main() {}\n`,
    );
    const first = await checkPath(probe, { paths, forceEntry: id });
    const errors = first.sink.items.filter((d) => d.severity === 'error');
    if (errors.length > 0 || first.entry === undefined) return diagnosticsText(errors);
    const entry = first.entry;

    // Pass 2: the wrapper that bridges every port.
    const params = new Map<string, Value>();
    for (const [name, ty, w] of m.params) {
      const p = entry.params.get(name);
      if (p === undefined) return `${id} has no parameter '${name}'`;
      params.set(name, decodeValue(parseWireType(ty), w));
      if (p.type !== undefined && wireType(p.type) !== ty) return `parameter '${name}' is ${wireType(p.type)}, not ${ty}`;
    }
    const wrapper = wrapperText(pkg, m.version, id, entry, params);
    this.ports = { inputs: [...entry.inputs.keys()], outputs: [...entry.outputs.keys()] };
    if (typeof wrapper !== 'string') return wrapper.error;
    const wrapperPath = join(this.tmp, 'wrapper.mel');
    writeFileSync(wrapperPath, wrapper);
    const checked = await checkPath(wrapperPath, { paths, bundled: [...BUNDLED, bridgePackage(this)] });
    const design = launch(checked, {});
    // Everything was read and checked: the files are not needed any more (and a worker
    // killed later leaves nothing behind).
    rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
    if (design === undefined) return diagnosticsText(checked.sink.items.filter((d) => d.severity === 'error'));
    const ready = new Promise<WorkerBridge>((r) => (this.bridgeReady = r));
    this.run = runDesign(design, { log: (r) => this.log(r), signal: this.runAbort.signal }).then((r) => {
      if (!this.done) void this.end(r.ok, r.ok ? 'the run ended' : 'the run failed');
      return r;
    });
    this.bridge = await Promise.race([ready, this.run.then(() => undefined)]);
    if (this.bridge === undefined) return 'the run ended before the treatment could be instantiated';
    this.info(`launched ${id} ${m.version}`);
    return undefined;
  }

  registerBridge(b: WorkerBridge): void {
    this.bridge = b;
    this.bridgeReady?.(b);
  }

  private async onInstance(id: number): Promise<void> {
    const conn = this.conn as Connection;
    const b = this.bridge;
    if (b === undefined) {
      await conn.send({ t: 'instd', id, ok: false, message: 'no treatment launched' });
      return;
    }
    const answer = (ok: boolean, message?: string) => conn.send({ t: 'instd', id, ok, ...(message === undefined ? {} : { message }) });
    let answered = false;
    const outcome = await b.instantiate(id, () => {
      answered = true;
      void answer(true);
    });
    if (!answered) await answer(false, outcome.created ? 'the instance could not be built' : 'the treatment cannot be instantiated');
  }

  /** Ends the worker once: stops the run, sends the last logs and `ended`, closes everything. */
  async end(ok: boolean, reason: string): Promise<void> {
    if (this.done) return;
    this.done = true;
    // The engine's own notice of the stop is for the local log only.
    if (ok) this.state = 'load';
    for (const t of this.timers) clearTimeout(t);
    this.server?.close();
    this.bridge?.finish();
    this.streams.abortAll();
    if (this.run !== undefined) {
      this.runAbort.abort(reason);
      await this.run;
    }
    this.o.log({ time: new Date(), level: ok ? 'info' : 'error', label: 'dist', message: `worker ends: ${reason}` });
    const conn = this.conn;
    if (conn?.open) {
      await conn.send({ t: 'logended' });
      await conn.send({ t: 'ended', ok });
      conn.close();
    }
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
    this.result?.({ ok, reason });
  }

  /** Instance id of a track. */
  instanceOf(track: number): number | undefined {
    return this.tracks.get(track);
  }

  get dataStreams(): Streams {
    return this.streams;
  }
}

/** Writes shipped files under `root`, refusing paths that would leave it. */
function writeFiles(root: string, files: readonly (readonly [string, string])[]): void {
  mkdirSync(root, { recursive: true });
  for (const [rel, text] of files) {
    if (rel.startsWith('/') || rel.split(/[\\/]/).includes('..')) throw new Error(`refusing file path '${rel}'`);
    const full = join(root, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** Writes the shipped files under `dir`; returns the path to give as `--path`. */
function writeProgram(dir: string, p: ProgramFiles): string {
  const root = join(dir, 'program');
  writeFiles(root, p.files);
  return p.kind === 'script' ? join(root, (p.files[0] as readonly [string, string])[0]) : root;
}

/** Writes one of the orchestrator's `--path` locations under `root`; returns it as a `--path`. */
function writePath(root: string, p: PathFiles): string {
  writeFiles(root, p.files);
  return p.kind === 'file' ? join(root, p.name) : root;
}

function diagnosticsText(items: readonly Parameters<typeof renderHuman>[0][]): string {
  if (items.length === 0) return 'the program could not be loaded';
  return items.map((d) => renderHuman(d, { color: false, defaultFile: '<program>' })).join('\n');
}

interface EntrySignature {
  readonly inputs: ReadonlyMap<string, { readonly flow: 'Block' | 'Stream'; readonly type: DataType | undefined }>;
  readonly outputs: ReadonlyMap<string, { readonly flow: 'Block' | 'Stream'; readonly type: DataType | undefined }>;
  readonly params: ReadonlyMap<string, { readonly type: DataType | undefined }>;
  readonly modelSlots: readonly unknown[];
  readonly generics: readonly unknown[];
}

/**
 * The requirement of the distributed treatment's package: `version` exactly, or `version`
 * itself when it is already a requirement (the reference's 0.9 programs give
 * `DistributionEngine(version = "=0.9.2-pre.0")`, docs/legacy.md).
 */
function exactly(version: string): string {
  return /^\s*[=^~<>]/.test(version) ? version.trim() : `=${version}`;
}

/** The wrapper script: one instance of the treatment per track of the bridge's `instance` source. */
function wrapperText(
  pkg: string,
  version: string,
  id: string,
  entry: EntrySignature,
  params: ReadonlyMap<string, Value>,
): string | { error: string } {
  if (entry.generics.length > 0) return { error: `${id} is generic; a distributed treatment cannot be` };
  if (entry.modelSlots.length > 0) return { error: `${id} takes models; a distributed treatment cannot` };
  if (entry.inputs.size === 0) return { error: `${id} has no input; a distributed treatment needs one to be reached in its instances` };
  const requires = new Map<string, string>([
    [pkg, exactly(version)],
    [BRIDGE, BRIDGE_VERSION],
  ]);
  const uses = new Set<string>([
    `use ${id.replace(/::(.*)$/, '::$1 as distributed_treatment')}`,
    ...['Bridge', 'instance', 'inStream', 'inBlock', 'outStream', 'outBlock'].map((n) => `use ${BRIDGE}::${n}`),
  ]);
  const typeText = (t: DataType | undefined): string | { error: string } => {
    if (t === undefined) return { error: 'a port has no type' };
    switch (t.kind) {
      case 'core':
        return t.name;
      case 'vec':
      case 'option': {
        const inner = typeText(t.of);
        return typeof inner === 'string' ? `${t.kind === 'vec' ? 'Vec' : 'Option'}<${inner}>` : inner;
      }
      case 'data': {
        const [dpkg] = t.id.split(/[/:]/);
        const b = BUNDLED.find((x) => x.name === dpkg);
        if (b !== undefined && !requires.has(b.name)) requires.set(b.name, b.version);
        uses.add(`use ${t.id}`);
        return t.name;
      }
      default:
        return { error: 'generic ports cannot be distributed' };
    }
  };
  const lines: string[] = ['    instance[bridge = bridge]()'];
  const args: string[] = [];
  for (const [name, v] of params) {
    const p = entry.params.get(name);
    const text = literal(p?.type, v);
    if (text === undefined) return { error: `parameter '${name}' cannot be given to a distributed treatment` };
    args.push(`${name} = ${text}`);
  }
  lines.push(`    dist_treatment: distributed_treatment(${args.join(', ')})`);
  let n = 0;
  for (const [name, port] of entry.inputs) {
    const t = typeText(port.type);
    if (typeof t !== 'string') return t;
    const inst = `dist_in${n++}`;
    lines.push(`    ${inst}: ${port.flow === 'Block' ? 'inBlock' : 'inStream'}<${t}>[bridge = bridge](name = ${JSON.stringify(name)})`);
    lines.push(`    instance.trigger -> ${inst}.trigger`, `    ${inst}.data -> dist_treatment.${name}`);
  }
  for (const [name, port] of entry.outputs) {
    const t = typeText(port.type);
    if (typeof t !== 'string') return t;
    const inst = `dist_out${n++}`;
    lines.push(`    ${inst}: ${port.flow === 'Block' ? 'outBlock' : 'outStream'}<${t}>[bridge = bridge](name = ${JSON.stringify(name)})`);
    lines.push(`    dist_treatment.${name} -> ${inst}.data`);
  }
  return [
    `#! name = ${BRIDGE}_wrapper`,
    '#! version = 0.0.0',
    `#! require = ${[...requires].map(([k, v]) => `${k}:${v}`).join(' ')}`,
    '',
    ...uses,
    '',
    'treatment main()',
    '  model bridge: Bridge()',
    '{',
    ...lines,
    '}',
    '',
  ].join('\n');
}

/** A parameter value as Mélodium literal text, or undefined when it has none. */
function literal(t: DataType | undefined, v: Value): string | undefined {
  if (t === undefined) return undefined;
  switch (t.kind) {
    case 'core':
      switch (t.name) {
        case 'string':
          return `"${escapeText(v as string)}"`;
        case 'char':
          return `'${escapeText(v as string)}'`;
        case 'bool':
          return String(v);
        case 'void':
          return undefined;
        case 'f32':
        case 'f64': {
          const x = v as number;
          if (!Number.isFinite(x)) return undefined;
          const s = String(x);
          return /[.e]/.test(s) ? s : `${s}.0`;
        }
        default:
          return String(v);
      }
    case 'vec': {
      const parts: string[] = [];
      for (const x of v as Iterable<Value>) {
        const p = literal(t.of, x);
        if (p === undefined) return undefined;
        parts.push(p);
      }
      return `[${parts.join(', ')}]`;
    }
    case 'option':
      return v === null ? '_' : literal(t.of, v);
    default:
      return undefined;
  }
}

function escapeText(s: string): string {
  return s.replace(/[\\"'\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] as string);
}

/** The worker-side model: opens one track per instance and keeps the run alive while connected. */
class WorkerBridge implements ModelInstance {
  private finished: (() => void) | undefined;
  private readonly alive = new Promise<void>((r) => (this.finished = r));

  constructor(
    private readonly ctx: ModelContext,
    readonly session: Session,
  ) {}

  initialize(): void {
    this.session.registerBridge(this);
  }

  continuous(): Promise<void> {
    return this.alive;
  }

  finish(): void {
    this.finished?.();
  }

  /** Opens the track of instance `id`; `onCreated` runs once the track exists. */
  instantiate(id: number, onCreated: () => void) {
    return this.ctx.createTrack('instance', {
      feed: async (outputs, track) => {
        this.session.tracks.set(track, id);
        onCreated();
        await outputs.trigger?.sendOne(undefined);
      },
    });
  }
}

function bridgeOf(ctx: TreatmentContext): { session: Session; id: number } | undefined {
  const b = ctx.models.bridge as WorkerBridge;
  const id = b.session.instanceOf(ctx.track);
  return id === undefined ? undefined : { session: b.session, id };
}

/** The bridge package, bound to one session. */
function bridgePackage(session: Session): PackageDescriptor {
  const slot = { bridge: 'Bridge' };
  const input = (flow: 'Block' | 'Stream') =>
    treatment(bridgeArea, flow === 'Block' ? 'inBlock' : 'inStream', {
      generics: 'T',
      models: slot,
      params: { name: 'const string' },
      inputs: { trigger: 'Block<void>' },
      outputs: { data: `${flow}<T>` },
      doc: 'Feeds an input of the distributed instance from the connection.',
      run: async (ctx) => {
        if ((await ctx.inputs.trigger.recvOne()) === END) return;
        const b = bridgeOf(ctx);
        if (b === undefined) return;
        const type = ctx.generics.T as DataType;
        const r = await b.session.dataStreams.drain(
          b.id,
          ctx.params.name as string,
          wireType(type),
          (w) => decodeBatch(type, w),
          ctx.outputs.data,
          flow === 'Block',
        );
        if (r === 'mismatch')
          ctx.log('warning', ctx.path, `input '${String(ctx.params.name)}' received values that are not ${wireType(type)}`);
      },
    });
  const output = (flow: 'Block' | 'Stream') =>
    treatment(bridgeArea, flow === 'Block' ? 'outBlock' : 'outStream', {
      generics: 'T',
      models: slot,
      params: { name: 'const string' },
      inputs: { data: `${flow}<T>` },
      doc: 'Sends an output of the distributed instance over the connection.',
      run: async (ctx) => {
        const b = bridgeOf(ctx);
        if (b === undefined) return;
        const type = ctx.generics.T as DataType;
        const ty = wireType(type);
        const name = ctx.params.name as string;
        try {
          for await (const batch of ctx.inputs.data)
            if (!(await b.session.dataStreams.send(b.id, name, ty, encodeBatch(type, batch)))) break;
        } finally {
          await b.session.dataStreams.closeSend(b.id, name);
        }
      },
    });
  return {
    name: BRIDGE,
    version: BRIDGE_VERSION,
    doc: 'The worker side of distribution (generated wrappers only).',
    elements: [
      model(bridgeArea, 'Bridge', {
        sources: ['instance'],
        doc: 'One track per distributed instance.',
        create: (ctx) => new WorkerBridge(ctx, session),
      }),
      source(bridgeArea, 'instance', { model: 'Bridge', outputs: { trigger: 'Block<void>' }, doc: 'Opens an instance.' }),
      input('Stream'),
      input('Block'),
      output('Stream'),
      output('Block'),
    ],
  };
}
