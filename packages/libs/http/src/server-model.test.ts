/**
 * What the server model relies on in Node's own HTTP server (pinned, so that a Node that
 * changes it fails here and not in production).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { test } from 'node:test';
import { announcesBody } from './server-model.js';

test("Node's IncomingMessage emits no 'error' without a listener when its client leaves before the answer", async () => {
  // The model attaches no 'error' listener to a request without body (one per request showed
  // in the profile): an 'error' event without listener would throw and end the process.
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  let seen: IncomingMessage | undefined;
  const closed = new Promise<void>((resolve) => {
    const server = createServer((req, res) => {
      seen = req;
      req.resume();
      // Never answered: the client leaves first.
      res.on('close', () => {
        server.close();
        resolve();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => socket.destroy(), 30);
      });
    });
  });
  await closed;
  // Whatever Node does on the request after the close happens within a few ticks.
  await new Promise((resolve) => setTimeout(resolve, 30));
  process.off('uncaughtException', onUncaught);
  assert.ok(seen !== undefined, 'the request reached the handler');
  assert.equal(seen.listenerCount('error'), 0);
  assert.deepEqual(uncaught, []);
});

test('announcesBody reads the raw headers as the parsed ones say (RFC 9112 §6.3), for what Node parses', async () => {
  const heads = [
    '',
    'Content-Length: 0\r\n',
    'content-length:    0   \r\n',
    'Content-Length: 5\r\n',
    'TRANSFER-ENCODING: chunked\r\n',
    'X-Forwarded-Proto: https\r\nX-Custom-Heads: 1\r\n',
  ];
  const seen: [string[], boolean][] = [];
  const server = createServer((req, res) => {
    const h = req.headers;
    seen.push([req.rawHeaders, h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')]);
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  for (const head of heads) {
    const body = head.includes('5') ? '12345' : head.includes('chunked') ? '0\r\n\r\n' : '';
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${head}\r\n${body}`),
      );
      socket.resume();
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
  }
  server.close();
  assert.equal(seen.length, heads.length);
  for (const [raw, expected] of seen) assert.equal(announcesBody(raw), expected, JSON.stringify(raw));
  assert.deepEqual(
    seen.map(([, b]) => b),
    [false, false, false, true, true, false],
  );
});
