/**
 * Arithmetic of the integer types of at most 32 bits (`i8 i16 i32 u8 u16 u32`), whose
 * values are always plain numbers. Every exact sum or difference fits a double, and so
 * does every product of 8- and 16-bit values; 32-bit products use `Math.imul` when they
 * wrap, and when checked or saturated a rounded product still lands on the right side of
 * the bounds (rounding is monotonic and the bounds are exact doubles).
 *
 * The wrap functions (`x | 0`, `x >>> 0`, shifts, masks) reduce any integral double
 * modulo 2^32 exactly (ToInt32) before narrowing, and turn `-0` into `0`.
 */
import type { IntInfo, Value } from '@tutti/core';
import type { IntArith } from './arith-types.js';

type Wrap = (x: number) => number;

function wrapFor(t: IntInfo): Wrap {
  switch (t.name) {
    case 'i8':
      return (x) => (x << 24) >> 24;
    case 'i16':
      return (x) => (x << 16) >> 16;
    case 'i32':
      return (x) => x | 0;
    case 'u8':
      return (x) => x & 0xff;
    case 'u16':
      return (x) => x & 0xffff;
    case 'u32':
      return (x) => x >>> 0;
    default:
      throw new Error(`'${t.name}' is not a small integer type`);
  }
}

/** Wrapping multiplication: exact products for 8/16 bits, `Math.imul` for 32. */
function mulWrapFor(t: IntInfo, wrap: Wrap): (a: number, b: number) => number {
  if (t.bits < 32) return (a, b) => wrap(a * b);
  return t.signed ? (a, b) => Math.imul(a, b) : (a, b) => Math.imul(a, b) >>> 0;
}

/** The operations of a type of at most 32 bits. */
export function smallIntArith(t: IntInfo): IntArith {
  const min = Number(t.min);
  const max = Number(t.max);
  const wrap = wrapFor(t);
  const mulWrap = mulWrapFor(t, wrap);
  // `+ 0` turns a `-0` (from `0 * -5`, `-5 % 5`, `trunc(-1 / 5)`) into `0`.
  const check = (r: number): number | null => (r >= min && r <= max ? r + 0 : null);
  const saturate = (r: number): number => (r < min ? min : r > max ? max : r + 0);

  const div = (a: number, b: number): number => (b === 0 ? 0 : wrap(Math.trunc(a / b)));
  const rem = (a: number, b: number): number => (b === 0 ? 0 : wrap(a % b));
  const euclidDiv = (a: number, b: number): number => {
    if (b === 0) return 0;
    const q = Math.trunc(a / b);
    return wrap(a % b < 0 ? (b > 0 ? q - 1 : q + 1) : q);
  };
  const euclidRem = (a: number, b: number): number => {
    if (b === 0) return 0;
    const r = a % b;
    return wrap(r < 0 ? (b < 0 ? r - b : r + b) : r);
  };
  // The one overflowing division of a signed type: MIN / −1.
  const overflows = (a: number, b: number): boolean => b === -1 && a === min;

  const pow = (v: number, exp: number): number => {
    let base = v;
    let e = exp;
    let acc = 1;
    while (e > 0) {
      if (e & 1) acc = mulWrap(acc, base);
      e = Math.floor(e / 2);
      if (e > 0) base = mulWrap(base, base);
    }
    return wrap(acc);
  };
  const checkedPow = (v: number, exp: number): number | null => {
    if (exp === 0) return 1;
    // |v| ≤ 1 never overflows; otherwise |acc| doubles at least each step, so the loop
    // leaves the range within `bits` iterations.
    if (v === 0 || v === 1) return v;
    if (v === -1) return exp % 2 === 0 ? 1 : -1;
    let acc = 1;
    for (let i = 0; i < exp; i++) {
      acc *= v;
      if (acc < min || acc > max) return null;
    }
    return acc;
  };

  return {
    add: (a, b) => wrap((a as number) + (b as number)),
    checkedAdd: (a, b) => check((a as number) + (b as number)),
    saturatingAdd: (a, b) => saturate((a as number) + (b as number)),
    sub: (a, b) => wrap((a as number) - (b as number)),
    checkedSub: (a, b) => check((a as number) - (b as number)),
    saturatingSub: (a, b) => saturate((a as number) - (b as number)),
    mul: (a, b) => mulWrap(a as number, b as number),
    checkedMul: (a, b) => check((a as number) * (b as number)),
    saturatingMul: (a, b) => saturate((a as number) * (b as number)),
    div: (a, b) => div(a as number, b as number),
    checkedDiv: (a, b) => (b === 0 || overflows(a as number, b as number) ? null : div(a as number, b as number)),
    rem: (a, b) => rem(a as number, b as number),
    checkedRem: (a, b) => (b === 0 || overflows(a as number, b as number) ? null : rem(a as number, b as number)),
    euclidDiv: (a, b) => euclidDiv(a as number, b as number),
    euclidRem: (a, b) => euclidRem(a as number, b as number),
    checkedEuclidDiv: (a, b) => (b === 0 || overflows(a as number, b as number) ? null : euclidDiv(a as number, b as number)),
    checkedEuclidRem: (a, b) => (b === 0 || overflows(a as number, b as number) ? null : euclidRem(a as number, b as number)),
    neg: (v) => wrap(0 - (v as number)),
    checkedNeg: (v) => check(0 - (v as number)),
    pow: (v, exp) => pow(v as number, exp),
    checkedPow: (v, exp) => checkedPow(v as number, exp),
    abs: (v) => (t.signed && v === min ? null : Math.abs(v as number)),
    signum: (v) => Math.sign(v as number),
    isPositive: (v: Value) => (v as number) > 0,
    isNegative: (v: Value) => (v as number) < 0,
  };
}
