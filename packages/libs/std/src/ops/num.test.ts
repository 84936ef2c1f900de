import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment, typeOf } from '@tutti/engine/testing';
import { opsNum } from './num.js';

function treatmentOf(name: string): TreatmentDescriptor {
  const d = opsNum.find((e): e is TreatmentDescriptor => e.kind === 'treatment' && e.name === name);
  assert.ok(d, name);
  return d;
}

function call(name: string, n: string, ...args: Value[]): Value {
  const d = opsNum.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === name);
  assert.ok(d?.impl, name);
  return d.impl(args, { N: typeOf(n) });
}

describe('std/ops/num descriptors', () => {
  test('29 functions with an implementation and 29 treatments with a behaviour', () => {
    assert.equal(opsNum.filter((d) => d.kind === 'function' && d.impl !== undefined).length, 29);
    assert.equal(opsNum.filter((d) => d.kind === 'treatment' && d.run !== undefined).length, 29);
  });
});

describe('std/ops/num functions', () => {
  test('integer forms of addition', () => {
    assert.equal(call('add', 'i8', 127, 1), -128);
    assert.equal(call('wrapping_add', 'u8', 255, 1), 0);
    assert.equal(call('checked_add', 'u8', 255, 1), null);
    assert.equal(call('checked_add', 'u8', 254, 1), 255);
    assert.equal(call('saturating_add', 'i16', -32768, -1), -32768);
    assert.equal(call('add', 'u128', 2n ** 128n - 1n, 1), 0);
  });

  test('subtraction, multiplication, division, remainder, Euclid', () => {
    assert.equal(call('sub', 'u32', 0, 1), 4294967295);
    assert.equal(call('checked_sub', 'u64', 0, 1), null);
    assert.equal(call('saturating_sub', 'u64', 0, 1), 0);
    assert.equal(call('wrapping_sub', 'i64', -(2n ** 63n), 1), 2n ** 63n - 1n);
    assert.equal(call('mul', 'i64', 2n ** 62n, 2), -(2n ** 63n));
    assert.equal(call('checked_mul', 'i64', 2n ** 62n, 2), null);
    assert.equal(call('saturating_mul', 'i64', 2n ** 62n, -4), -(2n ** 63n));
    assert.equal(call('wrapping_mul', 'u8', 16, 17), 16);
    assert.equal(call('div', 'i32', -7, 2), -3);
    assert.equal(call('div', 'i32', 7, 0), 0);
    assert.equal(call('div', 'i32', -2147483648, -1), -2147483648);
    assert.equal(call('checked_div', 'i32', -2147483648, -1), null);
    assert.equal(call('rem', 'i32', -7, 2), -1);
    assert.equal(call('rem', 'i32', -2147483648, -1), 0);
    assert.equal(call('checked_rem', 'i8', 5, 0), null);
    assert.equal(call('euclid_div', 'i8', -7, 2), -4);
    assert.equal(call('euclid_rem', 'i8', -7, 2), 1);
    assert.equal(call('checked_euclid_div', 'i8', -128, -1), null);
    assert.equal(call('checked_euclid_rem', 'i8', -7, -2), 1);
  });

  test('negation, powers, sign', () => {
    assert.equal(call('neg', 'i8', -128), -128);
    assert.equal(call('wrapping_neg', 'i8', -128), -128);
    assert.equal(call('checked_neg', 'i8', -128), null);
    assert.equal(call('checked_neg', 'i8', -127), 127);
    assert.equal(call('pow', 'u8', 2, 8), 0);
    assert.equal(call('pow', 'i64', 3, 40), 12157665459056928801n - 2n ** 64n);
    assert.equal(call('checked_pow', 'u8', 2, 8), null);
    assert.equal(call('checked_pow', 'u8', 2, 7), 128);
    assert.equal(call('abs', 'i32', -2147483648), null);
    assert.equal(call('abs', 'i64', -(2n ** 63n) + 1n), 2n ** 63n - 1n);
    assert.equal(call('signum', 'i128', -(2n ** 100n)), -1);
    assert.equal(call('is_positive', 'i16', 0), false);
    assert.equal(call('is_negative', 'i16', -1), true);
  });

  test('floats: IEEE results, f32 rounding', () => {
    assert.equal(call('add', 'f32', Math.fround(0.1), Math.fround(0.2)), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    assert.equal(call('add', 'f64', 0.1, 0.2), 0.1 + 0.2);
    assert.equal(call('mul', 'f32', 3.4028234663852886e38, 2), Number.POSITIVE_INFINITY);
    assert.equal(call('div', 'f64', 1, 0), Number.POSITIVE_INFINITY);
    assert.equal(call('div', 'f64', -1, 0), Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(call('div', 'f64', 0, 0)));
    assert.ok(Object.is(call('div', 'f64', 1, Number.NEGATIVE_INFINITY), -0));
    assert.equal(call('rem', 'f64', -5.5, 2), -1.5);
    assert.equal(call('euclid_div', 'f64', -5.5, 2), -3);
    assert.equal(call('euclid_rem', 'f64', -5.5, 2), 0.5);
    assert.equal(call('euclid_rem', 'f64', -5.5, -2), 0.5);
    assert.equal(call('euclid_div', 'f64', -5.5, -2), 3);
    assert.ok(Number.isNaN(call('euclid_rem', 'f64', 1, 0)));
    assert.ok(Object.is(call('neg', 'f64', 0), -0));
    assert.deepEqual(call('abs', 'f64', Number.NEGATIVE_INFINITY), Number.POSITIVE_INFINITY);
    assert.ok(Object.is(call('abs', 'f32', -0), 0));
  });

  test('floats: signum and sign tests follow the sign bit, NaN aside', () => {
    const cases: [number, number, boolean, boolean][] = [
      [0, 1, true, false],
      [-0, -1, false, true],
      [Number.POSITIVE_INFINITY, 1, true, false],
      [Number.NEGATIVE_INFINITY, -1, false, true],
      [-3.5, -1, false, true],
      [Number.NaN, Number.NaN, false, false],
    ];
    for (const [v, sign, positive, negative] of cases) {
      for (const f of ['f32', 'f64']) {
        assert.deepEqual(call('signum', f, v), sign, `signum(${v})`);
        assert.equal(call('is_positive', f, v), positive, `is_positive(${v})`);
        assert.equal(call('is_negative', f, v), negative, `is_negative(${v})`);
      }
    }
  });

  test('an operation outside its bound is an error, not a value', () => {
    assert.throws(() => call('checked_add', 'f64', 1, 2), /Operation 'checkedAdd' is not defined for type 'f64'/);
    assert.throws(() => call('pow', 'f32', 1, 2), /not defined for type 'f32'/);
    assert.throws(() => call('add', 'string', 'a', 'b'), /not defined for type 'string'/);
  });
});

describe('std/ops/num treatments', () => {
  test('add pairs values across unequal batches and keeps their order', async () => {
    const r = await runTreatment(treatmentOf('add'), {
      generics: { N: 'u8' },
      inputs: { a: { batches: [[1, 2, 3], [4], [5, 6]] }, b: { batches: [[10], [20, 30, 40, 250], [60]] } },
    });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.sum, [11, 22, 33, 44, 255, 66]);
  });

  test('ends with the shorter input; the rest of the longer one is ignored', async () => {
    const longA = await runTreatment(treatmentOf('sub'), {
      generics: { N: 'i8' },
      inputs: {
        a: {
          batches: [
            [-128, 5],
            [6, 7],
          ],
        },
        b: [1, 1, 1],
      },
    });
    assert.deepEqual(longA.outputs.diff, [127, 4, 5]);
    const longB = await runTreatment(treatmentOf('mul'), { generics: { N: 'u16' }, inputs: { a: [300], b: { batches: [[300, 2], [3]] } } });
    assert.deepEqual(longB.outputs.prod, [(300 * 300) % 65536]);
  });

  test('an empty input ends the treatment even when the other never closes', async () => {
    const r = await runTreatment(treatmentOf('add'), { generics: { N: 'u32' }, inputs: { a: [], b: 'open' } });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.sum, []);
    assert.deepEqual(r.closeOrder, ['sum']);
    const r2 = await runTreatment(treatmentOf('add'), { generics: { N: 'u32' }, inputs: { a: [1, 2], b: [] } });
    assert.deepEqual(r2.outputs.sum, []);
  });

  test('rule C: stops when the consumer goes or is missing', async () => {
    const batches = Array.from({ length: 50 }, (_, i) => [i]);
    const taken = await runTreatment(treatmentOf('add'), {
      generics: { N: 'i64' },
      inputs: { a: { batches }, b: { batches } },
      outputs: { sum: { take: 2 } },
    });
    assert.equal(taken.error, undefined);
    assert.deepEqual(taken.outputs.sum, [0, 2]);
    const none = await runTreatment(treatmentOf('checkedMul'), {
      generics: { N: 'i64' },
      inputs: { a: { batches }, b: { batches } },
      outputs: { prod: { unconnected: true } },
    });
    assert.equal(none.error, undefined);
    assert.deepEqual(none.outputs.prod, []);
  });

  test('checked and saturating streams of wide integers', async () => {
    const max = 2n ** 64n - 1n;
    const checked = await runTreatment(treatmentOf('checkedAdd'), {
      generics: { N: 'u64' },
      inputs: { a: [max, 1, 2 ** 53 - 1], b: [1, max - 1n, 1] },
    });
    assert.deepEqual(checked.outputs.sum, [null, max, 2n ** 53n]);
    const saturated = await runTreatment(treatmentOf('saturatingSub'), {
      generics: { N: 'u128' },
      inputs: { a: [0, 5, 2n ** 100n], b: [1, 2, 1] },
    });
    assert.deepEqual(saturated.outputs.diff, [0, 3, 2n ** 100n - 1n]);
    const wrapped = await runTreatment(treatmentOf('wrappingMul'), { generics: { N: 'i128' }, inputs: { a: [2n ** 126n], b: [2] } });
    assert.deepEqual(wrapped.outputs.prod, [-(2n ** 127n)]);
  });

  test('u128 sums over big batches are cut into chunks of at most 8192 values', async () => {
    const n = 20000;
    const a = Array.from({ length: n }, (_, i) => i);
    const b = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : 2n ** 127n + BigInt(i)));
    const r = await runTreatment(treatmentOf('add'), { generics: { N: 'u128' }, inputs: { a, b } });
    assert.equal(r.outputs.sum?.length, n);
    for (let i = 0; i < n; i++) {
      const want = i % 2 === 0 ? 2 * i : 2n ** 127n + BigInt(2 * i);
      if (r.outputs.sum?.[i] !== want) assert.fail(`sum[${i}] = ${r.outputs.sum?.[i]}`);
    }
    assert.ok((r.batches.sum ?? []).every((batch) => batch.length <= 8192));
  });

  test('division treatments: zero divisors, overflow and options', async () => {
    const a = [7, -7, -128, -128];
    const b = [0, 2, -1, 3];
    const run = async (name: string, port: string) =>
      (await runTreatment(treatmentOf(name), { generics: { N: 'i8' }, inputs: { a, b } })).outputs[port];
    assert.deepEqual(await run('div', 'quot'), [0, -3, -128, -42]);
    assert.deepEqual(await run('checkedDiv', 'quot'), [null, -3, null, -42]);
    assert.deepEqual(await run('rem', 'rem'), [0, -1, 0, -2]);
    assert.deepEqual(await run('checkedRem', 'rem'), [null, -1, null, -2]);
    assert.deepEqual(await run('euclidDiv', 'quot'), [0, -4, -128, -43]);
    assert.deepEqual(await run('euclidRem', 'rem'), [0, 1, 0, 1]);
    assert.deepEqual(await run('checkedEuclidDiv', 'quot'), [null, -4, null, -43]);
    assert.deepEqual(await run('checkedEuclidRem', 'rem'), [null, 1, null, 1]);
  });

  test('float streams', async () => {
    const r = await runTreatment(treatmentOf('div'), {
      generics: { N: 'f64' },
      inputs: { a: [1, 0, -1], b: [0, 0, Number.POSITIVE_INFINITY] },
    });
    assert.deepEqual(r.outputs.quot, [Number.POSITIVE_INFINITY, Number.NaN, -0]);
    const f32 = await runTreatment(treatmentOf('add'), {
      generics: { N: 'f32' },
      inputs: { a: [Math.fround(0.1)], b: [Math.fround(0.2)] },
    });
    assert.deepEqual(f32.outputs.sum, [Math.fround(Math.fround(0.1) + Math.fround(0.2))]);
  });

  test('unary treatments and their output ports', async () => {
    const run = async (name: string, n: string, value: Value[], port: string, params: Record<string, Value> = {}) =>
      (
        await runTreatment(treatmentOf(name), {
          generics: { N: n },
          params,
          inputs: { value: { batches: [value.slice(0, 1), value.slice(1)] } },
        })
      ).outputs[port];
    assert.deepEqual(await run('abs', 'i8', [-128, -5, 7], 'abs'), [null, 5, 7]);
    assert.deepEqual(await run('abs', 'f64', [-0, -2.5, Number.NaN], 'abs'), [0, 2.5, Number.NaN]);
    assert.deepEqual(await run('signum', 'i32', [0, -5, 5], 'sign'), [0, -1, 1]);
    assert.deepEqual(await run('signum', 'f64', [-0, Number.NaN], 'sign'), [-1, Number.NaN]);
    assert.deepEqual(await run('isPositive', 'f32', [0, -0, 1], 'positive'), [true, false, true]);
    assert.deepEqual(await run('isNegative', 'i64', [0, -(2n ** 63n), 1], 'negative'), [false, true, false]);
    assert.deepEqual(await run('neg', 'i16', [-32768, 5], 'neg'), [-32768, -5]);
    assert.deepEqual(await run('neg', 'f64', [0, Number.NEGATIVE_INFINITY], 'neg'), [-0, Number.POSITIVE_INFINITY]);
    assert.deepEqual(await run('checkedNeg', 'i16', [-32768, 5], 'neg'), [null, -5]);
    assert.deepEqual(await run('wrappingNeg', 'i64', [-(2n ** 63n), 2 ** 53 - 1], 'neg'), [-(2n ** 63n), -(2 ** 53) + 1]);
    assert.deepEqual(await run('pow', 'i32', [2, -3, 10], 'pow', { exp: 3 }), [8, -27, 1000]);
    assert.deepEqual(await run('checkedPow', 'u8', [2, 16, 15], 'pow', { exp: 2 }), [4, null, 225]);
    assert.deepEqual(await run('pow', 'u64', [2], 'pow', { exp: 63 }), [2n ** 63n]);
  });

  test('unary treatments end on an empty input and follow rule C', async () => {
    const empty = await runTreatment(treatmentOf('abs'), { generics: { N: 'i32' }, inputs: { value: [] } });
    assert.deepEqual(empty.outputs.abs, []);
    assert.deepEqual(empty.closeOrder, ['abs']);
    const taken = await runTreatment(treatmentOf('neg'), {
      generics: { N: 'i32' },
      inputs: { value: { batches: [[1], [2], [3], [4]] } },
      outputs: { neg: { take: 1 } },
    });
    assert.equal(taken.error, undefined);
    assert.deepEqual(taken.outputs.neg, [-1]);
  });
});
