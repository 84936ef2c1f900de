import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Batch, END, type TreatmentContext, type TreatmentDescriptor, type Value } from '@tutti/core';
import { runTreatment, typeOf } from '@tutti/engine/testing';
import { conv } from '../conv.js';

function treatmentNamed(name: string): TreatmentDescriptor {
  const d = conv.find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor | undefined;
  assert.ok(d?.run, `${name} has a behaviour`);
  return d;
}

async function convert(name: string, t: string, feed: readonly Value[] | Uint8Array | { batches: (readonly Value[] | Uint8Array)[] }) {
  const d = treatmentNamed(name);
  const r = await runTreatment(d, { generics: { T: t }, inputs: { value: feed } });
  assert.equal(r.error, undefined);
  return r;
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const U128_MAX = (1n << 128n) - 1n;

test('toVoid gives one void per value', async () => {
  const r = await convert('toVoid', 'string', { batches: [['a', 'b'], ['c']] });
  assert.deepEqual(r.outputs.iter, [undefined, undefined, undefined]);
});

test('toBytes converts each value; vectors element-wise (the reference quirk, unlike the function)', async () => {
  const r = await convert('toBytes', 'u16', [1, 256]);
  assert.deepEqual(r.outputs.data, [bytes(0, 1), bytes(1, 0)]);
  const nested = await convert('toBytes', 'Vec<u16>', [[1, 2], []]);
  assert.deepEqual(nested.outputs.data, [[bytes(0, 1), bytes(0, 2)], []]);
  const opt = await convert('toBytes', 'Option<Vec<i8>>', [[-1], null]);
  assert.deepEqual(opt.outputs.data, [[bytes(0xff)], bytes()]);
  const wide = await convert('toBytes', 'i128', [-1, 2n ** 100n]);
  assert.deepEqual(wide.outputs.data, [new Uint8Array(16).fill(0xff), bytes(0, 0, 0, 0x10, ...new Array(12).fill(0))]);
  const text = await convert('toBytes', 'string', ['hé']);
  assert.deepEqual(text.outputs.data, [bytes(0x68, 0xc3, 0xa9)]);
});

test('to… treatments convert in order across batches', async () => {
  const r = await convert('toI64', 'u32', { batches: [[1, 4294967295], [7]] });
  assert.deepEqual(r.outputs.into, [1, 4294967295, 7]);
  const f = await convert('toF32', 'f64', [0.1, 1e39, -0]);
  assert.deepEqual(f.outputs.into, [Math.fround(0.1), Number.POSITIVE_INFINITY, -0]);
  const s = await convert('toString', 'f32', [Math.fround(0.1), 1, Number.NaN, Number.NEGATIVE_INFINITY]);
  assert.deepEqual(s.outputs.into, ['0.1', '1', 'NaN', '-inf']);
  const h = await convert('toString', 'byte', bytes(0x0a, 0xff));
  assert.deepEqual(h.outputs.into, ['0a', 'ff']);
  const b = await convert('toBool', 'i128', [0, -(2n ** 127n)]);
  assert.deepEqual(b.outputs.into, [false, true]);
  const c = await convert('toChar', 'char', ['x', '😀']);
  assert.deepEqual(c.outputs.into, ['x', '😀']);
});

test('toByte sends byte batches; toU8 from bytes sends plain arrays', async () => {
  const r = await convert('toByte', 'bool', [true, false]);
  assert.deepEqual(r.outputs.into, [1, 0]);
  assert.ok(r.batches.into?.[0] instanceof Uint8Array);
  const u = await convert('toU8', 'byte', bytes(1, 2));
  assert.deepEqual(u.outputs.into, [1, 2]);
  assert.ok(Array.isArray(u.batches.into?.[0]));
  const same = await convert('toByte', 'byte', bytes(3));
  assert.deepEqual(same.batches.into, [bytes(3)]);
});

test('tryTo… treatments give none for impossible conversions', async () => {
  const r = await convert('tryToU8', 'i32', [300, 5, -1]);
  assert.deepEqual(r.outputs.into, [null, 5, null]);
  const f = await convert('tryToI64', 'f64', [Number.NaN, 2.5, 2 ** 63, 1e19, Number.POSITIVE_INFINITY]);
  assert.deepEqual(f.outputs.into, [null, 2, 9223372036854775807n, null, null]);
  const w = await convert('tryToU128', 'i128', [-1, 2n ** 100n]);
  assert.deepEqual(w.outputs.into, [null, 2n ** 100n]);
  const s = await convert('tryToString', 'u128', [U128_MAX]);
  assert.deepEqual(s.outputs.into, ['340282366920938463463374607431768211455']);
  const byte = await convert('tryToByte', 'u8', [4]);
  assert.deepEqual(byte.outputs.into, [4]);
  assert.ok(Array.isArray(byte.batches.into?.[0])); // Option<byte>: not a byte flow
});

test('saturatingTo… treatments clamp', async () => {
  const r = await convert('saturatingToI8', 'f64', [Number.NaN, 1e9, -1e9, 2.7]);
  assert.deepEqual(r.outputs.into, [0, 127, -128, 2]);
  const u = await convert('saturatingToU64', 'i128', [-5, U128_MAX >> 1n, 3]);
  assert.deepEqual(u.outputs.into, [0, (1n << 64n) - 1n, 3]);
  const f = await convert('saturatingToF32', 'f64', [1e39]);
  assert.deepEqual(f.outputs.into, [Number.POSITIVE_INFINITY]);
});

test('an empty or closed input closes the output without values', async () => {
  for (const feed of [[], 'closed'] as const) {
    const r = await runTreatment(treatmentNamed('toI32'), { generics: { T: 'i8' }, inputs: { value: feed } });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.into, []);
    assert.deepEqual(r.closeOrder, ['into']);
  }
});

test('a consumer that goes away stops the conversion (rule C)', async () => {
  const r = await runTreatment(treatmentNamed('toU64'), {
    generics: { T: 'u8' },
    inputs: { value: { batches: [[1], [2], [3], [4]] } },
    outputs: { into: { take: 1 } },
    capacity: 1,
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.into, [1]);

  // With nobody listening the first send fails, and no further batch is read.
  let reads = 0;
  const input = {
    name: 'value',
    recvOne: async () => END,
    recvMany: async (): Promise<Batch> => {
      reads++;
      return [1, 2];
    },
    close: () => {},
    [Symbol.asyncIterator]: () => {
      throw new Error('not used');
    },
  };
  const output = { name: 'into', sendOne: async () => false, sendMany: async () => false, close: () => {}, usable: false };
  const ctx = {
    inputs: { value: input },
    outputs: { into: output },
    params: {},
    generics: { T: typeOf('u8') },
    models: {},
    contexts: new Map(),
    track: 0,
    path: 'test/toU64',
    signal: new AbortController().signal,
    log: () => {},
  } as unknown as TreatmentContext;
  await treatmentNamed('toU64').run?.(ctx);
  assert.equal(reads, 1);
});

test('a missing trait fails the run once, before reading', async () => {
  const r = await runTreatment(treatmentNamed('toI8'), { generics: { T: 'u64' }, inputs: { value: [1] } });
  assert.match(String(r.error), /Type 'u64' does not implement 'ToI8'/);
  assert.deepEqual(r.outputs.into, []);
});

test('data values convert through their methods in treatments', async () => {
  const j = (n: number | null) => ({ tryToF64: () => n, toString: () => String(n) });
  const r = await runTreatment(treatmentNamed('tryToF64'), {
    generics: { T: 'Json' },
    dataTypes: { Json: 'json::Json' },
    inputs: { value: [j(1.5), j(null)] },
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.into, [1.5, null]);
});
