/**
 * `http/server` native elements (libraries spec §11.5): the server model, its sources, the
 * request context and the response treatments. `connection` is written in `mel/server.mel`.
 */
import { context, model, source, treatment } from '@tutti/core';

const area = 'http/server';

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
  }),
  treatment(area, 'outgoing', {
    models: { http_server: 'HttpServer' },
    params: { id: 'var u128' },
    inputs: { status: 'Block<HttpStatus>', headers: 'Block<StringMap>', data: 'Stream<byte>' },
    doc: 'Answers request `id` with `status`, `headers` and a body streamed from `data` (500 if never given).',
  }),
];
