/**
 * The `std/ops/num` operations that floats implement (`Add Sub Mul Div Rem Euclid Neg
 * Signed`), with IEEE-754 semantics as in Rust. An `f32` operation
 * computes on the (exact) doubles and rounds once with `Math.fround`, which gives the
 * correctly rounded binary32 result for `+ − × ÷ %` (a double holds more than twice the
 * binary32 precision).
 */
import type { BinaryOp, UnaryOp } from './arith-types.js';

/** The float operations of `std/ops/num`. */
export interface FloatNum {
  readonly add: BinaryOp;
  readonly sub: BinaryOp;
  readonly mul: BinaryOp;
  readonly div: BinaryOp;
  readonly rem: BinaryOp;
  readonly euclidDiv: BinaryOp;
  readonly euclidRem: BinaryOp;
  readonly neg: UnaryOp;
  /** Always some (a float's magnitude is representable). */
  readonly abs: UnaryOp;
  readonly signum: UnaryOp;
  readonly isPositive: (v: unknown) => boolean;
  readonly isNegative: (v: unknown) => boolean;
}

/**
 * Rust's `signum`: NaN stays NaN, otherwise ±1 with the sign bit of `v` (so `+0` → 1 and
 * `-0` → −1).
 */
function signum(v: number): number {
  if (Number.isNaN(v)) return Number.NaN;
  return v < 0 || Object.is(v, -0) ? -1 : 1;
}

// Sign-bit tests. A NaN's sign bit is not observable reliably in JavaScript, so NaN gives
// false for both, as the reference documents.
function isPositive(v: unknown): boolean {
  return (v as number) > 0 || Object.is(v, 0);
}
function isNegative(v: unknown): boolean {
  return (v as number) < 0 || Object.is(v, -0);
}

const F64: FloatNum = {
  add: (a, b) => (a as number) + (b as number),
  sub: (a, b) => (a as number) - (b as number),
  mul: (a, b) => (a as number) * (b as number),
  div: (a, b) => (a as number) / (b as number),
  rem: (a, b) => (a as number) % (b as number),
  // Rust's `div_euclid`: the quotient of the truncated division, moved one step down
  // (or up for a negative divisor) when the remainder is negative.
  euclidDiv: (a, b) => {
    const x = a as number;
    const y = b as number;
    const q = Math.trunc(x / y);
    return x % y < 0 ? (y > 0 ? q - 1 : q + 1) : q;
  },
  // Rust's `rem_euclid`: `r + |b|` when the remainder `r` is negative.
  euclidRem: (a, b) => {
    const r = (a as number) % (b as number);
    return r < 0 ? r + Math.abs(b as number) : r;
  },
  neg: (v) => -(v as number),
  abs: (v) => Math.abs(v as number),
  signum: (v) => signum(v as number),
  isPositive,
  isNegative,
};

const f = Math.fround;

const F32: FloatNum = {
  add: (a, b) => f((a as number) + (b as number)),
  sub: (a, b) => f((a as number) - (b as number)),
  mul: (a, b) => f((a as number) * (b as number)),
  div: (a, b) => f((a as number) / (b as number)),
  rem: (a, b) => f((a as number) % (b as number)),
  // Each step rounds to binary32, as Rust computes `(a / b).trunc()` and `q − 1` in f32.
  euclidDiv: (a, b) => {
    const x = a as number;
    const y = b as number;
    const q = Math.trunc(f(x / y));
    return f(x % y < 0 ? (y > 0 ? q - 1 : q + 1) : q);
  },
  euclidRem: (a, b) => {
    const r = f((a as number) % (b as number));
    return r < 0 ? f(r + Math.abs(b as number)) : r;
  },
  neg: (v) => -(v as number),
  abs: (v) => Math.abs(v as number),
  signum: (v) => signum(v as number),
  isPositive,
  isNegative,
};

/** The operations of `f32` or `f64`. */
export function floatNum(name: 'f32' | 'f64'): FloatNum {
  return name === 'f32' ? F32 : F64;
}
