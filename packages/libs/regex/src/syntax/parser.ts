/**
 * Parser of the Rust `regex` dialect into {@link RegexNode}s, following `regex-syntax`
 * closely enough to accept and refuse the same patterns with the same messages: no
 * look-around, no backreferences, inline flags scoped to the enclosing group (also across
 * later alternatives), `(?x)` verbose mode, counted repetitions with optional spaces.
 * Translation errors (Unicode properties, `(?-u)` restrictions) are reported only when
 * the whole pattern parsed, as the reference parses fully before translating.
 */
import { DEFAULT_FLAGS, type Flags, type ParsedRegex, type RegexNode } from './ast.js';
import { Cursor, isWhitespace } from './cursor.js';
import { byteClass, parseBracketClass } from './parse-class.js';
import { parseEscape } from './parse-escape.js';

const ALPHABETIC = /^\p{Alphabetic}$/u;
const ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;

/** Flags in force in a group; `(?i)` changes them for the rest of the group. */
interface Scope {
  flags: Flags;
}

/**
 * Parses a pattern; throws a {@link RegexSyntaxError} when the reference would refuse it.
 *
 * @example
 * ```ts
 * parseRegex('(?P<key>\\w+)=(?i:yes)').groups; // 1
 * ```
 */
export function parseRegex(pattern: string): ParsedRegex {
  return new Parser(pattern).parse();
}

class Parser {
  private readonly c: Cursor;
  private groups = 0;
  private readonly names = new Map<number, string>();
  private readonly nameSet = new Set<string>();

  constructor(pattern: string) {
    this.c = new Cursor(pattern);
  }

  parse(): ParsedRegex {
    const root = this.parseAlternation({ flags: DEFAULT_FLAGS });
    if (!this.c.isEof()) this.c.fail(this.c.pos, this.c.pos + 1, 'unopened group');
    if (this.c.deferred !== undefined) throw this.c.deferred;
    return { root, groups: this.groups, names: this.names };
  }

  private parseAlternation(scope: Scope): RegexNode {
    const branches = [this.parseConcat(scope)];
    while (!this.c.isEof() && this.c.char() === 0x7c) {
      this.c.bump();
      branches.push(this.parseConcat(scope));
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', items: branches };
  }

  private parseConcat(scope: Scope): RegexNode {
    const c = this.c;
    const items: RegexNode[] = [];
    for (;;) {
      c.bumpSpace(scope.flags.x);
      if (c.isEof()) break;
      const ch = c.char();
      if (ch === 0x29 || ch === 0x7c) break;
      if (ch === 0x28) this.parseGroup(scope, items);
      else if (ch === 0x5b) {
        const flags = scope.flags;
        items.push({ kind: 'class', expr: parseBracketClass(c, flags), flags });
      } else if (ch === 0x3f || ch === 0x2a || ch === 0x2b) this.parseUncountedRepetition(scope, items, ch);
      else if (ch === 0x7b) this.parseCountedRepetition(scope, items);
      else items.push(this.parsePrimitive(scope.flags));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  private parseGroup(scope: Scope, items: RegexNode[]): void {
    const c = this.c;
    const open = c.pos;
    c.bump();
    c.bumpSpace(scope.flags.x);
    if (c.bumpIf('?=') || c.bumpIf('?!') || c.bumpIf('?<=') || c.bumpIf('?<!')) {
      c.fail(open, c.pos, 'look-around, including look-ahead and look-behind, is not supported');
    }
    const inner = c.pos;
    let index: number | undefined;
    let flags = scope.flags;
    if (c.bumpIf('?P<') || c.bumpIf('?<')) {
      index = ++this.groups;
      this.parseCaptureName(index);
    } else if (c.bumpIf('?')) {
      if (c.isEof()) c.fail(open, open + 1, 'unclosed group');
      const parsed = this.parseFlags(scope.flags);
      const end = c.char();
      c.bump();
      if (end === 0x29) {
        if (!parsed.any) c.fail(inner, inner, 'repetition operator missing expression');
        // A bare flag group changes the rest of the enclosing group.
        scope.flags = parsed.flags;
        items.push({ kind: 'flags' });
        return;
      }
      flags = parsed.flags;
    } else {
      index = ++this.groups;
    }
    const body = this.parseAlternation({ flags });
    if (c.isEof() || c.char() !== 0x29) c.fail(open, open + 1, 'unclosed group');
    c.bump();
    items.push({ kind: 'group', index, body });
  }

  private parseCaptureName(index: number): void {
    const c = this.c;
    if (c.isEof()) c.fail(c.pos, c.pos, 'unclosed capture group name');
    const start = c.pos;
    for (;;) {
      const ch = c.char();
      if (ch === 0x3e) break;
      const s = String.fromCodePoint(ch);
      const ok =
        c.pos === start ? s === '_' || ALPHABETIC.test(s) : s === '_' || s === '.' || s === '[' || s === ']' || ALPHANUMERIC.test(s);
      if (!ok) c.fail(c.pos, c.pos + s.length, 'invalid capture group character');
      if (!c.bump()) break;
    }
    const end = c.pos;
    if (c.isEof()) c.fail(c.pos, c.pos, 'unclosed capture group name');
    c.bump();
    const name = c.pattern.slice(start, end);
    if (name === '') c.fail(start, start, 'empty capture group name');
    if (this.nameSet.has(name)) c.fail(start, end, 'duplicate capture group name');
    this.nameSet.add(name);
    this.names.set(index, name);
  }

  /** Parses flags up to `:` or `)` (left at the cursor). */
  private parseFlags(current: Flags): { flags: Flags; any: boolean } {
    const c = this.c;
    const next: { -readonly [K in keyof Flags]: Flags[K] } = { ...current };
    const seen = new Set<string>();
    let negating = false;
    let lastWasNegation: number | undefined;
    while (c.char() !== 0x3a && c.char() !== 0x29) {
      const s = String.fromCodePoint(c.char());
      if (s === '-') {
        if (seen.has('-')) c.fail(c.pos, c.pos + 1, 'flag negation operator repeated');
        seen.add('-');
        negating = true;
        lastWasNegation = c.pos;
      } else {
        lastWasNegation = undefined;
        if (!'imsUuRx'.includes(s)) c.fail(c.pos, c.pos + s.length, 'unrecognized flag');
        if (seen.has(s)) c.fail(c.pos, c.pos + 1, 'duplicate flag');
        seen.add(s);
        next[s as keyof Flags] = !negating;
      }
      if (!c.bump()) c.fail(c.pos, c.pos, 'expected flag but got end of regex');
    }
    if (lastWasNegation !== undefined) c.fail(lastWasNegation, lastWasNegation + 1, 'dangling flag negation operator');
    return { flags: next, any: seen.size > 0 };
  }

  private lastRepeatable(items: RegexNode[]): RegexNode {
    const last = items.pop();
    if (last === undefined || last.kind === 'empty' || last.kind === 'flags') {
      this.c.fail(this.c.pos, this.c.pos, 'repetition operator missing expression');
    }
    return last;
  }

  private parseUncountedRepetition(scope: Scope, items: RegexNode[], op: number): void {
    const c = this.c;
    const body = this.lastRepeatable(items);
    let greedy = true;
    if (c.bump() && c.char() === 0x3f) {
      greedy = false;
      c.bump();
    }
    const min = op === 0x2b ? 1 : 0;
    const max = op === 0x3f ? 1 : undefined;
    items.push({ kind: 'repeat', min, max, greedy: greedy !== scope.flags.U, body });
  }

  private parseCountedRepetition(scope: Scope, items: RegexNode[]): void {
    const c = this.c;
    const x = scope.flags.x;
    const start = c.pos;
    const body = this.lastRepeatable(items);
    const unclosed = () => c.fail(start, c.pos, 'unclosed counted repetition');
    if (!c.bumpAndBumpSpace(x)) unclosed();
    const first = this.parseDecimal(x);
    if (c.isEof()) unclosed();
    let min: number;
    let max: number | undefined;
    if (c.char() === 0x2c) {
      if (!c.bumpAndBumpSpace(x)) unclosed();
      min = decimalOrFail(c, first);
      if (c.char() !== 0x7d) max = decimalOrFail(c, this.parseDecimal(x));
    } else {
      min = decimalOrFail(c, first);
      max = min;
    }
    if (c.isEof() || c.char() !== 0x7d) unclosed();
    let greedy = true;
    if (c.bumpAndBumpSpace(x) && c.char() === 0x3f) {
      greedy = false;
      c.bump();
    }
    if (max !== undefined && min > max) c.fail(start, c.pos, 'invalid repetition count range, the start must be <= the end');
    items.push({ kind: 'repeat', min, max, greedy: greedy !== scope.flags.U, body });
  }

  /** Digits with surrounding whitespace (always allowed, as in the reference). */
  private parseDecimal(x: boolean): Decimal {
    const c = this.c;
    while (!c.isEof() && isWhitespace(c.char())) c.bump();
    const start = c.pos;
    let digits = '';
    while (!c.isEof() && c.char() >= 0x30 && c.char() <= 0x39) {
      digits += String.fromCodePoint(c.char());
      c.bumpAndBumpSpace(x);
    }
    const end = c.pos;
    while (!c.isEof() && isWhitespace(c.char())) c.bumpAndBumpSpace(x);
    if (digits === '') return { error: 'repetition quantifier expects a valid decimal', start, end };
    const n = Number(digits);
    if (n > 0xffffffff) return { error: 'decimal literal invalid', start, end };
    return { value: n, start, end };
  }

  private parsePrimitive(flags: Flags): RegexNode {
    const c = this.c;
    const ch = c.char();
    const start = c.pos;
    if (ch === 0x5c) {
      const p = parseEscape(c, flags);
      switch (p.p) {
        case 'literal':
          if (!flags.u && p.byte && p.cp > 0x7f) c.defer(p.start, p.end, 'pattern can match invalid UTF-8');
          return { kind: 'literal', cp: p.cp, flags };
        case 'class':
          return { kind: 'class', expr: flags.u ? p.expr : byteClass(c, p.expr, flags.i, start), flags };
        case 'look':
          return { kind: 'look', look: p.look, flags };
      }
    }
    c.bump();
    if (ch === 0x2e) {
      if (!flags.u) c.defer(start, c.pos, 'pattern can match invalid UTF-8');
      return { kind: 'dot', flags };
    }
    if (ch === 0x5e) return { kind: 'look', look: flags.m ? 'lineStart' : 'textStart', flags };
    if (ch === 0x24) return { kind: 'look', look: flags.m ? 'lineEnd' : 'textEnd', flags };
    return { kind: 'literal', cp: ch, flags };
  }
}

type Decimal =
  | { readonly value: number; readonly start: number; readonly end: number }
  | { readonly error: string; readonly start: number; readonly end: number };

function decimalOrFail(c: Cursor, d: Decimal): number {
  if ('error' in d) return c.fail(d.start, d.end, d.error);
  return d.value;
}
