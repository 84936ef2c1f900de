/** `std/ops/bin` (libraries spec §3.11): bitwise/logical operations on `bool` and `byte`. */
import { fn, treatment } from '@tutti/core';

const area = 'std/ops/bin';

/** The pairwise treatment `name<B: Binary>()` · in `a`, `b: Stream<B>` · out `output: Stream<B>`. */
function pairwise(name: string, output: string, doc: string) {
  return treatment(area, name, {
    generics: 'B: Binary',
    inputs: { a: 'Stream<B>', b: 'Stream<B>' },
    outputs: { [output]: 'Stream<B>' },
    doc,
  });
}

export const opsBin = [
  fn(area, 'and', { generics: 'B: Binary', params: 'a: B, b: B', returns: 'B', doc: 'Bitwise/logical AND.' }),
  fn(area, 'or', { generics: 'B: Binary', params: 'a: B, b: B', returns: 'B', doc: 'Bitwise/logical OR.' }),
  fn(area, 'xor', { generics: 'B: Binary', params: 'a: B, b: B', returns: 'B', doc: 'Bitwise/logical XOR.' }),
  fn(area, 'not', { generics: 'B: Binary', params: 'value: B', returns: 'B', doc: 'Bitwise/logical NOT.' }),
  pairwise('and', 'and', 'Pairwise bitwise/logical AND.'),
  pairwise('or', 'or', 'Pairwise bitwise/logical OR.'),
  // ⚑ quirk (libraries §17.5): the XOR treatment's output port is named `or`.
  pairwise('xor', 'or', 'Pairwise bitwise/logical XOR (output port named `or`).'),
  treatment(area, 'not', {
    generics: 'B: Binary',
    inputs: { value: 'Stream<B>' },
    outputs: { not: 'Stream<B>' },
    doc: 'Bitwise/logical NOT of each value.',
  }),
];
