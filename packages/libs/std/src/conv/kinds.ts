/** The conversion families of `std/conv` and their targets. */

/** Function name prefix of a family: `to_i8`, `try_to_i8`, `saturating_to_i8`. */
export type ConvKind = 'to' | 'try_to' | 'saturating_to';

/** Numeric targets, which every family has. */
export const NUMBERS = ['i8', 'i16', 'i32', 'i64', 'i128', 'u8', 'u16', 'u32', 'u64', 'u128', 'f32', 'f64'] as const;

/** Targets of `to_…` and `try_to_…`. */
export const TARGETS = [...NUMBERS, 'bool', 'byte', 'char', 'string'] as const;

/** One conversion target. */
export type Target = (typeof TARGETS)[number];

/** `i8` → `I8`, `string` → `String`. */
export function upper(t: string): string {
  return t[0]!.toUpperCase() + t.slice(1);
}

/** The trait bounding a conversion: `to`/`i8` → `ToI8`, `try_to`/`bool` → `TryToBool`. */
export function traitOf(kind: ConvKind, target: string): string {
  return kind.replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase()) + upper(target);
}
