/**
 * HTTP programs end to end through the built CLI (`npm test` builds first): the `.mel`
 * programs of test/http/ served to real clients (Node's `fetch`, `curl`, raw sockets),
 * and the client downloading from a local server and uploading to the project's own
 * server. Ports are taken free on loopback; every program is stopped by SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ROOT } from './helpers.js';

const CLI = join(ROOT, 'packages/cli/bin/tutti.js');
const PROGRAMS = join(ROOT, 'test/http');

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

function run(program: string, args: readonly string[]): Running {
  const child = spawn(process.execPath, [CLI, 'run', join(PROGRAMS, program), ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let text = '';
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Waits until `port` answers HTTP (any status), failing if the program exits first. */
async function listening(port: number, program: Running): Promise<void> {
  let exited = false;
  void program.exit.then(() => {
    exited = true;
  });
  for (let i = 0; i < 200; i++) {
    if (exited) throw new Error(`the program ended before listening:\n${program.output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nothing listens on ${port}:\n${program.output()}`);
}

async function stop(program: Running): Promise<number | null> {
  program.child.kill('SIGTERM');
  return program.exit;
}

let dir = '';
let echoPort = 0;
let echo: Running;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-http-'));
  echoPort = await freePort();
  echo = run('echo.mel', ['--port', String(echoPort)]);
  await listening(echoPort, echo);
});
after(async () => {
  if (echo.child.exitCode === null) await stop(echo);
  rmSync(dir, { recursive: true, force: true });
});

test('echo server: fetch gets its body back, with the Server header; unknown routes get 404', async () => {
  const res = await fetch(`http://127.0.0.1:${echoPort}/echo/ada`, { method: 'POST', body: 'hello, server' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('server'), 'http-mel/0.10.2');
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assert.equal(await res.text(), 'hello, server');
  const missing = await fetch(`http://127.0.0.1:${echoPort}/nowhere`);
  assert.equal(missing.status, 404);
  const wrongMethod = await fetch(`http://127.0.0.1:${echoPort}/echo/ada`);
  assert.equal(wrongMethod.status, 404);
});

test('echo server: curl uploads a 2 MiB file and gets the same bytes back', async () => {
  const input = join(dir, 'curl-in.bin');
  const output = join(dir, 'curl-out.bin');
  const data = randomBytes(2 * 1024 * 1024);
  writeFileSync(input, data);
  const { stdout } = await promisify(execFile)('curl', [
    '-sS',
    '-o',
    output,
    '-w',
    '%{http_code}',
    '--data-binary',
    `@${input}`,
    `http://127.0.0.1:${echoPort}/echo/file`,
  ]);
  assert.equal(stdout, '200');
  assert.ok(readFileSync(output).equals(data));
});

test('echo server: small bodies of any bytes come back exact, with their Content-Length', async () => {
  // Every byte value, UTF-8 text and sizes around the one-write limit of small bodies.
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const bodies = [every, Buffer.from('çà et là, 東京, 🎻'), randomBytes(16 * 1024), randomBytes(16 * 1024 + 1), Buffer.alloc(0)];
  for (const body of bodies) {
    const res = await fetch(`http://127.0.0.1:${echoPort}/echo/bytes`, { method: 'POST', body });
    assert.equal(res.status, 200);
    const back = Buffer.from(await res.arrayBuffer());
    assert.ok(back.equals(body), `${body.length} bytes come back exact`);
    if (body.length > 0) assert.equal(res.headers.get('content-length'), String(body.length));
  }
});

test('echo server: 64 concurrent requests each get their own track and their own body', async () => {
  const bodies = Array.from({ length: 64 }, (_, i) => `request ${i} ${'x'.repeat(i * 37)}`);
  const answers = await Promise.all(
    bodies.map(async (b, i) => {
      const res = await fetch(`http://127.0.0.1:${echoPort}/echo/${i}`, { method: 'POST', body: b });
      return res.text();
    }),
  );
  assert.deepEqual(answers, bodies);
});

test('the request headers reach the track (here sent back as response headers)', async () => {
  const res = await fetch(`http://127.0.0.1:${echoPort}/headers`, { headers: { 'x-test': 'forty two' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-test'), 'forty two');
  assert.equal(res.headers.get('server'), 'http-mel/0.10.2');
  assert.equal(await res.text(), '');
});

test('response headers: an invalid one is left out, the track may give its own Server header', async () => {
  const res = await fetch(`http://127.0.0.1:${echoPort}/odd`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-kept'), 'yes');
  assert.equal(res.headers.get('server'), 'custom/1');
  assert.equal(res.headers.get('content-length'), '0');
  assert.equal(await res.text(), '');
});

test('a track that ends without status and headers answers 500', async () => {
  const res = await fetch(`http://127.0.0.1:${echoPort}/silent`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('server'), 'http-mel/0.10.2');
});

test('a client that closes mid-body does not disturb the server', async () => {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(echoPort, '127.0.0.1', () => {
      socket.write('POST /echo/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789');
      // And a request without body whose client leaves before the answer.
      const early = connect(echoPort, '127.0.0.1', () => {
        early.write('GET /headers HTTP/1.1\r\nHost: x\r\n\r\n');
        early.destroy();
      });
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 50);
    });
    socket.on('error', reject);
  });
  const res = await fetch(`http://127.0.0.1:${echoPort}/echo/after`, { method: 'POST', body: 'still here' });
  assert.equal(await res.text(), 'still here');
});

test('a port already in use is reported through failedBinding and the run ends', async () => {
  const busy = run('echo.mel', ['--port', String(echoPort)]);
  const code = await busy.exit;
  assert.equal(code, 0, busy.output());
  assert.match(busy.output(), /error: echo: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});

test('without failedBinding, a port in use fails the run with the binding error', async () => {
  const busy = run('http_javascript.mel', ['--port', String(echoPort)]);
  assert.equal(await busy.exit, 1, busy.output());
  assert.match(busy.output(), /model failed: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});

test('http_javascript: JSON in, JavaScript in the middle, JSON out, with @HttpRequest', async () => {
  const port = await freePort();
  const server = run('http_javascript.mel', ['--port', String(port)]);
  try {
    await listening(port, server);
    const res = await fetch(`http://127.0.0.1:${port}/greet/en`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('x-route'), '/greet/en');
    assert.equal(res.headers.get('x-lang'), 'en');
    assert.deepEqual(await res.json(), { greeting: 'hello Ada', length: 3 });
  } finally {
    assert.equal(await stop(server), 143, server.output());
  }
});

test('SIGTERM and SIGINT close the listener and end the run', async () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    const port = await freePort();
    const server = run('echo.mel', ['--port', String(port)]);
    await listening(port, server);
    server.child.kill(signal);
    assert.equal(await server.exit, status, server.output());
    await assert.rejects(fetch(`http://127.0.0.1:${port}/echo/x`, { method: 'POST', body: 'x' }));
  }
});

test('http_client downloads a file from a local server to disk; failures are logged, not crashes', async () => {
  const data = randomBytes(5 * 1024 * 1024 + 3);
  const server: Server = createServer((_req, res) => res.end(data));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const out = join(dir, 'download.bin');
    const ok = run('http_client.mel', ['--url', `http://127.0.0.1:${port}/file`, '--out', out]);
    assert.equal(await ok.exit, 0, ok.output());
    assert.match(ok.output(), /info: download: 200 OK/);
    assert.ok(readFileSync(out).equals(data));
  } finally {
    server.close();
  }
  const refused = run('http_client.mel', ['--url', `http://127.0.0.1:${port}/file`, '--out', join(dir, 'none.bin')]);
  assert.equal(await refused.exit, 0, refused.output());
  assert.match(refused.output(), /error: download: request to http:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
});

test('the client uploads a file to the project own server and writes the answer', async () => {
  const input = join(dir, 'upload-in.bin');
  const out = join(dir, 'upload-out.bin');
  const data = randomBytes(3 * 1024 * 1024 + 1);
  writeFileSync(input, data);
  const up = run('upload.mel', ['--url', `http://127.0.0.1:${echoPort}/echo/upload`, '--input', input, '--out', out]);
  assert.equal(await up.exit, 0, up.output());
  assert.match(up.output(), /info: upload: 200 OK/);
  assert.ok(readFileSync(out).equals(data));
});
