/**
 * `std/ops`: generic comparisons, as functions and pairwise streaming
 * treatments. The semantics (NaN, code point order, float `min`/`max`, `clamp` errors) are
 * in ops/order.ts.
 */
import { END, fn, type OutputPort, treatment } from '@tutti/core';
import { mapBatch, mapKernel, mapStream, pairKernel, pairwise as runPairwise } from './ops/op-streams.js';
import { type Comparators, checkClampBounds, clampChecked, comparators } from './ops/order.js';

const area = 'std/ops';

/** The operation of {@link Comparators} a function or treatment applies. */
type Op = keyof Comparators;

/** A function `|name<T: bound>(a: T, b: T) -> returns` applying `op`. */
function compareFn(name: string, bound: string, returns: string, op: Op, doc: string) {
  return fn(area, name, {
    generics: `T: ${bound}`,
    params: 'a: T, b: T',
    returns,
    doc,
    impl: ([a, b], g) => comparators(g.T)[op](a, b),
  });
}

/** A pairwise treatment `name<T: bound>()` · in `a`, `b: Stream<T>` · out `output: Stream<type>`. */
function pairwise(name: string, bound: string, output: string, type: string, op: Op, doc: string) {
  return treatment(area, name, {
    generics: `T: ${bound}`,
    inputs: { a: 'Stream<T>', b: 'Stream<T>' },
    outputs: { [output]: `Stream<${type}>` },
    doc,
    async run({ inputs, outputs, generics }) {
      await runPairwise(inputs.a, inputs.b, outputs[output] as OutputPort, pairKernel(comparators(generics.T)[op]));
    },
  });
}

export const ops = [
  fn(area, 'condition', {
    generics: 'T',
    params: 'condition: bool, a: T, b: T',
    returns: 'T',
    doc: '`a` if `condition` is true, else `b`.',
    impl: ([condition, a, b]) => (condition === true ? a : b),
  }),
  compareFn('equal', 'PartialEquality', 'bool', 'eq', 'Whether `a` equals `b`.'),
  compareFn('not_equal', 'PartialEquality', 'bool', 'ne', 'Whether `a` differs from `b`.'),
  compareFn('gt', 'PartialOrder', 'bool', 'gt', '`a > b`.'),
  compareFn('ge', 'PartialOrder', 'bool', 'ge', '`a >= b`.'),
  compareFn('lt', 'PartialOrder', 'bool', 'lt', '`a < b`.'),
  compareFn('le', 'PartialOrder', 'bool', 'le', '`a <= b`.'),
  compareFn('min', 'Order', 'T', 'min', 'The smaller of `a` and `b`.'),
  compareFn('max', 'Order', 'T', 'max', 'The larger of `a` and `b`.'),
  fn(area, 'clamp', {
    generics: 'T: Order',
    params: 'value: T, min: T, max: T',
    returns: 'T',
    doc: 'Clamps `value` into `[min, max]` (an error when `min > max`).',
    impl: ([value, min, max], g) => {
      const c = comparators(g.T);
      checkClampBounds(c, min, max);
      return clampChecked(c, value, min, max);
    },
  }),
  pairwise('equal', 'PartialEquality', 'result', 'bool', 'eq', 'Pairwise: whether each `a` equals its `b`.'),
  pairwise('notEqual', 'PartialEquality', 'result', 'bool', 'ne', 'Pairwise: whether each `a` differs from its `b`.'),
  pairwise('greaterThan', 'PartialOrder', 'is', 'bool', 'gt', 'Pairwise: `a > b`.'),
  pairwise('greaterEqual', 'PartialOrder', 'is', 'bool', 'ge', 'Pairwise: `a >= b`.'),
  pairwise('lowerThan', 'PartialOrder', 'is', 'bool', 'lt', 'Pairwise: `a < b`.'),
  pairwise('lowerEqual', 'PartialOrder', 'is', 'bool', 'le', 'Pairwise: `a <= b`.'),
  pairwise('min', 'Order', 'min', 'T', 'min', 'Pairwise: the smaller of `a` and `b`.'),
  pairwise('max', 'Order', 'max', 'T', 'max', 'Pairwise: the larger of `a` and `b`.'),
  treatment(area, 'clamp', {
    generics: 'T: Order',
    params: { min: 'var T', max: 'var T' },
    inputs: { value: 'Stream<T>' },
    outputs: { clamped: 'Stream<T>' },
    doc: 'Clamps each value into `[min, max]` (an error when `min > max`).',
    async run({ inputs, outputs, params, generics }) {
      const c = comparators(generics.T);
      const { min, max } = params;
      // Checked at the first value, as the reference panics only when it clamps one: an
      // empty stream ends normally whatever the bounds.
      const first = await inputs.value.recvMany();
      if (first === END) return;
      checkClampBounds(c, min, max);
      const kernel = mapKernel((v) => clampChecked(c, v, min, max));
      if (!(await mapBatch(first, outputs.clamped, kernel))) return;
      await mapStream(inputs.value, outputs.clamped, kernel);
    },
  }),
];
