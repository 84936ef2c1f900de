/**
 * The `HttpServer` model on `node:http`: routes come from the
 * registrations of its `incoming` source (one per `connection`), the listener is bound
 * only once `start` fired, and every matched request opens one track of `incoming` with
 * its `@HttpRequest`. The response belongs to the track's `outgoing`; a track that ends
 * without answering gets 500 here.
 *
 * Its background activity lasts until the engine stops (SIGINT/SIGTERM or a fatal error),
 * so a server program runs until stopped; `shutdown` closes the listener and its
 * connections. When binding fails, the activity opens one `failedBinding` track and ends:
 * with nothing left to serve the run ends too (the reference keeps an idle engine); a
 * program without `failedBinding` fails with the binding error instead of ending silently.
 */
import { randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ModelContext, ModelInstance, OutputPort, TrackRequest, Value } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { HttpMethodValue } from './method-value.js';
import { type RouteMatch, Router } from './router.js';
import { HttpStatusValue } from './status-value.js';

/** The `Server` header of every response. */
export const SERVER_NAME = 'http-mel/0.10.2';
/** Identifier of the request context. */
export const REQUEST_CONTEXT = 'http/server::@HttpRequest';
/** The only methods the reference's router serves. */
const SERVED = new Set(['DELETE', 'GET', 'PATCH', 'POST', 'PUT']);

type Registration = Readonly<Record<string, Value>>;

/** A live `HttpServer`. */
export class HttpServerModel implements ModelInstance {
  private readonly router = new Router<Registration>();
  /** Responses not answered yet, by request id. */
  private readonly pending = new Map<bigint, ServerResponse>();
  private requestStart!: () => void;
  private readonly startRequested = new Promise<void>((resolve) => {
    this.requestStart = resolve;
  });
  private server: Server | undefined;

  constructor(private readonly ctx: ModelContext) {}

  /** Whether tracks must name their route: false when every `incoming` serves the same one. */
  private filtered = true;

  initialize(): void {
    const registrations = this.ctx.registrations('incoming');
    for (const r of registrations) {
      const method = String(r.method);
      if (SERVED.has(method)) this.router.add(method, String(r.route), r);
    }
    const first = registrations[0];
    this.filtered = registrations.some((r) => r.route !== first?.route || String(r.method) !== String(first?.method));
  }

  /** Lets the server bind (`start`). */
  start(): void {
    this.requestStart();
  }

  async continuous(): Promise<void> {
    const stop = this.ctx.signal;
    const stopped = new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      else stop.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([this.startRequested, stopped]);
    if (stop.aborted) return;
    const server = createServer((req, res) => this.handle(req, res));
    const host = String(this.ctx.params.host);
    const port = Number(this.ctx.params.port);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const message = `cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${(e as Error).message}`;
      const track = await this.ctx.createTrack('failedBinding', {
        feed: async (o) => {
          await o.failed?.sendOne(undefined);
          await o.error?.sendOne(message);
        },
      });
      // Nobody handles the failure (no `failedBinding` in the program): the run fails with it.
      if (!track.created) throw new Error(message);
      return;
    }
    // A listener error after binding (rare: EMFILE…) is logged, the server goes on.
    server.on('error', (e) => this.ctx.log('error', this.ctx.path, `server error: ${e.message}`));
    this.server = server;
    await stopped;
  }

  shutdown(): void {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.close();
    server.closeAllConnections();
    this.pending.clear();
  }

  /**
   * The response of request `id`, taken out: each request is answered once. Undefined when
   * unknown or already answered.
   */
  claim(id: Value): ServerResponse | undefined {
    const key = typeof id === 'bigint' ? id : BigInt(id as number);
    const res = this.pending.get(key);
    if (res !== undefined) this.pending.delete(key);
    return res;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const match = this.router.match(req.method ?? '', path);
    if (match === undefined) {
      answer(res, 404);
      req.resume();
      return;
    }
    if (!announcesBody(req.rawHeaders)) {
      // No body by the headers (RFC 9112 §6.3): the track need not wait for the end of it.
      // No 'error' listener: a request gone early emits none without one (Node's
      // IncomingMessage emits 'error' only to listeners), and the response finds the socket closed.
      req.resume();
      this.openTrack(req, res, path, match, undefined, []);
      return;
    }
    const chunks: Buffer[] = [];
    let opened = false;
    const open = (failure: string | undefined) => {
      if (opened) return;
      opened = true;
      this.openTrack(req, res, path, match, failure, chunks);
    };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => open(undefined));
    req.once('error', (e) => open(e.message));
    req.once('close', () => open(req.complete ? undefined : 'the request body was cut before its end'));
  }

  private openTrack(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    match: RouteMatch<Registration>,
    failure: string | undefined,
    chunks: readonly Buffer[],
  ): void {
    const id = uuid128();
    this.pending.set(id, res);
    const request = {
      id,
      route: match.route.pattern,
      path,
      parameters: match.parameters.length === 0 ? StringMapValue.empty : StringMapValue.from(match.parameters),
      method: HttpMethodValue.of(req.method as string),
    };
    const track: { -readonly [K in keyof TrackRequest]: TrackRequest[K] } = {
      contexts: new Map<string, Readonly<Record<string, Value>>>().set(REQUEST_CONTEXT, request),
      // Only the body is awaited: a Block's one value is delivered by the send itself (the
      // promise tells when the receiver took it, which the feed has no need to know), and
      // four awaits per request showed in the profile of a small JSON server. Without a
      // body, the feed sends everything at once and returns nothing: no promise either.
      feed: (o) => {
        if (failure !== undefined) {
          void o.failed?.sendOne(undefined);
          void o.error?.sendOne(failure);
          void o.finished?.sendOne(undefined);
          return undefined;
        }
        void o.started?.sendOne(undefined);
        // Built only when something reads them.
        if (o.headers?.usable) void o.headers.sendOne(headersOf(req));
        if (chunks.length > 0) return feedBody(o, chunks);
        feedEnd(o);
        return undefined;
      },
    };
    if (this.filtered) track.params = match.route.target;
    this.ctx.createTrack('incoming', track).then(() => {
      // The track ended without an answer: 500 (as the reference answers).
      if (!res.writableEnded) {
        const unanswered = this.claim(id);
        if (unanswered !== undefined) answer(unanswered, 500);
      }
    }, ignore);
  }
}

/** The end of a request's feed: its body, then `completed` and `finished`. */
async function feedBody(o: Readonly<Record<string, OutputPort>>, chunks: readonly Buffer[]): Promise<void> {
  await o.data?.sendMany(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
  feedEnd(o);
}

/** The body sent: `data` closes, then `completed` and `finished`. */
function feedEnd(o: Readonly<Record<string, OutputPort>>): void {
  o.data?.close();
  void o.completed?.sendOne(undefined);
  void o.finished?.sendOne(undefined);
}

/** Answers with `code`, the `Server` header and no body. */
export function answer(res: ServerResponse, code: number): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const status = HttpStatusValue.of(code);
  res.writeHead(code, status?.reason, { server: SERVER_NAME, 'content-length': '0' });
  res.end();
}

/**
 * Whether the headers announce a body (RFC 9112 §6.3): a `Transfer-Encoding`, or a
 * `Content-Length` other than 0. Read from the raw list: `req.headers` is built on first
 * use, a cost per request that a track without `headers` need not pay.
 */
export function announcesBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (
      name.length === 17
        ? name.toLowerCase() === 'transfer-encoding'
        : name.length === 14 && name.toLowerCase() === 'content-length' && raw[i + 1] !== '0'
    )
      return true;
  }
  return false;
}

/** Request headers as a StringMap (repeated headers joined as Node joins them). */
function headersOf(req: IncomingMessage): StringMapValue {
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    entries.push([k, Array.isArray(v) ? v.join(', ') : v]);
  }
  return StringMapValue.from(entries);
}

function ignore(): void {}

/** Random bytes for {@link uuid128}, drawn 256 identifiers at a time. */
const randomPool = Buffer.alloc(16 * 256);
const randomView = new DataView(randomPool.buffer, randomPool.byteOffset, randomPool.length);
let randomAt = randomPool.length;

/**
 * A random UUID v4 as a 128-bit integer (version and variant bits set as RFC 9562 says).
 * Read from a pool of random bytes: the version and variant bits are set in the bytes, then
 * the two 64-bit halves are read with `DataView` and joined, four big-integer operations
 * in all (once per request; `readBigUInt64BE` and masks on big integers took ten).
 */
export function uuid128(): bigint {
  if (randomAt === randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  const at = randomAt;
  randomAt += 16;
  randomPool[at + 6] = ((randomPool[at + 6] as number) & 0x0f) | 0x40;
  randomPool[at + 8] = ((randomPool[at + 8] as number) & 0x3f) | 0x80;
  return (randomView.getBigUint64(at) << 64n) | randomView.getBigUint64(at + 8);
}
