/**
 * The value of `std/data/string_map::StringMap`: an immutable map
 * from `string` keys to `string` values. Other packages build and read it (HTTP headers,
 * process environments, regex captures, JSON objects), so the API is small: build with
 * {@link StringMapValue.from} / {@link StringMapValue.empty}, derive with `with`/`merge`,
 * read with `get`/`has`/`entries`/`toRecord`.
 *
 * Immutable because values are shared: a value sent to several receivers (fan-out) is
 * the same object for all of them, so "insert" must return a copy. Entries keep their
 * insertion order (an overwritten key keeps its place), which makes dumps and iteration
 * deterministic; equality ignores order, like the reference's hash map.
 */
import type { DataValue } from '@tutti/core';
import { quoteString } from '@tutti/core';

/**
 * A `StringMap` value.
 *
 * @example
 * ```ts
 * const headers = StringMapValue.from({ accept: 'text/plain' }).with('x-id', '7');
 * headers.get('accept'); // 'text/plain'
 * headers.display(); // '{"accept": "text/plain", "x-id": "7"}'
 * ```
 */
export class StringMapValue implements DataValue {
  /** The map without entries. */
  static readonly empty: StringMapValue = new StringMapValue(new Map());

  private constructor(private readonly map: ReadonlyMap<string, string>) {}

  /**
   * A map of the given entries, in order; a repeated key keeps its first place and its
   * last value.
   */
  static from(entries: Iterable<readonly [string, string]> | Readonly<Record<string, string>>): StringMapValue {
    const map = new Map<string, string>(isIterable(entries) ? entries : Object.entries(entries));
    return map.size === 0 ? StringMapValue.empty : new StringMapValue(map);
  }

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }

  /** The value of `key`, or undefined when absent. */
  get(key: string): string | undefined {
    return this.map.get(key);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** A copy with `key` set to `value`. */
  with(key: string, value: string): StringMapValue {
    const map = new Map(this.map);
    map.set(key, value);
    return new StringMapValue(map);
  }

  /** A copy with every entry of `other` set (`other` wins on common keys). */
  merge(other: StringMapValue): StringMapValue {
    if (other.map.size === 0) return this;
    if (this.map.size === 0) return other;
    const map = new Map(this.map);
    for (const [k, v] of other.map) map.set(k, v);
    return new StringMapValue(map);
  }

  /** The entries in insertion order. */
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  /** The entries in insertion order. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  /** The entries as a plain object (own properties only, `__proto__` included as a key). */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.map);
  }

  /** Same keys with the same values, whatever the order (`PartialEquality`/`Equality`). */
  equals(other: unknown): boolean {
    if (!(other instanceof StringMapValue)) return false;
    if (other === this) return true;
    if (other.map.size !== this.map.size) return false;
    for (const [k, v] of this.map) if (other.map.get(k) !== v) return false;
    return true;
  }

  /** Debug dump on one line: `{"a": "x", "b": "y"}`, keys and values quoted and escaped as Display does. */
  display(): string {
    const parts: string[] = [];
    for (const [k, v] of this.map) parts.push(`${quoteString(k)}: ${quoteString(v)}`);
    return `{${parts.join(', ')}}`;
  }
}

function isIterable<T>(x: Iterable<T> | object): x is Iterable<T> {
  return typeof (x as Partial<Iterable<T>>)[Symbol.iterator] === 'function';
}
