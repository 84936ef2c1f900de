/**
 * `http/server` native elements: the server model, its sources, the
 * request context and the response treatments. `connection` is written in `mel/server.mel`.
 * The model itself is in server-model.ts; `outgoing` streams the track's response.
 */
import { type ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import {
  type Batch,
  context,
  END,
  type End,
  type InputPort,
  model,
  NOT_YET,
  type NotYet,
  source,
  type TreatmentContext,
  treatment,
  type Value,
} from '@tutti/core';
import type { StringMapValue } from '@tutti/lib-std';
import { bytesOf, writeBytes } from './bytes.js';
import { answer, HttpServerModel, SERVER_NAME } from './server-model.js';
import type { HttpStatusValue } from './status-value.js';

const area = 'http/server';

/** What {@link endOfTurn} resolves to. */
const LATER = Symbol('later');
/** Resolved with {@link LATER}: raced after a receive, it loses when the receive is already settled. */
const SETTLED_LATER: Promise<typeof LATER> = Promise.resolve(LATER);
let turnEnd: Promise<typeof LATER> | undefined;

/**
 * Resolves with {@link LATER} in the next turn of the event loop: one `setImmediate` shared
 * by every response waiting in this turn.
 */
function endOfTurn(): Promise<typeof LATER> {
  turnEnd ??= new Promise((resolve) => {
    setImmediate(() => {
      turnEnd = undefined;
      resolve(LATER);
    });
  });
  return turnEnd;
}

/**
 * Sends the body from `data`. The last batch is held back until the next one or the end is
 * known, so a body of one batch goes out with a `Content-Length` in one write; a batch
 * that waits longer than one turn of the event loop is sent at once (streamed responses
 * are not delayed). A body already there with its end (the usual small answer: the
 * treatments before this one sent it as the track started) goes out without a promise.
 */
function sendBody(res: ServerResponse, data: InputPort, head: (length: number | undefined) => void): Promise<void> | undefined {
  if (data.tryRecvMany === undefined) return sendBodyLater(res, data, head, undefined);
  const first = data.tryRecvMany();
  if (first === NOT_YET) return sendBodyLater(res, data, head, undefined);
  if (first === END) return endBody(res, head, undefined, false);
  const held = bytesOf(first);
  if (data.ready !== true) return sendBodyLater(res, data, head, held);
  const next = data.tryRecvMany();
  if (next === END) return endBody(res, head, held, false);
  // More than one batch: the rest as a stream.
  return sendBodyLater(res, data, head, held, next === NOT_YET ? undefined : bytesOf(next));
}

/** Ends the response with `last` (the head first, with the length of `last`, unless `headed`). */
function endBody(
  res: ServerResponse,
  head: (length: number | undefined) => void,
  last: Uint8Array | undefined,
  headed: boolean,
): undefined {
  if (res.destroyed) return undefined;
  if (!headed) head(last?.length ?? 0);
  res.end(last);
  return undefined;
}

/** {@link sendBody} from `held` (a batch taken, not sent) and `taken` (the one after it). */
async function sendBodyLater(
  res: ServerResponse,
  data: InputPort,
  head: (length: number | undefined) => void,
  held: Uint8Array | undefined,
  taken?: Uint8Array,
): Promise<void> {
  let headed = false;
  /** Writes `bytes` after the head (which then has no length: the body is streamed). */
  const write = (bytes: Uint8Array): Promise<boolean> => {
    if (!headed && !res.destroyed) {
      head(undefined);
      headed = true;
    }
    return writeBytes(res, bytes);
  };
  if (taken !== undefined) {
    if (!(await write(held as Uint8Array))) return data.close();
    held = taken;
  }
  for (;;) {
    let batch: Batch | typeof END | typeof LATER;
    // What follows the held batch is there already (the usual end of a one-batch body: the
    // input tells, or a race with a settled promise does): no timer needed.
    if (held === undefined || data.ready === true) batch = await data.recvMany();
    else {
      const next = data.recvMany();
      batch = data.ready === false ? LATER : await Promise.race([next, SETTLED_LATER]);
      if (batch === LATER) batch = await Promise.race([next, endOfTurn()]);
      if (batch === LATER) {
        if (!(await write(held))) break;
        held = undefined;
        batch = await next;
      }
    }
    if (batch === END) return endBody(res, head, held, headed);
    if (held !== undefined && !(await write(held))) break;
    held = bytesOf(batch);
  }
  // The client went away: nobody reads the rest (rule C).
  data.close();
}

/** A response's headers as `writeHead` takes them, and whether they give the length. */
interface Head {
  readonly flat: string[];
  readonly sized: boolean;
}

/** The track's headers in their order, after the `Server` header unless they give one. */
function headOf(headers: StringMapValue): Head {
  const flat: string[] = [];
  let named = false;
  let sized = false;
  for (const [k, v] of headers) {
    const lower = k.toLowerCase();
    if (lower === 'server') named = true;
    else if (lower === 'content-length') sized = true;
    flat.push(k, v);
  }
  if (!named) flat.unshift('server', SERVER_NAME);
  return { flat, sized };
}

/**
 * Writes the head in one `writeHead` with a flat list (with `Content-Length` when the whole
 * body is known and the track gave none). Headers set one by one went through Node's
 * dictionary of them, walked with `for…in` at every response (three microseconds per
 * request in the profile of a small JSON server). Node checks each name and value; when
 * one is invalid, the head is written again without the invalid ones (left out, as the
 * reference does).
 */
function writeHead(res: ServerResponse, status: HttpStatusValue, head: Head, length: number | undefined): void {
  const flat = length === undefined || head.sized ? head.flat : [...head.flat, 'content-length', String(length)];
  try {
    res.writeHead(status.code, status.reason, flat);
  } catch {
    const valid: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      try {
        validateHeaderName(flat[i] as string);
        validateHeaderValue(flat[i] as string, flat[i + 1] as string);
        valid.push(flat[i] as string, flat[i + 1] as string);
      } catch {
        // left out
      }
    }
    res.writeHead(status.code, status.reason, valid);
  }
}

export const server = [
  context(area, '@HttpRequest', {
    fields: {
      id: 'u128',
      route: 'string',
      path: 'string',
      parameters: 'StringMap',
      method: 'HttpMethod',
    },
    doc: 'The request served by the current track: id, matched route, path, route parameters and method.',
  }),
  model(area, 'HttpServer', {
    params: { host: 'Ip', port: 'u16' },
    sources: ['incoming', 'failedBinding'],
    doc: 'HTTP server on `host:port`; binds and serves once `start` is triggered, until the engine stops.',
    create: (ctx) => new HttpServerModel(ctx),
  }),
  source(area, 'incoming', {
    model: 'HttpServer',
    params: { method: 'const HttpMethod', route: 'const string' },
    outputs: {
      started: 'Block<void>',
      headers: 'Block<StringMap>',
      data: 'Stream<byte>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      error: 'Block<string>',
    },
    contexts: ['@HttpRequest'],
    doc: 'Opens one track per request matching `method` and `route`, with the request headers and whole body.',
  }),
  source(area, 'failedBinding', {
    model: 'HttpServer',
    outputs: { failed: 'Block<void>', error: 'Block<string>' },
    doc: 'Opens a track when binding the listener fails (e.g. port in use).',
  }),
  treatment(area, 'start', {
    models: { http_server: 'HttpServer' },
    inputs: { trigger: 'Block<void>' },
    doc: 'Lets the server bind and listen once `trigger` arrives.',
    run: async ({ inputs, models }) => {
      if ((await inputs.trigger.recvOne()) !== END) (models.http_server as HttpServerModel).start();
    },
  }),
  treatment(area, 'outgoing', {
    models: { http_server: 'HttpServer' },
    params: { id: 'var u128' },
    inputs: { status: 'Block<HttpStatus>', headers: 'Block<StringMap>', data: 'Stream<byte>' },
    doc: 'Answers request `id` with `status`, `headers` and a body streamed from `data` (500 if never given).',
    run: outgoing,
  }),
];

type OutgoingContext = TreatmentContext<'status' | 'headers' | 'data', never, 'id'>;

/**
 * `outgoing`. With its status and headers there as it starts (sent by the treatments before
 * it, as a track's answer to a request usually is), it answers without a promise when the
 * whole body is there too; else it waits in {@link outgoingLater}.
 */
function outgoing(ctx: OutgoingContext): Promise<unknown> | undefined {
  const { status, headers } = ctx.inputs;
  if (status.tryRecvOne === undefined || headers.tryRecvOne === undefined) return outgoingLater(ctx, NOT_YET, NOT_YET);
  const s = status.tryRecvOne();
  if (s === NOT_YET) return outgoingLater(ctx, NOT_YET, NOT_YET);
  const h = headers.tryRecvOne();
  if (h === NOT_YET) return outgoingLater(ctx, s, NOT_YET);
  return respond(ctx, s, h);
}

async function outgoingLater(ctx: OutgoingContext, s: Value | End | NotYet, h: Value | End | NotYet): Promise<void> {
  const status = s === NOT_YET ? await ctx.inputs.status.recvOne() : s;
  const headers = h === NOT_YET ? await ctx.inputs.headers.recvOne() : h;
  await respond(ctx, status, headers);
}

/** Answers the request of the track with `status`, `headers` and the body from `data`. */
function respond(ctx: OutgoingContext, status: Value | End, headers: Value | End): Promise<void> | undefined {
  const res = (ctx.models.http_server as HttpServerModel).claim(ctx.params.id);
  if (res === undefined) return undefined; // unknown or already answered
  if (status === END || headers === END) {
    answer(res, 500);
    return undefined;
  }
  const head = headOf(headers as StringMapValue);
  return sendBody(res, ctx.inputs.data, (length) => writeHead(res, status as HttpStatusValue, head, length));
}
