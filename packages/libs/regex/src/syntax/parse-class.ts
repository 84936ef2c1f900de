/**
 * Bracketed classes `[…]` of the Rust dialect: nested classes, ranges, ASCII classes
 * `[[:alpha:]]`, and the set operators `&&`, `--`, `~~` (left to right, binding looser
 * than union). Parsed as `regex-syntax` does: `]` first is literal, leading `-` are
 * literal, `[:name:]` is an ASCII class only inside brackets.
 *
 * Without Unicode mode (`(?-u)`) a class is a set of bytes; it is evaluated here, and a
 * class that could match a non-ASCII byte is refused, as the reference refuses patterns
 * that can match invalid UTF-8.
 */
import type { ClassExpr, Flags, Range } from './ast.js';
import type { Cursor } from './cursor.js';
import { type Primitive, parseEscape } from './parse-escape.js';

const ASCII_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const UNCLOSED = 'unclosed character class';

/** Parses the bracketed class at the cursor (positioned at `[`) into a set expression. */
export function parseBracketClass(c: Cursor, flags: Flags): ClassExpr {
  const start = c.pos;
  const expr = parseBracket(c, flags);
  if (flags.u) return expr;
  return byteClass(c, expr, flags.i, start);
}

/**
 * Turns a class written without Unicode mode into its ASCII ranges, case-folded on ASCII
 * letters when `i` is on; records an error when it could match a byte ≥ 0x80.
 */
export function byteClass(c: Cursor, expr: ClassExpr, fold: boolean, start: number): ClassExpr {
  const set = evalBytes(expr, fold);
  if (set.slice(0x80).some(Boolean)) c.defer(start, c.pos, 'pattern can match invalid UTF-8');
  const ranges: Range[] = [];
  for (let b = 0; b < 0x80; b++) {
    if (!set[b]) continue;
    let e = b;
    while (e + 1 < 0x80 && set[e + 1]) e++;
    ranges.push([b, e]);
    b = e;
  }
  return { t: 'ranges', ranges };
}

function evalBytes(e: ClassExpr, fold: boolean): boolean[] {
  const set = new Array<boolean>(256).fill(false);
  switch (e.t) {
    case 'ranges':
      for (const [lo, hi] of e.ranges) for (let b = lo; b <= Math.min(hi, 0xff); b++) set[b] = true;
      if (fold) {
        for (let b = 0x41; b <= 0x5a; b++) if (set[b] || set[b + 32]) set[b] = set[b + 32] = true;
      }
      return set;
    case 'prop':
    case 'perl':
      // Not produced without Unicode mode (refused or turned into ranges while parsing).
      return set;
    case 'union':
      for (const item of e.items) {
        const s = evalBytes(item, fold);
        for (let b = 0; b < 256; b++) if (s[b]) set[b] = true;
      }
      return set;
    case 'op': {
      const a = evalBytes(e.a, fold);
      const b = evalBytes(e.b, fold);
      for (let i = 0; i < 256; i++) set[i] = e.op === '&&' ? a[i]! && b[i]! : e.op === '--' ? a[i]! && !b[i] : a[i] !== b[i];
      return set;
    }
    case 'not': {
      const s = evalBytes(e.of, fold);
      for (let b = 0; b < 256; b++) set[b] = !s[b];
      return set;
    }
  }
}

const union = (items: ClassExpr[]): ClassExpr => (items.length === 1 ? items[0]! : { t: 'union', items });

function parseBracket(c: Cursor, flags: Flags): ClassExpr {
  const start = c.pos;
  const x = flags.x;
  if (!c.bumpAndBumpSpace(x)) c.fail(start, c.pos, UNCLOSED);
  let negated = false;
  if (c.char() === 0x5e) {
    negated = true;
    if (!c.bumpAndBumpSpace(x)) c.fail(start, c.pos, UNCLOSED);
  }
  let items: ClassExpr[] = [];
  while (c.char() === 0x2d) {
    items.push(literal(0x2d));
    if (!c.bumpAndBumpSpace(x)) c.fail(start, start, UNCLOSED);
  }
  if (items.length === 0 && c.char() === 0x5d) {
    items.push(literal(0x5d));
    if (!c.bumpAndBumpSpace(x)) c.fail(start, c.pos, UNCLOSED);
  }
  let lhs: ClassExpr | undefined;
  let op: '&&' | '--' | '~~' = '&&';
  for (;;) {
    c.bumpSpace(x);
    if (c.isEof()) c.fail(start, start + 1, UNCLOSED);
    const ch = c.char();
    if (ch === 0x5b) {
      items.push(maybeAsciiClass(c) ?? parseBracket(c, flags));
      continue;
    }
    if (ch === 0x5d) {
      c.bump();
      const rhs = union(items);
      const set: ClassExpr = lhs === undefined ? rhs : { t: 'op', op, a: lhs, b: rhs };
      return negated ? { t: 'not', of: set } : set;
    }
    const next = c.peek();
    const pair = ch === next && (ch === 0x26 || ch === 0x2d || ch === 0x7e) ? String.fromCodePoint(ch, ch) : undefined;
    if (pair !== undefined) {
      c.pos += 2;
      const rhs = union(items);
      lhs = lhs === undefined ? rhs : { t: 'op', op, a: lhs, b: rhs };
      op = pair as '&&' | '--' | '~~';
      items = [];
      continue;
    }
    items.push(parseRange(c, flags, start));
  }
}

const literal = (cp: number): ClassExpr => ({ t: 'ranges', ranges: [[cp, cp]] });

/** `[:alpha:]` / `[:^alpha:]` inside a bracket; undefined (cursor unchanged) otherwise. */
function maybeAsciiClass(c: Cursor): ClassExpr | undefined {
  const start = c.pos;
  const reset = () => {
    c.pos = start;
    return undefined;
  };
  if (!c.bump() || c.char() !== 0x3a) return reset();
  if (!c.bump()) return reset();
  let negated = false;
  if (c.char() === 0x5e) {
    negated = true;
    if (!c.bump()) return reset();
  }
  const nameStart = c.pos;
  while (c.char() !== 0x3a && c.bump()) {}
  if (c.isEof()) return reset();
  const name = c.pattern.slice(nameStart, c.pos);
  if (!c.bumpIf(':]')) return reset();
  const ranges = Object.hasOwn(ASCII_CLASSES, name) ? ASCII_CLASSES[name] : undefined;
  if (ranges === undefined) return reset();
  const set: ClassExpr = { t: 'ranges', ranges };
  return negated ? { t: 'not', of: set } : set;
}

/** A single item or a range `a-z`. */
function parseRange(c: Cursor, flags: Flags, openStart: number): ClassExpr {
  const x = flags.x;
  const first = parseItem(c, flags);
  c.bumpSpace(x);
  if (c.isEof()) c.fail(openStart, openStart + 1, UNCLOSED);
  const ahead = c.peekSpace(x);
  if (c.char() !== 0x2d || ahead === 0x5d || ahead === 0x2d) return toItem(c, first, flags);
  if (!c.bumpAndBumpSpace(x)) c.fail(openStart, openStart + 1, UNCLOSED);
  const second = parseItem(c, flags);
  if (first.p !== 'literal') return c.fail(first.start, first.end, 'invalid range boundary, must be a literal');
  if (second.p !== 'literal') return c.fail(second.start, second.end, 'invalid range boundary, must be a literal');
  if (first.cp > second.cp) c.fail(first.start, second.end, 'invalid character class range, the start must be <= the end');
  checkByteLiteral(c, first, flags);
  checkByteLiteral(c, second, flags);
  return { t: 'ranges', ranges: [[first.cp, second.cp]] };
}

function parseItem(c: Cursor, flags: Flags): Primitive {
  if (c.char() === 0x5c) return parseEscape(c, flags);
  const start = c.pos;
  const cp = c.char();
  c.bump();
  return { p: 'literal', cp, byte: false, start, end: c.pos };
}

function toItem(c: Cursor, p: Primitive, flags: Flags): ClassExpr {
  switch (p.p) {
    case 'literal':
      checkByteLiteral(c, p, flags);
      return literal(p.cp);
    case 'class':
      return p.expr;
    case 'look':
      return c.fail(p.start, p.end, 'invalid escape sequence found in character class');
  }
}

/** Without Unicode mode, class members must be ASCII (`\xFF` would be a lone byte). */
function checkByteLiteral(c: Cursor, p: Primitive & { p: 'literal' }, flags: Flags): void {
  if (flags.u || p.cp <= 0x7f) return;
  c.defer(p.start, p.end, p.byte ? 'pattern can match invalid UTF-8' : 'Unicode not allowed here');
}
