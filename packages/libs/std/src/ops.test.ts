import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment, typeOf } from '@tutti/engine/testing';
import { ops } from './ops.js';

function treatmentOf(name: string): TreatmentDescriptor {
  const d = ops.find((e): e is TreatmentDescriptor => e.kind === 'treatment' && e.name === name);
  assert.ok(d, name);
  return d;
}

function call(name: string, t: string, ...args: Value[]): Value {
  const d = ops.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === name);
  assert.ok(d?.impl, name);
  return d.impl(args, { T: typeOf(t) });
}

/** A library data value ordered by `rank`. */
class Ranked {
  constructor(readonly rank: number) {}
  equals(other: unknown): boolean {
    return other instanceof Ranked && other.rank === this.rank;
  }
  compare(other: unknown): number {
    return other instanceof Ranked ? Math.sign(this.rank - other.rank) : Number.NaN;
  }
  display(): string {
    return `rank ${this.rank}`;
  }
}

const NaN_ = Number.NaN;

describe('std/ops functions', () => {
  test('every element has its behaviour', () => {
    assert.ok(ops.every((d) => (d.kind === 'function' ? d.impl !== undefined : d.kind === 'treatment' && d.run !== undefined)));
    assert.equal(ops.length, 19);
  });

  test('|condition', () => {
    assert.equal(call('condition', 'string', true, 'a', 'b'), 'a');
    assert.equal(call('condition', 'string', false, 'a', 'b'), 'b');
  });

  test('|equal and |not_equal', () => {
    assert.equal(call('equal', 'u64', 2n ** 60n, 2n ** 60n), true);
    assert.equal(call('equal', 'u64', 2 ** 53 - 1, 2n ** 53n), false);
    assert.equal(call('equal', 'f64', NaN_, NaN_), false);
    assert.equal(call('not_equal', 'f64', NaN_, NaN_), true);
    assert.equal(call('equal', 'f64', -0, 0), true);
    assert.equal(call('equal', 'char', 'é', 'é'), true);
    assert.equal(call('not_equal', 'string', 'a', 'b'), true);
    assert.equal(call('equal', 'bool', true, true), true);
    assert.equal(call('equal', 'Vec<u8>', [1, 2], Uint8Array.of(1, 2)), true);
  });

  test('|gt |ge |lt |le, with NaN unordered', () => {
    assert.deepEqual(
      [call('gt', 'i8', 2, 1), call('ge', 'i8', 1, 1), call('lt', 'i8', 1, 1), call('le', 'i8', 1, 1)],
      [true, true, false, true],
    );
    for (const f of ['gt', 'ge', 'lt', 'le']) {
      assert.equal(call(f, 'f64', NaN_, 1), false, f);
      assert.equal(call(f, 'f32', 1, NaN_), false, f);
    }
    assert.equal(call('lt', 'u128', 2 ** 53 - 1, 2n ** 100n), true);
    assert.equal(call('gt', 'i128', -(2n ** 100n), -5), false);
    assert.equal(call('lt', 'bool', false, true), true);
    assert.equal(call('ge', 'f64', -0, 0), true);
  });

  test('chars and strings order by code point, not UTF-16 unit', () => {
    assert.equal(call('lt', 'char', '\u{FFFF}', '\u{10000}'), true);
    assert.equal(call('lt', 'string', 'ab', 'abc'), true);
    assert.equal(call('gt', 'string', '\u{1F600}', '\u{FF61}'), true);
    assert.equal(call('max', 'string', '\u{FF61}', '\u{1F600}'), '\u{1F600}');
  });

  test('|min and |max', () => {
    assert.equal(call('min', 'i32', 3, -4), -4);
    assert.equal(call('max', 'u64', 2n ** 64n - 1n, 5), 2n ** 64n - 1n);
    assert.equal(call('min', 'byte', 0xff, 0x10), 0x10);
    assert.equal(call('max', 'bool', false, true), true);
    // Floats ignore a NaN operand, like Rust's f64::min/max.
    assert.equal(call('max', 'f64', NaN_, 1), 1);
    assert.equal(call('min', 'f64', 1, NaN_), 1);
    assert.deepEqual(call('max', 'f64', NaN_, NaN_), NaN_);
    assert.ok(Object.is(call('max', 'f64', -0, 0), 0));
    assert.ok(Object.is(call('min', 'f32', 0, -0), -0));
    assert.equal(call('max', 'f64', Number.NEGATIVE_INFINITY, -1e308), -1e308);
  });

  test('library data values use their own equality and order', () => {
    const t = 'Rank';
    const d = ops.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === 'max');
    const g = { T: typeOf(t, { Rank: 'test::Rank' }) };
    const [a, b] = [new Ranked(1), new Ranked(2)];
    assert.equal(d?.impl?.([a, b], g), b);
    const eq = ops.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === 'equal');
    assert.equal(eq?.impl?.([a, new Ranked(1)], g), true);
  });

  test('|clamp', () => {
    assert.equal(call('clamp', 'i32', 5, 0, 3), 3);
    assert.equal(call('clamp', 'i32', -5, 0, 3), 0);
    assert.equal(call('clamp', 'i32', 2, 0, 3), 2);
    assert.equal(call('clamp', 'u128', 2n ** 100n, 0, 2n ** 64n), 2n ** 64n);
    assert.equal(call('clamp', 'string', 'zebra', 'a', 'm'), 'm');
    assert.deepEqual(call('clamp', 'f64', NaN_, 0, 1), NaN_);
    assert.ok(Object.is(call('clamp', 'f64', -0, 0, 1), -0));
    assert.equal(call('clamp', 'i8', 7, 7, 7), 7);
  });

  test('|clamp with min > max or a NaN bound is an error (where the reference panics)', () => {
    assert.throws(() => call('clamp', 'i32', 1, 5, 3), { message: "Cannot clamp: 'min' (5) is greater than 'max' (3)" });
    assert.throws(() => call('clamp', 'string', 'x', 'b', 'a'), { message: `Cannot clamp: 'min' ("b") is greater than 'max' ("a")` });
    assert.throws(() => call('clamp', 'f64', 1, NaN_, 3), { message: "Cannot clamp: 'min' (NaN) and 'max' (3) are unordered" });
    assert.throws(() => call('clamp', 'f32', 1, 0, NaN_), /unordered/);
  });
});

describe('std/ops treatments', () => {
  test('equal and notEqual, pairwise', async () => {
    const eq = await runTreatment(treatmentOf('equal'), {
      generics: { T: 'f64' },
      inputs: { a: { batches: [[1, NaN_], [-0]] }, b: [1, NaN_, 0, 4] },
    });
    assert.deepEqual(eq.outputs.result, [true, false, true]);
    const ne = await runTreatment(treatmentOf('notEqual'), { generics: { T: 'string' }, inputs: { a: ['a', 'b'], b: ['a', 'c'] } });
    assert.deepEqual(ne.outputs.result, [false, true]);
  });

  test('orderings write to port `is`', async () => {
    const a = [1, 2, 3, NaN_];
    const b = [2, 2, 2, 2];
    const run = async (name: string) => (await runTreatment(treatmentOf(name), { generics: { T: 'f32' }, inputs: { a, b } })).outputs.is;
    assert.deepEqual(await run('greaterThan'), [false, false, true, false]);
    assert.deepEqual(await run('greaterEqual'), [false, true, true, false]);
    assert.deepEqual(await run('lowerThan'), [true, false, false, false]);
    assert.deepEqual(await run('lowerEqual'), [true, true, false, false]);
  });

  test('min and max streams', async () => {
    const a = [5, -(2n ** 100n), 0];
    const b = [7, 3, 0];
    const min = await runTreatment(treatmentOf('min'), { generics: { T: 'i128' }, inputs: { a, b } });
    assert.deepEqual(min.outputs.min, [5, -(2n ** 100n), 0]);
    const max = await runTreatment(treatmentOf('max'), { generics: { T: 'i128' }, inputs: { a, b: { batches: [[7], [3, 0, 9]] } } });
    assert.deepEqual(max.outputs.max, [7, 3, 0]);
  });

  test('pairwise comparisons end with either input and follow rule C', async () => {
    const r = await runTreatment(treatmentOf('equal'), { generics: { T: 'u8' }, inputs: { a: [], b: 'open' } });
    assert.deepEqual(r.outputs.result, []);
    const batches = Array.from({ length: 20 }, (_, i) => [i]);
    const taken = await runTreatment(treatmentOf('lowerThan'), {
      generics: { T: 'u8' },
      inputs: { a: { batches }, b: { batches } },
      outputs: { is: { take: 1 } },
    });
    assert.equal(taken.error, undefined);
    assert.deepEqual(taken.outputs.is, [false]);
  });

  test('clamp treatment', async () => {
    const r = await runTreatment(treatmentOf('clamp'), {
      generics: { T: 'i64' },
      params: { min: -10, max: 2n ** 60n },
      inputs: {
        value: {
          batches: [
            [-11, 0],
            [2n ** 61n, 5],
          ],
        },
      },
    });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.clamped, [-10, 0, 2n ** 60n, 5]);
  });

  test('clamp treatment with min > max fails at the first value, not on an empty stream', async () => {
    const bad = await runTreatment(treatmentOf('clamp'), { generics: { T: 'u8' }, params: { min: 9, max: 1 }, inputs: { value: [4] } });
    assert.ok(bad.error instanceof Error);
    assert.equal(bad.error.message, "Cannot clamp: 'min' (9) is greater than 'max' (1)");
    assert.deepEqual(bad.outputs.clamped, []);
    const empty = await runTreatment(treatmentOf('clamp'), { generics: { T: 'u8' }, params: { min: 9, max: 1 }, inputs: { value: [] } });
    assert.equal(empty.error, undefined);
    const nan = await runTreatment(treatmentOf('clamp'), { generics: { T: 'f64' }, params: { min: NaN_, max: 1 }, inputs: { value: [0] } });
    assert.match(String(nan.error), /unordered/);
  });

  test('clamp treatment follows rule C', async () => {
    const r = await runTreatment(treatmentOf('clamp'), {
      generics: { T: 'u8' },
      params: { min: 1, max: 3 },
      inputs: { value: { batches: [[0], [5], [2]] } },
      outputs: { clamped: { unconnected: true } },
    });
    assert.equal(r.error, undefined);
  });
});
