/**
 * `http/client` against a real local HTTP server started here (node:http on loopback):
 * status, headers and streamed bodies both ways, URL joining, default headers, failures
 * (refused connection, TLS, a body cut mid-stream) and backpressure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { END, type InputPort, type ModelContext, type OutputPort, type TreatmentDescriptor, type Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { StringMapValue } from '@tutti/lib-std';
import { HttpClientModel, runRequest, USER_AGENT } from './client-model.js';
import { http } from './index.js';
import { HttpMethodValue } from './method-value.js';
import { ReadingAgent } from './socket-reader.js';

const treatmentOf = (name: string) => http.elements.find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor;
const clientOf = (params: Record<string, Value>) =>
  new HttpClientModel({
    params: { base_url: null, tcp_no_delay: true, headers: StringMapValue.empty, ...params },
  } as unknown as ModelContext);

const BIG = randomBytes(3 * 1024 * 1024 + 17);
let server: Server;
let base = '';
/** Bytes the `/endless` handler managed to hand to the socket. */
let endlessWritten = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(BIG);
  } else if (url.pathname === '/sized') {
    // With a length, in writes of many sizes.
    res.writeHead(200, { 'content-length': String(BIG.length) });
    writeInPieces(res, 65_521);
  } else if (url.pathname === '/pieces') {
    // Chunked, in small writes: framing between the body's chunks.
    res.writeHead(200);
    writeInPieces(res, 3_001);
  } else if (url.pathname === '/echo') {
    // Streams the request body back, with the request's headers as JSON in a header.
    res.writeHead(201, { 'x-request': JSON.stringify({ method: req.method, path: url.pathname + url.search, headers: req.headers }) });
    req.pipe(res);
  } else if (url.pathname === '/cut') {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(1000, 1));
    setTimeout(() => res.destroy(), 20);
  } else if (url.pathname === '/endless') {
    endlessWritten = 0;
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024);
    const pump = () => {
      while (!res.destroyed && endlessWritten < 512 * 1024 * 1024) {
        endlessWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  } else {
    res.writeHead(404, { 'x-odd': 'caf\u00e9' });
    res.end('nothing here');
  }
}

/** Writes {@link BIG} to `res` in pieces of 1 to `most` bytes, pausing now and then. */
function writeInPieces(res: ServerResponse, most: number): void {
  let at = 0;
  let n = 0;
  const pump = () => {
    while (at < BIG.length) {
      const end = Math.min(BIG.length, at + 1 + ((n++ * 7_919) % most));
      const more = res.write(BIG.subarray(at, end));
      at = end;
      if (n % 97 === 0) return void setTimeout(pump, 1);
      if (!more) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function get(client: HttpClientModel, url: string, headers = StringMapValue.empty) {
  return runTreatment(treatmentOf('request'), {
    models: { client },
    params: { method: HttpMethodValue.named('GET') },
    inputs: { url: [url], req_headers: [headers] },
  });
}

function bytes(values: readonly Value[] | undefined): Buffer {
  return Buffer.from((values ?? []) as number[]);
}

test('a GET streams the body, then completed and finished', async () => {
  const client = clientOf({});
  const r = await get(client, `${base}/big`);
  client.shutdown();
  assert.equal(String(r.outputs.status?.[0]), '200 OK');
  assert.equal((r.outputs.res_headers?.[0] as StringMapValue).get('content-type'), 'application/octet-stream');
  assert.ok(bytes(r.outputs.data).equals(BIG));
  assert.ok((r.batches.data?.length ?? 0) > 1, 'the body comes in several batches');
  assert.deepEqual(r.outputs.completed, [undefined]);
  assert.deepEqual(r.outputs.failed, []);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.ok(r.closeOrder.indexOf('status') < r.closeOrder.indexOf('data'));
  assert.ok(r.closeOrder.indexOf('res_headers') < r.closeOrder.indexOf('data'));
});

test('a 4xx response is a success; headers that are not text are left out', async () => {
  const client = clientOf({});
  const r = await get(client, `${base}/missing`);
  client.shutdown();
  assert.equal(String(r.outputs.status?.[0]), '404 Not Found');
  assert.equal((r.outputs.res_headers?.[0] as StringMapValue).has('x-odd'), false);
  assert.equal(bytes(r.outputs.data).toString(), 'nothing here');
  assert.deepEqual(r.outputs.completed, [undefined]);
  assert.deepEqual(r.outputs.finished, [undefined]);
});

test('URLs are joined to the base URL; default headers apply, request headers override, User-Agent is set', async () => {
  const client = clientOf({
    base_url: `${base}/api/`,
    headers: StringMapValue.from({ 'X-Default': 'd', 'X-Both': 'default' }),
  });
  const r = await runTreatment(treatmentOf('requestWithBody'), {
    models: { client },
    params: { method: HttpMethodValue.named('POST') },
    inputs: {
      url: ['../echo?q=1'],
      req_headers: [StringMapValue.from({ 'x-both': 'request', 'bad name': 'x', 'x-bad-value': 'a\nb' })],
      body: { batches: [Buffer.from('hello '), [0x77, 0x6f], Buffer.from('rld')] },
    },
  });
  client.shutdown();
  assert.equal(String(r.outputs.status?.[0]), '201 Created');
  const seen = JSON.parse((r.outputs.res_headers?.[0] as StringMapValue).get('x-request') as string);
  assert.equal(seen.method, 'POST');
  assert.equal(seen.path, '/echo?q=1');
  assert.equal(seen.headers['user-agent'], USER_AGENT);
  assert.equal(seen.headers['x-default'], 'd');
  assert.equal(seen.headers['x-both'], 'request');
  assert.equal(seen.headers['x-bad-value'], undefined);
  assert.equal(seen.headers['transfer-encoding'], 'chunked');
  assert.equal(bytes(r.outputs.data).toString(), 'hello world');
});

test('a refused connection and an invalid URL come out of failed and error', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const client = clientOf({});
  const refused = await get(client, `http://127.0.0.1:${port}/`);
  assert.deepEqual(refused.outputs.failed, [undefined]);
  assert.match(String(refused.outputs.error?.[0]), /ECONNREFUSED/);
  assert.deepEqual(refused.outputs.finished, [undefined]);
  assert.deepEqual(refused.outputs.status, []);
  assert.deepEqual(refused.outputs.completed, []);
  const invalid = await get(client, 'not a url');
  assert.deepEqual(invalid.outputs.failed, [undefined]);
  assert.match(String(invalid.outputs.error?.[0]), /invalid URL 'not a url'/);
  const scheme = await get(client, 'ftp://127.0.0.1/');
  assert.match(String(scheme.outputs.error?.[0]), /unsupported URL scheme 'ftp'/);
  client.shutdown();
});

test('a body cut mid-stream gives failed and error, not completed', async () => {
  const client = clientOf({});
  const r = await get(client, `${base}/cut`);
  client.shutdown();
  assert.equal(String(r.outputs.status?.[0]), '200 OK');
  assert.equal(r.outputs.data?.length, 1000);
  assert.deepEqual(r.outputs.failed, [undefined]);
  assert.deepEqual(r.outputs.completed, []);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.ok(r.outputs.error?.[0]);
});

test('a request whose url never arrives sends nothing', async () => {
  const client = clientOf({});
  const r = await runTreatment(treatmentOf('request'), {
    models: { client },
    params: { method: HttpMethodValue.named('GET') },
    inputs: { url: [], req_headers: [StringMapValue.empty] },
  });
  assert.deepEqual(r.outputs.finished, []);
  assert.deepEqual(r.outputs.failed, []);
});

test('a slow consumer of data slows the download (memory stays bounded)', async () => {
  const client = clientOf({});
  const received: number[] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const port = (name: string, onSend?: (b: ArrayLike<unknown>) => Promise<boolean>): OutputPort => ({
    name,
    sendOne: async () => true,
    sendMany: onSend ?? (async () => true),
    close: () => {},
    usable: true,
  });
  const input = (values: Value[]): InputPort => ({
    name: 'in',
    recvOne: async () => values.shift() ?? END,
    recvMany: async () => (values.length > 0 ? [values.shift()] : END),
    close: () => {},
    async *[Symbol.asyncIterator]() {},
  });
  const outputs = {
    status: port('status'),
    res_headers: port('res_headers'),
    // The consumer takes one batch, then waits for the gate.
    data: port('data', async (b) => {
      received.push(b.length);
      await gate;
      return received.length < 3;
    }),
    completed: port('completed'),
    failed: port('failed'),
    finished: port('finished'),
    error: port('error'),
  };
  const done = runRequest(client, 'GET', { url: input([`${base}/endless`]), req_headers: input([StringMapValue.empty]) }, outputs);
  while (received.length === 0) await sleep(10);
  await sleep(300);
  // The server could write 512 MiB; with nobody reading, socket buffers fill and it stops.
  assert.ok(endlessWritten < 32 * 1024 * 1024, `server wrote ${endlessWritten} bytes while the consumer waited`);
  assert.equal(received.length, 1);
  release();
  gate = Promise.resolve();
  // The engine's end: the pool is destroyed, the request ends as a failure.
  client.shutdown();
  await done;
});

/**
 * Runs one GET of `path` into a consumer that holds its last `hold` batches (default 1) and
 * reads each one only when it lets it go, as the engine's channel does with `keep`; it then
 * releases it when `releases` (else it keeps every batch, read at the end). Memory reused
 * too early shows as a batch that changed while held, or as corrupted bytes. `statusDelay`
 * (ms) holds the status output, so the body waits in the response stream before anything
 * reads it. Slow (so chunks gather into big batches).
 */
async function download(client: HttpClientModel, path: string, options: { releases: boolean; hold?: number; statusDelay?: number }) {
  const port = (name: string): OutputPort => ({
    name,
    sendOne: async () => true,
    sendMany: async () => true,
    close: () => {},
    usable: true,
  });
  const input = (values: Value[]): InputPort => ({
    name: 'in',
    recvOne: async () => values.shift() ?? END,
    recvMany: async () => (values.length > 0 ? [values.shift()] : END),
    close: () => {},
    async *[Symbol.asyncIterator]() {},
  });
  const parts: Buffer[] = [];
  const kept: Uint8Array[] = [];
  const held: { bytes: Uint8Array; copy: Buffer; release: (() => void) | undefined }[] = [];
  /** Batches whose memory changed while the consumer held them. */
  let changed = 0;
  const settle = (hold: number) => {
    while (held.length > hold) {
      const h = held.shift() as (typeof held)[number];
      if (!h.copy.equals(h.bytes)) changed++;
      if (options.releases) {
        parts.push(Buffer.from(h.bytes));
        h.release?.();
      } else kept.push(h.bytes);
    }
  };
  const hold = options.hold ?? 1;
  /** The memory of every lent batch. */
  const buffers = new Set<ArrayBufferLike>();
  let lent = 0;
  const data: OutputPort = {
    ...port('data'),
    sendMany: async (b) => {
      held.push({ bytes: b as Uint8Array, copy: Buffer.from(b as Uint8Array), release: undefined });
      settle(hold);
      await sleep(4);
      return true;
    },
    lend: async (b, release) => {
      const bytes = b as Uint8Array;
      lent++;
      buffers.add(bytes.buffer);
      // A consumer that keeps its batches never releases them (the channel's rule).
      held.push({ bytes, copy: Buffer.from(bytes), release: options.releases ? release : undefined });
      settle(hold);
      await sleep(4);
      return true;
    },
  };
  const status: OutputPort = {
    ...port('status'),
    sendOne: async () => {
      await sleep(options.statusDelay ?? 0);
      return true;
    },
  };
  const outputs = {
    status,
    res_headers: port('res_headers'),
    data,
    completed: port('completed'),
    failed: port('failed'),
    finished: port('finished'),
    error: port('error'),
  };
  const url = path.startsWith('http:') ? path : `${base}${path}`;
  await runRequest(client, 'GET', { url: input([url]), req_headers: input([StringMapValue.empty]) }, outputs);
  settle(0);
  return { body: Buffer.concat(options.releases ? parts : kept.map((b) => Buffer.from(b))), lent, buffers, changed };
}

test('a consumer that releases its batches gets the pooled buffers back, every byte intact', async () => {
  const client = clientOf({});
  let lent = 0;
  const buffers = new Set<ArrayBufferLike>();
  // Four times: later requests reuse the kept-alive socket and the buffers released.
  for (let round = 0; round < 4; round++) {
    const r = await download(client, '/big', { releases: true });
    assert.ok(r.body.equals(BIG), `round ${round}: the body arrives intact`);
    assert.equal(r.changed, 0, 'no batch changes while it is held');
    lent += r.lent;
    for (const b of r.buffers) buffers.add(b);
  }
  client.shutdown();
  assert.ok(lent > 4, 'big gathered batches are lent');
  // 12 MiB in batches of at most 1.25 MiB: without reuse, a buffer per batch or so.
  assert.ok(buffers.size <= lent / 2, `released buffers are reused by later batches (${buffers.size} buffers for ${lent} batches)`);
});

test('bodies stay intact whatever the framing, the consumer and the timing', async () => {
  const client = clientOf({});
  const cases = [
    { path: '/sized', releases: true },
    { path: '/sized', releases: true, hold: 3 },
    { path: '/sized', releases: false },
    { path: '/sized', releases: true, statusDelay: 50 },
    { path: '/sized', releases: false, statusDelay: 50 },
    { path: '/pieces', releases: true },
    { path: '/pieces', releases: true, hold: 3 },
    { path: '/pieces', releases: false, statusDelay: 50 },
    { path: '/sized', releases: true, hold: 2 },
    { path: '/big', releases: true, hold: 3, statusDelay: 50 },
  ];
  for (const c of cases) {
    const r = await download(client, c.path, c);
    assert.ok(r.body.equals(BIG), `${JSON.stringify(c)}: the body arrives intact`);
    assert.equal(r.changed, 0, `${JSON.stringify(c)}: no batch changes while it is held`);
  }
  // Two at once on one client (two sockets sharing the pool), one of them kept whole.
  const [a, b] = await Promise.all([download(client, '/sized', { releases: true }), download(client, '/pieces', { releases: false })]);
  assert.ok(a.body.equals(BIG) && b.body.equals(BIG), 'concurrent bodies arrive intact');
  assert.equal(a.changed + b.changed, 0, 'no batch changes while it is held');
  client.shutdown();
});

test('a body delimited by the end of the connection arrives whole; bodiless answers keep the socket usable', async () => {
  // A raw server: HTTP/1.1 without length or chunks, the connection closing at the end,
  // on one port; on another, a kept-alive connection answering 204, then 304, then a body.
  const closing = createNetServer((s) => {
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n');
      s.end(BIG);
    });
  });
  await new Promise<void>((r) => closing.listen(0, '127.0.0.1', r));
  const client = clientOf({});
  const closeUrl = `http://127.0.0.1:${(closing.address() as AddressInfo).port}/`;
  for (const releases of [true, false]) {
    const r = await download(client, closeUrl, { releases, hold: 2 });
    assert.ok(r.body.equals(BIG), `releases ${releases}: the body arrives whole`);
    assert.equal(r.changed, 0);
  }
  closing.close();
  let answered = 0;
  const kept = createNetServer((s) => {
    s.on('data', () => {
      const n = answered++;
      if (n === 0) s.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (n === 1) s.write('HTTP/1.1 304 Not Modified\r\n\r\n');
      else s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${BIG.length}\r\n\r\n`, () => s.write(BIG));
    });
  });
  await new Promise<void>((r) => kept.listen(0, '127.0.0.1', r));
  const keptUrl = `http://127.0.0.1:${(kept.address() as AddressInfo).port}/`;
  const statuses: number[] = [];
  let sockets = 0;
  kept.on('connection', () => sockets++);
  for (let i = 0; i < 3; i++) {
    const r = await get(client, keptUrl);
    statuses.push((r.outputs.status?.[0] as { code: number }).code);
    if (i === 2) assert.ok(bytes(r.outputs.data).equals(BIG), 'the body after bodiless answers arrives whole');
    else assert.equal(r.outputs.data?.length ?? 0, 0);
  }
  assert.deepEqual(statuses, [204, 304, 200]);
  assert.equal(sockets, 1, 'one kept-alive connection served the three');
  client.shutdown();
  kept.close();
});

test("plain-HTTP sockets read into the agent's one buffer, and no body chunk is a view of it", async () => {
  // The reuse of ReadingAgent.buffer is safe because Node's parser copies body chunks out
  // of it (the client would copy them itself otherwise, at a cost): this pins that fact.
  const agent = new ReadingAgent({ keepAlive: true });
  let reads = 0;
  let views = 0;
  const bodies = await Promise.all(
    ['/sized', '/pieces'].map(
      (path) =>
        new Promise<Buffer>((resolve, reject) => {
          const req = httpGet(`${base}${path}`, { agent }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => {
              if (c.buffer === agent.buffer.buffer) views++;
              parts.push(Buffer.from(c));
            });
            res.on('end', () => resolve(Buffer.concat(parts)));
            res.on('error', reject);
          });
          req.on('socket', (s) => s.on('data', (d: Buffer) => (reads += d.buffer === agent.buffer.buffer ? 1 : 0)));
          req.on('error', reject);
        }),
    ),
  );
  agent.destroy();
  assert.ok(
    bodies.every((b) => b.equals(BIG)),
    'both bodies arrive intact',
  );
  assert.ok(reads > 0, 'reads land in the shared buffer');
  assert.equal(views, 0, 'body chunks are copies');
});

test('TLS: a certificate the client does not trust is a failure, not a crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-tls-'));
  try {
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      t.skip('openssl is not installed');
      return;
    }
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_q, s) =>
      s.end('secret'),
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const client = clientOf({});
    const r = await get(client, `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`);
    client.shutdown();
    tls.close();
    assert.deepEqual(r.outputs.failed, [undefined]);
    assert.match(String(r.outputs.error?.[0]), /self[- ]signed/i);
    assert.deepEqual(r.outputs.data, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
