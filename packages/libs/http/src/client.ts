/**
 * `http/client` native elements: the client model and its request
 * treatments (behaviour in client-model.ts). The method-named wrappers (`get`, `post`, …) are
 * written in `mel/client.mel`.
 */
import { model, treatment } from '@tutti/core';
import { type HttpClientModel as Client, HttpClientModel, runRequest } from './client-model.js';

const area = 'http/client';

const responsePorts = {
  res_headers: 'Block<StringMap>',
  data: 'Stream<byte>',
  completed: 'Block<void>',
  failed: 'Block<void>',
  finished: 'Block<void>',
  error: 'Block<string>',
  status: 'Block<HttpStatus>',
};

export const client = [
  model(area, 'HttpClient', {
    params: {
      base_url: 'Option<string>',
      tcp_no_delay: 'bool = true',
      headers: 'StringMap',
    },
    doc: 'Shared HTTP connection pool; request URLs are resolved against `base_url` when it parses as a URL.',
    create: (ctx) => new HttpClientModel(ctx),
  }),
  treatment(area, 'request', {
    models: { client: 'HttpClient' },
    params: { method: 'var HttpMethod' },
    inputs: { url: 'Block<string>', req_headers: 'Block<StringMap>' },
    outputs: responsePorts,
    doc: 'Once `url` and `req_headers` arrived, sends the request and emits status, headers and the body.',
    run: ({ models, params, inputs, outputs }) => runRequest(models.client as Client, String(params.method), inputs, outputs),
  }),
  treatment(area, 'requestWithBody', {
    models: { client: 'HttpClient' },
    params: { method: 'var HttpMethod' },
    inputs: { url: 'Block<string>', req_headers: 'Block<StringMap>', body: 'Stream<byte>' },
    outputs: responsePorts,
    doc: 'As `request`, streaming `body` as the request body until it closes.',
    run: ({ models, params, inputs, outputs }) => runRequest(models.client as Client, String(params.method), inputs, outputs),
  }),
];
