/**
 * The converter factory of `std/conv`: given a conversion (family and target) and the
 * source type, pick once the function that converts one value. Functions call it per
 * call, treatments once per run, then loop.
 *
 * `Option<target>` results need no wrapping: some(x) is represented by x itself
 * (core's values.ts), so `try_to_f32`, `try_to_bool`… are the `to_…` converters.
 */
import {
  type CoreTypeName,
  type DataType,
  formatType,
  INT_TYPES,
  type IntInfo,
  implementsTrait,
  isIntType,
  toStringValue,
} from '@tutti/core';
import { type Converter, dataConverter } from './data-traits.js';
import { type ConvKind, type Target, traitOf } from './kinds.js';
import {
  floatBounds,
  floatToIntChecked,
  floatToIntSaturating,
  type Int,
  intToF32,
  intToF64,
  intToIntChecked,
  intToIntSaturating,
} from './numbers.js';

/** The identity converter; treatments forward whole batches when they get it. */
export const identity: Converter = (v) => v;

const noTraits = (): undefined => undefined;

/**
 * The converter of `kind` towards `target` for values of type `from`.
 *
 * @throws when `from` lacks the conversion's trait (the checker prevents it)
 * @example
 * ```ts
 * converterFor('try_to', 'u8', coreType('i32'))(300); // null
 * ```
 */
export function converterFor(kind: ConvKind, target: Target, from: DataType): Converter {
  if (from.kind === 'data') return dataConverter(kind, target, from);
  const trait = traitOf(kind, target);
  if (from.kind !== 'core' || !implementsTrait(from, trait, noTraits, noTraits)) {
    throw new Error(`Type '${formatType(from)}' does not implement '${trait}'`);
  }
  const src = from.name;
  switch (target) {
    case 'f32':
      return src === 'f32' ? identity : src === 'f64' ? (v) => Math.fround(v as number) : (v) => intToF32(v as Int);
    case 'f64':
      return src === 'f32' || src === 'f64' ? identity : (v) => intToF64(v as Int);
    case 'bool':
      return src === 'bool' ? identity : (v) => v !== 0 && v !== 0n;
    case 'byte':
      return src === 'bool' ? (v) => (v ? 1 : 0) : identity;
    case 'char':
      return identity;
    case 'string':
      return src === 'string' ? identity : (v) => toStringValue(v, from);
    default:
      return intConverter(kind, INT_TYPES[target], src);
  }
}

function intConverter(kind: ConvKind, t: IntInfo, src: CoreTypeName): Converter {
  if (src === 'f32' || src === 'f64') {
    if (kind === 'saturating_to') return (v) => floatToIntSaturating(t, v as number);
    const bounds = floatBounds(t, src === 'f32');
    return (v) => floatToIntChecked(t, bounds, v as number);
  }
  // Same value in the same representation: widenings (every `to_…`) and same-type casts.
  if (kind === 'to' || src === t.name || src === 'byte') return identity;
  if (isIntType(src) && fitsWhole(INT_TYPES[src], t)) return identity;
  return kind === 'try_to' ? (v) => intToIntChecked(t, v as Int) : (v) => intToIntSaturating(t, v as Int);
}

/** Whether every value of `a` is a value of `b`. */
function fitsWhole(a: IntInfo, b: IntInfo): boolean {
  return a.min >= b.min && a.max <= b.max;
}
