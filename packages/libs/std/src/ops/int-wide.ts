/**
 * Arithmetic of `i64 u64 i128 u128`, whose values are numbers while safe and bigints beyond
 * (values.ts). Each operation first tries plain numbers: when both operands are numbers and
 * the double result lies in [lo, hi] (the safe range, or [0, 2^53 − 1] for unsigned types)
 * the result is exact — rounding is monotonic and 2^53 is a double, so an exact result
 * outside the range never rounds into it — and in range of the type, so wrapping, checking
 * and saturating all return it unchanged. Everything else goes through BigInt and the
 * canonical helpers of core's int.ts. No allocation on the fast path.
 *
 * Division of two safe integers is exact with `Math.trunc(a / b)`: the quotient's rounding
 * error (≤ |a/b|·2^-53 < 1/|b|) is smaller than its distance to any other integer.
 */
import { canon, type IntInfo, saturateInt, type Value, wrapInt } from '@tutti/core';
import type { IntArith } from './arith-types.js';

const SAFE = Number.MAX_SAFE_INTEGER;

function big(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/** The operations of a 64- or 128-bit type. */
export function wideIntArith(t: IntInfo): IntArith {
  const lo = t.signed ? -SAFE : 0;
  const hi = SAFE;
  const bits = t.bits;
  const wrap = (v: bigint): Value => wrapInt(t, v);
  const check = (v: bigint): Value => (v >= t.min && v <= t.max ? canon(v) : null);
  const saturate = (v: bigint): Value => saturateInt(t, v);
  // Exact BigInt results of the three ring operations.
  const bigAdd = (a: Value, b: Value): bigint => big(a) + big(b);
  const bigSub = (a: Value, b: Value): bigint => big(a) - big(b);
  const bigMul = (a: Value, b: Value): bigint => big(a) * big(b);
  // The one overflowing division of a signed type: MIN / −1 (MIN is a bigint here).
  const overflows = (a: Value, b: Value): boolean => t.signed && b === -1 && a === t.min;

  const div = (a: Value, b: Value): Value => {
    if (b === 0) return 0;
    // `+ 0` turns `trunc(-1 / 5) = -0` into 0.
    if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) + 0;
    return wrap(big(a) / big(b));
  };
  const rem = (a: Value, b: Value): Value => {
    if (b === 0) return 0;
    if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
    return canon(big(a) % big(b));
  };
  const euclidDiv = (a: Value, b: Value): Value => {
    if (b === 0) return 0;
    if (typeof a === 'number' && typeof b === 'number') {
      // When the remainder is negative, |b| ≥ 2, so q ± 1 stays safe.
      const q = Math.trunc(a / b);
      return (a % b < 0 ? (b > 0 ? q - 1 : q + 1) : q) + 0;
    }
    const x = big(a);
    const y = big(b);
    const q = x / y;
    return wrap(x % y < 0n ? (y > 0n ? q - 1n : q + 1n) : q);
  };
  const euclidRem = (a: Value, b: Value): Value => {
    if (b === 0) return 0;
    if (typeof a === 'number' && typeof b === 'number') {
      const r = a % b;
      return (r < 0 ? (b < 0 ? r - b : r + b) : r) + 0;
    }
    const y = big(b);
    const r = big(a) % y;
    return canon(r < 0n ? (y < 0n ? r - y : r + y) : r);
  };

  const pow = (v: Value, exp: number): Value => {
    let base = big(v);
    let e = exp;
    let acc = 1n;
    const narrow = t.signed ? (x: bigint) => BigInt.asIntN(bits, x) : (x: bigint) => BigInt.asUintN(bits, x);
    while (e > 0) {
      if (e % 2 === 1) acc = narrow(acc * base);
      e = Math.floor(e / 2);
      if (e > 0) base = narrow(base * base);
    }
    return canon(acc);
  };
  const checkedPow = (v: Value, exp: number): Value => {
    if (exp === 0) return 1;
    // |v| ≤ 1 never overflows; otherwise |acc| doubles at least each step.
    if (v === 0 || v === 1) return v;
    if (v === -1) return exp % 2 === 0 ? 1 : -1;
    const base = big(v);
    let acc = 1n;
    for (let i = 0; i < exp; i++) {
      acc *= base;
      if (acc < t.min || acc > t.max) return null;
    }
    return canon(acc);
  };

  return {
    add: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a + b;
        if (r >= lo && r <= hi) return r;
      }
      return wrap(bigAdd(a, b));
    },
    checkedAdd: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a + b;
        if (r >= lo && r <= hi) return r;
      }
      return check(bigAdd(a, b));
    },
    saturatingAdd: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a + b;
        if (r >= lo && r <= hi) return r;
      }
      return saturate(bigAdd(a, b));
    },
    sub: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a - b;
        if (r >= lo && r <= hi) return r;
      }
      return wrap(bigSub(a, b));
    },
    checkedSub: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a - b;
        if (r >= lo && r <= hi) return r;
      }
      return check(bigSub(a, b));
    },
    saturatingSub: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a - b;
        if (r >= lo && r <= hi) return r;
      }
      return saturate(bigSub(a, b));
    },
    // `+ 0` turns `0 * -5 = -0` into 0.
    mul: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a * b;
        if (r >= lo && r <= hi) return r + 0;
      }
      return wrap(bigMul(a, b));
    },
    checkedMul: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a * b;
        if (r >= lo && r <= hi) return r + 0;
      }
      return check(bigMul(a, b));
    },
    saturatingMul: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a * b;
        if (r >= lo && r <= hi) return r + 0;
      }
      return saturate(bigMul(a, b));
    },
    div,
    checkedDiv: (a, b) => (b === 0 || overflows(a, b) ? null : div(a, b)),
    rem,
    checkedRem: (a, b) => (b === 0 || overflows(a, b) ? null : rem(a, b)),
    euclidDiv,
    euclidRem,
    checkedEuclidDiv: (a, b) => (b === 0 || overflows(a, b) ? null : euclidDiv(a, b)),
    checkedEuclidRem: (a, b) => (b === 0 || overflows(a, b) ? null : euclidRem(a, b)),
    neg: (v) => {
      if (typeof v === 'number' && (t.signed || v === 0)) return 0 - v;
      return wrap(-big(v));
    },
    checkedNeg: (v) => {
      if (typeof v === 'number' && (t.signed || v === 0)) return 0 - v;
      return check(-big(v));
    },
    pow,
    checkedPow,
    abs: (v) => {
      if (typeof v === 'number') return Math.abs(v);
      if (v === t.min && t.signed) return null;
      return (v as bigint) < 0n ? -(v as bigint) : v;
    },
    signum: (v) => ((v as number) > 0 ? 1 : (v as number) < 0 ? -1 : 0),
    isPositive: (v) => (v as number) > 0,
    isNegative: (v) => (v as number) < 0,
  };
}
