/**
 * `std/ops/float`: floating-point predicates and functions, as
 * functions and treatments. The behaviour, per `f32`/`f64`, is in float-fns.ts.
 */
import { type DataType, fn, type OutputPort, treatment } from '@tutti/core';
import { type Float1Name, type Float2, type Float2Name, type FloatPredicateName, float1, float2, floatPredicate } from './float-fns.js';
import { mapKernel, mapStream } from './op-streams.js';

const area = 'std/ops/float';

/** The core type name of a generic argument (`f32` or `f64` once checked). */
function nameOf(t: DataType | undefined): string | undefined {
  return t?.kind === 'core' ? t.name : undefined;
}

/** `|func(value: F) -> bool` and `name<F: Float>()` · in `value: Stream<F>` · out `output: Stream<bool>`. */
function predicate(func: FloatPredicateName, name: string, output: string, doc: string) {
  return [
    fn(area, func, {
      generics: 'F: Float',
      params: 'value: F',
      returns: 'bool',
      doc,
      impl: ([v], g) => floatPredicate(func, nameOf(g.F))(v as number),
    }),
    treatment(area, name, {
      generics: 'F: Float',
      inputs: { value: 'Stream<F>' },
      outputs: { [output]: 'Stream<bool>' },
      doc: `For each value: ${doc.charAt(0).toLowerCase()}${doc.slice(1)}`,
      async run({ inputs, outputs, generics }) {
        const test = floatPredicate(func, nameOf(generics.F));
        await mapStream(
          inputs.value,
          outputs[output] as OutputPort,
          mapKernel((v) => test(v as number)),
        );
      },
    }),
  ];
}

/**
 * `|func(val: F[, extra: F]) -> F` and `name<F: Float>([var extra: F])` · in `value: Stream<F>` ·
 * out `output: Stream<F>` (`output` defaults to the treatment name).
 */
function compute(func: Float1Name | Float2Name, name: string, doc: string, extra?: string, output = name) {
  return [
    fn(area, func, {
      generics: 'F: Float',
      params: extra === undefined ? 'val: F' : `val: F, ${extra}: F`,
      returns: 'F',
      doc,
      impl:
        extra === undefined
          ? ([v], g) => float1(func as Float1Name, nameOf(g.F))(v as number)
          : ([v, y], g) => float2(func as Float2Name, nameOf(g.F))(v as number, y as number),
    }),
    treatment(area, name, {
      generics: 'F: Float',
      params: extra === undefined ? {} : { [extra]: 'var F' },
      inputs: { value: 'Stream<F>' },
      outputs: { [output]: 'Stream<F>' },
      doc: `For each value: ${doc.charAt(0).toLowerCase()}${doc.slice(1)}`,
      async run({ inputs, outputs, params, generics }) {
        const type = nameOf(generics.F);
        let g: (v: number) => number;
        if (extra === undefined) {
          g = float1(func as Float1Name, type);
        } else {
          const h: Float2 = float2(func as Float2Name, type);
          const y = (params as Readonly<Record<string, unknown>>)[extra] as number;
          g = (v) => h(v, y);
        }
        await mapStream(
          inputs.value,
          outputs[output] as OutputPort,
          mapKernel((v) => g(v as number)),
        );
      },
    }),
  ];
}

export const opsFloat = [
  ...predicate('is_nan', 'isNan', 'nan', 'Whether the value is NaN.'),
  ...predicate('is_finite', 'isFinite', 'finite', 'Whether the value is neither NaN nor infinite.'),
  ...predicate('is_infinite', 'isInfinite', 'infinite', 'Whether the value is +∞ or −∞.'),
  ...predicate('is_normal', 'isNormal', 'normal', 'Whether the value is not zero, subnormal, infinite or NaN.'),
  ...predicate('is_subnormal', 'isSubnormal', 'subnormal', 'Whether the value is subnormal.'),
  ...compute('floor', 'floor', 'Largest integer less than or equal to the value.'),
  ...compute('ceil', 'ceil', 'Smallest integer greater than or equal to the value.'),
  ...compute('round', 'round', 'Nearest integer, halves rounded away from zero.'),
  ...compute('trunc', 'trunc', 'Integer part (toward zero).'),
  ...compute('fract', 'fract', 'Fractional part, `val − trunc(val)`.'),
  ...compute('recip', 'recip', 'Reciprocal, `1 / val`.'),
  ...compute('pow', 'pow', 'Real power `val^exp`.', 'exp'),
  ...compute('sqrt', 'sqrt', 'Square root (NaN for negative values).'),
  ...compute('cbrt', 'cbrt', 'Cube root.'),
  ...compute('exp', 'exp', 'Exponential `e^val`.'),
  ...compute('exp2', 'exp2', 'Power of two `2^val`.'),
  ...compute('ln', 'ln', 'Natural logarithm.'),
  ...compute('log2', 'log2', 'Base-2 logarithm.'),
  ...compute('log10', 'log10', 'Base-10 logarithm.'),
  ...compute('log', 'log', 'Logarithm in base `base`.', 'base'),
  ...compute('hypot', 'hypot', 'Hypotenuse `√(val² + n²)`.', 'n'),
  ...compute('sin', 'sin', 'Sine (radians).'),
  ...compute('cos', 'cos', 'Cosine (radians).'),
  ...compute('tan', 'tan', 'Tangent (radians).'),
  ...compute('asin', 'asin', 'Arcsine (radians).'),
  ...compute('acos', 'acos', 'Arccosine (radians).'),
  ...compute('atan', 'atan', 'Arctangent (radians).'),
  ...compute('atan2', 'atan2', 'Four-quadrant arctangent of `val` (y) over `n` (x).', 'n'),
  ...compute('sinh', 'sinh', 'Hyperbolic sine.'),
  ...compute('cosh', 'cosh', 'Hyperbolic cosine.'),
  ...compute('tanh', 'tanh', 'Hyperbolic tangent.'),
  ...compute('asinh', 'asinh', 'Inverse hyperbolic sine.'),
  ...compute('acosh', 'acosh', 'Inverse hyperbolic cosine.'),
  ...compute('atanh', 'atanh', 'Inverse hyperbolic tangent.'),
  // ⚑ quirk of the reference, reproduced: snake_case output ports.
  ...compute('to_degrees', 'toDegrees', 'Converts radians to degrees.', undefined, 'to_degrees'),
  ...compute('to_radians', 'toRadians', 'Converts degrees to radians.', undefined, 'to_radians'),
];
