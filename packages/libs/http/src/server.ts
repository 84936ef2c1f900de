/**
 * `http/server` native elements: the server model, its sources, the
 * request context and the response treatments. `connection` is written in `mel/server.mel`.
 * The model itself is in server-model.ts; `outgoing` streams the track's response.
 */
import type { ServerResponse } from 'node:http';
import { type Batch, context, END, type InputPort, model, source, treatment } from '@tutti/core';
import type { StringMapValue } from '@tutti/lib-std';
import { bytesOf, writeBytes } from './bytes.js';
import { answer, HttpServerModel, SERVER_NAME } from './server-model.js';
import type { HttpStatusValue } from './status-value.js';

const area = 'http/server';

/** Sent by `setImmediate` when the next body batch is not there yet. */
const LATER = Symbol('later');
/**
 * Resolved with {@link LATER}: raced after a receive, it loses when the receive is already
 * settled (reactions run in the order they were registered).
 */
const NOT_YET: Promise<typeof LATER> = Promise.resolve(LATER);

/**
 * Sends the body from `data`. The last batch is held back until the next one or the end is
 * known, so a body of one batch goes out with a `Content-Length` in one write; a batch
 * that waits longer than one turn of the event loop is sent at once (streamed responses
 * are not delayed).
 */
async function sendBody(res: ServerResponse, data: InputPort): Promise<void> {
  let held: Uint8Array | undefined;
  for (;;) {
    let batch: Batch | typeof END | typeof LATER;
    // What follows the held batch is there already (the usual end of a one-batch body: the
    // input tells, or a race with a settled promise does): no timer needed.
    if (held === undefined || data.ready === true) batch = await data.recvMany();
    else {
      const next = data.recvMany();
      batch = data.ready === false ? LATER : await Promise.race([next, NOT_YET]);
      if (batch === LATER) {
        let timer: NodeJS.Immediate | undefined;
        batch = await Promise.race([
          next,
          new Promise<typeof LATER>((r) => {
            timer = setImmediate(r, LATER);
          }),
        ]);
        clearImmediate(timer);
      }
      if (batch === LATER) {
        if (!(await writeBytes(res, held))) break;
        held = undefined;
        batch = await next;
      }
    }
    if (batch === END) {
      if (!res.destroyed) res.end(held);
      return;
    }
    if (held !== undefined && !(await writeBytes(res, held))) break;
    held = bytesOf(batch);
  }
  // The client went away: nobody reads the rest (rule C).
  data.close();
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
    run: async ({ inputs, params, models }) => {
      const status = await inputs.status.recvOne();
      const headers = await inputs.headers.recvOne();
      const res = (models.http_server as HttpServerModel).claim(params.id);
      if (res === undefined) return; // unknown or already answered
      if (status === END || headers === END) {
        answer(res, 500);
        return;
      }
      const s = status as HttpStatusValue;
      res.statusCode = s.code;
      res.statusMessage = s.reason;
      res.setHeader('server', SERVER_NAME);
      for (const [k, v] of headers as StringMapValue) {
        try {
          res.setHeader(k, v);
        } catch {
          // An invalid header name or value is left out.
        }
      }
      await sendBody(res, inputs.data);
    },
  }),
];
