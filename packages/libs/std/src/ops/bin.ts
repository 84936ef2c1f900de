/**
 * `std/ops/bin`: bitwise/logical operations on `bool` and `byte`.
 * Byte results travel as `Uint8Array` batches (executive.ts: the preferred form for bytes).
 */
import { type Batch, type DataType, fn, type OutputPort, treatment, type Value } from '@tutti/core';
import { type MapKernel, mapStream, type PairKernel, pairwise as runPairwise } from './op-streams.js';

const area = 'std/ops/bin';

type Op = 'and' | 'or' | 'xor';

const BOOL: Readonly<Record<Op, (a: boolean, b: boolean) => boolean>> = {
  and: (a, b) => a && b,
  or: (a, b) => a || b,
  xor: (a, b) => a !== b,
};

const BYTE: Readonly<Record<Op, (a: number, b: number) => number>> = {
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
};

/** Whether `B` is `byte` (else `bool`, the only other `Binary` type). */
function isByte(t: DataType | undefined): boolean {
  if (t?.kind === 'core' && (t.name === 'byte' || t.name === 'bool')) return t.name === 'byte';
  throw new Error(`Binary operations are not defined for type '${t?.kind === 'core' ? t.name : (t?.kind ?? '?')}'`);
}

function apply(op: Op, t: DataType | undefined, a: Value, b: Value): Value {
  return isByte(t) ? BYTE[op](a as number, b as number) : BOOL[op](a as boolean, b as boolean);
}

function pairKernelOf(op: Op, t: DataType | undefined): PairKernel {
  if (isByte(t)) {
    const g = BYTE[op];
    return (a: Batch, ai: number, b: Batch, bi: number, n: number) => {
      const out = new Uint8Array(n);
      for (let k = 0; k < n; k++) out[k] = g(a[ai + k] as number, b[bi + k] as number);
      return out;
    };
  }
  const g = BOOL[op];
  return (a: Batch, ai: number, b: Batch, bi: number, n: number) => {
    const out: boolean[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = g(a[ai + k] as boolean, b[bi + k] as boolean);
    return out;
  };
}

function notKernelOf(t: DataType | undefined): MapKernel {
  if (isByte(t)) {
    return (batch, from, n) => {
      const out = new Uint8Array(n);
      for (let k = 0; k < n; k++) out[k] = ~(batch[from + k] as number);
      return out;
    };
  }
  return (batch, from, n) => {
    const out: boolean[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = !batch[from + k];
    return out;
  };
}

/** `|op(a: B, b: B) -> B`. */
function binaryFn(op: Op, doc: string) {
  return fn(area, op, { generics: 'B: Binary', params: 'a: B, b: B', returns: 'B', doc, impl: ([a, b], g) => apply(op, g.B, a, b) });
}

/** The pairwise treatment `name<B: Binary>()` · in `a`, `b: Stream<B>` · out `output: Stream<B>`. */
function pairwise(name: Op, output: string, doc: string) {
  return treatment(area, name, {
    generics: 'B: Binary',
    inputs: { a: 'Stream<B>', b: 'Stream<B>' },
    outputs: { [output]: 'Stream<B>' },
    doc,
    async run({ inputs, outputs, generics }) {
      await runPairwise(inputs.a, inputs.b, outputs[output] as OutputPort, pairKernelOf(name, generics.B));
    },
  });
}

export const opsBin = [
  binaryFn('and', 'Bitwise/logical AND.'),
  binaryFn('or', 'Bitwise/logical OR.'),
  binaryFn('xor', 'Bitwise/logical XOR.'),
  fn(area, 'not', {
    generics: 'B: Binary',
    params: 'value: B',
    returns: 'B',
    doc: 'Bitwise/logical NOT.',
    impl: ([v], g) => (isByte(g.B) ? ~(v as number) & 0xff : !v),
  }),
  pairwise('and', 'and', 'Pairwise bitwise/logical AND.'),
  pairwise('or', 'or', 'Pairwise bitwise/logical OR.'),
  // ⚑ quirk of the reference, reproduced (port names are compatibility facts): the XOR
  // treatment's output port is named `or`.
  pairwise('xor', 'or', 'Pairwise bitwise/logical XOR (output port named `or`).'),
  treatment(area, 'not', {
    generics: 'B: Binary',
    inputs: { value: 'Stream<B>' },
    outputs: { not: 'Stream<B>' },
    doc: 'Bitwise/logical NOT of each value.',
    async run({ inputs, outputs, generics }) {
      await mapStream(inputs.value, outputs.not, notKernelOf(generics.B));
    },
  }),
];
