/**
 * The value of `std/data/map::Map`: an immutable map from `string`
 * keys to values of any type. Each entry keeps the value's type beside it, because the
 * JavaScript value alone cannot tell `u8` 1 from `i64` 1 or `byte` 1, and `|get<T>` must
 * answer none when the stored type is not `T` (the treatments check too, where the
 * reference's do not).
 *
 * Immutable for the same reason as `StringMapValue` (a value is shared by every receiver
 * of a fan-out). Entries keep their insertion order; equality ignores it.
 */
import { type DataType, type DataValue, dumpValue, quoteString, typeEquals, type Value, valueEquals } from '@tutti/core';

/** One entry of a {@link MapValue}: the value and its (fully substituted) type. */
export interface MapEntry {
  readonly value: Value;
  readonly type: DataType;
}

/**
 * A `Map` value.
 *
 * @example
 * ```ts
 * const m = MapValue.entry('n', 1, coreType('u8')).with('name', 'x', coreType('string'));
 * m.getAs('n', coreType('u8')); // 1
 * m.getAs('n', coreType('i64')); // null (none): stored as u8
 * m.display(); // '{"n": 1, "name": "x"}'
 * ```
 */
export class MapValue implements DataValue {
  /** The map without entries. */
  static readonly empty: MapValue = new MapValue(new Map());

  private constructor(private readonly map: ReadonlyMap<string, MapEntry>) {}

  /** A one-entry map. */
  static entry(key: string, value: Value, type: DataType): MapValue {
    return new MapValue(new Map([[key, { value, type }]]));
  }

  /** A map of the given entries, in order; a repeated key keeps its first place and its last entry. */
  static from(entries: Iterable<readonly [string, MapEntry]>): MapValue {
    const map = new Map<string, MapEntry>(entries);
    return map.size === 0 ? MapValue.empty : new MapValue(map);
  }

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }

  /** The entry of `key` (value and type), or undefined when absent. */
  get(key: string): MapEntry | undefined {
    return this.map.get(key);
  }

  /**
   * The value of `key` as an `Option<type>` value: the value when present and stored with
   * exactly `type` (core `typeEquals`), else `null` (none).
   */
  getAs(key: string, type: DataType): Value {
    const e = this.map.get(key);
    return e !== undefined && typeEquals(e.type, type) ? e.value : null;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** A copy with `key` set to `value` of type `type`. */
  with(key: string, value: Value, type: DataType): MapValue {
    const map = new Map(this.map);
    map.set(key, { value, type });
    return new MapValue(map);
  }

  /** A copy with every entry of `other` set (`other` wins on common keys). */
  merge(other: MapValue): MapValue {
    if (other.map.size === 0) return this;
    if (this.map.size === 0) return other;
    const map = new Map(this.map);
    for (const [k, e] of other.map) map.set(k, e);
    return new MapValue(map);
  }

  /** The entries in insertion order. */
  entries(): IterableIterator<[string, MapEntry]> {
    return this.map.entries();
  }

  /** The entries in insertion order. */
  [Symbol.iterator](): IterableIterator<[string, MapEntry]> {
    return this.map.entries();
  }

  /** Same keys, each with an equal type and an equal value (`PartialEquality`), whatever the order. */
  equals(other: unknown): boolean {
    if (!(other instanceof MapValue)) return false;
    if (other === this) return true;
    if (other.map.size !== this.map.size) return false;
    for (const [k, e] of this.map) {
      const o = other.map.get(k);
      if (o === undefined || !typeEquals(e.type, o.type) || !valueEquals(e.value, o.value)) return false;
    }
    return true;
  }

  /** Debug dump on one line: `{"a": 1, "b": "x"}`, values rendered by Display, strings always quoted. */
  display(): string {
    const parts: string[] = [];
    for (const [k, e] of this.map) parts.push(`${quoteString(k)}: ${dumpValue(e.value, e.type)}`);
    return `{${parts.join(', ')}}`;
  }
}
