/**
 * Integer arithmetic of `std/ops/num` with Rust semantics, one
 * specialised set of operations per integer type, built once and cached.
 *
 * Types of at most 32 bits hold plain numbers and wrap with int32 tricks (`| 0`, `>>> 0`,
 * shifts, `Math.imul`); see int-small.ts. The 64- and 128-bit types take a number fast path
 * whenever both operands are numbers and the exact result is a safe integer (every safe
 * integer is in range, so wrapping, checking and saturating all agree there) and fall back
 * to BigInt otherwise; see int-wide.ts. Results are always canonical (values.ts), and never
 * `-0`.
 *
 * Deliberate choices where the reference panics: signed `MIN / −1` wraps
 * to `MIN` and `MIN % −1` is 0, for the Euclidean forms too; the checked forms give none.
 * Division and remainder by zero give 0 (the reference's own rule), none when checked.
 */
import { INT_TYPES, type IntTypeName } from '@tutti/core';
import type { IntArith } from './arith-types.js';
import { smallIntArith } from './int-small.js';
import { wideIntArith } from './int-wide.js';

const cache = new Map<IntTypeName, IntArith>();

/**
 * The operations of integer type `name`.
 *
 * @example
 * ```ts
 * intArith('i8').add(127, 1); // -128
 * intArith('u128').checkedAdd(2n ** 128n - 1n, 1); // null
 * ```
 */
export function intArith(name: IntTypeName): IntArith {
  let ops = cache.get(name);
  if (ops === undefined) {
    const t = INT_TYPES[name];
    ops = t.wide ? wideIntArith(t) : smallIntArith(t);
    cache.set(name, ops);
  }
  return ops;
}
