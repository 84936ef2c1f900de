/**
 * Text renderings of run-time values: Display (what logging shows,
 * "as Mélodium would write it") and ToString (what `|to_string` returns).
 *
 * Floats are the delicate part. The reference prints Rust's shortest round-trip digits in
 * the value's own width, never in exponent notation. JavaScript's `String(x)` already
 * gives the shortest digits of a binary64; for a binary32 we search the shortest
 * precision whose decimal rounds back to the same `f32`, deciding that rounding exactly
 * (a decimal → binary64 → binary32 chain can round twice), then spell the digits out in
 * plain positional notation ourselves (`1e21` → `1000000000000000000000`).
 */
import type { DataType } from '../types.js';
import type { DataValue, Value } from './values.js';

/**
 * Display rendering of `v`, a value of type `t`.
 *
 * @example
 * ```ts
 * displayValue([1, null, 3], vecType(optionType(coreType('u8')))); // '[1, _, 3]'
 * displayValue(Math.fround(0.1), coreType('f32')); // '0.1'
 * ```
 */
export function displayValue(v: Value, t: DataType): string {
  return render(v, t, false);
}

/**
 * As {@link displayValue}, but strings (also inside vectors and options) always in the
 * quoted, escaped form, never the raw `${…}` one: a value inside a one-line debug dump
 * (`Map`, `StringMap`).
 */
export function dumpValue(v: Value, t: DataType): string {
  return render(v, t, true);
}

/** A string in Display's quoted form: `"…"` with `\n \r \t \\ \0 \"` and `\u{…}` escapes. */
export function quoteString(s: string): string {
  return `"${escapeText(s, '"')}"`;
}

function render(v: Value, t: DataType, quoted: boolean): string {
  switch (t.kind) {
    case 'core':
      return quoted && t.name === 'string' ? quoteString(v as string) : displayCore(v, t.name);
    case 'option':
      return v === null ? '_' : render(v, t.of, quoted);
    case 'vec': {
      const items = v as ArrayLike<Value>;
      const parts: string[] = [];
      for (let i = 0; i < items.length; i++) parts.push(render(items[i], t.of, quoted));
      return `[${parts.join(', ')}]`;
    }
    case 'data': {
      // Prefer the type's own text over the reference's `/* Type */` placeholder.
      const display = (v as DataValue | null)?.display;
      return typeof display === 'function' ? display.call(v) : `/* ${t.name} */`;
    }
    case 'generic':
      // Only reachable with an unsubstituted type: an engine bug, keep the output readable.
      return String(v);
  }
}

/**
 * ToString rendering of `v`, a value of type `t`: void → `''`, byte → two
 * lowercase hex digits, char and string as they are, numbers and bools as in Display.
 * A library data type uses its own `toString()` (its `ToString` trait), else its Display.
 *
 * @example
 * ```ts
 * toStringValue(0x0a, coreType('byte')); // '0a'
 * toStringValue(1, coreType('f64')); // '1'
 * ```
 */
export function toStringValue(v: Value, t: DataType): string {
  if (t.kind === 'core') {
    switch (t.name) {
      case 'void':
        return '';
      case 'byte':
        return hex2(v as number);
      case 'char':
      case 'string':
        return v as string;
      default:
        return displayCore(v, t.name);
    }
  }
  if (t.kind === 'data' && typeof v === 'object' && v !== null && v.toString !== Object.prototype.toString) return String(v);
  return displayValue(v, t);
}

/**
 * The shortest decimal text that reads back as `x` in its own width (`'f32'` or `'f64'`),
 * in plain notation: `'2'`, `'0.1'`, `'-0'`, `'NaN'`, `'inf'`, `'-inf'`,
 * `'1000000000000000000000'`, `'0.0000001'`.
 *
 * @example
 * ```ts
 * floatText(Math.fround(0.1), 'f32'); // '0.1' (String() would give '0.10000000149011612')
 * ```
 */
export function floatText(x: number, type: 'f32' | 'f64'): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (type === 'f64') return plainDecimal(String(x));
  const f = Math.fround(x);
  const [digits, exp] = shortestF32(Math.abs(f));
  return (f < 0 ? '-' : '') + positional(digits, exp);
}

function displayCore(v: Value, name: string): string {
  switch (name) {
    case 'void':
      return '_';
    case 'f32':
    case 'f64':
      return floatText(v as number, name);
    case 'byte':
      return `0x${hex2(v as number)}`;
    case 'char':
      return `'${escapeText(v as string, "'")}'`;
    case 'string':
      return displayString(v as string);
    default:
      // Integers (number or bigint, never in exponent form as they are exact) and bools.
      return String(v);
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

// Control characters (general category Cc): C0, DEL and C1.
const CONTROL = /\p{Cc}/u;
const LINE_CONTROL = /[\n\r\t]/;
const OTHER_CONTROL = /(?![\n\r\t])\p{Cc}/u;

function displayString(s: string): string {
  if (LINE_CONTROL.test(s) && !OTHER_CONTROL.test(s) && !s.startsWith('{') && !s.endsWith('}')) {
    // Raw form: more braces than the longest brace run inside, so the text cannot end it.
    let longest = 0;
    for (const run of s.match(/\{+|\}+/g) ?? []) longest = Math.max(longest, run.length);
    const n = longest + 1;
    return `$${'{'.repeat(n)}${s}${'}'.repeat(n)}`;
  }
  return `"${escapeText(s, '"')}"`;
}

/** Escapes `\n \r \t \\ \0`, the quote and other control characters (`\u{1b}`). */
function escapeText(s: string, quote: string): string {
  let out = '';
  for (const c of s) {
    switch (c) {
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        if (c === quote) out += `\\${c}`;
        else if (CONTROL.test(c)) out += `\\u{${(c.codePointAt(0) as number).toString(16)}}`;
        else out += c;
    }
  }
  return out;
}

/** `String(x)` of a finite non-zero double, spelled out without exponent. */
function plainDecimal(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  const frac = m[3] ?? '';
  return m[1] + positional(m[2] + frac, Number(m[4] ?? 0) - frac.length);
}

/** The decimal `digits × 10^exp` in positional notation, without superfluous zeros. */
function positional(digits: string, exp: number): string {
  let d = digits.replace(/^0+/, '');
  // Trailing zeros of the significand move into the exponent, so the fraction has none.
  const t = /0+$/.exec(d);
  if (t) {
    d = d.slice(0, t.index);
    exp += t[0].length;
  }
  if (d === '') return '0';
  if (exp >= 0) return d + '0'.repeat(exp);
  const point = d.length + exp;
  return point > 0 ? `${d.slice(0, point)}.${d.slice(point)}` : `0.${'0'.repeat(-point)}${d}`;
}

/**
 * Shortest digits (and exponent of their last digit) of a positive finite `f32` `x`:
 * for each precision the nearest decimal, or the neighbour on the other side of `x`
 * when only that one lies in the rounding interval (asymmetric at powers of two).
 */
function shortestF32(x: number): [string, number] {
  for (let p = 1; p <= 9; p++) {
    const [mant, e] = x.toExponential(p - 1).split('e') as [string, string];
    const digits = BigInt(mant.replace('.', ''));
    const exp = Number(e) - (p - 1);
    // toExponential rounds to nearest: the other neighbour is on the opposite side of x.
    let near = digits;
    let other = decimalValue(digits, exp) < x ? digits + 1n : digits - 1n;
    // On an exact tie toExponential takes the larger; Rust's shortest digits take the even.
    if (digits % 2n === 1n && compareDecimalToDouble(2n * digits - 1n, exp, 2 * x) === 0) [near, other] = [other, near];
    if (readsAsF32(near, exp, x)) return [near.toString(), exp];
    if (other > 0n && readsAsF32(other, exp, x)) return [other.toString(), exp];
  }
  // Nine significant digits always round-trip a binary32.
  const [mant, e] = x.toExponential(8).split('e') as [string, string];
  return [mant.replace('.', ''), Number(e) - 8];
}

function decimalValue(digits: bigint, exp: number): number {
  return Number(`${digits}e${exp}`);
}

/** Whether the decimal `digits × 10^exp`, rounded once to binary32, is `x`. */
function readsAsF32(digits: bigint, exp: number, x: number): boolean {
  const d = decimalValue(digits, exp);
  const r = Math.fround(d);
  if (r === d) return r === x;
  // `d` is the binary64 nearest to the decimal; it can sit exactly on a binary32 midpoint
  // while the decimal does not, and then the direction comes from the exact decimal.
  const lo = r < d ? r : nextF32(r, -1);
  // Past the largest binary32 the upper neighbour is 2^128 (where rounding overflows).
  const hi = r > d ? Math.min(r, 2 ** 128) : nextF32(r, 1);
  if (d - lo !== hi - d) return r === x;
  const c = compareDecimalToDouble(digits, exp, d);
  return (c > 0 ? hi : c < 0 ? lo : r) === x;
}

const f32Buf = new Float32Array(1);
const u32Buf = new Uint32Array(f32Buf.buffer);

/** The binary32 after (`dir` 1) or before (-1) the positive binary32 `r`; 2^128 past the largest. */
function nextF32(r: number, dir: 1 | -1): number {
  if (r === Number.POSITIVE_INFINITY) return dir === -1 ? 3.4028234663852886e38 : r;
  f32Buf[0] = r;
  u32Buf[0] = (u32Buf[0] as number) + dir;
  const n = f32Buf[0] as number;
  return n === Number.POSITIVE_INFINITY ? 2 ** 128 : n;
}

const f64Buf = new Float64Array(1);
const u64Buf = new BigUint64Array(f64Buf.buffer);

/** Sign of `digits × 10^exp − d` for a positive finite double `d`, computed exactly. */
function compareDecimalToDouble(digits: bigint, exp: number, d: number): number {
  f64Buf[0] = d;
  const bits = u64Buf[0] as bigint;
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  // Both sides scaled by 10^max(-exp, 0) · 2^max(-e2, 0) to compare integers.
  const left = digits * 10n ** BigInt(Math.max(exp, 0)) * 2n ** BigInt(Math.max(-e2, 0));
  const right = mant * 2n ** BigInt(Math.max(e2, 0)) * 10n ** BigInt(Math.max(-exp, 0));
  return left > right ? 1 : left < right ? -1 : 0;
}
