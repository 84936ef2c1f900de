import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, type TreatmentDescriptor } from '@tutti/core';
import { Channel, Input, Output, runTreatment, typeOf } from '@tutti/engine/testing';
import { flow } from '../flow.js';
import { MAX_CHUNK } from '../ops/op-streams.js';
import { GENERATE_BYTE_CHUNK, GENERATE_CHUNK, numbering } from './sequence.js';

const d = (name: string): TreatmentDescriptor => {
  const found = flow.find((e) => e.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};

test('count numbers elements from 0 (as the reference does, though documented 1-based), across batches', async () => {
  const r = await runTreatment(d('count'), {
    generics: { T: 'string' },
    inputs: { stream: { batches: [['a', 'b'], ['c'], ['d', 'e', 'f']] } },
  });
  assert.deepEqual(r.outputs.count, [0, 1, 2, 3, 4, 5]);
  const e = await runTreatment(d('count'), { generics: { T: 'string' }, inputs: { stream: [] } });
  assert.deepEqual(e.outputs.count, []);
});

test('count sends a large received batch as batches of at most MAX_CHUNK, numbered on', async () => {
  const n = 3 * MAX_CHUNK + 7;
  const r = await runTreatment(d('count'), {
    generics: { T: 'byte' },
    inputs: { stream: { batches: [new Uint8Array(n), new Uint8Array(2)] } },
  });
  const out = r.outputs.count as number[];
  assert.equal(out.length, n + 2);
  assert.ok(out.every((v, i) => v === i));
  const sizes = (r.batches.count ?? []).map((b) => b.length);
  assert.ok(
    sizes.every((s) => s > 0 && s <= MAX_CHUNK),
    `batch sizes ${sizes}`,
  );
});

test('count accepts byte batches', async () => {
  const r = await runTreatment(d('count'), { generics: { T: 'byte' }, inputs: { stream: new Uint8Array([9, 9, 9]) } });
  assert.deepEqual(r.outputs.count, [0, 1, 2]);
});

test('count stops when its consumer is gone (rule C)', async () => {
  const r = await runTreatment(d('count'), {
    generics: { T: 'u8' },
    capacity: 1,
    inputs: { stream: { batches: [[1], [2], [3], [4]] } },
    outputs: { count: { take: 2 } },
  });
  assert.deepEqual(r.outputs.count, [0, 1]);
  assert.equal(r.error, undefined);
});

test('counter values stay exact past 2^53 (bigint, canonical)', () => {
  const safe = Number.MAX_SAFE_INTEGER;
  assert.deepEqual(numbering(safe - 1, 3), [safe - 1, safe, 2n ** 53n]);
  assert.deepEqual(numbering(2n ** 64n, 2), [2n ** 64n, 2n ** 64n + 1n]);
  assert.deepEqual(numbering(5, 0), []);
});

test('generate emits data exactly length times, in chunks of at most 2^20', async () => {
  const n = 2 * GENERATE_CHUNK + 5;
  const r = await runTreatment(d('generate'), { generics: { T: 'string' }, params: { data: 'x' }, inputs: { length: [n] } });
  const out = r.outputs.stream as string[];
  assert.equal(out.length, n);
  assert.ok(out.every((v) => v === 'x'));
  for (const b of r.batches.stream ?? []) assert.ok(b.length <= 2 ** 20 && b.length > 0);
});

test('generate of bytes emits exactly length bytes across several byte chunks', async () => {
  const n = 2 * GENERATE_BYTE_CHUNK + 3;
  const r = await runTreatment(d('generate'), { generics: { T: 'byte' }, params: { data: 7 }, inputs: { length: [n] } });
  const batches = r.batches.stream ?? [];
  assert.equal(
    batches.reduce((s, b) => s + b.length, 0),
    n,
  );
  assert.ok(batches.every((b) => b instanceof Uint8Array && b.every((v) => v === 7)));
});

test('generate with small, zero and missing lengths', async () => {
  const r = await runTreatment(d('generate'), { generics: { T: 'u8' }, params: { data: 3 }, inputs: { length: [3] } });
  assert.deepEqual(r.outputs.stream, [3, 3, 3]);
  const z = await runTreatment(d('generate'), { generics: { T: 'u8' }, params: { data: 3 }, inputs: { length: [0] } });
  assert.deepEqual(z.outputs.stream, []);
  assert.deepEqual(z.batches.stream, []);
  const e = await runTreatment(d('generate'), { generics: { T: 'u8' }, params: { data: 3 }, inputs: { length: [] } });
  assert.deepEqual(e.outputs.stream, []);
});

test('generate of bytes sends byte batches', async () => {
  const r = await runTreatment(d('generate'), { generics: { T: 'byte' }, params: { data: 255 }, inputs: { length: [4] } });
  assert.deepEqual(r.outputs.stream, [255, 255, 255, 255]);
  assert.ok(r.batches.stream?.[0] instanceof Uint8Array);
});

test('generate stops when its consumer is gone, even for a u128 length beyond 2^53', async () => {
  const r = await runTreatment(d('generate'), {
    generics: { T: 'bool' },
    params: { data: true },
    inputs: { length: [2n ** 128n - 1n] },
    outputs: { stream: { take: 5 } },
  });
  assert.deepEqual(r.outputs.stream, [true, true, true, true, true]);
  assert.equal(r.error, undefined);
  const u = await runTreatment(d('generate'), {
    generics: { T: 'u8' },
    params: { data: 1 },
    inputs: { length: [10] },
    outputs: { stream: { unconnected: true } },
  });
  assert.equal(u.error, undefined);
});

test('generateIndefinitely emits until the consumer is gone', async () => {
  const r = await runTreatment(d('generateIndefinitely'), {
    generics: { T: 'string' },
    params: { data: 'y' },
    inputs: { trigger: [undefined] },
    outputs: { stream: { take: GENERATE_CHUNK * 3 + 1 } },
  });
  const out = r.outputs.stream as string[];
  assert.equal(out.length, GENERATE_CHUNK * 3 + 1);
  assert.ok(out.every((v) => v === 'y'));
  const e = await runTreatment(d('generateIndefinitely'), { generics: { T: 'string' }, params: { data: 'y' }, inputs: { trigger: [] } });
  assert.deepEqual(e.outputs.stream, []);
});

test('trigger: start and first on the first chunk, end then last at the end', async () => {
  const r = await runTreatment(d('trigger'), { generics: { T: 'string' }, inputs: { stream: { batches: [['a', 'b'], ['c'], ['d']] } } });
  assert.deepEqual(r.outputs, { start: [undefined], end: [undefined], first: ['a'], last: ['d'] });
  const at = (name: string): number => r.closeOrder.indexOf(name);
  assert.ok(at('end') < at('last'));
});

test('trigger on an empty stream only produces end', async () => {
  const r = await runTreatment(d('trigger'), { generics: { T: 'string' }, inputs: { stream: [] } });
  assert.deepEqual(r.outputs, { start: [], end: [undefined], first: [], last: [] });
  assert.equal(r.closeOrder.length, 4);
});

test('trigger closes start and first right after the first chunk, while the stream is open', async () => {
  const feed = new Channel(8);
  const ports = ['start', 'end', 'first', 'last'].map((n) => [n, new Channel(8)] as const);
  const outputs = Object.fromEntries(ports.map(([n, c]) => [n, new Output(n, [c], true)]));
  const read = Object.fromEntries(ports.map(([n, c]) => [n, new Input(n, c)]));
  const ctx = {
    inputs: { stream: new Input('stream', feed) },
    outputs,
    params: {},
    generics: { T: typeOf('u8') },
    models: {},
    contexts: new Map(),
    track: 1,
    path: 'test/trigger',
    signal: new AbortController().signal,
    log: () => {},
  };
  const running = d('trigger').run?.(ctx);
  const producer = new Output('feed', [feed], false);
  await producer.sendMany([7, 8]);
  assert.equal(await read.start?.recvOne(), undefined);
  assert.equal(await read.start?.recvOne(), END);
  assert.equal(await read.first?.recvOne(), 7);
  assert.equal(await read.first?.recvOne(), END);
  await producer.sendMany([9]);
  producer.close();
  await running;
  for (const o of Object.values(outputs)) o.close();
  assert.equal(await read.end?.recvOne(), undefined);
  assert.equal(await read.last?.recvOne(), 9);
});

test('trigger reports start before the stream ends and reads on when outputs are unused', async () => {
  const r = await runTreatment(d('trigger'), {
    generics: { T: 'u8' },
    capacity: 1,
    inputs: { stream: { batches: [[1], [2], [3], [4], [5]] } },
    outputs: { start: { unconnected: true }, first: { unconnected: true }, end: { unconnected: true } },
  });
  assert.deepEqual(r.outputs.last, [5]);
  const s = await runTreatment(d('trigger'), {
    generics: { T: 'u8' },
    capacity: 1,
    inputs: { stream: { batches: [[1], [2], [3]] } },
    outputs: { first: { take: 1 }, last: { unconnected: true } },
  });
  assert.deepEqual(s.outputs.first, [1]);
  assert.deepEqual(s.outputs.end, [undefined]);
  assert.ok(s.closeOrder.indexOf('first') < s.closeOrder.indexOf('end'));
});
