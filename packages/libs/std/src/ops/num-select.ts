/**
 * Picks the implementation of a `std/ops/num` operation for a generic argument, once per
 * function call or treatment run: integers from int-arith.ts, floats from float-num.ts.
 * A type outside the operation's bound is a checker bug (the bound is checked before
 * anything runs), reported with a clear error rather than a wrong value.
 */
import { type DataType, formatType, isIntType } from '@tutti/core';
import type { BinaryOp, IntArith, PowOp, UnaryOp } from './arith-types.js';
import { type FloatNum, floatNum } from './float-num.js';
import { intArith } from './int-arith.js';
import { intPairKernel, type KernelOperator } from './int-kernels.js';
import { type PairKernel, pairKernel } from './op-streams.js';

/** Binary operations, by the name of their implementation. */
export type NumBinaryName =
  | 'add'
  | 'checkedAdd'
  | 'saturatingAdd'
  | 'wrappingAdd'
  | 'sub'
  | 'checkedSub'
  | 'saturatingSub'
  | 'wrappingSub'
  | 'mul'
  | 'checkedMul'
  | 'saturatingMul'
  | 'wrappingMul'
  | 'div'
  | 'checkedDiv'
  | 'rem'
  | 'checkedRem'
  | 'euclidDiv'
  | 'euclidRem'
  | 'checkedEuclidDiv'
  | 'checkedEuclidRem';

/** Unary operations. */
export type NumUnaryName = 'abs' | 'signum' | 'isPositive' | 'isNegative' | 'neg' | 'checkedNeg' | 'wrappingNeg';

/** Power operations (integers only). */
export type NumPowName = 'pow' | 'checkedPow';

// In Rust release builds (the reference's), plain `+ − ×` and negation wrap, so the
// wrapping forms are the same operations.
const INT_BINARY: Readonly<Record<NumBinaryName, keyof IntArith>> = {
  add: 'add',
  checkedAdd: 'checkedAdd',
  saturatingAdd: 'saturatingAdd',
  wrappingAdd: 'add',
  sub: 'sub',
  checkedSub: 'checkedSub',
  saturatingSub: 'saturatingSub',
  wrappingSub: 'sub',
  mul: 'mul',
  checkedMul: 'checkedMul',
  saturatingMul: 'saturatingMul',
  wrappingMul: 'mul',
  div: 'div',
  checkedDiv: 'checkedDiv',
  rem: 'rem',
  checkedRem: 'checkedRem',
  euclidDiv: 'euclidDiv',
  euclidRem: 'euclidRem',
  checkedEuclidDiv: 'checkedEuclidDiv',
  checkedEuclidRem: 'checkedEuclidRem',
};

const INT_UNARY: Readonly<Record<NumUnaryName, keyof IntArith>> = {
  abs: 'abs',
  signum: 'signum',
  isPositive: 'isPositive',
  isNegative: 'isNegative',
  neg: 'neg',
  checkedNeg: 'checkedNeg',
  wrappingNeg: 'neg',
};

// The operations floats implement (Add Sub Mul Div Rem Euclid Neg Signed).
const FLOAT_BINARY: Partial<Record<NumBinaryName, keyof FloatNum>> = {
  add: 'add',
  sub: 'sub',
  mul: 'mul',
  div: 'div',
  rem: 'rem',
  euclidDiv: 'euclidDiv',
  euclidRem: 'euclidRem',
};

const FLOAT_UNARY: Partial<Record<NumUnaryName, keyof FloatNum>> = {
  abs: 'abs',
  signum: 'signum',
  isPositive: 'isPositive',
  isNegative: 'isNegative',
  neg: 'neg',
};

function unsupported(op: string, t: DataType | undefined): Error {
  return new Error(`Operation '${op}' is not defined for type '${t === undefined ? '?' : formatType(t)}'`);
}

function coreName(t: DataType | undefined): string | undefined {
  return t?.kind === 'core' ? t.name : undefined;
}

/**
 * The binary operation `op` on values of type `t`.
 *
 * @example
 * ```ts
 * numBinary('checkedAdd', coreType('u8'))(250, 10); // null
 * ```
 */
export function numBinary(op: NumBinaryName, t: DataType | undefined): BinaryOp {
  const name = coreName(t);
  if (name !== undefined && isIntType(name)) return intArith(name)[INT_BINARY[op]] as BinaryOp;
  const k = FLOAT_BINARY[op];
  if ((name === 'f32' || name === 'f64') && k !== undefined) return floatNum(name)[k] as BinaryOp;
  throw unsupported(op, t);
}

// The integer operations with an inlined batch kernel (int-kernels.ts).
const KERNEL_OF: Partial<Record<NumBinaryName, KernelOperator>> = {
  add: 'add',
  checkedAdd: 'add',
  saturatingAdd: 'add',
  wrappingAdd: 'add',
  sub: 'sub',
  checkedSub: 'sub',
  saturatingSub: 'sub',
  wrappingSub: 'sub',
  mul: 'mul',
  checkedMul: 'mul',
  saturatingMul: 'mul',
  wrappingMul: 'mul',
};

/** The batch kernel of the binary operation `op` on values of type `t`, for pairwise treatments. */
export function numPairKernel(op: NumBinaryName, t: DataType | undefined): PairKernel {
  const f = numBinary(op, t);
  const name = coreName(t);
  const k = KERNEL_OF[op];
  return name !== undefined && isIntType(name) && k !== undefined ? intPairKernel(k, name, f) : pairKernel(f);
}

/** The unary operation `op` on values of type `t`. */
export function numUnary(op: NumUnaryName, t: DataType | undefined): UnaryOp {
  const name = coreName(t);
  if (name !== undefined && isIntType(name)) return intArith(name)[INT_UNARY[op]] as UnaryOp;
  const k = FLOAT_UNARY[op];
  if ((name === 'f32' || name === 'f64') && k !== undefined) return floatNum(name)[k] as UnaryOp;
  throw unsupported(op, t);
}

/** The integer power `op` on values of type `t`. */
export function numPow(op: NumPowName, t: DataType | undefined): PowOp {
  const name = coreName(t);
  if (name !== undefined && isIntType(name)) return intArith(name)[op];
  throw unsupported(op, t);
}
