/**
 * Equality and ordering of run-time values, as the `PartialEquality`/`Order` traits mean
 * them for core types (Rust semantics): NaN is unequal to itself and unordered, strings
 * and chars order by code point (not UTF-16 unit), `false < true`, vectors
 * lexicographically, none before any present value. Wide integers compare across their
 * number/bigint forms (the representation is canonical, see values.ts).
 */
import type { DataValue, Value } from './values.js';

/** `a == b`. */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || a instanceof Uint8Array) {
    if (!(Array.isArray(b) || b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (typeof a === 'object' && a !== null) {
    const eq = (a as DataValue).equals;
    return typeof eq === 'function' ? eq.call(a, b) : false;
  }
  return false;
}

/** Code point order of two strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Sign of `a − b` (-1, 0, 1), or NaN when unordered (a NaN is involved). */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const ta = typeof a;
  if (ta === 'number' || ta === 'bigint') {
    const x = a as number;
    const y = b as number;
    // Equal values were caught above (the representation is canonical): else unordered.
    return x < y ? -1 : x > y ? 1 : Number.NaN;
  }
  if (ta === 'string') return compareStrings(a as string, b as string);
  if (ta === 'boolean') return a ? 1 : -1;
  if (Array.isArray(a) || a instanceof Uint8Array) {
    const bb = b as ArrayLike<Value>;
    const n = Math.min(a.length, bb.length);
    for (let i = 0; i < n; i++) {
      const c = compareValues(a[i], bb[i]);
      if (c !== 0) return c;
    }
    return a.length < bb.length ? -1 : a.length > bb.length ? 1 : 0;
  }
  if (ta === 'object' && a !== null) {
    const cmp = (a as DataValue).compare;
    if (typeof cmp === 'function') return cmp.call(a, b);
  }
  return Number.NaN;
}
