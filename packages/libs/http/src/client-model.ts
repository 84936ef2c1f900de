/**
 * The `HttpClient` model and its requests on `node:http`/`node:https`
 * with keep-alive agents: one connection pool per model instance, shared by every track.
 * `node:http` was chosen over undici by measure: reading a 1 GiB local response to its end
 * took 1.2–2.0 CPU-seconds with `node:http` and 1.8–2.1 with undici 7 on the same machine
 * (curl: 0.4), so undici would cost a dependency and gain nothing here. Its streams give
 * backpressure for free — while the `data` output waits for a slow
 * consumer the response is not read, the socket is paused and TCP slows the peer.
 *
 * Choices a reader may question:
 * - `headers` of the model are applied as default request headers (the reference ignores
 *   them); per-request headers override them, names compared without case.
 * - `User-Agent: http-mel/0.10.2` is sent unless the request sets its own.
 * - TLS trusts Node's Web PKI roots plus the system bundle when there is one
 *   (`/etc/ssl/certs/ca-certificates.crt`), and `NODE_EXTRA_CA_CERTS` as Node always does.
 * - No time limit of our own (as the reference's client): the system's TCP timeouts apply,
 *   and their errors come out of `failed`/`error` like any other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, validateHeaderName, validateHeaderValue } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { END, type InputPort, type ModelContext, type ModelInstance, type OutputPort, type Value } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { bytesOf, isTextHeaderValue, writeBytes } from './bytes.js';
import { ReadingAgent } from './socket-reader.js';
import { HttpStatusValue } from './status-value.js';

/** The `User-Agent` of every request. */
export const USER_AGENT = 'http-mel/0.10.2';

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Bytes of response body gathered while the consumer is busy before the response is paused. */
const GATHER = 1 << 20;

/** A live `HttpClient`. */
export class HttpClientModel implements ModelInstance {
  readonly base: URL | undefined;
  readonly defaults: StringMapValue;
  readonly noDelay: boolean;
  /** Buffers lent to the consumers of response bodies, reused once they are released. */
  readonly pool = new BufferPool();
  private httpAgent: ReadingAgent | undefined;
  private httpsAgent: HttpsAgent | undefined;

  constructor(ctx: ModelContext) {
    const base = ctx.params.base_url;
    this.base = typeof base === 'string' && URL.canParse(base) ? new URL(base) : undefined;
    this.defaults = (ctx.params.headers as StringMapValue | undefined) ?? StringMapValue.empty;
    this.noDelay = ctx.params.tcp_no_delay !== false;
  }

  /** The agent (connection pool) for `url`'s scheme, created on first use. */
  agentFor(url: URL): ReadingAgent | HttpsAgent {
    if (url.protocol === 'https:') {
      this.httpsAgent ??= new HttpsAgent({ keepAlive: true, ca: trustedRoots() });
      return this.httpsAgent;
    }
    this.httpAgent ??= new ReadingAgent({ keepAlive: true });
    return this.httpAgent;
  }

  /** The buffer that `url`'s socket reads into, whose views must not be kept (socket-reader.ts). */
  readBuffer(url: URL): ArrayBufferLike | undefined {
    return url.protocol === 'http:' ? this.httpAgent?.buffer.buffer : undefined;
  }

  /** `url` resolved against the base URL (standard URL joining); throws when invalid. */
  resolve(url: string): URL {
    const u = this.base === undefined ? new URL(url) : new URL(url, this.base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported URL scheme '${u.protocol.slice(0, -1)}'`);
    return u;
  }

  /** Default headers, then `User-Agent`, then the request's own; invalid ones left out. */
  headersFor(own: StringMapValue): Record<string, string> {
    const out: Record<string, string> = { 'user-agent': USER_AGENT };
    for (const source of [this.defaults, own])
      for (const [k, v] of source) {
        try {
          validateHeaderName(k);
          validateHeaderValue(k, v);
        } catch {
          continue;
        }
        out[k.toLowerCase()] = v;
      }
    return out;
  }

  /**
   * Ends the pool: its sockets, in use or idle, are destroyed, so requests still running when
   * the engine stops end with it. (Requests do not take the engine's AbortSignal: one
   * listener per concurrent request would trip Node's listener-leak warning past ten.)
   */
  shutdown(): void {
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
  }
}

let roots: string[] | undefined;
function trustedRoots(): string[] {
  if (roots === undefined) {
    roots = [...rootCertificates];
    if (existsSync(SYSTEM_BUNDLE)) roots.push(readFileSync(SYSTEM_BUNDLE, 'utf8'));
  }
  return roots;
}

type Outs = Readonly<Record<string, OutputPort>>;

/**
 * One request (`request` and `requestWithBody`): rule B on `url` and `req_headers`, then
 * status, headers, the streamed body, `completed`; `failed` + `error` on any failure;
 * `finished` last.
 */
export async function runRequest(
  client: HttpClientModel,
  method: string,
  inputs: Readonly<Record<string, InputPort>>,
  outputs: Outs,
): Promise<void> {
  const body = inputs.body;
  const url = await (inputs.url as InputPort).recvOne();
  const own = await (inputs.req_headers as InputPort).recvOne();
  if (url === END || own === END) {
    body?.close();
    return;
  }
  let target: URL;
  try {
    target = client.resolve(url as string);
  } catch (e) {
    body?.close();
    return failed(outputs, `invalid URL '${url as string}': ${messageOf(e)}`);
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(target, {
    method,
    headers: client.headersFor(own as StringMapValue),
    agent: client.agentFor(target),
  });
  if (!client.noDelay) req.once('socket', (socket) => socket.setNoDelay(false));
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.on('error', reject);
  });
  if (body === undefined) req.end();
  const upload = body === undefined ? Promise.resolve() : pump(body, req);
  let res: IncomingMessage;
  try {
    res = await response;
  } catch (e) {
    body?.close();
    await upload;
    return failed(outputs, describe(e, target));
  }
  await (outputs.status as OutputPort).sendOne(HttpStatusValue.received(res.statusCode ?? 0, res.statusMessage));
  (outputs.status as OutputPort).close();
  await (outputs.res_headers as OutputPort).sendOne(headersOf(res.rawHeaders));
  (outputs.res_headers as OutputPort).close();
  const data = outputs.data as OutputPort;
  try {
    await streamBody(res, data, client.pool, client.readBuffer(target));
  } catch (e) {
    data.close();
    await upload;
    return failed(outputs, describe(e, target));
  }
  data.close();
  await upload;
  await (outputs.completed as OutputPort).sendOne(undefined);
  await (outputs.finished as OutputPort).sendOne(undefined);
}

/**
 * Sends the response body on `data`. Chunks that arrive while the consumer is busy are
 * gathered into one batch, up to {@link GATHER} bytes; past that the response is paused
 * (so the socket is not read and TCP slows the peer). Big batches make the consumer's work
 * per byte small (a file write per megabyte, not per socket read). Without a consumer the
 * body is still read to its end, for `completed`.
 *
 * Big gathered batches are copied into buffers of `pool` and lent (`OutputPort.lend`):
 * when every consumer releases its batches (a file writer does), the buffer comes back
 * and the next batch reuses it. A fresh megabyte per batch (`Buffer.concat`) cost a page
 * fault per 4 KiB on first touch and most of the garbage collector's time on a 1 GiB
 * download. A lone chunk goes as it is, and small batches are copied to their exact
 * size, so a consumer that keeps a small body does not keep a whole pool buffer.
 */
async function streamBody(
  res: IncomingMessage,
  data: OutputPort,
  pool: BufferPool,
  readBuffer: ArrayBufferLike | undefined,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  let error: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  res.on('data', (c: Buffer) => {
    // Node's parser copies body chunks out of the socket's read buffer; if one day it did
    // not, the chunk is copied here, before the next read reuses that buffer.
    chunks.push(c.buffer === readBuffer ? Buffer.from(c) : c);
    size += c.length;
    if (size >= GATHER) res.pause();
    signal();
  });
  res.once('end', () => {
    ended = true;
    signal();
  });
  res.once('error', (e) => {
    error ??= e;
    signal();
  });
  res.once('close', () => {
    if (!ended) error ??= new Error('the connection closed before the end of the response body');
    signal();
  });
  let listened = true;
  for (;;) {
    if (chunks.length === 0) {
      if (error !== undefined) throw error;
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      continue;
    }
    if (!listened) {
      // Nobody reads `data` any more: the rest is read for `completed`, and dropped.
      chunks.length = 0;
      size = 0;
      if (res.isPaused()) res.resume();
      continue;
    }
    let batch: Uint8Array;
    let lent: Uint8Array | undefined;
    if (chunks.length === 1) batch = chunks[0] as Buffer;
    else if (size < POOL_BUFFER >>> 2 || size > POOL_BUFFER) batch = Buffer.concat(chunks, size);
    else {
      lent = pool.take();
      let at = 0;
      for (const c of chunks) {
        lent.set(c, at);
        at += c.length;
      }
      batch = lent.subarray(0, size);
    }
    chunks.length = 0;
    size = 0;
    if (res.isPaused()) res.resume();
    if (lent !== undefined && data.lend !== undefined) {
      const buffer = lent;
      listened = await data.lend(batch, () => pool.give(buffer));
    } else listened = await data.sendMany(batch);
  }
  if (!res.complete) throw new Error('the connection closed before the end of the response body');
}

/** Bytes of a pool buffer: a gathered batch and the chunk that went past {@link GATHER}. */
const POOL_BUFFER = GATHER + (256 << 10);
/** Free buffers a pool keeps (more in flight are allocated, and dropped when given back). */
const POOL_LIMIT = 4;

/** Reusable body buffers of one client, shared by its requests (each buffer has one user at a time). */
export class BufferPool {
  private readonly free: Uint8Array[] = [];

  take(): Uint8Array {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(POOL_BUFFER);
  }

  give(b: Uint8Array): void {
    if (this.free.length < POOL_LIMIT) this.free.push(b);
  }
}

/** Streams `body` into the request, at the pace the peer reads it, then ends it. */
async function pump(body: InputPort, req: ReturnType<typeof httpRequest>): Promise<void> {
  for (;;) {
    const batch = await body.recvMany();
    if (batch === END) break;
    if (!(await writeBytes(req, bytesOf(batch)))) {
      body.close();
      return;
    }
  }
  if (!req.destroyed) req.end();
}

async function failed(outputs: Outs, message: string): Promise<void> {
  await (outputs.failed as OutputPort).sendOne(undefined);
  await (outputs.error as OutputPort).sendOne(message);
  await (outputs.finished as OutputPort).sendOne(undefined);
}

/** Response headers as a StringMap: lower-case names, the last of repeated ones, text values only. */
function headersOf(raw: readonly string[]): StringMapValue {
  const entries: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const v = raw[i + 1] as string;
    if (isTextHeaderValue(v)) entries.push([(raw[i] as string).toLowerCase(), v]);
  }
  return StringMapValue.from(entries);
}

function describe(e: unknown, url: URL): string {
  const code = (e as { code?: unknown }).code;
  const text = messageOf(e);
  return `request to ${url.origin} failed: ${typeof code === 'string' && !text.includes(code) ? `${code}: ` : ''}${text}`;
}

function messageOf(e: Value): string {
  return e instanceof Error ? e.message : String(e);
}
