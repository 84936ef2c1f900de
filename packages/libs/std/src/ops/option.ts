/** `std/ops/option` and `std/ops/option/block` (libraries spec §3.12): handling `Option<T>` values. */
import { fn, treatment } from '@tutti/core';

const area = 'std/ops/option';
const block = 'std/ops/option/block';

export const opsOption = [
  fn(area, 'unwrap_or', {
    generics: 'T',
    params: 'option: Option<T>, default: T',
    returns: 'T',
    doc: 'The inner value, or `default` when none.',
  }),
  fn(area, 'wrap', { generics: 'T', params: 'value: T', returns: 'Option<T>', doc: 'Wraps `value` as some.' }),
  treatment(area, 'unwrap', {
    generics: 'T',
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values; none elements are dropped.',
  }),
  treatment(area, 'unwrapOr', {
    generics: 'T',
    params: { default: 'var T' },
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values; none elements become `default`.',
  }),
  treatment(area, 'fuse', {
    generics: 'T',
    inputs: { option: 'Stream<Option<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Forwards inner values until the first none, then ends.',
  }),
  treatment(area, 'wrap', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { option: 'Stream<Option<T>>' },
    doc: 'Wraps every value as some.',
  }),
  treatment(block, 'unwrap', {
    generics: 'T',
    inputs: { option: 'Block<Option<T>>' },
    outputs: { value: 'Block<T>' },
    doc: 'Emits the inner value; closes empty on none.',
  }),
  treatment(block, 'unwrapOr', {
    generics: 'T',
    params: { default: 'var T' },
    inputs: { option: 'Block<Option<T>>' },
    outputs: { value: 'Block<T>' },
    doc: 'Emits the inner value, or `default` on none.',
  }),
  treatment(block, 'wrap', {
    generics: 'T',
    inputs: { value: 'Block<T>' },
    outputs: { option: 'Block<Option<T>>' },
    doc: 'Emits the value wrapped as some.',
  }),
  treatment(block, 'map', {
    generics: 'T',
    inputs: { option: 'Block<Option<T>>' },
    outputs: { none: 'Block<void>', value: 'Block<T>' },
    doc: 'Splits the option: some goes to `value`, none signals `none`.',
  }),
  treatment(block, 'reduce', {
    generics: 'T',
    inputs: { value: 'Block<T>', none: 'Block<void>' },
    outputs: { option: 'Block<Option<T>>' },
    doc: 'Whichever arrives first: a value gives some(value), a `none` signal gives none.',
  }),
];
