import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { ModelContext, ModelInstance, TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import type { AccessValue } from './access.js';
import { apiTiming } from './distant.js';
import { work } from './index.js';

const distantT = work.elements.find((e) => e.name === 'distant') as TreatmentDescriptor;
const engineModel = work.elements.find((e) => e.kind === 'model' && e.name === 'DistantEngine');

function engine(params: Record<string, unknown>): ModelInstance {
  assert.ok(engineModel?.kind === 'model' && engineModel.create !== undefined);
  const ctx = {
    params: { location: 'local', api_url: null, api_token: null, ...params },
    path: 'test/de',
    signal: new AbortController().signal,
    log: () => {},
    registrations: () => [],
    createTrack: async () => ({ id: 0, ok: true, created: false }),
  } as ModelContext;
  const m = engineModel.create(ctx);
  m.initialize?.();
  return m;
}

const request = {
  max_duration: 60,
  memory: 100,
  cpu: 100,
  storage: 100,
  edition: null,
  arch: null,
  volumes: [],
  containers: [],
  service_containers: [],
  tags: ['t1'],
};

test('api: start, poll until the access is ready, every call with User-Agent and Bearer token', async () => {
  const seen: { method: string; url: string; body: string }[] = [];
  const problems: string[] = [];
  let polls = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ method: req.method ?? '', url: req.url ?? '', body });
    if (req.headers['user-agent'] !== 'work-mel/0.10.2') problems.push(`user-agent ${req.headers['user-agent']}`);
    if (req.headers.authorization !== 'Bearer tok') problems.push(`authorization ${req.headers.authorization}`);
    if (req.method === 'POST' && req.url === '/v1/execution/run/start') {
      res.writeHead(200).end(JSON.stringify({ ok: 'run-7' }));
    } else if (req.method === 'GET' && req.url === '/v1/execution/run/run-7/access') {
      polls++;
      if (polls < 3) res.writeHead(202).end();
      else
        res
          .writeHead(200)
          .end(JSON.stringify({ started: { id: 'w', addresses: ['127.0.0.1'], port: 4321, key: 'b7f8c1de-0000-4000-8000-000000000001' } }));
    } else res.writeHead(404).end('no');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const saved = { ...apiTiming };
  apiTiming.first = 5;
  apiTiming.next = 5;
  try {
    const de = engine({ location: 'api', api_url: `http://127.0.0.1:${port}/v1`, api_token: 'tok' });
    const r = await runTreatment(distantT, { params: request, inputs: { trigger: [undefined] }, models: { distant_engine: de } });
    assert.equal(r.error, undefined);
    assert.deepEqual(problems, []);
    assert.deepEqual(r.outputs.failed, []);
    const a = r.outputs.access?.[0] as AccessValue;
    assert.deepEqual([a.addresses, a.port, a.selfKey, a.tls], [['127.0.0.1'], 4321, 'b7f8c1de-0000-4000-8000-000000000001', true]);
    const doc = JSON.parse(seen[0]?.body ?? '{}');
    assert.equal(doc.mode.distribution_secret_key.key, a.remoteKey);
    assert.equal(doc.edition, 'scratch');
    assert.equal(doc.version, '0.10.2');
    assert.deepEqual(doc.tags, ['t1']);
    assert.equal(doc.local_exec, false);
    assert.equal(polls, 3);
  } finally {
    Object.assign(apiTiming, saved);
    server.close();
  }
});

test('api: error answers and non-200 statuses fail with their text', async () => {
  let mode = 0;
  const server = createServer((_req, res) => {
    if (mode === 0) res.writeHead(200).end(JSON.stringify({ error: ['quota exceeded'] }));
    else res.writeHead(503).end('down');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    for (const [m, expected] of [
      [0, 'quota exceeded'],
      [1, 'Server 503 response: down'],
    ] as const) {
      mode = m;
      const de = engine({ location: 'api', api_url: url, api_token: 'tok' });
      const r = await runTreatment(distantT, { params: request, inputs: { trigger: [undefined] }, models: { distant_engine: de } });
      assert.deepEqual(r.outputs.failed, [undefined]);
      assert.deepEqual(r.outputs.errors, [expected]);
      assert.deepEqual(r.outputs.access, []);
    }
  } finally {
    server.close();
  }
});

test('api without a token names the local and compose locations; an unknown location is refused', async () => {
  const saved = process.env.MELODIUM_API_TOKEN;
  delete process.env.MELODIUM_API_TOKEN;
  try {
    const r = await runTreatment(distantT, {
      params: request,
      inputs: { trigger: [undefined] },
      models: { distant_engine: engine({ location: 'api' }) },
    });
    assert.deepEqual(r.outputs.failed, [undefined]);
    assert.match(String(r.outputs.errors?.[0]), /API address and token missing.*"local".*"compose"/);
  } finally {
    if (saved !== undefined) process.env.MELODIUM_API_TOKEN = saved;
  }
  const r = await runTreatment(distantT, {
    params: request,
    inputs: { trigger: [undefined] },
    models: { distant_engine: engine({ location: 'moon' }) },
  });
  assert.deepEqual(r.outputs.errors, ['"moon" is not a recognized distant execution location']);
});

const BIN = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));

test('local: a tutti dist child answers TLS with the pinned certificate and is gone after shutdown', {
  skip: !existsSync(BIN) && 'CLI not built',
}, async () => {
  process.env.TUTTI_DIST_COMMAND = JSON.stringify([process.execPath, BIN]);
  const de = engine({});
  const r = await runTreatment(distantT, { params: request, inputs: { trigger: [undefined] }, models: { distant_engine: de } });
  assert.deepEqual(r.outputs.errors, []);
  const a = r.outputs.access?.[0] as AccessValue;
  assert.match(a.fingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const s = connect({ host: '127.0.0.1', port: a.port, rejectUnauthorized: false });
  await once(s, 'secureConnect');
  assert.equal(s.getPeerCertificate().fingerprint256, a.fingerprint);
  s.destroy();
  await de.shutdown?.();
  await (de as unknown as { stopped: Promise<unknown> }).stopped;
  // The worker no longer listens.
  const again = connect({ host: '127.0.0.1', port: a.port, rejectUnauthorized: false });
  const [e] = (await once(again, 'error')) as [NodeJS.ErrnoException];
  assert.equal(e.code, 'ECONNREFUSED');
});
