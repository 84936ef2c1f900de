/**
 * A strict JSON parser that keeps what `JSON.parse` loses: integers
 * apart from floats (`1` vs `1.0`), integers up to 2^64 exact, sorted object keys.
 * It follows the reference parser (`serde_json`) step by step so that it accepts and
 * rejects the same texts and reports the same errors at the same places:
 * `<what> at line <L> column <C>`, where the column counts UTF-8 bytes and points at the
 * offending byte (or, for errors found after consuming a token, at its last byte).
 * Beyond RFC 8259 it rejects 128 nested arrays/objects, escapes of unpaired surrogates
 * and numbers overflowing `f64`.
 *
 * State lives in module variables rather than an object: the parser is synchronous and
 * not re-entrant, and V8 keeps such a loop tight. Failures throw a {@link JsonSyntaxError}
 * caught by {@link parseJson}: only bad input pays for it.
 */
import { canon } from '@tutti/core';
import { JsonFloat, JsonObject, type JsonRaw } from './raw.js';

/** A rejected text: the reference's message, with its position. */
export class JsonSyntaxError {
  constructor(
    /** `expected value at line 1 column 1`. */
    readonly message: string,
  ) {}
}

/** Most arrays/objects open at once: the 128th level is refused, as in the reference. */
const MAX_DEPTH = 128;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

let s = '';
let n = 0;
let i = 0;
let depth = 0;
// Whether the last string parsed held a code unit ≥ U+D800 (object keys then sort slowly).
let nonBmp = false;

/** The tree of `text`, or the error. Never throws. */
export function parseJson(text: string): JsonRaw | JsonSyntaxError {
  s = text;
  n = text.length;
  i = 0;
  depth = 0;
  try {
    const v = parseValue();
    if (skipWs() !== -1) throw peekError('trailing characters');
    return v;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    // A stack overflow cannot happen below MAX_DEPTH; anything else is a bug.
    throw e;
  } finally {
    s = '';
  }
}

function skipWs(): number {
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
    i++;
  }
  return -1;
}

function parseValue(): JsonRaw {
  const c = skipWs();
  switch (c) {
    case 0x22: // "
      i++;
      return parseString();
    case 0x7b: // {
      return parseObject();
    case 0x5b: // [
      return parseArray();
    case 0x74: // t
      i++;
      ident('rue');
      return true;
    case 0x66: // f
      i++;
      ident('alse');
      return false;
    case 0x6e: // n
      i++;
      ident('ull');
      return null;
    case 0x2d: // -
      i++;
      return parseNumber(i - 1);
    case -1:
      throw peekError('EOF while parsing a value');
    default:
      if (c >= 0x30 && c <= 0x39) return parseNumber(i);
      throw peekError('expected value');
  }
}

function ident(rest: string): void {
  for (let k = 0; k < rest.length; k++) {
    if (i >= n) throw errorAt('EOF while parsing a value', i);
    if (s.charCodeAt(i++) !== rest.charCodeAt(k)) throw errorAfter('expected ident', i - 1);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A number starting at `start` (its `-` if any); `i` is at the first digit. */
function parseNumber(start: number): JsonRaw {
  if (i >= n) throw errorAt('EOF while parsing a value', i);
  const first = s.charCodeAt(i++);
  let value = first - 0x30;
  let nonZero = value !== 0;
  if (first === 0x30) {
    if (i < n && isDigit(s.charCodeAt(i))) throw peekError('invalid number');
  } else if (first >= 0x31 && first <= 0x39) {
    // Exact while at most 15 digits (below 2^53); longer ones are re-read below.
    while (i < n) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) break;
      value = value * 10 + (c - 0x30);
      i++;
    }
  } else throw errorAfter('invalid number', i - 1);
  const intEnd = i;
  let float = false;
  if (i < n && s.charCodeAt(i) === 0x2e) {
    i++;
    const fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 0x30) nonZero = true;
      i++;
    }
    if (i === fracStart) throw peekError(i < n ? 'invalid number' : 'EOF while parsing a value');
    float = true;
  }
  if (i < n && (s.charCodeAt(i) | 0x20) === 0x65) {
    i++;
    parseExponent(nonZero);
    float = true;
  }
  const negative = s.charCodeAt(start) === 0x2d;
  if (!float) {
    const digits = intEnd - start - (negative ? 1 : 0);
    if (digits <= 15) return negative ? (value === 0 ? new JsonFloat(-0) : -value) : value;
    const big = BigInt(s.slice(start, intEnd));
    // Integers outside u64 (non-negative) or i64 (negative) become floats.
    if (negative ? big >= I64_MIN : big <= U64_MAX) return canon(big);
  }
  const x = Number(s.slice(start, i));
  if (!Number.isFinite(x)) throw errorAt('number out of range', i);
  return Number.isInteger(x) ? new JsonFloat(x) : x;
}

/** The exponent after `e`/`E`; an exponent beyond i32 is refused at once when it would overflow. */
function parseExponent(nonZero: boolean): void {
  let positive = true;
  if (i < n) {
    const sign = s.charCodeAt(i);
    if (sign === 0x2b) i++;
    else if (sign === 0x2d) {
      positive = false;
      i++;
    }
  }
  if (i >= n) throw errorAt('EOF while parsing a value', i);
  const c0 = s.charCodeAt(i++);
  if (!isDigit(c0)) throw errorAfter('invalid number', i - 1);
  let exp = c0 - 0x30;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    i++;
    exp = exp * 10 + (c - 0x30);
    if (exp > 0x7fffffff && nonZero && positive) throw errorAt('number out of range', i);
  }
}

function parseString(): string {
  const start = i;
  for (;;) {
    if (i >= n) throw errorAt('EOF while parsing a string', n);
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      i++;
      return s.slice(start, i - 1);
    }
    if (c === 0x5c) return parseEscapedString(start);
    if (c < 0x20) throw errorAfter('control character (\\u0000-\\u001F) found while parsing a string', i);
    if (c >= 0xd800) nonBmp = true;
    i++;
  }
}

/** The rest of a string from its first backslash. */
function parseEscapedString(start: number): string {
  let out = s.slice(start, i);
  let from = i;
  for (;;) {
    if (i >= n) throw errorAt('EOF while parsing a string', n);
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      out += s.slice(from, i);
      i++;
      return out;
    }
    if (c === 0x5c) {
      out += s.slice(from, i);
      i++;
      out += parseEscape();
      from = i;
      continue;
    }
    if (c < 0x20) throw errorAfter('control character (\\u0000-\\u001F) found while parsing a string', i);
    if (c >= 0xd800) nonBmp = true;
    i++;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<number, string>> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

function parseEscape(): string {
  if (i >= n) throw errorAt('EOF while parsing a string', n);
  const c = s.charCodeAt(i++);
  if (c !== 0x75) {
    const simple = SIMPLE_ESCAPES[c];
    if (simple === undefined) throw errorAfter('invalid escape', i - 1);
    return simple;
  }
  const unit = hex4();
  if (unit < 0xd800) return String.fromCharCode(unit);
  nonBmp = true;
  if (unit >= 0xdc00 && unit <= 0xdfff) throw errorAt('lone leading surrogate in hex escape', i);
  if (unit > 0xdbff) return String.fromCharCode(unit);
  // A leading surrogate must be followed by the escape of a trailing one.
  if (i >= n) throw errorAt('EOF while parsing a string', n);
  if (s.charCodeAt(i++) !== 0x5c) throw errorAfter('unexpected end of hex escape', i - 1);
  if (i >= n) throw errorAt('EOF while parsing a string', n);
  if (s.charCodeAt(i++) !== 0x75) throw errorAfter('unexpected end of hex escape', i - 1);
  const trail = hex4();
  if (trail < 0xdc00 || trail > 0xdfff) throw errorAt('lone leading surrogate in hex escape', i);
  return String.fromCharCode(unit, trail);
}

function hex4(): number {
  if (i + 4 > n) {
    i = n;
    throw errorAt('EOF while parsing a string', n);
  }
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = s.charCodeAt(i + k);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (d < 0) {
      i += 4;
      throw errorAt('invalid escape', i);
    }
    v = v * 16 + d;
  }
  i += 4;
  return v;
}

function enter(): void {
  if (++depth >= MAX_DEPTH) throw peekError('recursion limit exceeded');
  i++;
}

function parseArray(): JsonRaw[] {
  enter();
  const out: JsonRaw[] = [];
  let c = skipWs();
  if (c === 0x5d) {
    i++;
    depth--;
    return out;
  }
  if (c === -1) throw peekError('EOF while parsing a list');
  for (;;) {
    out.push(parseValue());
    c = skipWs();
    if (c === 0x2c) {
      i++;
      c = skipWs();
      if (c === 0x5d) throw peekError('trailing comma');
      if (c === -1) throw peekError('EOF while parsing a value');
      continue;
    }
    if (c === 0x5d) {
      i++;
      depth--;
      return out;
    }
    throw peekError(c === -1 ? 'EOF while parsing a list' : 'expected `,` or `]`');
  }
}

function parseObject(): JsonObject {
  enter();
  let c = skipWs();
  if (c === 0x7d) {
    i++;
    depth--;
    return JsonObject.empty;
  }
  if (c === -1) throw peekError('EOF while parsing an object');
  if (c !== 0x22) throw peekError('key must be a string');
  const keys: string[] = [];
  const values: JsonRaw[] = [];
  let keysNonBmp = false;
  for (;;) {
    i++;
    nonBmp = false;
    keys.push(parseString());
    if (nonBmp) keysNonBmp = true;
    c = skipWs();
    if (c !== 0x3a) throw peekError(c === -1 ? 'EOF while parsing an object' : 'expected `:`');
    i++;
    values.push(parseValue());
    c = skipWs();
    if (c === 0x2c) {
      i++;
      c = skipWs();
      if (c === 0x22) continue;
      if (c === 0x7d) throw peekError('trailing comma');
      throw peekError(c === -1 ? 'EOF while parsing a value' : 'key must be a string');
    }
    if (c === 0x7d) {
      i++;
      depth--;
      return JsonObject.fromOwned(keys, values, keysNonBmp);
    }
    throw peekError(c === -1 ? 'EOF while parsing an object' : 'expected `,` or `}`');
  }
}

// ---- error positions ---------------------------------------------------------------
// The reference counts bytes of UTF-8: its position after `k` consumed bytes has the line
// of the last newline among them and the column `k − start of line`.

/** An error pointing at the character at `i` (or at the end of the text). */
function peekError(what: string): JsonSyntaxError {
  return i < n ? errorAfter(what, i) : errorAt(what, n);
}

/** An error after consuming the first byte of the character at `p`. */
function errorAfter(what: string, p: number): JsonSyntaxError {
  return located(what, p, 1);
}

/** An error after consuming everything before `p`. */
function errorAt(what: string, p: number): JsonSyntaxError {
  return located(what, p, 0);
}

function located(what: string, p: number, extra: 0 | 1): JsonSyntaxError {
  const end = Math.min(p + extra, n);
  const lineStart = end === 0 ? 0 : s.lastIndexOf('\n', end - 1) + 1;
  let line = 1;
  for (let k = s.indexOf('\n'); k !== -1 && k < lineStart; k = s.indexOf('\n', k + 1)) line++;
  const column = lineStart > p ? 0 : utf8Length(lineStart, p) + extra;
  return new JsonSyntaxError(`${what} at line ${line} column ${column}`);
}

/** UTF-8 length of `s[from..to)` (a lone surrogate counts 3, as its replacement). */
function utf8Length(from: number, to: number): number {
  let bytes = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < to && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}
