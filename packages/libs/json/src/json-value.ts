/**
 * The value of `json::Json`: an immutable JSON tree whose numbers
 * keep the reference's model (integers that fit `i64`/`u64` stay exact, floats stay
 * floats), with the data traits the type declares as methods, named as `std/conv`
 * calls them (see `@tutti/lib-std`'s conv/data-traits.ts): `toString()` (compact text),
 * `tryToString()`, `tryToBool()`, `tryToI64()`, `tryToU64()`, `tryToF64()` (null for
 * none), and `display()` (pretty text). `Json` declares no equality trait; `equals` is
 * there for libraries and tests.
 */
import type { DataValue } from '@tutti/core';
import { JsonSyntaxError, parseJson } from './parse.js';
import { floatRaw, type JsonKind, JsonObject, type JsonRaw, kindOf, numberOf, rawEquals } from './raw.js';
import { writeCompact, writePretty } from './write.js';

const I64_MAX = (1n << 63n) - 1n;

/**
 * A `Json` value.
 *
 * @example
 * ```ts
 * const v = JsonValue.parse('{"b": 18446744073709551615, "a": 1e2}');
 * v?.toString(); // '{"a":100.0,"b":18446744073709551615}'
 * v?.get('b')?.tryToU64(); // 18446744073709551615n
 * ```
 */
export class JsonValue implements DataValue {
  /** JSON `null`. */
  static readonly null: JsonValue = new JsonValue(null);
  /** JSON `true`. */
  static readonly true: JsonValue = new JsonValue(true);
  /** JSON `false`. */
  static readonly false: JsonValue = new JsonValue(false);

  /** Wraps a raw tree (see raw.ts for its invariants; parsing and the builders below keep them). */
  constructor(readonly raw: JsonRaw) {}

  /** Strict parse of one JSON text (surrounding whitespace allowed); null when invalid. */
  static parse(text: string): JsonValue | null {
    const r = parseJson(text);
    return isSyntaxError(r) ? null : JsonValue.of(r);
  }

  /** As {@link parse}, with the reference's error message (`expected value at line 1 column 1`) on failure. */
  static parseOrError(text: string): JsonValue | JsonSyntaxError {
    const r = parseJson(text);
    return isSyntaxError(r) ? r : JsonValue.of(r);
  }

  /** The value of a raw tree, sharing the constant null/true/false values. */
  static of(raw: JsonRaw): JsonValue {
    if (raw === null) return JsonValue.null;
    if (raw === true) return JsonValue.true;
    if (raw === false) return JsonValue.false;
    return new JsonValue(raw);
  }

  /** A JSON boolean. */
  static bool(b: boolean): JsonValue {
    return b ? JsonValue.true : JsonValue.false;
  }

  /**
   * A JSON integer; `v` must be an integer in `i64` ∪ `u64` (number or bigint; it is
   * made canonical).
   */
  static int(v: number | bigint): JsonValue {
    if (typeof v === 'bigint') {
      if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`JSON integer out of the 64-bit range: ${v}`);
      return new JsonValue(v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
    }
    if (!Number.isSafeInteger(v)) return JsonValue.int(BigInt(v));
    return new JsonValue(v === 0 ? 0 : v);
  }

  /** A JSON float, or null for NaN and infinities (which JSON cannot hold). */
  static float(x: number): JsonValue | null {
    return Number.isFinite(x) ? new JsonValue(floatRaw(x)) : null;
  }

  /** A JSON string. */
  static string(s: string): JsonValue {
    return new JsonValue(s);
  }

  /** A JSON array of the given values. */
  static array(items: readonly JsonValue[]): JsonValue {
    const raw: JsonRaw[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) raw[i] = (items[i] as JsonValue).raw;
    return new JsonValue(raw);
  }

  /** A JSON object of the given members (any order; a repeated key keeps its last value). */
  static object(entries: Iterable<readonly [string, JsonValue]>): JsonValue {
    const keys: string[] = [];
    const values: JsonRaw[] = [];
    for (const [k, v] of entries) {
      keys.push(k);
      values.push(v.raw);
    }
    return new JsonValue(JsonObject.from(keys, values));
  }

  /** What this value is; integers and floats apart. */
  get kind(): JsonKind {
    return kindOf(this.raw);
  }

  /** Member `key` of an object, else undefined. */
  get(key: string): JsonValue | undefined {
    if (!(this.raw instanceof JsonObject)) return undefined;
    const v = this.raw.get(key);
    return v === undefined ? undefined : JsonValue.of(v);
  }

  /** Element `index` of an array, else undefined. */
  at(index: number): JsonValue | undefined {
    if (!Array.isArray(this.raw)) return undefined;
    const items = this.raw as readonly JsonRaw[];
    return index >= 0 && index < items.length ? JsonValue.of(items[index] as JsonRaw) : undefined;
  }

  /** Elements of an array, members of an object (in key order), else nothing. */
  *children(): IterableIterator<[string | number, JsonValue]> {
    const r = this.raw;
    if (Array.isArray(r)) {
      const items = r as readonly JsonRaw[];
      for (let i = 0; i < items.length; i++) yield [i, JsonValue.of(items[i] as JsonRaw)];
    } else if (r instanceof JsonObject) {
      for (let i = 0; i < r.size; i++) yield [r.keys[i] as string, JsonValue.of(r.values[i] as JsonRaw)];
    }
  }

  /** Compact JSON text (trait `ToString`). */
  toString(): string {
    return writeCompact(this.raw);
  }

  /** Pretty JSON text, two-space indentation (trait `Display`). */
  display(): string {
    return writePretty(this.raw);
  }

  /** The text of a JSON string, else null (trait `TryToString`). */
  tryToString(): string | null {
    return typeof this.raw === 'string' ? this.raw : null;
  }

  /** A JSON boolean, else null (trait `TryToBool`). */
  tryToBool(): boolean | null {
    return typeof this.raw === 'boolean' ? this.raw : null;
  }

  /** An integer within `i64`, else null (trait `TryToI64`). */
  tryToI64(): number | bigint | null {
    const r = this.raw;
    if (typeof r === 'number') return Number.isInteger(r) ? r : null;
    return typeof r === 'bigint' && r <= I64_MAX ? r : null;
  }

  /** A non-negative integer, else null (trait `TryToU64`). */
  tryToU64(): number | bigint | null {
    const r = this.raw;
    if (typeof r === 'number') return Number.isInteger(r) && r >= 0 ? r : null;
    return typeof r === 'bigint' && r >= 0n ? r : null;
  }

  /** Any number as `f64` (integers rounded to the nearest), else null (trait `TryToF64`). */
  tryToF64(): number | null {
    return numberOf(this.raw) ?? null;
  }

  /** Same tree; integers never equal floats (`1` ≠ `1.0`), key order is canonical. */
  equals(other: unknown): boolean {
    return other instanceof JsonValue && rawEquals(this.raw, other.raw);
  }
}

/** Whether a parse result is a failure. */
export function isSyntaxError(r: JsonRaw | JsonSyntaxError): r is JsonSyntaxError {
  return r instanceof JsonSyntaxError;
}
