/** `std/ops` (libraries spec §3.8): generic comparisons, as functions and pairwise streaming treatments. */
import { fn, treatment } from '@tutti/core';

const area = 'std/ops';

/** A pairwise treatment `name<T: bound>()` · in `a`, `b: Stream<T>` · out `output: Stream<type>`. */
function pairwise(name: string, bound: string, output: string, type: string, doc: string) {
  return treatment(area, name, {
    generics: `T: ${bound}`,
    inputs: { a: 'Stream<T>', b: 'Stream<T>' },
    outputs: { [output]: `Stream<${type}>` },
    doc,
  });
}

export const ops = [
  fn(area, 'condition', {
    generics: 'T',
    params: 'condition: bool, a: T, b: T',
    returns: 'T',
    doc: '`a` if `condition` is true, else `b`.',
  }),
  fn(area, 'equal', {
    generics: 'T: PartialEquality',
    params: 'a: T, b: T',
    returns: 'bool',
    doc: 'Whether `a` equals `b`.',
  }),
  fn(area, 'not_equal', {
    generics: 'T: PartialEquality',
    params: 'a: T, b: T',
    returns: 'bool',
    doc: 'Whether `a` differs from `b`.',
  }),
  fn(area, 'gt', { generics: 'T: PartialOrder', params: 'a: T, b: T', returns: 'bool', doc: '`a > b`.' }),
  fn(area, 'ge', { generics: 'T: PartialOrder', params: 'a: T, b: T', returns: 'bool', doc: '`a >= b`.' }),
  fn(area, 'lt', { generics: 'T: PartialOrder', params: 'a: T, b: T', returns: 'bool', doc: '`a < b`.' }),
  fn(area, 'le', { generics: 'T: PartialOrder', params: 'a: T, b: T', returns: 'bool', doc: '`a <= b`.' }),
  fn(area, 'min', { generics: 'T: Order', params: 'a: T, b: T', returns: 'T', doc: 'The smaller of `a` and `b`.' }),
  fn(area, 'max', { generics: 'T: Order', params: 'a: T, b: T', returns: 'T', doc: 'The larger of `a` and `b`.' }),
  fn(area, 'clamp', {
    generics: 'T: Order',
    params: 'value: T, min: T, max: T',
    returns: 'T',
    doc: 'Clamps `value` into `[min, max]` (an error when `min > max`).',
  }),
  pairwise('equal', 'PartialEquality', 'result', 'bool', 'Pairwise: whether each `a` equals its `b`.'),
  pairwise('notEqual', 'PartialEquality', 'result', 'bool', 'Pairwise: whether each `a` differs from its `b`.'),
  pairwise('greaterThan', 'PartialOrder', 'is', 'bool', 'Pairwise: `a > b`.'),
  pairwise('greaterEqual', 'PartialOrder', 'is', 'bool', 'Pairwise: `a >= b`.'),
  pairwise('lowerThan', 'PartialOrder', 'is', 'bool', 'Pairwise: `a < b`.'),
  pairwise('lowerEqual', 'PartialOrder', 'is', 'bool', 'Pairwise: `a <= b`.'),
  pairwise('min', 'Order', 'min', 'T', 'Pairwise: the smaller of `a` and `b`.'),
  pairwise('max', 'Order', 'max', 'T', 'Pairwise: the larger of `a` and `b`.'),
  treatment(area, 'clamp', {
    generics: 'T: Order',
    params: { min: 'var T', max: 'var T' },
    inputs: { value: 'Stream<T>' },
    outputs: { clamped: 'Stream<T>' },
    doc: 'Clamps each value into `[min, max]` (an error when `min > max`).',
  }),
];
