import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canon, INT_TYPES, type IntInfo, type IntTypeName, type Value } from '@tutti/core';
import type { IntArith } from './arith-types.js';
import { intArith } from './int-arith.js';
import { intPairKernel } from './int-kernels.js';

const NAMES = Object.keys(INT_TYPES) as IntTypeName[];
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// --- A slow, obviously correct model: exact BigInt results, then wrap / check / saturate.

function wrapRef(t: IntInfo, v: bigint): bigint {
  const m = 1n << BigInt(t.bits);
  let r = ((v % m) + m) % m;
  if (t.signed && r > t.max) r -= m;
  return r;
}
function inRange(t: IntInfo, v: bigint): boolean {
  return v >= t.min && v <= t.max;
}
type Form = 'plain' | 'checked' | 'saturating';
function finish(t: IntInfo, form: Form, v: bigint): Value {
  if (form === 'checked') return inRange(t, v) ? canon(v) : null;
  if (form === 'saturating') return canon(v < t.min ? t.min : v > t.max ? t.max : v);
  return canon(wrapRef(t, v));
}
function euclid(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q = b > 0n ? q - 1n : q + 1n;
    r += b < 0n ? -b : b;
  }
  return [q, r];
}

const BINARY: Record<string, (t: IntInfo, a: bigint, b: bigint) => Value> = {
  add: (t, a, b) => finish(t, 'plain', a + b),
  checkedAdd: (t, a, b) => finish(t, 'checked', a + b),
  saturatingAdd: (t, a, b) => finish(t, 'saturating', a + b),
  sub: (t, a, b) => finish(t, 'plain', a - b),
  checkedSub: (t, a, b) => finish(t, 'checked', a - b),
  saturatingSub: (t, a, b) => finish(t, 'saturating', a - b),
  mul: (t, a, b) => finish(t, 'plain', a * b),
  checkedMul: (t, a, b) => finish(t, 'checked', a * b),
  saturatingMul: (t, a, b) => finish(t, 'saturating', a * b),
  div: (t, a, b) => (b === 0n ? 0 : finish(t, 'plain', a / b)),
  checkedDiv: (t, a, b) => (b === 0n ? null : finish(t, 'checked', a / b)),
  // MIN % −1 is 0 mathematically, but checked_rem reports the overflow of MIN / −1.
  rem: (_t, a, b) => (b === 0n ? 0 : canon(a % b)),
  checkedRem: (t, a, b) => (b === 0n || !inRange(t, a / b) ? null : canon(a % b)),
  euclidDiv: (t, a, b) => (b === 0n ? 0 : finish(t, 'plain', euclid(a, b)[0])),
  euclidRem: (_t, a, b) => (b === 0n ? 0 : canon(euclid(a, b)[1])),
  checkedEuclidDiv: (t, a, b) => (b === 0n ? null : finish(t, 'checked', euclid(a, b)[0])),
  checkedEuclidRem: (t, a, b) => (b === 0n || !inRange(t, euclid(a, b)[0]) ? null : canon(euclid(a, b)[1])),
};

const UNARY: Record<string, (t: IntInfo, a: bigint) => Value> = {
  neg: (t, a) => finish(t, 'plain', -a),
  checkedNeg: (t, a) => finish(t, 'checked', -a),
  abs: (t, a) => (inRange(t, a < 0n ? -a : a) ? canon(a < 0n ? -a : a) : null),
  signum: (_t, a) => (a > 0n ? 1 : a < 0n ? -1 : 0),
  isPositive: (_t, a) => a > 0n,
  isNegative: (_t, a) => a < 0n,
};

// --- Operands: the bounds, the safe-integer and 32-bit boundaries, and random values of
// every magnitude (so that both the number fast path and the BigInt path run).

function edges(t: IntInfo): bigint[] {
  const c = [0n, 1n, 2n, 3n, 7n, -1n, -2n, -7n, 127n, 128n, -128n, 255n, 256n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n];
  c.push(SAFE - 1n, SAFE, SAFE + 1n, SAFE + 2n, -SAFE, -SAFE - 1n, -SAFE - 2n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n);
  c.push(t.min, t.min + 1n, t.min / 2n, t.max, t.max - 1n, t.max / 2n, t.max / 2n + 1n);
  return [...new Set(c.filter((v) => inRange(t, v)))];
}

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randomIn(t: IntInfo): bigint {
  const bits = 1 + Math.floor(random() * t.bits);
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(random() * 65536));
  v &= (1n << BigInt(bits)) - 1n;
  if (t.signed && random() < 0.5) v = -v;
  return wrapRef(t, v);
}

function operands(t: IntInfo): bigint[] {
  const out = edges(t);
  for (let i = 0; i < 40; i++) out.push(randomIn(t));
  return out;
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : String(v);
}

describe('integer arithmetic against a BigInt model', () => {
  for (const name of NAMES) {
    test(`${name}: every binary and unary operation, canonical results`, () => {
      const t = INT_TYPES[name];
      const ops = intArith(name);
      const xs = operands(t);
      for (const [op, model] of Object.entries(BINARY)) {
        const f = ops[op as keyof IntArith] as (a: Value, b: Value) => Value;
        for (const a of xs) {
          for (const b of xs) {
            const got = f(canon(a), canon(b));
            const want = model(t, a, b);
            if (!Object.is(got, want)) assert.fail(`${name} ${op}(${a}, ${b}) = ${show(got)}, expected ${show(want)}`);
          }
        }
      }
      for (const [op, model] of Object.entries(UNARY)) {
        const f = ops[op as keyof IntArith] as (a: Value) => Value;
        for (const a of xs) {
          const got = f(canon(a));
          const want = model(t, a);
          if (!Object.is(got, want)) assert.fail(`${name} ${op}(${a}) = ${show(got)}, expected ${show(want)}`);
        }
      }
    });

    test(`${name}: pow and checked_pow`, () => {
      const t = INT_TYPES[name];
      const ops = intArith(name);
      const xs = edges(t).concat([5n, -3n, 10n].filter((v) => inRange(t, v)));
      for (const a of xs) {
        for (const e of [0, 1, 2, 3, 7, 8, 15, 16, 31, 33, 64, 127, 128, 129]) {
          const exact = a ** BigInt(e);
          const w = ops.pow(canon(a), e);
          const c = ops.checkedPow(canon(a), e);
          if (!Object.is(w, canon(wrapRef(t, exact)))) assert.fail(`${name} pow(${a}, ${e}) = ${show(w)}`);
          if (!Object.is(c, inRange(t, exact) ? canon(exact) : null)) assert.fail(`${name} checked_pow(${a}, ${e}) = ${show(c)}`);
        }
      }
    });

    test(`${name}: the batch kernels agree with the scalar operations`, () => {
      const t = INT_TYPES[name];
      const ops = intArith(name);
      const xs = operands(t).map(canon);
      const ys = [...xs].reverse();
      for (const [k, forms] of [
        ['add', ['add', 'checkedAdd', 'saturatingAdd']],
        ['sub', ['sub', 'checkedSub', 'saturatingSub']],
        ['mul', ['mul', 'checkedMul', 'saturatingMul']],
      ] as const) {
        for (const form of forms) {
          const f = ops[form];
          const got = intPairKernel(k, name, f)(xs, 1, ys, 0, xs.length - 1);
          const want = xs.slice(1).map((x, i) => f(x, ys[i]));
          assert.deepEqual(got, want, `${name} ${form}`);
        }
      }
    });
  }
});

describe('integer edge cases: wrapping, checked and saturating forms at the bounds', () => {
  test('i8: 127 + 1 wraps to −128, checked gives none, saturating stays 127', () => {
    const i8 = intArith('i8');
    assert.equal(i8.add(127, 1), -128);
    assert.equal(i8.checkedAdd(127, 1), null);
    assert.equal(i8.saturatingAdd(127, 1), 127);
    assert.equal(i8.saturatingSub(-128, 1), -128);
    assert.equal(i8.mul(16, 16), 0);
    assert.equal(i8.neg(-128), -128);
    assert.equal(i8.checkedNeg(-128), null);
    assert.equal(i8.abs(-128), null);
    assert.equal(i8.abs(-127), 127);
  });

  test('u8/u16/u32 wrap below zero and past the maximum', () => {
    assert.equal(intArith('u8').sub(0, 1), 255);
    assert.equal(intArith('u16').add(65535, 1), 0);
    assert.equal(intArith('u32').mul(4294967295, 4294967295), 1);
    assert.equal(intArith('u32').checkedMul(65536, 65536), null);
    assert.equal(intArith('u32').saturatingMul(65536, 65536), 4294967295);
    assert.equal(intArith('i32').mul(2147483647, 2), -2);
  });

  test('u64 and u128 maxima', () => {
    const u64max = 2n ** 64n - 1n;
    const u128max = 2n ** 128n - 1n;
    assert.equal(intArith('u64').add(u64max, 1), 0);
    assert.equal(intArith('u64').checkedAdd(u64max, 1), null);
    assert.equal(intArith('u64').saturatingAdd(u64max, 5), u64max);
    assert.equal(intArith('u128').add(u128max, 2), 1);
    assert.equal(intArith('u128').checkedAdd(u128max, 0), u128max);
    assert.equal(intArith('u128').sub(0, 1), u128max);
    assert.equal(intArith('u128').saturatingSub(0, 1), 0);
    assert.equal(intArith('u128').mul(u128max, u128max), 1);
  });

  test('i128 minimum', () => {
    const min = -(2n ** 127n);
    const i128 = intArith('i128');
    assert.equal(i128.sub(min, 1), 2n ** 127n - 1n);
    assert.equal(i128.checkedSub(min, 1), null);
    assert.equal(i128.div(min, -1), min);
    assert.equal(i128.rem(min, -1), 0);
    assert.equal(i128.checkedDiv(min, -1), null);
    assert.equal(i128.checkedRem(min, -1), null);
    assert.equal(i128.euclidDiv(min, -1), min);
    assert.equal(i128.euclidRem(min, -1), 0);
    assert.equal(i128.abs(min), null);
    assert.equal(i128.neg(min), min);
    assert.equal(i128.signum(min), -1);
  });

  test('results cross 2^53 into bigint and come back to numbers', () => {
    const u64 = intArith('u64');
    const safe = Number.MAX_SAFE_INTEGER;
    assert.equal(u64.add(safe, 1), 2n ** 53n);
    assert.equal(u64.add(safe, 0), safe);
    assert.equal(u64.sub(2n ** 53n, 1), safe);
    assert.equal(u64.mul(2 ** 27, 2 ** 27), 2n ** 54n);
    assert.equal(u64.div(2n ** 54n, 2 ** 27), 2 ** 27);
    assert.equal(intArith('i64').sub(-safe, 1), -(2n ** 53n));
  });

  test('division and remainder by zero give 0, none when checked', () => {
    for (const name of NAMES) {
      const ops = intArith(name);
      assert.equal(ops.div(7, 0), 0, name);
      assert.equal(ops.rem(7, 0), 0, name);
      assert.equal(ops.euclidDiv(7, 0), 0, name);
      assert.equal(ops.euclidRem(7, 0), 0, name);
      assert.equal(ops.checkedDiv(7, 0), null, name);
      assert.equal(ops.checkedRem(7, 0), null, name);
      assert.equal(ops.checkedEuclidDiv(7, 0), null, name);
      assert.equal(ops.checkedEuclidRem(7, 0), null, name);
    }
  });

  test('truncating and Euclidean division of negative values, never −0', () => {
    const i32 = intArith('i32');
    assert.equal(i32.div(-7, 2), -3);
    assert.equal(i32.rem(-7, 2), -1);
    assert.equal(i32.euclidDiv(-7, 2), -4);
    assert.equal(i32.euclidRem(-7, 2), 1);
    assert.equal(i32.euclidDiv(-7, -2), 4);
    assert.equal(i32.euclidRem(-7, -2), 1);
    assert.ok(Object.is(i32.div(-1, 5), 0));
    assert.ok(Object.is(i32.rem(-5, 5), 0));
    assert.ok(Object.is(intArith('i64').mul(0, -5), 0));
    assert.ok(Object.is(intArith('i64').div(-1, 5), 0));
    assert.ok(Object.is(intArith('i64').rem(-10, 5), 0));
    assert.ok(Object.is(intArith('i16').checkedMul(0, -5), 0));
    assert.ok(Object.is(intArith('i64').neg(0), 0));
  });

  test('pow with a large u32 exponent', () => {
    const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
      let r = 1n;
      for (let x = b % m, k = e; k > 0n; k >>= 1n, x = (x * x) % m) if (k & 1n) r = (r * x) % m;
      return r;
    };
    assert.equal(intArith('u8').pow(3, 4294967295), Number(modPow(3n, 4294967295n, 256n)));
    assert.equal(intArith('i32').pow(-1, 4294967295), -1);
    assert.equal(intArith('i32').pow(3, 4294967295), Number(BigInt.asIntN(32, modPow(3n, 4294967295n, 2n ** 32n))));
    assert.equal(intArith('u64').pow(2, 64), 0);
    assert.equal(intArith('u64').pow(3, 4294967295), canon(modPow(3n, 4294967295n, 2n ** 64n)));
    assert.equal(intArith('i128').checkedPow(2, 4294967295), null);
    assert.equal(intArith('i128').checkedPow(-1, 4294967295), -1);
    assert.equal(intArith('u16').checkedPow(0, 4294967295), 0);
    assert.equal(intArith('u16').checkedPow(0, 0), 1);
  });
});
