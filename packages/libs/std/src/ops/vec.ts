/** `std/ops/vec` and `std/ops/vec/block` (libraries spec §3.13): vector membership and concatenation. */
import { fn, treatment } from '@tutti/core';

const area = 'std/ops/vec';
const block = 'std/ops/vec/block';

export const opsVec = [
  fn(area, 'contains', {
    generics: 'T: PartialEquality',
    params: 'vector: Vec<T>, value: T',
    returns: 'bool',
    doc: 'Whether `vector` contains `value`.',
  }),
  fn(area, 'concat', {
    generics: 'T',
    params: 'first: Vec<T>, second: Vec<T>',
    returns: 'Vec<T>',
    doc: 'Concatenation of `first` and `second`.',
  }),
  treatment(area, 'contains', {
    generics: 'T: PartialEquality',
    inputs: { value: 'Stream<T>', vec: 'Stream<Vec<T>>' },
    outputs: { contains: 'Stream<bool>' },
    doc: 'Pairwise: whether each vector contains its value.',
  }),
  treatment(area, 'concat', {
    generics: 'T',
    inputs: { first: 'Stream<Vec<T>>', second: 'Stream<Vec<T>>' },
    // `concatened` (sic) is the reference's port name.
    outputs: { concatened: 'Stream<Vec<T>>' },
    doc: 'Pairwise concatenation of `first` and `second` vectors.',
  }),
  treatment(block, 'contains', {
    generics: 'T: PartialEquality',
    inputs: { value: 'Block<T>', vec: 'Block<Vec<T>>' },
    outputs: { contains: 'Block<bool>' },
    doc: 'Once both arrive: whether the vector contains the value.',
  }),
  treatment(block, 'concat', {
    generics: 'T',
    inputs: { first: 'Block<Vec<T>>', second: 'Block<Vec<T>>' },
    outputs: { concatened: 'Block<Vec<T>>' },
    doc: 'Once both arrive: concatenation of `first` and `second`.',
  }),
];
