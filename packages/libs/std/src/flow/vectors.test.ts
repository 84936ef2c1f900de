import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { flowVec } from './vec.js';

const d = (name: string): TreatmentDescriptor => {
  const found = flowVec.find((e) => e.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};
const T = { T: 'u8' };

test('flatten emits the elements of each vector in order', async () => {
  const r = await runTreatment(d('flatten'), { generics: T, inputs: { vector: { batches: [[[1, 2], [], [3]], [[4]], [[], [5, 6]]] } } });
  assert.deepEqual(r.outputs.value, [1, 2, 3, 4, 5, 6]);
  for (const b of r.batches.value ?? []) assert.ok(b.length > 0);
});

test('flatten of empty vectors and of an empty stream emits nothing', async () => {
  const r = await runTreatment(d('flatten'), { generics: T, inputs: { vector: [[], []] } });
  assert.deepEqual(r.outputs.value, []);
  assert.deepEqual(r.batches.value, []);
  const e = await runTreatment(d('flatten'), { generics: T, inputs: { vector: [] } });
  assert.deepEqual(e.outputs.value, []);
});

test('flatten of byte vectors (arrays or Uint8Arrays) sends byte batches', async () => {
  const r = await runTreatment(d('flatten'), {
    generics: { T: 'byte' },
    inputs: { vector: [new Uint8Array([1, 2]), [3], new Uint8Array([4])] },
  });
  assert.deepEqual(r.outputs.value, [1, 2, 3, 4]);
  assert.ok(r.batches.value?.[0] instanceof Uint8Array);
});

test('flatten stops when its consumer is gone (rule C)', async () => {
  const r = await runTreatment(d('flatten'), {
    generics: T,
    capacity: 1,
    inputs: { vector: { batches: [[[1, 2]], [[3]], [[4]], [[5]]] } },
    outputs: { value: { take: 2 } },
  });
  assert.deepEqual(r.outputs.value, [1, 2]);
  assert.equal(r.error, undefined);
});

test('pattern emits void vectors of the same lengths', async () => {
  const r = await runTreatment(d('pattern'), { generics: { T: 'string' }, inputs: { stream: { batches: [[['a', 'b'], []], [['c']]] } } });
  assert.deepEqual(r.outputs.pattern, [[undefined, undefined], [], [undefined]]);
});

test('fill emits vectors of value of the pattern lengths', async () => {
  const r = await runTreatment(d('fill'), {
    generics: { T: 'string' },
    params: { value: 'z' },
    inputs: { pattern: [[undefined, undefined], [], [undefined]] },
  });
  assert.deepEqual(r.outputs.filled, [['z', 'z'], [], ['z']]);
  const b = await runTreatment(d('fill'), { generics: { T: 'byte' }, params: { value: 7 }, inputs: { pattern: [[undefined, undefined]] } });
  assert.deepEqual(b.outputs.filled, [new Uint8Array([7, 7])]);
});

test('size emits vector lengths', async () => {
  const r = await runTreatment(d('size'), { generics: T, inputs: { vector: { batches: [[[1, 2, 3], []], [new Uint8Array(4)]] } } });
  assert.deepEqual(r.outputs.size, [3, 0, 4]);
});

test('fit collects n values per pattern of length n, across value batches', async () => {
  const r = await runTreatment(d('fit'), {
    generics: T,
    inputs: {
      value: { batches: [[1], [2, 3, 4], [5, 6]] },
      pattern: { batches: [[[undefined, undefined]], [[], [undefined, undefined, undefined]]] },
    },
  });
  assert.deepEqual(r.outputs.fitted, [[1, 2], [], [3, 4, 5]]);
});

test('fit drops an incomplete vector and ends when values run out', async () => {
  const r = await runTreatment(d('fit'), {
    generics: T,
    inputs: { value: [1, 2, 3], pattern: [[undefined, undefined], [undefined, undefined], [undefined]] },
  });
  assert.deepEqual(r.outputs.fitted, [[1, 2]]);
  const e = await runTreatment(d('fit'), { generics: T, inputs: { value: [1, 2], pattern: [] } });
  assert.deepEqual(e.outputs.fitted, []);
});

test('fit of bytes builds byte vectors', async () => {
  const r = await runTreatment(d('fit'), {
    generics: { T: 'byte' },
    inputs: { value: new Uint8Array([1, 2, 3]), pattern: [[undefined, undefined]] },
  });
  assert.deepEqual(r.outputs.fitted, [new Uint8Array([1, 2])]);
});

test('resize truncates or pads with default, pairwise', async () => {
  const r = await runTreatment(d('resize'), {
    generics: { T: 'string' },
    params: { default: '-' },
    inputs: {
      vector: { batches: [[['a', 'b', 'c']], [['d'], ['e']]] },
      size: {
        batches: [
          [1, 3],
          [1, 9],
        ],
      },
    },
  });
  assert.deepEqual(r.outputs.resized, [['a'], ['d', '-', '-'], ['e']]);
  const z = await runTreatment(d('resize'), {
    generics: { T: 'string' },
    params: { default: '-' },
    inputs: { vector: [['a'], ['b']], size: [0] },
  });
  assert.deepEqual(z.outputs.resized, [[]]);
});

test('resize of byte vectors stays bytes', async () => {
  const r = await runTreatment(d('resize'), {
    generics: { T: 'byte' },
    params: { default: 0 },
    inputs: { vector: [new Uint8Array([5])], size: [3] },
  });
  assert.deepEqual(r.outputs.resized, [new Uint8Array([5, 0, 0])]);
});

test('resize refuses an impossible size', async () => {
  const r = await runTreatment(d('resize'), { generics: T, params: { default: 0 }, inputs: { vector: [[1]], size: [2n ** 64n - 1n] } });
  assert.match(String(r.error), /cannot build a vector/);
});
