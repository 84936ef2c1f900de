/**
 * How a library data type's values take part in `std/conv`. A data type declares its
 * conversion traits (`Json`: `ToString TryToString TryToBool TryToI64 TryToU64 TryToF64`),
 * and its values implement them as methods named after the function in camelCase:
 * `toString()`, `tryToString()`, `tryToI64()`, `saturatingToF32()`… A `try…` method
 * returns `null` (or `undefined`) for none. `ToString` is JavaScript's own `toString`,
 * which therefore must be overridden; a missing `tryToString` falls back to it.
 *
 * The core API has no such protocol (its `DataValue` only carries display/equals/compare),
 * so this one lives here, where the conversions are; the checker guarantees that only
 * types declaring the trait get here.
 */
import { canon, type DataType, toBig, type Value } from '@tutti/core';
import type { ConvKind } from './kinds.js';

/** A conversion of one value. */
export type Converter = (v: Value) => Value;

/** camelCase method name of a conversion: `try_to_i64` → `tryToI64`. */
export function methodName(kind: ConvKind, target: string): string {
  return `${kind}_${target}`.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** The converter calling the data value's own method for `kind` towards `target`. */
export function dataConverter(kind: ConvKind, target: string, from: DataType & { kind: 'data' }): Converter {
  const method = methodName(kind, target);
  const normalise = resultNormaliser(target);
  return (v) => {
    let f = (v as Record<string, unknown> | null)?.[method];
    // Without its own `tryToString`, a type's TryToString is its ToString wrapped in some,
    // as for core types.
    if (typeof f !== 'function' && method === 'tryToString') f = (v as Record<string, unknown>).toString;
    if (typeof f !== 'function' || f === Object.prototype.toString) {
      throw new Error(`Data type '${from.name}' has no method '${method}' for its conversion trait`);
    }
    const r: unknown = f.call(v);
    if (r === null || r === undefined) {
      if (kind === 'try_to') return null;
      throw new Error(`Method '${method}' of data type '${from.name}' returned no value`);
    }
    return normalise(r);
  };
}

function resultNormaliser(target: string): (r: unknown) => Value {
  switch (target) {
    case 'f32':
      return (r) => Math.fround(r as number);
    case 'f64':
    case 'bool':
    case 'byte':
    case 'char':
      return (r) => r;
    case 'string':
      return (r) => String(r);
    default:
      // Integers: whatever form the type returns, hand on the canonical one.
      return (r) => canon(toBig(r as number | bigint));
  }
}
