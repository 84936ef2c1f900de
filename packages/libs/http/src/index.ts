/**
 * The `http` package: descriptors of its native elements, plus its own
 * `.mel` areas under `mel/` (`mel/client.mel` is part of `http/client`, `mel/client/util.mel`
 * is `http/client/util`, `mel/server.mel` is part of `http/server`).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { client } from './client.js';
import { method } from './method.js';
import { server } from './server.js';
import { status } from './status.js';

/** The bundled `http` package, version 0.10.2. */
export const http: PackageDescriptor = {
  name: 'http',
  version: '0.10.2',
  doc: 'HTTP client and server: methods, statuses, requests, routes and responses.',
  dependencies: { std: '0.10.2', net: '0.10.2' },
  melRoot: fileURLToPath(new URL('../mel', import.meta.url)),
  elements: [...method, ...status, ...client, ...server],
};
export { HttpClientModel, USER_AGENT } from './client-model.js';
export { HttpMethodValue } from './method-value.js';
export { HttpServerModel, SERVER_NAME } from './server-model.js';
export { HttpStatusValue } from './status-value.js';
