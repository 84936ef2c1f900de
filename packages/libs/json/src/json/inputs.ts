/**
 * How `json/value` reads its generic inputs: the infallible conversions `ToBool`, `ToI64`,
 * `ToU64`, `ToF64` and `ToString` (as `std/conv` defines them), chosen once per
 * generic argument. Core types are converted here (values of the integer types are
 * already exact and canonical, so the integer conversions are identities); a library
 * data type declaring the trait is asked through its method, as `std/conv` does.
 */
import { canon, type DataType, toBig, toStringValue, type Value } from '@tutti/core';

/** One conversion of a generic input. */
export type Read<T> = (v: Value) => T;

/** `ToBool`: integers and bytes are true when non-zero, bools as they are. */
export function readBool(t: DataType): Read<boolean> {
  if (t.kind === 'data') return (v) => Boolean(call(v, 'toBool', t));
  if (t.kind === 'core' && t.name === 'bool') return (v) => v as boolean;
  // Canonical integers: a bigint is never zero.
  return (v) => v !== 0;
}

/** `ToI64` / `ToU64`: the exact integer. */
export function readInt(t: DataType, method: 'toI64' | 'toU64'): Read<number | bigint> {
  if (t.kind === 'data') return (v) => canon(toBig(call(v, method, t) as number | bigint));
  return (v) => v as number | bigint;
}

/** `ToF64`: the nearest `f64` (bigint integers rounded once). */
export function readF64(t: DataType): Read<number> {
  if (t.kind === 'data') return (v) => Number(call(v, 'toF64', t));
  return (v) => (typeof v === 'bigint' ? Number(v) : (v as number));
}

/** `ToString`: the text `std/conv::|to_string` gives. */
export function readString(t: DataType): Read<string> {
  if (t.kind === 'core' && t.name === 'string') return (v) => v as string;
  return (v) => toStringValue(v, t);
}

function call(v: Value, method: string, t: DataType & { kind: 'data' }): unknown {
  const f = (v as Record<string, unknown> | null)?.[method];
  if (typeof f !== 'function') throw new Error(`Data type '${t.name}' has no method '${method}' for its conversion trait`);
  return f.call(v);
}
