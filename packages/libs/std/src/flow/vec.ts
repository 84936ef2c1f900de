/** `std/flow/vec`: flow treatments over streams of vectors. */
import { treatment } from '@tutti/core';
import * as vectors from './vectors.js';

const area = 'std/flow/vec';

export const flowVec = [
  treatment(area, 'flatten', {
    generics: 'T',
    inputs: { vector: 'Stream<Vec<T>>' },
    outputs: { value: 'Stream<T>' },
    doc: 'Emits the elements of each vector in order.',
    run: vectors.flatten,
  }),
  treatment(area, 'pattern', {
    generics: 'T',
    inputs: { stream: 'Stream<Vec<T>>' },
    outputs: { pattern: 'Stream<Vec<void>>' },
    doc: 'For each vector emits a vector of `void` of the same length.',
    run: vectors.pattern,
  }),
  treatment(area, 'fit', {
    generics: 'T',
    inputs: { value: 'Stream<T>', pattern: 'Stream<Vec<void>>' },
    outputs: { fitted: 'Stream<Vec<T>>' },
    doc: 'For each pattern of length n collects the next n values into a vector.',
    run: vectors.fit,
  }),
  treatment(area, 'fill', {
    generics: 'T',
    params: { value: 'var T' },
    inputs: { pattern: 'Stream<Vec<void>>' },
    outputs: { filled: 'Stream<Vec<T>>' },
    doc: 'For each pattern emits a vector of `value` of the same length.',
    run: vectors.fill,
  }),
  treatment(area, 'size', {
    generics: 'T',
    inputs: { vector: 'Stream<Vec<T>>' },
    outputs: { size: 'Stream<u64>' },
    doc: 'Length of each vector.',
    run: vectors.size,
  }),
  treatment(area, 'resize', {
    generics: 'T',
    params: { default: 'var T' },
    inputs: { vector: 'Stream<Vec<T>>', size: 'Stream<u64>' },
    outputs: { resized: 'Stream<Vec<T>>' },
    doc: 'Pairs one size with one vector; truncates or pads with `default`.',
    run: vectors.resize,
  }),
];
