/**
 * The functions of `std/ops/float` with Rust semantics, for `f32`
 * and `f64`. An `f32` function computes on doubles and rounds the result with
 * `Math.fround`; where Rust's `f32` formula rounds intermediate steps (`to_degrees`,
 * `to_radians`, `log`) those steps round too, so the results match the reference.
 *
 * Differences from JavaScript's `Math` that matter: `round` goes half away from zero
 * (`Math.round` goes half up), and `pow` follows C's `pow` (`1^y = 1` and `(−1)^±∞ = 1`,
 * where `Math.pow` gives NaN).
 */

/** A one-argument float function. */
export type Float1 = (x: number) => number;
/** A float function with a second argument (`exp`, `base` or `n`). */
export type Float2 = (x: number, y: number) => number;

const f = Math.fround;

/** Rust's `round`: to the nearest integer, halves away from zero, `-0` kept. */
function round(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** C's `pow` (Rust's `powf`). */
function pow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY))) return 1;
  return x ** y;
}

const UNARY = {
  floor: Math.floor,
  ceil: Math.ceil,
  round,
  trunc: Math.trunc,
  fract: (x: number) => x - Math.trunc(x),
  recip: (x: number) => 1 / x,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  exp: Math.exp,
  exp2: (x: number) => 2 ** x,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  // Rust's f64 formulas: `x * (180 / π)` and `x * (π / 180)`.
  to_degrees: (x: number) => x * (180 / Math.PI),
  to_radians: (x: number) => x * (Math.PI / 180),
} satisfies Record<string, Float1>;

/** The name of a one-argument function of `std/ops/float`. */
export type Float1Name = keyof typeof UNARY;

// Rust's f32 constants: `57.2957795…_f32`, and `PI_f32 / 180_f32` computed in f32.
const DEGREES_PER_RADIAN_F32 = f(180 / Math.PI);
const RADIANS_PER_DEGREE_F32 = f(f(Math.PI) / 180);

const UNARY_F32: Record<Float1Name, Float1> = {
  ...(Object.fromEntries(Object.entries(UNARY).map(([k, g]) => [k, (x: number) => f(g(x))])) as Record<Float1Name, Float1>),
  to_degrees: (x) => f(x * DEGREES_PER_RADIAN_F32),
  to_radians: (x) => f(x * RADIANS_PER_DEGREE_F32),
};

const BINARY = {
  pow,
  // Rust's `log(self, base)` is `self.ln() / base.ln()`.
  log: (x: number, base: number) => Math.log(x) / Math.log(base),
  hypot: (x: number, n: number) => Math.hypot(x, n),
  atan2: (y: number, x: number) => Math.atan2(y, x),
} satisfies Record<string, Float2>;

/** The name of a two-argument function of `std/ops/float`. */
export type Float2Name = keyof typeof BINARY;

const BINARY_F32: Record<Float2Name, Float2> = {
  pow: (x, y) => f(pow(x, y)),
  log: (x, base) => f(f(Math.log(x)) / f(Math.log(base))),
  hypot: (x, n) => f(Math.hypot(x, n)),
  atan2: (y, x) => f(Math.atan2(y, x)),
};

/** Smallest positive normal values: 2^-126 and 2^-1022. */
const MIN_NORMAL = { f32: 2 ** -126, f64: 2 ** -1022 } as const;

/** The predicates of `std/ops/float`. */
export type FloatPredicateName = 'is_nan' | 'is_finite' | 'is_infinite' | 'is_normal' | 'is_subnormal';

/** Whether `name` is the `f32` type (otherwise `f64`). */
function isF32(name: string | undefined): boolean {
  return name === 'f32';
}

/**
 * The one-argument function `name` for float type `type` (`'f32'` or `'f64'`).
 *
 * @example
 * ```ts
 * float1('round', 'f64')(-2.5); // -3
 * ```
 */
export function float1(name: Float1Name, type: string | undefined): Float1 {
  return (isF32(type) ? UNARY_F32 : UNARY)[name];
}

/** The two-argument function `name` for float type `type`. */
export function float2(name: Float2Name, type: string | undefined): Float2 {
  return (isF32(type) ? BINARY_F32 : BINARY)[name];
}

/** The predicate `name` for float type `type`. */
export function floatPredicate(name: FloatPredicateName, type: string | undefined): (x: number) => boolean {
  const minNormal = isF32(type) ? MIN_NORMAL.f32 : MIN_NORMAL.f64;
  switch (name) {
    case 'is_nan':
      return (x) => Number.isNaN(x);
    case 'is_finite':
      return (x) => Number.isFinite(x);
    case 'is_infinite':
      return (x) => x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY;
    case 'is_normal':
      return (x) => Number.isFinite(x) && Math.abs(x) >= minNormal;
    case 'is_subnormal':
      return (x) => x !== 0 && Math.abs(x) < minNormal;
  }
}
