/**
 * `std/ops/vec` and `std/ops/vec/block`: vector membership and concatenation.
 *
 * Membership is `PartialEquality`: for core types the representation is canonical, so
 * strict equality (`indexOf`) is exactly that trait, NaN included (never found, as in
 * Rust); data types such as `Map` go through core `valueEquals`. A `Vec<byte>` may be a
 * `Uint8Array` (core values.ts), which both forms handle.
 */
import { type DataType, END, fn, treatment, type Value, valueEquals } from '@tutti/core';
import { pairKernel, pairwise } from './op-streams.js';

const area = 'std/ops/vec';
const block = 'std/ops/vec/block';

type Vector = readonly Value[] | Uint8Array;

/** Whether `vector` holds a value equal to `value`. */
type Contains = (vector: Vector, value: Value) => boolean;

const containsStrict: Contains = (vector, value) =>
  // A non-number never occurs in a byte vector (and Uint8Array#indexOf would coerce it).
  vector instanceof Uint8Array ? typeof value === 'number' && vector.indexOf(value) !== -1 : vector.indexOf(value) !== -1;

const containsDeep: Contains = (vector, value) => {
  for (let i = 0; i < vector.length; i++) if (valueEquals(vector[i], value)) return true;
  return false;
};

/** The membership test for element type `t`, chosen once per run. */
function containsFor(t: DataType | undefined): Contains {
  return t === undefined || t.kind === 'core' ? containsStrict : containsDeep;
}

/** `first` followed by `second`; bytes stay a `Uint8Array` when either side is one. */
function concatVec(first: Vector, second: Vector): Vector {
  if (first instanceof Uint8Array || second instanceof Uint8Array) {
    const out = new Uint8Array(first.length + second.length);
    // Both sides are `Vec<byte>` here: plain arrays hold numbers 0–255.
    out.set(first as ArrayLike<number>);
    out.set(second as ArrayLike<number>, first.length);
    return out;
  }
  return first.concat(second);
}

export const opsVec = [
  fn(area, 'contains', {
    generics: 'T: PartialEquality',
    params: 'vector: Vec<T>, value: T',
    returns: 'bool',
    doc: 'Whether `vector` contains `value`.',
    impl: ([vector, value], g) => containsFor(g.T)(vector as Vector, value),
  }),
  fn(area, 'concat', {
    generics: 'T',
    params: 'first: Vec<T>, second: Vec<T>',
    returns: 'Vec<T>',
    doc: 'Concatenation of `first` and `second`.',
    impl: ([first, second]) => concatVec(first as Vector, second as Vector),
  }),
  treatment(area, 'contains', {
    generics: 'T: PartialEquality',
    inputs: { value: 'Stream<T>', vec: 'Stream<Vec<T>>' },
    outputs: { contains: 'Stream<bool>' },
    doc: 'Pairwise: whether each vector contains its value.',
    async run({ inputs, outputs, generics }) {
      const contains = containsFor(generics.T);
      await pairwise(
        inputs.value,
        inputs.vec,
        outputs.contains,
        pairKernel((value, vector) => contains(vector as Vector, value)),
      );
    },
  }),
  treatment(area, 'concat', {
    generics: 'T',
    inputs: { first: 'Stream<Vec<T>>', second: 'Stream<Vec<T>>' },
    // `concatened` (sic) is the reference's port name.
    outputs: { concatened: 'Stream<Vec<T>>' },
    doc: 'Pairwise concatenation of `first` and `second` vectors.',
    async run({ inputs, outputs }) {
      await pairwise(
        inputs.first,
        inputs.second,
        outputs.concatened,
        pairKernel((a, b) => concatVec(a as Vector, b as Vector)),
      );
    },
  }),
  treatment(block, 'contains', {
    generics: 'T: PartialEquality',
    inputs: { value: 'Block<T>', vec: 'Block<Vec<T>>' },
    outputs: { contains: 'Block<bool>' },
    doc: 'Once both arrive: whether the vector contains the value.',
    async run({ inputs, outputs, generics }) {
      const value = await inputs.value.recvOne();
      if (value === END) return;
      const vector = await inputs.vec.recvOne();
      if (vector === END) return;
      await outputs.contains.sendOne(containsFor(generics.T)(vector as Vector, value));
    },
  }),
  treatment(block, 'concat', {
    generics: 'T',
    inputs: { first: 'Block<Vec<T>>', second: 'Block<Vec<T>>' },
    outputs: { concatened: 'Block<Vec<T>>' },
    doc: 'Once both arrive: concatenation of `first` and `second`.',
    async run({ inputs, outputs }) {
      const first = await inputs.first.recvOne();
      if (first === END) return;
      const second = await inputs.second.recvOne();
      if (second === END) return;
      await outputs.concatened.sendOne(concatVec(first as Vector, second as Vector));
    },
  }),
];
