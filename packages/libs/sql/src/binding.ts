/**
 * Value binding, Mélodium → SQL: which JavaScript value each driver
 * receives for a `Map` entry.
 *
 * | Mélodium | PostgreSQL (`pg`) | MySQL (`mysql2`) | SQLite (`better-sqlite3`) |
 * |---|---|---|---|
 * | integers up to `i64`/`u32` | number, or decimal text past 2^53 | number, or decimal text | number, or bigint past 2^53 |
 * | `u64`, `i128`, `u128` | decimal text (exact) | decimal text (exact) | bigint inside the i64 range (exact), else a double |
 * | `f32`, `f64` | number | number | number |
 * | `bool` | boolean | boolean | 1 / 0 |
 * | `byte` | one-byte Buffer | one-byte Buffer | one-byte Buffer |
 * | `char`, `string` | string | string | string |
 * | `void`, vectors, none | NULL | NULL | NULL |
 * | a data value | its ToString text, or NULL without that trait | same | same |
 *
 * ⚑ The reference binds `u64`, `i128` and `u128` as DOUBLE, losing precision above 2^53.
 * Here they stay exact wherever the driver allows: PostgreSQL and MySQL take
 * untyped text parameters that the server converts to the column's type, and SQLite takes
 * 64-bit integers; only a SQLite value outside the i64 range becomes a double.
 */
import type { DataType, Value } from '@tutti/core';
import type { MapValue } from '@tutti/lib-std';
import type { Dialect } from './url.js';

/** A value as the driver takes it. */
export type Bound = string | number | bigint | boolean | Buffer | null;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function wide(v: number | bigint, dialect: Dialect): Bound {
  if (typeof v === 'number') return v;
  if (dialect === 'sqlite') return v >= I64_MIN && v <= I64_MAX ? v : Number(v);
  return v.toString();
}

/** The driver value of `v`, a value of type `t`. */
export function bindValue(v: Value, t: DataType, dialect: Dialect): Bound {
  switch (t.kind) {
    case 'core':
      switch (t.name) {
        case 'string':
        case 'char':
        case 'f64':
        case 'f32':
        case 'i8':
        case 'i16':
        case 'i32':
        case 'u8':
        case 'u16':
        case 'u32':
          return v as string | number;
        case 'i64':
        case 'u64':
        case 'i128':
        case 'u128':
          return wide(v as number | bigint, dialect);
        case 'bool':
          return dialect === 'sqlite' ? (v ? 1 : 0) : (v as boolean);
        case 'byte':
          return Buffer.of(v as number);
        default:
          return null; // void
      }
    case 'option':
      return v === null ? null : bindValue(v, t.of, dialect);
    case 'data':
      // A data type's ToString trait is its own `toString` (see std's conv/data-traits.ts).
      return typeof v === 'object' && v !== null && v.toString !== Object.prototype.toString ? String(v) : null;
    default:
      return null; // vectors (and unsubstituted generics, which cannot occur at run time)
  }
}

/** Appends to `out` the values of `row` named by `bindings`, in order (missing key → NULL). */
export function bindRow(row: MapValue, bindings: readonly string[], dialect: Dialect, out: Bound[]): void {
  for (let i = 0; i < bindings.length; i++) {
    const e = row.get(bindings[i] as string);
    out.push(e === undefined ? null : bindValue(e.value, e.type, dialect));
  }
}
