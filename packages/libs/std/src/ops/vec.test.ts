import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coreType, type FunctionDescriptor, type TreatmentDescriptor } from '@tutti/core';
import { readsWithoutConsumers, runTreatment, typeOf } from '@tutti/engine/testing';
import { MapValue } from '../data/map-value.js';
import { opsVec } from './vec.js';

const stream = 'std/ops/vec';
const block = 'std/ops/vec/block';
const dataTypes = { Map: 'std/data/map::Map' };

function t(area: string, name: string): TreatmentDescriptor {
  const d = opsVec.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d, `${area}::${name}`);
  return d as TreatmentDescriptor;
}

function call(name: string, args: unknown[], generic: string): unknown {
  const d = opsVec.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `|${name}`);
  return d.impl(args, { T: typeOf(generic, dataTypes) });
}

describe('std/ops/vec functions', () => {
  test('|contains tests membership with PartialEquality', () => {
    assert.equal(call('contains', [[1, 2, 3], 2], 'u8'), true);
    assert.equal(call('contains', [[1, 2, 3], 4], 'u8'), false);
    assert.equal(call('contains', [[], 0], 'u8'), false);
    assert.equal(call('contains', [['a', 'b'], 'b'], 'string'), true);
    assert.equal(call('contains', [[2n ** 64n], 2n ** 64n], 'u128'), true);
    assert.equal(call('contains', [[2n ** 64n], 2n ** 64n + 1n], 'u128'), false);
    // NaN equals nothing, -0 equals 0 (IEEE equality, as Rust's PartialEq).
    assert.equal(call('contains', [[Number.NaN], Number.NaN], 'f64'), false);
    assert.equal(call('contains', [[0], -0], 'f64'), true);
  });

  test('|contains accepts byte vectors held as Uint8Array', () => {
    assert.equal(call('contains', [new Uint8Array([1, 42]), 42], 'byte'), true);
    assert.equal(call('contains', [new Uint8Array([1, 42]), 43], 'byte'), false);
  });

  test('|contains compares data values with their equals', () => {
    const u8 = coreType('u8');
    const maps = [MapValue.entry('a', 1, u8), MapValue.entry('b', 2, u8)];
    assert.equal(call('contains', [maps, MapValue.entry('b', 2, u8)], 'Map'), true);
    assert.equal(call('contains', [maps, MapValue.entry('b', 2, coreType('u16'))], 'Map'), false);
  });

  test('|concat concatenates without touching its arguments', () => {
    const first = [1, 2];
    assert.deepEqual(call('concat', [first, [3]], 'u8'), [1, 2, 3]);
    assert.deepEqual(first, [1, 2]);
    assert.deepEqual(call('concat', [[], []], 'u8'), []);
    assert.deepEqual(call('concat', [[['a']], [['b', 'c']]], 'Vec<string>'), [['a'], ['b', 'c']]);
  });

  test('|concat of bytes stays a Uint8Array when either side is one', () => {
    assert.deepEqual(call('concat', [new Uint8Array([1]), [2, 3]], 'byte'), new Uint8Array([1, 2, 3]));
    assert.deepEqual(call('concat', [[1], new Uint8Array([2])], 'byte'), new Uint8Array([1, 2]));
  });
});

describe('std/ops/vec stream treatments', () => {
  test('contains pairs values with vectors in order, across uneven batches', async () => {
    const r = await runTreatment(t(stream, 'contains'), {
      generics: { T: 'u8' },
      inputs: { value: { batches: [[1], [2, 3]] }, vec: { batches: [[[1], [1, 2]], [[4]]] } },
    });
    assert.deepEqual(r.outputs.contains, [true, true, false]);
  });

  test('contains ends with the shorter input (rule Z)', async () => {
    const d = t(stream, 'contains');
    const shortVec = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: [1, 2, 3], vec: [[1]] } });
    assert.deepEqual(shortVec.outputs.contains, [true]);
    const shortValue = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: [5], vec: [[5], [5], [5]] } });
    assert.deepEqual(shortValue.outputs.contains, [true]);
    const none = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: 'closed', vec: [[1]] } });
    assert.deepEqual(none.outputs.contains, []);
  });

  test('pairwise treatments read `a` before `b` and stop at the first end or failed send', async () => {
    const d = t(stream, 'contains');
    assert.deepEqual(await readsWithoutConsumers(d, { value: [], vec: [[1]] }, { generics: { T: 'u8' } }), { value: 0, vec: 0 });
    // Counts are batches delivered: an input that ends delivers none.
    assert.deepEqual(await readsWithoutConsumers(d, { value: [1], vec: [] }, { generics: { T: 'u8' } }), { value: 1, vec: 0 });
    assert.deepEqual(await readsWithoutConsumers(d, { value: [1], vec: [[1]] }, { generics: { T: 'u8' } }), { value: 1, vec: 1 });
    const concat = t(stream, 'concat');
    assert.deepEqual(await readsWithoutConsumers(concat, { first: [[1]], second: [[2]] }, { generics: { T: 'u8' } }), {
      first: 1,
      second: 1,
    });
  });

  test('contains stops when its consumer leaves (rule C)', async () => {
    const r = await runTreatment(t(stream, 'contains'), {
      generics: { T: 'string' },
      inputs: { value: { batches: [['a'], ['b'], ['c']] }, vec: { batches: [[['a']], [[]], [['c']]] } },
      outputs: { contains: { take: 1 } },
    });
    assert.deepEqual(r.outputs.contains, [true]);
    assert.equal(r.error, undefined);
  });

  test('concat concatenates pairwise and ends with the shorter input', async () => {
    const r = await runTreatment(t(stream, 'concat'), {
      generics: { T: 'u8' },
      inputs: { first: { batches: [[[1]], [[2], []]] }, second: { batches: [[[3], [4]], [[5]], [[6]]] } },
    });
    assert.deepEqual(r.outputs.concatened, [[1, 3], [2, 4], [5]]);
    const empty = await runTreatment(t(stream, 'concat'), { generics: { T: 'u8' }, inputs: { first: [[1]], second: 'closed' } });
    assert.deepEqual(empty.outputs.concatened, []);
  });
});

describe('std/ops/vec/block treatments', () => {
  test('contains emits once both blocks arrived', async () => {
    const d = t(block, 'contains');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'char' }, inputs: { value: ['é'], vec: [['a', 'é']] } })).outputs.contains, [
      true,
    ]);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'char' }, inputs: { value: ['z'], vec: [['a']] } })).outputs.contains, [
      false,
    ]);
  });

  test('contains closes empty when either block is missing (rule B)', async () => {
    const d = t(block, 'contains');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: 'closed', vec: [[1]] } })).outputs.contains, []);
    const noVec = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: [1], vec: 'closed' } });
    assert.deepEqual(noVec.outputs.contains, []);
    assert.deepEqual(noVec.closeOrder, ['contains']);
  });

  test('concat emits the concatenation once, nothing when a block is missing', async () => {
    const d = t(block, 'concat');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { first: [[1, 2]], second: [[3]] } })).outputs.concatened, [
      [1, 2, 3],
    ]);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { first: [[1]], second: 'closed' } })).outputs.concatened, []);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { first: 'closed', second: [[1]] } })).outputs.concatened, []);
  });
});
