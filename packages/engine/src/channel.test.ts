import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { END, NOT_YET } from '@tutti/core';
import { Channel, closedChannel, Input, Output } from './channel.js';

function pair(capacity = 8, block = false) {
  const c = new Channel(capacity);
  return { c, out: new Output('o', [c], block), input: new Input('i', c) };
}

test('values arrive in sending order, batched, then the end', async () => {
  const { out, input } = pair();
  await out.sendMany([1, 2]);
  await out.sendOne(3);
  await out.sendOne(4);
  out.close();
  assert.deepEqual(await input.recvMany(), [1, 2, 3, 4]);
  assert.equal(await input.recvMany(), END);
  assert.equal(await input.recvOne(), END);
});

test('tryRecvOne gives a queued value at once, NOT_YET while open and empty, END once closed and drained; ready agrees', async () => {
  const { out, input } = pair();
  assert.equal(input.tryRecvOne(), NOT_YET);
  assert.equal(input.ready, false);
  await out.sendMany([1, 2]);
  assert.equal(input.ready, true);
  assert.equal(input.tryRecvOne(), 1);
  assert.equal(await input.recvOne(), 2, 'mixed with recvOne, nothing is lost');
  assert.equal(input.tryRecvOne(), NOT_YET);
  await out.sendOne(3);
  out.close();
  assert.equal(input.tryRecvOne(), 3);
  assert.equal(input.ready, true);
  assert.equal(input.tryRecvOne(), END);
  assert.equal(await input.recvOne(), END);
});

test('tryRecvMany gives what is queued as one batch, NOT_YET while open and empty, END once closed and drained', async () => {
  const { out, input } = pair();
  assert.equal(input.tryRecvMany(), NOT_YET);
  await out.sendMany([1, 2]);
  await out.sendOne(3);
  assert.deepEqual(input.tryRecvMany(), [1, 2, 3]);
  assert.equal(input.tryRecvMany(), NOT_YET);
  await out.sendMany([4, 5]);
  assert.equal(await input.recvOne(), 4);
  assert.deepEqual(input.tryRecvMany(), [5], 'the rest of a batch recvOne started');
  out.close();
  assert.equal(input.tryRecvMany(), END);
  assert.equal(await input.recvMany(), END);
});

test('trySendMany gives true at once while there is room, a promise once the receiver is full, false once nobody takes', async () => {
  const { c, out, input } = pair(4);
  assert.equal(out.trySendMany([1, 2]), true);
  assert.equal(out.trySendMany([]), true, 'an empty batch succeeds while usable');
  const full = out.trySendMany([3, 4]);
  assert.ok(full instanceof Promise, 'the receiver holds its capacity: the send waits');
  let settled = false;
  void full.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false);
  assert.deepEqual(await input.recvMany(), [1, 2, 3, 4]);
  assert.equal(await full, true);
  input.close();
  assert.equal(out.trySendMany([5]), false);
  assert.equal(c.pending, 0);
  const block = pair(4, true);
  assert.equal(block.out.trySendMany([7]), true);
  assert.equal(block.out.trySendMany([8]), false, 'a Block output sends one value');
  assert.equal(await block.input.recvOne(), 7);
});

test('single sends are appended to one batch the channel owns', async () => {
  const { c, out, input } = pair(100);
  for (let i = 0; i < 10; i++) await out.sendOne(i);
  assert.equal(c.pending, 10);
  const b = await input.recvMany();
  assert.deepEqual(b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('recvOne walks a batch without losing values, mixed with recvMany', async () => {
  const { out, input } = pair();
  await out.sendMany([1, 2, 3]);
  await out.sendMany([4]);
  assert.equal(await input.recvOne(), 1);
  assert.deepEqual(await input.recvMany(), [2, 3, 4]);
  out.close();
  assert.equal(await input.recvOne(), END);
});

test('backpressure: a send waits while the receiver holds capacity values, and resumes when it reads', async () => {
  const { c, out, input } = pair(4);
  let sent = 0;
  const producer = (async () => {
    for (let i = 0; i < 20; i++) {
      await out.sendOne(i);
      sent++;
      assert.ok(c.pending <= 4, `pending ${c.pending} exceeds the capacity`);
    }
    out.close();
  })();
  await new Promise((r) => setImmediate(r));
  assert.equal(sent, 3); // the 4th send filled the channel and waits
  assert.equal(out.waiting, 'send');
  const got: unknown[] = [];
  for await (const b of input) got.push(...b);
  await producer;
  assert.deepEqual(
    got,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('fan-out delivers copies to every open receiver; a closed receiver is skipped', async () => {
  const a = new Channel(8);
  const b = new Channel(8);
  const out = new Output('o', [a, b], false);
  const ia = new Input('a', a);
  const ib = new Input('b', b);
  assert.equal(await out.sendMany([1, 2]), true);
  ib.close();
  assert.equal(await out.sendOne(3), true);
  out.close();
  assert.deepEqual(await ia.recvMany(), [1, 2, 3]);
  assert.equal(await ib.recvMany(), END);
});

test('sends fail with no receiver, after every receiver closed, and after close', async () => {
  assert.equal(await new Output('o', [], false).sendOne(1), false);
  const { out, input } = pair();
  input.close();
  assert.equal(out.usable, false);
  assert.equal(await out.sendOne(1), false);
  assert.equal(await out.sendMany([1, 2]), false);
  const p = pair();
  p.out.close();
  assert.equal(await p.out.sendOne(1), false);
});

test('a producer blocked on a full receiver is released when that receiver closes', async () => {
  const { out, input } = pair(3);
  await out.sendMany([1, 2]);
  let done = false;
  const blocked = out.sendOne(3).then((r) => {
    done = true;
    return r;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  input.close();
  assert.equal(await blocked, true);
  assert.equal(await out.sendOne(4), false);
});

test('a Block output carries one value: a second send fails and the receiver sees the end', async () => {
  const { out, input } = pair(8, true);
  assert.equal(await out.sendOne('x'), true);
  assert.equal(await out.sendOne('y'), false);
  assert.equal(await input.recvOne(), 'x');
  assert.equal(await input.recvOne(), END);
  const many = pair(8, true);
  assert.equal(await many.out.sendMany(['a', 'b']), false);
  assert.deepEqual(await many.input.recvMany(), ['a']);
});

test('an unfed input is closed at once; closing an input wakes its own pending receive', async () => {
  assert.equal(await new Input('x', closedChannel()).recvOne(), END);
  const { input } = pair();
  const pending = input.recvOne();
  input.close();
  assert.equal(await pending, END);
});

test('byte batches stay Uint8Array when several are taken at once', async () => {
  const { out, input } = pair(1 << 20);
  await out.sendMany(new Uint8Array([1, 2]));
  await out.sendMany(new Uint8Array([3]));
  const b = await input.recvMany();
  assert.ok(b instanceof Uint8Array);
  assert.deepEqual([...(b as Uint8Array)], [1, 2, 3]);
});

test('a taken batch is no longer reachable from the channel while later ones stay queued', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const c = new Channel(1 << 20);
  const refs = ((): WeakRef<object>[] => {
    const rs: WeakRef<object>[] = [];
    for (let i = 0; i < 3; i++) {
      // Batches too large to be joined, so each take hands over exactly one.
      const b = new Array(8192).fill(i);
      rs.push(new WeakRef(b));
      c.push(b);
    }
    return rs;
  })();
  assert.deepEqual(c.take()?.[0], 0);
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(refs[0]?.deref(), undefined, 'the taken batch is still held');
  assert.notEqual(refs[1]?.deref(), undefined);
  assert.equal(c.pending, 2 * 8192);
});

test('a lent batch is released once its releasing consumer receives again, not before', async () => {
  const { out, input } = pair(1 << 20);
  input.releasesBatches();
  const released: string[] = [];
  await out.lend(new Uint8Array(10000), () => released.push('a'));
  await out.lend(new Uint8Array(10000), () => released.push('b'));
  assert.equal(((await input.recvMany()) as Uint8Array).length, 10000);
  assert.deepEqual(released, []);
  await input.recvMany();
  assert.deepEqual(released, ['a']);
  out.close();
  assert.equal(await input.recvMany(), END);
  assert.deepEqual(released, ['a', 'b']);
});

test('lent batches: joined small ones are released when copied; queued and held ones when the consumer closes', async () => {
  const { out, input } = pair(1 << 20);
  input.releasesBatches();
  const released: number[] = [];
  await out.lend([1, 2], () => released.push(1));
  await out.lend([3], () => released.push(2));
  assert.deepEqual(await input.recvMany(), [1, 2, 3]);
  assert.deepEqual(released, [1, 2]);
  await out.lend(new Array(9000).fill(4), () => released.push(3));
  await out.lend(new Array(9000).fill(5), () => released.push(4));
  await input.recvMany();
  assert.deepEqual(released, [1, 2]);
  input.close();
  assert.deepEqual(released, [1, 2, 3, 4]);
});

test('a lent batch is never released while any receiver has not promised to release', async () => {
  const a = new Channel(1 << 20);
  const b = new Channel(1 << 20);
  const out = new Output('o', [a, b], false);
  const ia = new Input('a', a);
  const ib = new Input('b', b);
  ia.releasesBatches();
  let released = 0;
  await out.lend([1], () => released++);
  await out.lend([2], () => released++);
  out.close();
  for (const i of [ia, ib]) while ((await i.recvMany()) !== END);
  ia.close();
  ib.close();
  assert.equal(released, 0);
  // With both promising, the release comes once, after both are done.
  const c = new Channel(1 << 20);
  const d = new Channel(1 << 20);
  const both = new Output('o', [c, d], false);
  const ic = new Input('c', c);
  const id = new Input('d', d);
  ic.releasesBatches();
  id.releasesBatches();
  await both.lend(new Array(9000).fill(0), () => released++);
  both.close();
  await ic.recvMany();
  await ic.recvMany();
  assert.equal(released, 0);
  await id.recvMany();
  await id.recvMany();
  assert.equal(released, 1);
});

test('a lent batch queued behind plain ones is released in its turn', async () => {
  const { out, input } = pair(1 << 20);
  input.releasesBatches();
  const released: number[] = [];
  await out.sendMany(new Array(9000).fill(1));
  await out.sendOne(2);
  await out.lend(new Array(9000).fill(3), () => released.push(3));
  assert.equal(((await input.recvMany()) as number[])[0], 1);
  assert.deepEqual(await input.recvMany(), [2]);
  assert.deepEqual(released, []);
  assert.equal(((await input.recvMany()) as number[])[0], 3);
  assert.deepEqual(released, []);
  out.close();
  assert.equal(await input.recvMany(), END);
  assert.deepEqual(released, [3]);
});

test('a consumer keeping its last two batches releases a lent batch at its second next receive', async () => {
  const { out, input } = pair(1 << 20);
  input.releasesBatches(2);
  const released: string[] = [];
  await out.lend(new Uint8Array(10000), () => released.push('a'));
  await out.sendMany(new Uint8Array(10000));
  await out.lend(new Uint8Array(10000), () => released.push('c'));
  await out.lend(new Uint8Array(10000), () => released.push('d'));
  await input.recvMany(); // a
  await input.recvMany(); // the plain batch: a is still kept
  assert.deepEqual(released, []);
  await input.recvMany(); // c: a is done
  assert.deepEqual(released, ['a']);
  await input.recvMany(); // d: the plain batch is done
  assert.deepEqual(released, ['a']);
  out.close();
  // Receiving again (the end here) releases all but the last batch…
  assert.equal(await input.recvMany(), END);
  assert.deepEqual(released, ['a', 'c']);
  // …and closing releases the rest.
  input.close();
  assert.deepEqual(released, ['a', 'c', 'd']);
});
