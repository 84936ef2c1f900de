/**
 * What the server model relies on in Node's own HTTP server (pinned, so that a Node that
 * changes it fails here and not in production).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { test } from 'node:test';

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
