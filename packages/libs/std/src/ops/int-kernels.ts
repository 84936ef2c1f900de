/**
 * Batch kernels for integer `+ − ×` (the plain, checked, saturating and wrapping forms),
 * the hot path of numeric streams. Each kernel inlines the common case — both operands are
 * numbers and the double result lies in `[lo, hi]`, the part of the type's range made of
 * safe integers, where it is exact and every form agrees — and calls the type's scalar
 * operation (int-small.ts / int-wide.ts) only for the rest.
 *
 * One function literal per operator on purpose: a kernel that called the scalar operation
 * through a shared closure would see many targets in a real program and stop being
 * inlined (about 2.5× slower per value, measured on batches of 8192).
 */
import { type Batch, INT_TYPES, type IntTypeName, type Value } from '@tutti/core';
import type { BinaryOp } from './arith-types.js';
import type { PairKernel } from './op-streams.js';

const SAFE = Number.MAX_SAFE_INTEGER;

function range(name: IntTypeName): [number, number] {
  const t = INT_TYPES[name];
  return [Math.max(Number(t.min), -SAFE), Math.min(Number(t.max), SAFE)];
}

function addKernel(lo: number, hi: number, slow: BinaryOp): PairKernel {
  return (a: Batch, ai: number, b: Batch, bi: number, n: number): Batch => {
    const out: Value[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const x = a[ai + k];
      const y = b[bi + k];
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x + y;
        if (r >= lo && r <= hi) {
          out[k] = r;
          continue;
        }
      }
      out[k] = slow(x, y);
    }
    return out;
  };
}

function subKernel(lo: number, hi: number, slow: BinaryOp): PairKernel {
  return (a: Batch, ai: number, b: Batch, bi: number, n: number): Batch => {
    const out: Value[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const x = a[ai + k];
      const y = b[bi + k];
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x - y;
        if (r >= lo && r <= hi) {
          out[k] = r;
          continue;
        }
      }
      out[k] = slow(x, y);
    }
    return out;
  };
}

function mulKernel(lo: number, hi: number, slow: BinaryOp): PairKernel {
  return (a: Batch, ai: number, b: Batch, bi: number, n: number): Batch => {
    const out: Value[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const x = a[ai + k];
      const y = b[bi + k];
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x * y;
        if (r >= lo && r <= hi) {
          // `+ 0` turns `0 × −5 = −0` into 0.
          out[k] = r + 0;
          continue;
        }
      }
      out[k] = slow(x, y);
    }
    return out;
  };
}

/** The operator families that have a kernel. */
export type KernelOperator = 'add' | 'sub' | 'mul';

/**
 * The pair kernel of operator `op` for integer type `name`, falling back to `slow` (the
 * scalar operation of the wanted form: plain, checked, saturating or wrapping).
 *
 * @example
 * ```ts
 * intPairKernel('add', 'u128', intArith('u128').add)([1], 0, [2], 0, 1); // [3]
 * ```
 */
export function intPairKernel(op: KernelOperator, name: IntTypeName, slow: BinaryOp): PairKernel {
  const [lo, hi] = range(name);
  switch (op) {
    case 'add':
      return addKernel(lo, hi, slow);
    case 'sub':
      return subKernel(lo, hi, slow);
    case 'mul':
      return mulKernel(lo, hi, slow);
  }
}
