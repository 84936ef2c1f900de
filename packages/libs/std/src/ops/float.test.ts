import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment, typeOf } from '@tutti/engine/testing';
import { opsFloat } from './float.js';

function treatmentOf(name: string): TreatmentDescriptor {
  const d = opsFloat.find((e): e is TreatmentDescriptor => e.kind === 'treatment' && e.name === name);
  assert.ok(d, name);
  return d;
}

function call(name: string, f: 'f32' | 'f64', ...args: number[]): Value {
  const d = opsFloat.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === name);
  assert.ok(d?.impl, name);
  return d.impl(args, { F: typeOf(f) });
}

const { NaN: NAN, POSITIVE_INFINITY: INF, NEGATIVE_INFINITY: NINF } = Number;
const F32_EPSILON = 2 ** -23;

describe('std/ops/float functions', () => {
  test('36 functions with an implementation and 36 treatments with a behaviour', () => {
    assert.equal(opsFloat.filter((d) => d.kind === 'function' && d.impl !== undefined).length, 36);
    assert.equal(opsFloat.filter((d) => d.kind === 'treatment' && d.run !== undefined).length, 36);
  });

  test('predicates, with the thresholds of each width', () => {
    for (const f of ['f32', 'f64'] as const) {
      assert.deepEqual(
        [NAN, 1, INF, NINF, 0].map((v) => call('is_nan', f, v)),
        [true, false, false, false, false],
      );
      assert.deepEqual(
        [NAN, 1, INF, NINF, -0].map((v) => call('is_finite', f, v)),
        [false, true, false, false, true],
      );
      assert.deepEqual(
        [NAN, 1, INF, NINF].map((v) => call('is_infinite', f, v)),
        [false, false, true, true],
      );
      assert.deepEqual(
        [NAN, 1, INF, 0, -0].map((v) => call('is_normal', f, v)),
        [false, true, false, false, false],
      );
      assert.deepEqual(
        [NAN, 1, INF, 0].map((v) => call('is_subnormal', f, v)),
        [false, false, false, false],
      );
    }
    const f32Subnormal = Math.fround(1e-40);
    assert.equal(call('is_subnormal', 'f32', f32Subnormal), true);
    assert.equal(call('is_normal', 'f32', f32Subnormal), false);
    assert.equal(call('is_normal', 'f64', f32Subnormal), true);
    assert.equal(call('is_normal', 'f32', 2 ** -126), true);
    assert.equal(call('is_subnormal', 'f32', -(2 ** -127)), true);
    assert.equal(call('is_subnormal', 'f64', 5e-324), true);
    assert.equal(call('is_normal', 'f64', 2 ** -1022), true);
    assert.equal(call('is_subnormal', 'f64', 2 ** -1023), true);
  });

  test('round goes half away from zero; floor, ceil, trunc, fract', () => {
    for (const f of ['f32', 'f64'] as const) {
      assert.deepEqual(
        [2.5, -2.5, 0.5, -0.5, 1.5, -0.4, 0.4, NAN, INF].map((v) => call('round', f, v)),
        [3, -3, 1, -1, 2, -0, 0, NAN, INF],
      );
      assert.deepEqual(
        [1.5, -1.5, -0.5].map((v) => call('floor', f, v)),
        [1, -2, -1],
      );
      assert.deepEqual(
        [1.5, -1.5, -0.5].map((v) => call('ceil', f, v)),
        [2, -1, -0],
      );
      assert.deepEqual(
        [1.5, -1.5, -0.5].map((v) => call('trunc', f, v)),
        [1, -1, -0],
      );
      assert.deepEqual(
        [1.25, -1.25, INF, 3].map((v) => call('fract', f, v)),
        [0.25, -0.25, NAN, 0],
      );
    }
    assert.equal(call('round', 'f64', 0.49999999999999994), 0);
    assert.equal(call('round', 'f64', 4503599627370497), 4503599627370497);
  });

  test('powers follow C pow, not Math.pow', () => {
    for (const f of ['f32', 'f64'] as const) {
      assert.equal(call('pow', f, 1, NAN), 1);
      assert.equal(call('pow', f, 1, INF), 1);
      assert.equal(call('pow', f, -1, NINF), 1);
      assert.equal(call('pow', f, NAN, 0), 1);
      assert.equal(call('pow', f, 2, 10), 1024);
      assert.equal(call('pow', f, 2, -1), 0.5);
      assert.deepEqual(call('pow', f, -8, 1 / 3), NAN);
      assert.equal(call('pow', f, 0, -1), INF);
    }
    assert.equal(call('pow', 'f32', 10, 39), INF);
    // V8's pow may differ from glibc's in the last bit (1.0000000000000001e39 here).
    assert.ok(Math.abs((call('pow', 'f64', 10, 39) as number) / 1e39 - 1) < 1e-15);
  });

  test('roots, exponentials and logarithms', () => {
    assert.deepEqual(call('sqrt', 'f64', -1), NAN);
    assert.ok(Object.is(call('sqrt', 'f64', -0), -0));
    assert.equal(call('sqrt', 'f32', 2), Math.fround(Math.SQRT2));
    assert.equal(call('cbrt', 'f64', -8), -2);
    assert.equal(call('recip', 'f64', 4), 0.25);
    assert.equal(call('recip', 'f64', -0), NINF);
    assert.equal(call('recip', 'f32', 3), Math.fround(1 / 3));
    assert.equal(call('exp', 'f64', 0), 1);
    assert.equal(call('exp2', 'f64', 10), 1024);
    assert.equal(call('exp2', 'f32', 128), INF);
    assert.equal(call('ln', 'f64', Math.E), 1);
    assert.equal(call('ln', 'f64', 0), NINF);
    assert.deepEqual(call('ln', 'f64', -1), NAN);
    assert.equal(call('log2', 'f64', 8), 3);
    assert.equal(call('log10', 'f64', 1000), 3);
    assert.equal(call('log', 'f64', 8, 2), 3);
    assert.equal(call('log', 'f64', 100, 10), 2);
    assert.equal(call('log', 'f32', 8, 2), 3);
    assert.equal(call('hypot', 'f64', 3, 4), 5);
    assert.equal(call('hypot', 'f64', INF, NAN), INF);
  });

  test('trigonometry and angle conversions', () => {
    assert.ok(Object.is(call('sin', 'f64', -0), -0));
    assert.equal(call('cos', 'f64', 0), 1);
    assert.equal(call('tan', 'f32', 0), 0);
    assert.equal(call('asin', 'f64', 1), Math.PI / 2);
    assert.equal(call('acos', 'f64', 1), 0);
    assert.equal(call('atan', 'f64', INF), Math.PI / 2);
    assert.equal(call('atan2', 'f64', 1, -1), (3 * Math.PI) / 4);
    assert.equal(call('atan2', 'f64', -0, -1), -Math.PI);
    assert.equal(call('atan2', 'f32', 1, 0), Math.fround(Math.PI / 2));
    assert.equal(call('sinh', 'f64', 0), 0);
    assert.equal(call('cosh', 'f64', 0), 1);
    assert.equal(call('tanh', 'f64', INF), 1);
    assert.equal(call('asinh', 'f64', 0), 0);
    assert.equal(call('acosh', 'f64', 1), 0);
    assert.equal(call('atanh', 'f64', 1), INF);
    assert.equal(call('to_degrees', 'f64', Math.PI), 180);
    assert.equal(call('to_radians', 'f64', 180), Math.PI);
    assert.equal(call('to_degrees', 'f32', Math.fround(Math.PI)), 180);
    const r = call('to_radians', 'f32', 180) as number;
    assert.equal(Math.fround(r), r);
    assert.ok(Math.abs(r - Math.fround(Math.PI)) <= F32_EPSILON);
  });

  test('every f32 result is a binary32 value', () => {
    const inputs = [0.1, 1.7, -2.3, 10, 1e-3, 123.456].map(Math.fround);
    for (const d of opsFloat) {
      if (d.kind !== 'function' || d.returns !== 'F' || d.impl === undefined) continue;
      for (const v of inputs) {
        const r = d.impl(d.params.length === 2 ? [v, Math.fround(1.5)] : [v], { F: typeOf('f32') }) as number;
        if (!Number.isNaN(r) && Math.fround(r) !== r) assert.fail(`${d.name}(${v}) = ${r} is not a binary32 value`);
      }
    }
  });
});

describe('std/ops/float treatments', () => {
  test('output ports are named as declared, snake_case ones included', async () => {
    const run = async (name: string, port: string, value: number[], params: Record<string, Value> = {}) =>
      (await runTreatment(treatmentOf(name), { generics: { F: 'f64' }, params, inputs: { value } })).outputs[port];
    assert.deepEqual(await run('toDegrees', 'to_degrees', [Math.PI, 0]), [180, 0]);
    assert.deepEqual(await run('toRadians', 'to_radians', [180]), [Math.PI]);
    assert.deepEqual(await run('isNan', 'nan', [NAN, 1]), [true, false]);
    assert.deepEqual(await run('isFinite', 'finite', [INF, 1]), [false, true]);
    assert.deepEqual(await run('isInfinite', 'infinite', [NINF, 1]), [true, false]);
    assert.deepEqual(await run('isNormal', 'normal', [0, 1]), [false, true]);
    assert.deepEqual(await run('isSubnormal', 'subnormal', [5e-324, 1]), [true, false]);
    assert.deepEqual(await run('round', 'round', [-2.5, 2.5]), [-3, 3]);
    assert.deepEqual(await run('exp2', 'exp2', [3]), [8]);
  });

  test('parameters: pow exp, log base, hypot n, atan2 n', async () => {
    const run = async (name: string, params: Record<string, Value>, value: number[], f = 'f64') =>
      (
        await runTreatment(treatmentOf(name), {
          generics: { F: f },
          params,
          inputs: { value: { batches: [value.slice(0, 1), value.slice(1)] } },
        })
      ).outputs[name];
    assert.deepEqual(await run('pow', { exp: 2 }, [3, -4, 1]), [9, 16, 1]);
    assert.deepEqual(await run('log', { base: 2 }, [8, 1]), [3, 0]);
    assert.deepEqual(await run('hypot', { n: 4 }, [3, 0]), [5, 4]);
    assert.deepEqual(await run('atan2', { n: -1 }, [0, -0]), [Math.PI, -Math.PI]);
    assert.deepEqual(await run('pow', { exp: Math.fround(0.5) }, [2], 'f32'), [Math.fround(Math.SQRT2)]);
  });

  test('empty input and rule C', async () => {
    const empty = await runTreatment(treatmentOf('sqrt'), { generics: { F: 'f32' }, inputs: { value: [] } });
    assert.deepEqual(empty.outputs.sqrt, []);
    assert.deepEqual(empty.closeOrder, ['sqrt']);
    const taken = await runTreatment(treatmentOf('isNan'), {
      generics: { F: 'f64' },
      inputs: { value: { batches: [[1], [NAN], [2]] } },
      outputs: { nan: { take: 1 } },
    });
    assert.equal(taken.error, undefined);
    assert.deepEqual(taken.outputs.nan, [false]);
  });
});
