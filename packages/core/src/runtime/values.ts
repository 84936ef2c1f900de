/**
 * How Mélodium values live in JavaScript while a program runs. One representation for
 * every layer (engine, libraries, CLI), chosen for the common case's speed:
 *
 * | Mélodium type | JavaScript value |
 * |---|---|
 * | `void` | `undefined` |
 * | `i8 i16 i32 u8 u16 u32`, `byte` | `number` (an integer in range) |
 * | `i64 u64 i128 u128` | `number` while the value is a safe integer (|v| ≤ 2^53−1), `bigint` beyond: the representation is canonical, so `===` is value equality |
 * | `f32`, `f64` | `number` (an `f32` is always `Math.fround`-exact) |
 * | `bool` | `boolean` |
 * | `char` | `string` holding one code point |
 * | `string` | `string` |
 * | `Vec<T>` | a read-only JS array (a `Vec<byte>` may also be a `Uint8Array`: accept both) |
 * | `Option<T>` | `null` for none, the inner value for some (so `Option<Option<T>>` cannot tell some(none) from none: no library element produces one) |
 * | library data types | objects; see {@link DataValue} |
 *
 * Wide integers stay exact (bigint past 2^53) without making every count and sum pay for
 * BigInt: measured on a 2-core machine, 10 M values through produce → +1 → sum ran at
 * about 1,300–1,470 M values/s as a plain `for` loop and 53–56 M with `BigInt.asUintN(64, …)`,
 * about 25× slower.
 */
import type { DataType } from '../types.js';

/** Any run-time value. */
export type Value = unknown;

/**
 * Returned by a receive on an input that is closed and drained.
 * Registered globally, so a user package importing its own copy of `@tutti/core` still
 * sees the same value as the bundled engine.
 */
export const END: unique symbol = Symbol.for('tutti.end');
/** The type of {@link END}. */
export type End = typeof END;

/** What `InputPort.tryRecvOne` gives when no value is there yet (the input is open). */
export const NOT_YET: unique symbol = Symbol.for('tutti.not-yet');
export type NotYet = typeof NOT_YET;

/** The none value of `Option<T>`. */
export const NONE = null;

/**
 * Optional behaviour a library data type's values may carry. The engine's Display
 * rendering uses `display()` when present (the type's own text, where the reference
 * shows a placeholder comment naming the type);
 * equality and ordering traits use `equals`/`compare`.
 */
export interface DataValue {
  display?(): string;
  equals?(other: unknown): boolean;
  compare?(other: unknown): number;
}

/** Generic arguments of an instance, by generic name, fully substituted. */
export type GenericArgs = Readonly<Record<string, DataType>>;
