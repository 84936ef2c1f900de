/**
 * Exact numeric casts behind `std/conv`, with Rust's semantics:
 * integer → float rounds once to nearest (ties to even, overflow to ±∞), float → integer
 * truncates toward zero. Integers arrive canonical (number while safe, bigint beyond, see
 * core's values.ts) and leave canonical.
 *
 * The one trap is binary32: `Math.fround(Number(big))` rounds twice (to binary64, then to
 * binary32) and can land on the wrong side of a midpoint, so wide integers are first cut
 * to 26 significant bits with a sticky bit, which `Math.fround` then rounds exactly once.
 */
import { canon, fitsInt, type IntInfo, saturateInt } from '@tutti/core';

/** An exact integer value in its canonical representation. */
export type Int = number | bigint;

/** The nearest binary32 of an integer (Rust `as f32`). */
export function intToF32(v: Int): number {
  // A safe integer is an exact binary64: one rounding.
  if (typeof v === 'number') return Math.fround(v);
  const negative = v < 0n;
  const magnitude = negative ? -v : v;
  const shift = magnitude.toString(2).length - 26;
  if (shift <= 0) return Math.fround(Number(v));
  // 24 significand bits, a round bit, and a sticky bit standing for everything cut off.
  let top = magnitude >> BigInt(shift);
  if (top << BigInt(shift) !== magnitude) top |= 1n;
  const r = Math.fround(Number(top) * 2 ** shift);
  return negative ? -r : r;
}

/** The nearest binary64 of an integer (Rust `as f64`; `Number(bigint)` rounds once). */
export function intToF64(v: Int): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Float → integer as Rust's `as`: NaN → 0, ±∞ and out-of-range values clamp to the
 * bounds, otherwise truncation toward zero (`saturating_to_…`).
 */
export function floatToIntSaturating(t: IntInfo, x: number): Int {
  if (Number.isNaN(x)) return 0;
  if (x === Number.POSITIVE_INFINITY) return canon(t.max);
  if (x === Number.NEGATIVE_INFINITY) return canon(t.min);
  // `+ 0` turns the -0 of a truncated small negative value into 0.
  const whole = Math.trunc(x) + 0;
  if (Number.isSafeInteger(whole)) {
    if (whole < 0 && !t.signed) return 0;
    if (!t.wide) return Math.min(Math.max(whole, Number(t.min)), Number(t.max));
    return whole;
  }
  return saturateInt(t, BigInt(whole));
}

/** The integer type's bounds as seen by the float type (Rust `MIN as f32`, `MAX as f64`). */
export interface FloatBounds {
  readonly min: number;
  readonly max: number;
}

/** `t.min`/`t.max` rounded to binary32 (`single`) or binary64. */
export function floatBounds(t: IntInfo, single: boolean): FloatBounds {
  const cast = single ? intToF32 : intToF64;
  return { min: cast(canon(t.min)), max: cast(canon(t.max)) };
}

/**
 * Float → integer for `try_to_…`, as the reference does it: none unless the value is
 * finite and within the target's bounds converted to the float type, then truncation
 * (saturating, since e.g. `u64::MAX as f64` is 2^64, which itself is accepted).
 */
export function floatToIntChecked(t: IntInfo, bounds: FloatBounds, x: number): Int | null {
  if (!Number.isFinite(x) || x < bounds.min || x > bounds.max) return null;
  return floatToIntSaturating(t, x);
}

/** Integer → integer for `try_to_…`: none when the value does not fit `t`. */
export function intToIntChecked(t: IntInfo, v: Int): Int | null {
  if (typeof v === 'number') {
    // Safe integers fit every wide type's positive range; only the sign can miss.
    if (t.wide) return v < 0 && !t.signed ? null : v;
    return v < Number(t.min) || v > Number(t.max) ? null : v;
  }
  return fitsInt(t, v) ? v : null;
}

/** Integer → integer for `saturating_to_…`: clamped into `t`. */
export function intToIntSaturating(t: IntInfo, v: Int): Int {
  if (typeof v === 'number') {
    if (t.wide) return v < 0 && !t.signed ? 0 : v;
    return Math.min(Math.max(v, Number(t.min)), Number(t.max));
  }
  return saturateInt(t, v);
}
