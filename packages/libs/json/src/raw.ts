/**
 * The tree inside a `Json` value, kept close to plain JavaScript so
 * that parsing allocates little: `null`, booleans, strings and arrays are themselves;
 * numbers keep the reference's integer/float distinction without a box for the common
 * cases.
 *
 * | JSON | raw node |
 * |---|---|
 * | integer (fits `i64` or `u64`) | `number` while safe (an integer), `bigint` beyond (canonical, as core's wide integers) |
 * | float with a fractional part | `number` that is not an integer |
 * | float with an integral value (`1.0`, `1e2`, `-0.0`, `1e300`) | {@link JsonFloat} |
 * | object | {@link JsonObject}, keys sorted in code point order, no duplicates |
 *
 * So a plain `number` is an integer exactly when `Number.isInteger` says so; only integral
 * floats, which are rare, pay for a box. NaN and infinities never occur.
 */
import { compareStrings } from '@tutti/core';

/** A float whose value is integral (`1.0`, `-0.0`, `1e300`): a box keeps it from reading as an integer. */
export class JsonFloat {
  /** @param value a finite number with `Number.isInteger(value)`. */
  constructor(readonly value: number) {}
}

/**
 * A JSON object: keys in code point order (UTF-8 order, as the reference's ordered map),
 * each once, with their values at the same index.
 */
export class JsonObject {
  /** The object without members. */
  static readonly empty: JsonObject = new JsonObject([], []);

  /** Trusts the caller: `keys` sorted with {@link compareStrings}, without duplicates. */
  constructor(
    readonly keys: readonly string[],
    readonly values: readonly JsonRaw[],
  ) {}

  /**
   * An object of the given members, in any order; a repeated key keeps its last value
   * (as the reference parser does).
   */
  static from(keys: readonly string[], values: readonly JsonRaw[], nonBmp = true): JsonObject {
    const n = keys.length;
    if (n === 0) return JsonObject.empty;
    // Without keys holding code units ≥ U+D800, UTF-16 order (native `<`) is code point order.
    const cmp = nonBmp ? compareStrings : compareUnits;
    let k = 1;
    while (k < n && cmp(keys[k - 1] as string, keys[k] as string) < 0) k++;
    if (k === n) return new JsonObject(keys, values);
    return n <= SMALL ? insertionSorted(keys.slice(), values.slice(), k, cmp) : indexSorted(keys, values, cmp);
  }

  /**
   * As {@link from}, but may reorder `keys` and `values` in place: for arrays the caller
   * built and drops (the parser), which saves copying them.
   */
  static fromOwned(keys: string[], values: JsonRaw[], nonBmp: boolean): JsonObject {
    const n = keys.length;
    const cmp = nonBmp ? compareStrings : compareUnits;
    let k = 1;
    while (k < n && cmp(keys[k - 1] as string, keys[k] as string) < 0) k++;
    if (k >= n) return new JsonObject(keys, values);
    return n <= SMALL ? insertionSorted(keys, values, k, cmp) : indexSorted(keys, values, cmp);
  }

  /** Number of members. */
  get size(): number {
    return this.keys.length;
  }

  /** The value of `key`, or undefined when absent. */
  get(key: string): JsonRaw | undefined {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareStrings(this.keys[mid] as string, key);
      if (c === 0) return this.values[mid];
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

/** Any node of a JSON tree (see the table above). */
export type JsonRaw = null | boolean | number | bigint | string | JsonFloat | readonly JsonRaw[] | JsonObject;

/** The kinds of JSON values, integers and floats apart. */
export type JsonKind = 'null' | 'bool' | 'int' | 'float' | 'string' | 'array' | 'object';

/** The kind of a raw node. */
export function kindOf(r: JsonRaw): JsonKind {
  switch (typeof r) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(r) ? 'int' : 'float';
    default:
      if (r === null) return 'null';
      if (Array.isArray(r)) return 'array';
      return r instanceof JsonFloat ? 'float' : 'object';
  }
}

/** The raw node of the float `x` (finite). */
export function floatRaw(x: number): JsonRaw {
  return Number.isInteger(x) ? new JsonFloat(x) : x;
}

/** Numeric value of a number node (int or float), else undefined. */
export function numberOf(r: JsonRaw): number | undefined {
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return Number(r);
  return r instanceof JsonFloat ? r.value : undefined;
}

/** Structural equality; an integer never equals a float (`1` ≠ `1.0`), as in the reference. */
export function rawEquals(a: JsonRaw, b: JsonRaw): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // Distinct numbers, or an integer against a float box, or different kinds.
    return false;
  }
  if (a instanceof JsonFloat) return b instanceof JsonFloat && a.value === b.value;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!rawEquals(a[i] as JsonRaw, b[i] as JsonRaw)) return false;
    return true;
  }
  if (!(a instanceof JsonObject) || !(b instanceof JsonObject) || a.size !== b.size) return false;
  for (let i = 0; i < a.size; i++) {
    if (a.keys[i] !== b.keys[i] || !rawEquals(a.values[i] as JsonRaw, b.values[i] as JsonRaw)) return false;
  }
  return true;
}

/** Up to this many members, objects sort by insertion in place (no allocation). */
const SMALL = 32;

type Compare = (a: string, b: string) => number;

/** Sorts `keys`/`values` in place from index `k` (the prefix is sorted); a repeated key keeps its last value. */
function insertionSorted(keys: string[], values: JsonRaw[], k: number, cmp: Compare): JsonObject {
  let n = keys.length;
  // Invariant: keys[0..k) sorted without duplicates.
  for (; k < n; k++) {
    const key = keys[k] as string;
    const value = values[k] as JsonRaw;
    let j = k - 1;
    let c = cmp(keys[j] as string, key);
    while (c > 0 && j > 0) {
      j--;
      c = cmp(keys[j] as string, key);
    }
    if (c === 0) {
      // A later duplicate: its value replaces the earlier one, and it leaves the arrays.
      values[j] = value;
      keys.splice(k, 1);
      values.splice(k, 1);
      k--;
      n--;
      continue;
    }
    const at = c < 0 ? j + 1 : j;
    for (let m = k; m > at; m--) {
      keys[m] = keys[m - 1] as string;
      values[m] = values[m - 1] as JsonRaw;
    }
    keys[at] = key;
    values[at] = value;
  }
  return new JsonObject(keys, values);
}

function indexSorted(keys: readonly string[], values: readonly JsonRaw[], cmp: Compare): JsonObject {
  const n = keys.length;
  const order: number[] = new Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  // Array.prototype.sort is stable: equal keys stay in text order, so the last one wins below.
  order.sort((a, b) => cmp(keys[a] as string, keys[b] as string));
  const sortedKeys: string[] = [];
  const sortedValues: JsonRaw[] = [];
  for (let j = 0; j < n; j++) {
    const at = order[j] as number;
    const key = keys[at] as string;
    if (sortedKeys.length > 0 && sortedKeys[sortedKeys.length - 1] === key) sortedValues[sortedValues.length - 1] = values[at] as JsonRaw;
    else {
      sortedKeys.push(key);
      sortedValues.push(values[at] as JsonRaw);
    }
  }
  return new JsonObject(sortedKeys, sortedValues);
}

function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
