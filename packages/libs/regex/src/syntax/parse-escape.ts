/**
 * Escape sequences (`\n`, `\x{1F600}`, `\pL`, `\d`, `\b{start}`, …) of the Rust dialect,
 * parsed exactly as `regex-syntax` does, including its errors: octal escapes and
 * backreferences (`\1`) are refused, unknown letters (`\e`, `\Z`) too.
 */
import type { ClassExpr, Flags, Look, Range } from './ast.js';
import { type Cursor, isEscapeableCharacter, isMetaCharacter } from './cursor.js';
import { resolveLoneProperty, resolvePropertyValue } from './unicode-props.js';

/** What an escape (or a plain character) stands for. */
export type Primitive =
  /** `byte` is true for `\x` escapes of values up to 0xFF (bytes when Unicode mode is off). */
  | { readonly p: 'literal'; readonly cp: number; readonly byte: boolean; readonly start: number; readonly end: number }
  | { readonly p: 'class'; readonly expr: ClassExpr; readonly start: number; readonly end: number }
  | { readonly p: 'look'; readonly look: Look; readonly start: number; readonly end: number };

/** ASCII flavours of the Perl classes (used when Unicode mode is off). */
export const ASCII_PERL: Readonly<Record<'d' | 's' | 'w', readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const SPECIAL: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };
const ONE_LETTER_LOOKS: Readonly<Record<string, Look>> = { A: 'textStart', z: 'textEnd', B: 'notWord', '<': 'wordStart', '>': 'wordEnd' };

/** Parses the escape at the cursor (positioned at `\`). */
export function parseEscape(c: Cursor, flags: Flags): Primitive {
  const start = c.pos;
  if (!c.bump()) c.fail(start, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
  const ch = c.char();
  const s = String.fromCodePoint(ch);
  if (ch >= 0x30 && ch <= 0x39) c.fail(start, c.pos + 1, 'backreferences are not supported');
  if (s === 'x' || s === 'u' || s === 'U') return parseHex(c, start, s, flags.x);
  if (s === 'p' || s === 'P') return parseUnicodeClass(c, start, flags);
  if ('dswDSW'.includes(s)) {
    c.bump();
    return { p: 'class', expr: perlClass(s.toLowerCase() as 'd' | 's' | 'w', s !== s.toLowerCase(), flags), start, end: c.pos };
  }
  c.bump();
  const end = c.pos;
  if (isMetaCharacter(ch) || isEscapeableCharacter(ch)) return { p: 'literal', cp: ch, byte: false, start, end };
  const special = SPECIAL[s];
  if (special !== undefined) return { p: 'literal', cp: special, byte: false, start, end };
  const look = ONE_LETTER_LOOKS[s];
  if (look !== undefined) return { p: 'look', look, start, end };
  if (s === 'b') {
    const special = !c.isEof() && c.char() === 0x7b ? maybeSpecialWordBoundary(c, start, flags) : undefined;
    return { p: 'look', look: special ?? 'word', start, end: c.pos };
  }
  return c.fail(start, end, 'unrecognized escape sequence');
}

function perlClass(k: 'd' | 's' | 'w', neg: boolean, flags: Flags): ClassExpr {
  if (flags.u) return { t: 'perl', k, neg };
  const ranges: ClassExpr = { t: 'ranges', ranges: ASCII_PERL[k] };
  return neg ? { t: 'not', of: ranges } : ranges;
}

/** `\b{start}`, `\b{end}`, `\b{start-half}`, `\b{end-half}`; undefined when `{` starts a repetition. */
function maybeSpecialWordBoundary(c: Cursor, wbStart: number, flags: Flags): Look | undefined {
  const isValid = (ch: number) => (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || ch === 0x2d;
  const start = c.pos;
  if (!c.bumpAndBumpSpace(flags.x)) {
    c.fail(
      wbStart,
      c.pos,
      'found either the beginning of a special word boundary or a bounded repetition on a \\b with an opening brace, but no closing brace',
    );
  }
  const contentStart = c.pos;
  if (!isValid(c.char())) {
    c.pos = start;
    return undefined;
  }
  let name = '';
  while (!c.isEof() && isValid(c.char())) {
    name += String.fromCodePoint(c.char());
    c.bumpAndBumpSpace(flags.x);
  }
  if (c.isEof() || c.char() !== 0x7d)
    c.fail(start, c.pos, 'special word boundary assertion is either unclosed or contains an invalid character');
  const end = c.pos;
  c.bump();
  switch (name) {
    case 'start':
      return 'wordStart';
    case 'end':
      return 'wordEnd';
    case 'start-half':
      return 'wordStartHalf';
    case 'end-half':
      return 'wordEndHalf';
    default:
      return c.fail(
        contentStart,
        end,
        'unrecognized special word boundary assertion, valid choices are: start, end, start-half or end-half',
      );
  }
}

const isHex = (ch: number) => (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66);
const isScalar = (v: number) => v <= 0x10ffff && (v < 0xd800 || v > 0xdfff);

/** `\x7F`, `\x{7F}`, `\u007F`, `\u{7F}`, `\U0000007F`, `\U{7F}`. */
function parseHex(c: Cursor, start: number, kind: string, verbose: boolean): Primitive {
  if (!c.bumpAndBumpSpace(verbose)) c.fail(c.pos, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
  let digits = '';
  let litStart: number;
  if (c.char() === 0x7b) {
    const brace = c.pos;
    litStart = c.pos + 1;
    while (c.bumpAndBumpSpace(verbose) && c.char() !== 0x7d) {
      if (!isHex(c.char())) c.fail(c.pos, c.pos + 1, 'invalid hexadecimal digit');
      digits += String.fromCodePoint(c.char());
    }
    if (c.isEof()) c.fail(brace, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
    const end = c.pos;
    c.bumpAndBumpSpace(verbose);
    if (digits === '') c.fail(brace, c.pos, 'hexadecimal literal empty');
    const v = Number.parseInt(digits, 16);
    if (digits.length > 8 || !isScalar(v)) c.fail(litStart, end, 'hexadecimal literal is not a Unicode scalar value');
    return { p: 'literal', cp: v, byte: kind === 'x' && v <= 0xff, start, end: c.pos };
  }
  litStart = c.pos;
  const count = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
  for (let i = 0; i < count; i++) {
    if (i > 0 && !c.bumpAndBumpSpace(verbose)) c.fail(c.pos, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
    if (!isHex(c.char())) c.fail(c.pos, c.pos + 1, 'invalid hexadecimal digit');
    digits += String.fromCodePoint(c.char());
  }
  c.bumpAndBumpSpace(verbose);
  const v = Number.parseInt(digits, 16);
  if (!isScalar(v)) c.fail(litStart, c.pos, 'hexadecimal literal is not a Unicode scalar value');
  return { p: 'literal', cp: v, byte: kind === 'x' && v <= 0xff, start, end: c.pos };
}

/** `\pL`, `\p{Greek}`, `\p{sc=Greek}`, `\p{scx:Greek}`, `\p{gc!=L}`, `\PL`. */
function parseUnicodeClass(c: Cursor, start: number, flags: Flags): Primitive {
  let neg = c.char() === 0x50;
  if (!c.bumpAndBumpSpace(flags.x)) c.fail(c.pos, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
  let resolved: { body: string } | { error: string };
  if (c.char() === 0x7b) {
    let name = '';
    while (c.bumpAndBumpSpace(flags.x) && c.char() !== 0x7d) name += String.fromCodePoint(c.char());
    if (c.isEof()) c.fail(c.pos, c.pos, 'incomplete escape sequence, reached end of pattern prematurely');
    c.bump();
    const ne = name.indexOf('!=');
    const colon = name.indexOf(':');
    const eq = name.indexOf('=');
    if (ne >= 0) {
      neg = !neg;
      resolved = resolvePropertyValue(name.slice(0, ne), name.slice(ne + 2));
    } else if (colon >= 0) resolved = resolvePropertyValue(name.slice(0, colon), name.slice(colon + 1));
    else if (eq >= 0) resolved = resolvePropertyValue(name.slice(0, eq), name.slice(eq + 1));
    else resolved = resolveLoneProperty(name);
  } else {
    if (c.char() === 0x5c) c.fail(c.pos, c.pos + 1, 'invalid Unicode character class');
    const letter = String.fromCodePoint(c.char());
    c.bumpAndBumpSpace(flags.x);
    resolved = resolveLoneProperty(letter);
  }
  const end = c.pos;
  if (!flags.u) {
    c.defer(start, end, 'Unicode not allowed here');
    return { p: 'class', expr: { t: 'ranges', ranges: [] }, start, end };
  }
  if ('error' in resolved) {
    c.defer(start, end, resolved.error);
    return { p: 'class', expr: { t: 'ranges', ranges: [] }, start, end };
  }
  return { p: 'class', expr: { t: 'prop', body: resolved.body, neg }, start, end };
}
