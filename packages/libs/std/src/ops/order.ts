/**
 * Equality and ordering for `std/ops`, specialised once per generic
 * argument. Semantics are Rust's, as in the reference:
 *
 * - numbers, `bool` and `byte` compare with JavaScript's operators (exact across the
 *   number/bigint forms of wide integers; NaN is unequal and unordered, so every comparison
 *   with it is false; `-0 == 0`);
 * - `char` and `string` order by code point (core's `compareStrings`), not UTF-16 unit;
 * - anything else goes through core's `valueEquals`/`compareValues` (vectors, options,
 *   library data types with `equals`/`compare`);
 * - `min`/`max` of floats ignore a NaN operand (Rust's `f64::min`/`max`) and order `-0`
 *   before `+0`; ties of other types return `a` for `min` and `b` for `max` (Rust's `Ord`);
 * - `clamp` requires `min <= max`: the reference panics otherwise (and on a NaN bound), and
 *   Tutti gives an error instead of an invented value.
 */
import { compareStrings, compareValues, type DataType, type Value, valueEquals } from '@tutti/core';

/** Comparison operations on values of one type. */
export interface Comparators {
  readonly eq: (a: Value, b: Value) => boolean;
  readonly ne: (a: Value, b: Value) => boolean;
  readonly gt: (a: Value, b: Value) => boolean;
  readonly ge: (a: Value, b: Value) => boolean;
  readonly lt: (a: Value, b: Value) => boolean;
  readonly le: (a: Value, b: Value) => boolean;
  readonly min: (a: Value, b: Value) => Value;
  readonly max: (a: Value, b: Value) => Value;
}

type Num = number;

// Integers, `bool` and `byte`: the operators are exact and total.
const PLAIN: Comparators = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => (a as Num) > (b as Num),
  ge: (a, b) => (a as Num) >= (b as Num),
  lt: (a, b) => (a as Num) < (b as Num),
  le: (a, b) => (a as Num) <= (b as Num),
  min: (a, b) => ((a as Num) > (b as Num) ? b : a),
  max: (a, b) => ((a as Num) > (b as Num) ? a : b),
};

const FLOAT: Comparators = {
  ...PLAIN,
  min: (a, b) => {
    const x = a as number;
    const y = b as number;
    if (Number.isNaN(x)) return y;
    if (Number.isNaN(y)) return x;
    if (x !== y) return x < y ? x : y;
    return Object.is(x, -0) ? x : y;
  },
  max: (a, b) => {
    const x = a as number;
    const y = b as number;
    if (Number.isNaN(x)) return y;
    if (Number.isNaN(y)) return x;
    if (x !== y) return x > y ? x : y;
    return Object.is(x, 0) ? x : y;
  },
};

const TEXT: Comparators = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => compareStrings(a as string, b as string) > 0,
  ge: (a, b) => compareStrings(a as string, b as string) >= 0,
  lt: (a, b) => compareStrings(a as string, b as string) < 0,
  le: (a, b) => compareStrings(a as string, b as string) <= 0,
  min: (a, b) => (compareStrings(a as string, b as string) > 0 ? b : a),
  max: (a, b) => (compareStrings(a as string, b as string) > 0 ? a : b),
};

// `compareValues` returns NaN when unordered: every comparison with NaN is false.
const GENERAL: Comparators = {
  eq: (a, b) => valueEquals(a, b),
  ne: (a, b) => !valueEquals(a, b),
  gt: (a, b) => compareValues(a, b) > 0,
  ge: (a, b) => compareValues(a, b) >= 0,
  lt: (a, b) => compareValues(a, b) < 0,
  le: (a, b) => compareValues(a, b) <= 0,
  min: (a, b) => (compareValues(a, b) > 0 ? b : a),
  max: (a, b) => (compareValues(a, b) > 0 ? a : b),
};

/**
 * The comparison operations for values of type `t`.
 *
 * @example
 * ```ts
 * comparators(coreType('f64')).max(Number.NaN, 1); // 1
 * comparators(coreType('string')).lt('\u{FFFF}', '\u{10000}'); // true
 * ```
 */
export function comparators(t: DataType | undefined): Comparators {
  if (t?.kind !== 'core') return GENERAL;
  switch (t.name) {
    case 'f32':
    case 'f64':
      return FLOAT;
    case 'char':
    case 'string':
      return TEXT;
    case 'void':
      return GENERAL;
    default:
      return PLAIN;
  }
}

function show(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null && typeof (v as { display?: unknown }).display === 'function') {
    return String((v as { display(): unknown }).display());
  }
  return String(v);
}

/**
 * Throws unless `min <= max` (so also for a NaN bound).
 *
 * @throws Error naming both bounds.
 */
export function checkClampBounds(c: Comparators, min: Value, max: Value): void {
  if (c.le(min, max)) return;
  const why = c.gt(min, max)
    ? `'min' (${show(min)}) is greater than 'max' (${show(max)})`
    : `'min' (${show(min)}) and 'max' (${show(max)}) are unordered`;
  throw new Error(`Cannot clamp: ${why}`);
}

/** `value` clamped into `[min, max]`, bounds already checked (a NaN value stays NaN). */
export function clampChecked(c: Comparators, value: Value, min: Value, max: Value): Value {
  return c.lt(value, min) ? min : c.gt(value, max) ? max : value;
}
