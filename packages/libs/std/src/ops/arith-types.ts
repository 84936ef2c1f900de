/**
 * The shapes of the arithmetic operations shared by the integer modules (int-small.ts,
 * int-wide.ts, int-arith.ts) and the float module, kept apart so that none imports another
 * for its types.
 */
import type { Value } from '@tutti/core';

/** A binary operation on two values of the same type. */
export type BinaryOp = (a: Value, b: Value) => Value;
/** A unary operation. */
export type UnaryOp = (v: Value) => Value;
/** An integer power; `exp` is a `u32`. */
export type PowOp = (v: Value, exp: number) => Value;

/**
 * The operations of one integer type. `checked*` return `null` (none) where Rust's
 * `checked_*` return `None`; the others return a value of the type.
 */
export interface IntArith {
  readonly add: BinaryOp;
  readonly checkedAdd: BinaryOp;
  readonly saturatingAdd: BinaryOp;
  readonly sub: BinaryOp;
  readonly checkedSub: BinaryOp;
  readonly saturatingSub: BinaryOp;
  readonly mul: BinaryOp;
  readonly checkedMul: BinaryOp;
  readonly saturatingMul: BinaryOp;
  /** Truncating division; by 0 gives 0, `MIN / −1` gives `MIN`. */
  readonly div: BinaryOp;
  readonly checkedDiv: BinaryOp;
  /** Remainder with the sign of `a`; by 0 gives 0, `MIN % −1` gives 0. */
  readonly rem: BinaryOp;
  readonly checkedRem: BinaryOp;
  readonly euclidDiv: BinaryOp;
  readonly euclidRem: BinaryOp;
  readonly checkedEuclidDiv: BinaryOp;
  readonly checkedEuclidRem: BinaryOp;
  /** Wrapping negation. */
  readonly neg: UnaryOp;
  readonly checkedNeg: UnaryOp;
  /** Wrapping power. */
  readonly pow: PowOp;
  readonly checkedPow: PowOp;
  /** `|v|`, or none for `MIN` of a signed type. */
  readonly abs: UnaryOp;
  readonly signum: UnaryOp;
  readonly isPositive: (v: Value) => boolean;
  readonly isNegative: (v: Value) => boolean;
}
