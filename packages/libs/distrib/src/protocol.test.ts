import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { coreType, type DataType } from '@tutti/core';
import { LevelValue, StringMapValue } from '@tutti/lib-std';
import { decodeBatch, decodeValue, encodeBatch, encodeValue, parseWireType, unserializable, wireType } from './codec.js';
import { Connection, Credit, encodeFrame, FrameReader, keysEqual, MAX_FRAME, type Message, versionsCompatible } from './protocol.js';
import { Streams, wireCost } from './streams.js';

test('frames survive any cut of the byte stream', () => {
  const msgs: Message[] = [
    { t: 'probe', n: 1 },
    { t: 'in', id: 3, name: 'data', ty: 'byte', v: new Uint8Array([1, 2, 3]) },
    { t: 'log', level: 'info', label: 'x', message: 'é'.repeat(1000), time: 5 },
  ];
  const bytes = Buffer.concat(msgs.map(encodeFrame));
  for (const step of [1, 3, 7, 1000, bytes.length]) {
    const r = new FrameReader();
    const got: Message[] = [];
    for (let i = 0; i < bytes.length; i += step) got.push(...r.push(bytes.subarray(i, i + step)));
    assert.equal(got.length, 3);
    assert.deepEqual(got[0], msgs[0]);
    assert.deepEqual(Buffer.from((got[1] as { v: Uint8Array }).v), Buffer.from([1, 2, 3]));
    assert.equal((got[2] as { message: string }).message, 'é'.repeat(1000));
    assert.equal(r.pending, 0);
  }
});

test('a length cut between two chunks, the second holding the whole rest of the frame, is read', () => {
  // The cut that broke CI/CD runners at random: one chunk ends with 1-3 bytes of the next
  // frame's length, the next chunk brings the rest of that frame at once.
  const first: Message = { t: 'probe', n: 1 };
  const second: Message = { t: 'in', id: 1, name: 'data', ty: 'byte', v: new Uint8Array(300).fill(7) };
  const a = encodeFrame(first);
  const bytes = Buffer.concat([a, encodeFrame(second)]);
  for (const k of [1, 2, 3]) {
    const r = new FrameReader();
    const got = [...r.push(bytes.subarray(0, a.length + k)), ...r.push(bytes.subarray(a.length + k))];
    assert.equal(got.length, 2, `cut ${k} bytes into the length`);
    assert.deepEqual(Buffer.from((got[1] as { v: Uint8Array }).v), Buffer.alloc(300, 7));
    assert.equal(r.pending, 0);
  }
});

test('an oversized or undecodable frame is a protocol error', () => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(MAX_FRAME + 1);
  assert.throws(() => new FrameReader().push(head), /exceeds the limit/);
  const bad = Buffer.from([0, 0, 0, 1, 0xc1]);
  assert.throws(() => new FrameReader().push(bad), /undecodable|does not hold/);
  const notMessage = encodeFrame(42 as unknown as Message);
  assert.throws(() => new FrameReader().push(notMessage), /does not hold a message/);
});

test('keys compare in constant time and exactly', () => {
  assert.equal(keysEqual('a1b2', 'a1b2'), true);
  assert.equal(keysEqual('a1b2', 'a1b3'), false);
  assert.equal(keysEqual('a1b2', 'a1b2x'), false);
  assert.equal(keysEqual('', ''), true);
  assert.equal(keysEqual('', 'x'), false);
});

test('versions are compatible on the same major and minor', () => {
  assert.equal(versionsCompatible('0.10.2', '0.10.0'), true);
  assert.equal(versionsCompatible('0.10.2', '0.9.2'), false);
  assert.equal(versionsCompatible('1.10.2', '0.10.2'), false);
});

test('a credit window lets through what was granted and no more', async () => {
  const c = new Credit(100);
  assert.equal(await c.take(60), true);
  let second = false;
  const p = c.take(60).then((ok) => (second = ok));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false, 'waits: only 40 left');
  c.grant(60);
  await p;
  assert.equal(second, true);
  // A batch bigger than the window passes once the whole window is free.
  const big = new Credit(10);
  assert.equal(await big.take(50), true);
  const after = big.take(1);
  big.close();
  assert.equal(await after, false);
});

const T = (t: string): DataType => parseWireType(t);

test('values round-trip through the codec by type', () => {
  const cases: [string, unknown[]][] = [
    ['u64', [0, 1, 2 ** 53 - 1, 2n ** 64n - 1n]],
    ['i128', [-(2n ** 100n), 5, 2n ** 100n]],
    ['u128', [2n ** 127n]],
    ['f32', [1.5, -0, Number.POSITIVE_INFINITY]],
    ['u8', [0, 255]],
    ['bool', [true, false]],
    ['char', ['é', '😀']],
    ['string', ['', 'a\nb']],
    ['void', [undefined, undefined]],
    ['Vec<u32>', [[1, 2], []]],
    ['Option<string>', [null, 'x']],
    ['Vec<Option<i64>>', [[null, 3n ** 40n]]],
  ];
  for (const [ty, values] of cases) {
    const t = T(ty);
    const frame = encodeFrame({ t: 'in', id: 1, name: 'x', ty, v: encodeBatch(t, values) });
    const [m] = new FrameReader().push(frame);
    const back = decodeBatch(t, (m as { v: unknown }).v);
    assert.deepEqual(
      [...back],
      values.map((v) =>
        typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
      ),
      ty,
    );
  }
  // Bytes stay bytes (no per-byte encoding) and numbers travel packed.
  const bytes = encodeBatch(coreType('byte'), new Uint8Array(1000));
  assert.ok(bytes instanceof Uint8Array);
  assert.ok(encodeFrame({ t: 'in', id: 1, name: 'x', ty: 'byte', v: bytes }).length < 1100);
  assert.ok(encodeBatch(coreType('u64'), [1, 2, 3]) instanceof Float64Array);
});

test('data types with Serialize cross: StringMap and Level', () => {
  const sm = T('std/data/string_map::StringMap');
  const m = StringMapValue.from({ a: '1', b: 'two' });
  const back = decodeValue(sm, encodeValue(sm, m)) as StringMapValue;
  assert.equal(back.equals(m), true);
  const lv = T('std/engine/log::Level');
  assert.equal(decodeValue(lv, encodeValue(lv, LevelValue.of('warning'))), LevelValue.of('warning'));
  assert.throws(() => decodeValue(lv, 'loud'), /not a log level/);
  assert.equal(wireType(sm), 'std/data/string_map::StringMap');
  assert.match(unserializable({ kind: 'data', id: 'fs/filesystem::FileSystem', name: 'FileSystem' }) ?? '', /FileSystem cannot be sent/);
});

/** A connected pair of sockets on loopback. */
async function socketPair(): Promise<{ a: Socket; b: Socket; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection');
  const a = tcpConnect(port, '127.0.0.1');
  const [b] = (await accepted) as [Socket];
  await once(a, 'connect').catch(() => {});
  return { a, b, server };
}

test('connections carry messages both ways and answer probes', async () => {
  const { a, b, server } = await socketPair();
  const gotA: Message[] = [];
  const gotB: Message[] = [];
  const ca = new Connection(a, (m) => gotA.push(m), { probeInterval: 20, probeAttemptDelay: 20 });
  const cb = new Connection(b, (m) => gotB.push(m), { probeInterval: 0 });
  await ca.send({ t: 'inst', id: 7 });
  await cb.send({ t: 'instd', id: 7, ok: true });
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(gotB, [{ t: 'inst', id: 7 }]);
  assert.deepEqual(gotA, [{ t: 'instd', id: 7, ok: true }]);
  assert.equal(ca.open, true, 'probes were answered');
  ca.close();
  assert.equal(await cb.closed, 'connection closed by the peer');
  assert.equal(await ca.closed, undefined);
  server.close();
});

test('a peer that stops answering probes is declared gone', async () => {
  const { a, b, server } = await socketPair();
  // The peer reads nothing and answers nothing (a frozen process).
  b.pause();
  const ca = new Connection(a, () => {}, { probeInterval: 30, probeAttemptDelay: 30, probeAttempts: 3 });
  const t0 = Date.now();
  const reason = await ca.closed;
  assert.match(reason ?? '', /did not answer 3 keep-alive probes/);
  assert.ok(Date.now() - t0 < 2000);
  b.destroy();
  server.close();
});

test('a stream sender stops at the credit window while the receiver does not drain', async () => {
  const { a, b, server } = await socketPair();
  let receiving!: Streams;
  let sending!: Streams;
  const connA: Connection = new Connection(
    a,
    (m) => {
      if (m.t === 'credit') sending.onCredit(m.id, m.name, m.n);
    },
    { probeInterval: 0 },
  );
  const connB: Connection = new Connection(
    b,
    (m) => {
      if (m.t === 'in') receiving.onData(m.id, m.name, m.ty, m.v);
      if (m.t === 'inclose') receiving.onClose(m.id, m.name);
    },
    { probeInterval: 0 },
  );
  const window = 64 * 1024;
  sending = new Streams(() => connA, 'in', window);
  receiving = new Streams(() => connB, 'out', window);
  const chunk = new Uint8Array(16 * 1024);
  let sent = 0;
  const producer = (async () => {
    for (let i = 0; i < 40; i++) {
      await sending.send(1, 'data', 'byte', chunk);
      sent++;
    }
    await sending.closeSend(1, 'data');
  })();
  await new Promise((r) => setTimeout(r, 100));
  const cost = wireCost(chunk);
  assert.equal(sent, Math.floor(window / cost), 'the producer waits once the window is spent');
  // A consumer drains: credit flows back and everything arrives.
  let received = 0;
  const port = {
    name: 'data',
    usable: true,
    sendOne: async () => true,
    sendMany: async (b: { length: number }) => {
      received += b.length;
      return true;
    },
    close: () => {},
  };
  const r = await receiving.drain(1, 'data', 'byte', (w) => w as Uint8Array, port, false);
  await producer;
  assert.equal(r, 'ended');
  assert.equal(received, 40 * chunk.length);
  connA.close();
  connB.close();
  server.close();
});

test('a batch of another type stops the receive', async () => {
  const { a, b, server } = await socketPair();
  const receiving = new Streams(() => undefined, 'out');
  receiving.onData(1, 'x', 'string', ['a']);
  const port = { name: 'x', usable: true, sendOne: async () => true, sendMany: async () => true, close: () => {} };
  assert.equal(await receiving.drain(1, 'x', 'u64', (w) => decodeBatch(coreType('u64'), w), port, false), 'mismatch');
  a.destroy();
  b.destroy();
  server.close();
});
