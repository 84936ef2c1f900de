/**
 * Integer types at run time: ranges and the canonical number/bigint representation
 * (see values.ts). Values of `i64 u64 i128 u128` are `number` while safe, `bigint` beyond.
 */
import type { CoreTypeName } from '../types.js';

/** The integer type names (`byte` is not an integer type for the traits, but is 0–255). */
export type IntTypeName = 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128';

/** Facts about one integer type. */
export interface IntInfo {
  readonly name: IntTypeName;
  readonly bits: number;
  readonly signed: boolean;
  readonly min: bigint;
  readonly max: bigint;
  /** Whether values may exceed the safe-integer range (then they can be bigint). */
  readonly wide: boolean;
}

function info(name: IntTypeName, bits: number, signed: boolean): IntInfo {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return { name, bits, signed, min, max, wide: bits > 32 };
}

/** Every integer type. */
export const INT_TYPES: Readonly<Record<IntTypeName, IntInfo>> = {
  i8: info('i8', 8, true),
  i16: info('i16', 16, true),
  i32: info('i32', 32, true),
  i64: info('i64', 64, true),
  i128: info('i128', 128, true),
  u8: info('u8', 8, false),
  u16: info('u16', 16, false),
  u32: info('u32', 32, false),
  u64: info('u64', 64, false),
  u128: info('u128', 128, false),
};

/** Whether `name` is an integer type. */
export function isIntType(name: CoreTypeName | string): name is IntTypeName {
  return Object.hasOwn(INT_TYPES, name);
}

/** The exact value of an integer (number or bigint) as bigint. */
export function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Canonical form of an exact integer: number when safe, bigint otherwise. */
export function canon(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Whether the exact value `v` is in the range of `t`. */
export function fitsInt(t: IntInfo, v: bigint): boolean {
  return v >= t.min && v <= t.max;
}

/** `v` wrapped modulo 2^bits into the range of `t`, canonical. */
export function wrapInt(t: IntInfo, v: bigint): number | bigint {
  return canon(t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v));
}

/** `v` clamped into the range of `t`, canonical. */
export function saturateInt(t: IntInfo, v: bigint): number | bigint {
  return canon(v < t.min ? t.min : v > t.max ? t.max : v);
}
