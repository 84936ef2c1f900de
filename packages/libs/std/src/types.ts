/**
 * `std/types`, `std/types/float`, `std/types/char`: type bounds and
 * special values. `Bounded` types are the integers, the floats and `byte`;
 * a float's bounds are its most negative/positive finite values, not the infinities.
 */
import { canon, type DataType, type FunctionImpl, fn, formatType, INT_TYPES, isIntType } from '@tutti/core';
import { LevelValue } from './engine/level.js';

/** Largest finite binary32, exactly (`f32::MAX`). */
const F32_MAX = 3.4028234663852886e38;

/** The bound of a `Bounded` type: `sign` -1 for `|min`, 1 for `|max`. */
function bound(t: DataType | undefined, sign: -1 | 1): unknown {
  if (t?.kind === 'core') {
    const name = t.name;
    if (isIntType(name)) return canon(sign < 0 ? INT_TYPES[name].min : INT_TYPES[name].max);
    if (name === 'f32') return sign * F32_MAX;
    if (name === 'f64') return sign * Number.MAX_VALUE;
    if (name === 'byte') return sign < 0 ? 0 : 255;
  }
  // Log levels are Bounded with min trace and max error (the reference's quirk, reproduced: against their order).
  if (t?.kind === 'data' && t.id === 'std/engine/log::Level') return LevelValue.of(sign < 0 ? 'trace' : 'error');
  throw new Error(`Type '${t === undefined ? '?' : formatType(t)}' does not implement 'Bounded'`);
}

/** A `Float` function returning `value` for `f32` and `f64` alike (both exact in binary32). */
function floatConstant(value: number): FunctionImpl {
  return (_args, g) => {
    const t = g.F;
    if (t?.kind === 'core' && (t.name === 'f32' || t.name === 'f64')) return value;
    throw new Error(`Type '${t === undefined ? '?' : formatType(t)}' does not implement 'Float'`);
  };
}

export const types = [
  fn('std/types', 'min', { generics: 'B: Bounded', returns: 'B', doc: 'Smallest value of the type.', impl: (_a, g) => bound(g.B, -1) }),
  fn('std/types', 'max', { generics: 'B: Bounded', returns: 'B', doc: 'Largest value of the type.', impl: (_a, g) => bound(g.B, 1) }),
  fn('std/types/float', 'infinity', {
    generics: 'F: Float',
    returns: 'F',
    doc: 'Positive infinity.',
    impl: floatConstant(Number.POSITIVE_INFINITY),
  }),
  fn('std/types/float', 'neg_infinity', {
    generics: 'F: Float',
    returns: 'F',
    doc: 'Negative infinity.',
    impl: floatConstant(Number.NEGATIVE_INFINITY),
  }),
  fn('std/types/float', 'nan', { generics: 'F: Float', returns: 'F', doc: 'Not a number (NaN).', impl: floatConstant(Number.NaN) }),
  fn('std/types/char', 'replacement_character', { returns: 'char', doc: 'The replacement character U+FFFD.', impl: () => '\uFFFD' }),
];
