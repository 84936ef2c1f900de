/**
 * The distribution protocol (docs/protocol.md): length-prefixed MessagePack frames over a
 * (TLS) stream, the handshake with mutual keys, credit windows per (instance, port) and
 * keep-alive probes. Both sides — the `DistributionEngine` model (orchestrator) and the
 * `tutti dist` worker (driver) — speak it through {@link Connection}.
 *
 * MessagePack through `msgpackr` was chosen over CBOR and gRPC: it encodes a `Buffer` as a
 * binary string without per-byte overhead and a `Float64Array` as one raw extension, so
 * byte streams and numeric batches cross as they are, and it is the fastest maintained
 * encoder we measured (bench/dist.mjs); gRPC would add HTTP/2 framing and a schema compiler
 * for no gain on a single point-to-point link.
 */
import { timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Packr, Unpackr } from 'msgpackr';

/** Version of the frames and messages below; both sides must speak the same. */
export const PROTOCOL_VERSION = 1;
/** The Mélodium version whose programs Tutti runs (the bundled packages' version). */
export const MELODIUM_VERSION = '0.10.2';
/** Largest frame accepted (a frame announcing more is a protocol error). */
export const MAX_FRAME = 64 * 1024 * 1024;
/** Default credit window of one (instance, port) stream, in encoded bytes. */
export const DEFAULT_WINDOW = 4 * 1024 * 1024;

/** Log levels carried by `log` messages. */
export type WireLevel = 'error' | 'warning' | 'info' | 'debug' | 'trace';

/** A program shipped to a worker: the root package's files (relative path → text). */
export interface ProgramFiles {
  readonly kind: 'script' | 'project';
  readonly name: string;
  readonly version: string;
  /** For a script, one entry (its file name); for a project, every `.mel` and `Compo.toml`. */
  readonly files: readonly (readonly [string, string])[];
}

/**
 * A `--path` location of the orchestrator, shipped with the program: a `.mel` file, or a
 * folder's `.mel` and `Compo.toml` files at their relative paths. The worker writes it and
 * loads the program with it as `--path`, as the orchestrator did.
 */
export interface PathFiles {
  readonly kind: 'file' | 'folder';
  /** The file's name (`file`), or the folder's (shown in messages). */
  readonly name: string;
  readonly files: readonly (readonly [string, string])[];
}

/** Every message of the protocol, by its `t` tag. */
export type Message =
  | {
      readonly t: 'ask';
      readonly protocol: number;
      readonly melodium_version: string;
      readonly key: string;
      readonly run_id: string;
      readonly group_id: string;
    }
  | {
      readonly t: 'confirm';
      readonly accept: boolean;
      readonly protocol: number;
      readonly melodium_version: string;
      readonly key: string;
      readonly run_id: string;
      readonly group_id: string;
      readonly reason?: string;
    }
  | {
      readonly t: 'load';
      readonly program: ProgramFiles | null;
      /** The orchestrator's `--path` packages (absent from older orchestrators). */
      readonly paths?: readonly PathFiles[];
      readonly entrypoint: string;
      readonly version: string;
      /** name → [type text, value] (values encoded by codec.ts). */
      readonly params: readonly (readonly [string, string, unknown])[];
    }
  | {
      readonly t: 'launch';
      readonly ok: boolean;
      readonly message?: string;
      /** On success, the launched treatment's input and output names (absent from older workers). */
      readonly inputs?: readonly string[];
      readonly outputs?: readonly string[];
    }
  | { readonly t: 'inst'; readonly id: number }
  | { readonly t: 'instd'; readonly id: number; readonly ok: boolean; readonly message?: string }
  | { readonly t: 'in' | 'out'; readonly id: number; readonly name: string; readonly ty: string; readonly v: unknown }
  | { readonly t: 'inclose' | 'outclose'; readonly id: number; readonly name: string }
  /** Flow control: `n` more bytes may be sent on (id, name) in direction `dir`. */
  | { readonly t: 'credit'; readonly dir: 'in' | 'out'; readonly id: number; readonly name: string; readonly n: number }
  /** The receiver stops reading (id, name): the sender's further data is dropped. */
  | { readonly t: 'drop'; readonly dir: 'in' | 'out'; readonly id: number; readonly name: string }
  | { readonly t: 'log'; readonly level: WireLevel; readonly label: string; readonly message: string; readonly time: number }
  | { readonly t: 'logended' }
  | { readonly t: 'end'; readonly reason?: string }
  | { readonly t: 'ended'; readonly ok: boolean }
  | { readonly t: 'probe'; readonly n: number }
  | { readonly t: 'pong'; readonly n: number };

/** Options of {@link Connection}. */
export interface ConnectionOptions {
  /** Milliseconds between keep-alive probes (spec: 10 s). 0 disables them. */
  readonly probeInterval?: number;
  /** Milliseconds to wait for a probe's answer before the next attempt (spec: 2 s). */
  readonly probeAttemptDelay?: number;
  /** Attempts before the peer is declared gone (spec: 3). */
  readonly probeAttempts?: number;
  /** Per-message timeout in ms: a started frame must complete, a request be answered (spec: 60 s). */
  readonly timeout?: number;
}

/** The protocol's per-message timeout: `MELODIUM_DIST_PROTOCOL_TIMEOUT_SECS` or 60 s. */
export function defaultTimeout(): number {
  const s = Number(process.env.MELODIUM_DIST_PROTOCOL_TIMEOUT_SECS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

// `int64AsType: 'auto'` (numbers while safe, bigints beyond: Tutti's canonical form) is
// supported by msgpackr's code but missing from its type declarations.
const options = { useRecords: false, moreTypes: true, int64AsType: 'auto', largeBigIntToString: true } as unknown as ConstructorParameters<
  typeof Packr
>[0];
let codec: { readonly packr: Packr; readonly unpackr: Unpackr } | undefined;
/** msgpackr, loaded on the first frame: every `tutti` command would pay for it at start-up otherwise. */
function msgpack(): { readonly packr: Packr; readonly unpackr: Unpackr } {
  if (codec === undefined) {
    const m = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
    codec = { packr: new m.Packr(options), unpackr: new m.Unpackr(options) };
  }
  return codec;
}

/** Encodes one message as a frame: 4-byte big-endian length, then MessagePack. */
export function encodeFrame(m: Message): Buffer {
  const body = msgpack().packr.pack(m);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Cuts a byte stream into frames; throws on an oversized or undecodable frame. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Bytes of a started, incomplete frame (0 between frames). */
  get pending(): number {
    return this.size;
  }

  /** Feeds bytes; returns the messages they complete. */
  push(chunk: Buffer): Message[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Message[] = [];
    for (;;) {
      if (this.size < 4) break;
      // A length split across chunks is joined first (and then the joined chunk is the head).
      const head = (this.chunks[0] as Buffer).length >= 4 ? (this.chunks[0] as Buffer) : this.concat();
      const len = head.readUInt32BE(0);
      if (len > MAX_FRAME) throw new ProtocolError(`frame of ${len} bytes exceeds the limit of ${MAX_FRAME}`);
      if (this.size < 4 + len) break;
      const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : this.concat();
      const body = all.subarray(4, 4 + len);
      let m: Message;
      try {
        m = msgpack().unpackr.unpack(body) as Message;
      } catch (e) {
        throw new ProtocolError(`undecodable frame: ${(e as Error).message}`);
      }
      if (m === null || typeof m !== 'object' || typeof (m as { t?: unknown }).t !== 'string')
        throw new ProtocolError('a frame does not hold a message');
      out.push(m);
      const rest = all.subarray(4 + len);
      this.chunks = rest.length === 0 ? [] : [rest];
      this.size = rest.length;
    }
    return out;
  }

  private concat(): Buffer {
    const b = Buffer.concat(this.chunks, this.size);
    this.chunks = [b];
    return b;
  }
}

/** A violation of the protocol by the peer (bad frame, unexpected message, version). */
export class ProtocolError extends Error {}

/** Compares two keys in constant time (for keys of the same length). */
export function keysEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Compare equal-length buffers always, so the time does not tell the length either.
  const len = Math.max(x.length, y.length, 1);
  const xa = Buffer.alloc(len);
  const ya = Buffer.alloc(len);
  x.copy(xa);
  y.copy(ya);
  return timingSafeEqual(xa, ya) && x.length === y.length;
}

/** Whether two Mélodium versions can share programs (same major and minor). */
export function versionsCompatible(a: string, b: string): boolean {
  const [am, an] = a.split('.');
  const [bm, bn] = b.split('.');
  return am === bm && an === bn;
}

/** A credit window: the sender waits while it would exceed what the receiver granted. */
export class Credit {
  private available: number;
  private waiter: (() => void) | undefined;
  private closed = false;

  constructor(private readonly window: number) {
    this.available = window;
  }

  /** Waits until `cost` bytes may be sent (a batch bigger than the window needs the whole window). */
  async take(cost: number): Promise<boolean> {
    const need = Math.min(cost, this.window);
    while (!this.closed && this.available < need) await new Promise<void>((r) => (this.waiter = r));
    if (this.closed) return false;
    this.available -= cost;
    return true;
  }

  grant(n: number): void {
    this.available += n;
    this.wake();
  }

  /** Ends the window: waiting and later senders are refused. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/**
 * One side of a protocol connection: writes frames honouring the socket's backpressure
 * (`write()` returning false waits for `drain`, so nothing piles up in user space), reads
 * frames and hands each message to `onMessage`, answers and sends keep-alive probes, and
 * reports the end once (`closed`), with the reason when it was not asked for.
 */
export class Connection {
  /** Resolves when the connection is gone; the value is the failure, or undefined for a clean close. */
  readonly closed: Promise<string | undefined>;
  private resolveClosed!: (reason: string | undefined) => void;
  private ended = false;
  private readonly reader = new FrameReader();
  private drainWaiters: (() => void)[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  private probeCounter = 0;
  private lastReceived = Date.now();
  private readonly timeout: number;
  /** Bytes written so far (for benchmarks and tests). */
  written = 0;

  constructor(
    readonly socket: Duplex,
    private readonly onMessage: (m: Message) => void,
    private readonly o: ConnectionOptions = {},
  ) {
    this.timeout = o.timeout ?? defaultTimeout();
    this.closed = new Promise((r) => (this.resolveClosed = r));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      const ws = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of ws) w();
    });
    socket.on('error', (e) => this.finish(`connection error: ${e.message}`));
    socket.on('close', () => this.finish('connection closed by the peer'));
    socket.on('end', () => this.finish('connection closed by the peer'));
    const interval = o.probeInterval ?? 10_000;
    if (interval > 0) this.probeTimer = setInterval(() => void this.probe(), interval);
    this.probeTimer?.unref();
  }

  /** Whether the connection can still carry messages. */
  get open(): boolean {
    return !this.ended;
  }

  /**
   * Sends one message; resolves once the socket accepted it without exceeding its buffer
   * (waits for `drain` otherwise). Returns false when the connection is gone.
   */
  async send(m: Message): Promise<boolean> {
    if (this.ended) return false;
    // The length and the body go out as two writes under one cork, so a large batch is
    // not copied into a frame buffer first (msgpackr never reuses a buffer it returned).
    const body = msgpack().packr.pack(m);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length, 0);
    this.written += 4 + body.length;
    this.socket.cork();
    this.socket.write(head);
    const ok = this.socket.write(body);
    this.socket.uncork();
    if (ok) return true;
    await new Promise<void>((r) => this.drainWaiters.push(r));
    return !this.ended;
  }

  /** Writes an encoded frame (see {@link encodeFrame}), with the same backpressure. */
  async write(frame: Buffer): Promise<boolean> {
    if (this.ended) return false;
    this.written += frame.length;
    if (this.socket.write(frame)) return true;
    await new Promise<void>((r) => this.drainWaiters.push(r));
    return !this.ended;
  }

  /** Sends a message without waiting for the socket (control messages: credits, probes). */
  post(m: Message): void {
    if (this.ended) return;
    const frame = encodeFrame(m);
    this.written += frame.length;
    this.socket.write(frame);
  }

  /** Closes the connection cleanly after what was written (`end`). */
  close(reason?: string): void {
    if (this.ended) return;
    this.socket.end();
    this.finish(reason);
    // A peer that does not close its side must not keep the socket alive.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Destroys the connection at once with a failure reason. */
  fail(reason: string): void {
    if (this.ended) return;
    this.finish(reason);
    this.socket.destroy();
  }

  private finish(reason: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.probeTimer);
    clearTimeout(this.frameTimer);
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
    this.resolveClosed(reason);
  }

  private receive(chunk: Buffer): void {
    this.lastReceived = Date.now();
    let messages: Message[];
    try {
      messages = this.reader.push(chunk);
    } catch (e) {
      this.fail(`protocol error: ${(e as Error).message}`);
      return;
    }
    // A frame started must complete within the per-message timeout.
    clearTimeout(this.frameTimer);
    if (this.reader.pending > 0) {
      this.frameTimer = setTimeout(() => this.fail(`no complete message within ${this.timeout / 1000} s`), this.timeout);
      this.frameTimer.unref();
    }
    for (const m of messages) {
      if (this.ended) return;
      if (m.t === 'probe') this.post({ t: 'pong', n: m.n });
      else if (m.t === 'pong') continue;
      else this.onMessage(m);
    }
  }

  /**
   * Keep-alive: a probe is answered by any frame from the peer; without one, the probe is
   * retried `probeAttempts` times `probeAttemptDelay` apart, then the peer is declared gone.
   */
  private async probe(): Promise<void> {
    const attempts = this.o.probeAttempts ?? 3;
    const delay = this.o.probeAttemptDelay ?? 2000;
    const since = Date.now();
    for (let i = 0; i < attempts; i++) {
      if (this.ended) return;
      this.post({ t: 'probe', n: ++this.probeCounter });
      await new Promise((r) => setTimeout(r, delay).unref());
      if (this.lastReceived >= since) return;
    }
    this.fail(`the peer did not answer ${attempts} keep-alive probes`);
  }

  /** Waits for a message matching `pick`, failing after the per-message timeout. */
  timeoutMs(): number {
    return this.timeout;
  }
}
