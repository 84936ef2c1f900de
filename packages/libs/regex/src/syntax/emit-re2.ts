/**
 * Writes a parsed Rust pattern in RE2 syntax for `re2js`, the linear-time engine.
 *
 * Rust's `regex` and RE2 share their design and most of their syntax, but not every
 * meaning, so nothing is passed through as written: Perl classes become the Unicode
 * classes Rust means, classes with set operations or properties RE2 lacks become
 * explicit code point ranges (`code-points.ts`), `^`/`$` become `\A`/`\z` or
 * `(?m:^)`/`(?m:$)`, and `.` an explicit class.
 *
 * Two things RE2 cannot say exactly. Its word boundary `\b` knows ASCII word characters
 * only, and it has no look-ahead (re2js has linear-time look-behind, used for the half
 * boundaries). A Unicode `\b` is therefore emitted as RE2's `\b`, which is exact on ASCII
 * text; CRLF-mode line anchors are emitted as `\n` anchors, exact on text without `\r`.
 * The result says which of these it relied on, and `compile.ts` sends other texts to the
 * JavaScript translation.
 */

import { RE2 } from '../re2.js';
import type { ClassExpr, Flags, Look, RegexNode } from './ast.js';
import { isCaseless } from './case-fold.js';
import { classRanges, type RangeSet } from './code-points.js';

/** RE2 source and what it needs from the text to have Rust's meaning. */
export interface Re2Emitted {
  readonly source: string;
  /** Has an ASCII word boundary (`(?-u:\b)`): exact as RE2's, but not on marked text. */
  readonly asciiWord: boolean;
  /** Uses look-behind (re2js's `LOOKBEHINDS` flag). */
  readonly lookbehinds: boolean;
  /** Has a Unicode word boundary emitted as ASCII: exact on ASCII text only. */
  readonly asciiTextOnly: boolean;
  /** Has CRLF-mode line anchors emitted as `\n` anchors: exact on text without `\r` only. */
  readonly noCarriageReturn: boolean;
}

const WORD_ASCII = '[0-9A-Za-z_]';

/** A code point as an RE2 atom, also valid inside a class. */
function cp(c: number): string {
  const ascii = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return ascii ? String.fromCharCode(c) : `\\x{${c.toString(16)}}`;
}

/** A set as an RE2 class; surrogates, which no text can hold alone, are left out. */
function rangeClass(s: RangeSet): string {
  let body = '';
  for (const [lo, hi] of s) {
    const parts: [number, number][] =
      lo <= 0xdfff && hi >= 0xd800
        ? [
            [lo, 0xd7ff],
            [0xe000, hi],
          ]
        : [[lo, hi]];
    for (const [a, b] of parts) if (a <= b) body += a === b ? cp(a) : `${cp(a)}-${cp(b)}`;
  }
  return body === '' ? '[^\\x{0}-\\x{10ffff}]' : `[${body}]`;
}

/**
 * Emits `root` in RE2 syntax.
 *
 * @example
 * ```ts
 * emitRe2(parseRegex('\\d+').root).source; // a class of every decimal digit, then `+`
 * ```
 */
export function emitRe2(root: RegexNode, marked = false): Re2Emitted {
  const e = new Re2Emitter(marked);
  const source = e.node(root);
  return {
    source,
    asciiWord: e.asciiWord,
    lookbehinds: e.lookbehinds,
    asciiTextOnly: e.asciiTextOnly,
    noCarriageReturn: e.noCarriageReturn,
  };
}

/** A marker of marked text (`marked-text.ts`): `a` word, `\n` newline, `-` other. */
const MARKER = '[a\\-\\n]';

class Re2Emitter {
  asciiWord = false;
  lookbehinds = false;
  asciiTextOnly = false;
  noCarriageReturn = false;

  /** @param marked emit for marked text: every character stands between two markers */
  constructor(private readonly marked: boolean) {}

  /** A pattern for one character; on marked text, its markers too. */
  private one(x: string): string {
    return this.marked ? `${MARKER}${x}${MARKER}` : x;
  }

  node(n: RegexNode): string {
    switch (n.kind) {
      case 'empty':
      case 'flags':
        return '';
      case 'literal':
        return this.one(literal(n.cp, n.flags));
      case 'class': {
        const caseless = n.flags.i && n.flags.u;
        const native = nativeClass(n.expr);
        if (native === undefined) return this.one(rangeClass(classRanges(n.expr, caseless)));
        // RE2 folds a class before negating it, with simple case folding, as Rust does.
        return this.one(caseless ? `(?i:${native})` : native);
      }
      case 'dot':
        return this.one(n.flags.s ? '(?s:.)' : n.flags.R ? '[^\\n\\r]' : '[^\\n]');
      case 'look':
        return this.look(n.look, n.flags);
      case 'group': {
        const body = this.node(n.body);
        return n.index === undefined ? `(?:${body})` : `(${body})`;
      }
      case 'repeat': {
        const body = this.node(n.body);
        const k = n.body.kind;
        const atom = (k === 'literal' || k === 'class' || k === 'dot') && !this.marked ? body : k === 'group' ? body : `(?:${body})`;
        const { min, max } = n;
        const lazy = n.greedy ? '' : '?';
        if ((min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT) && !hasCapture(n.body)) return longRepeat(atom, min, max, lazy);
        let q: string;
        if (max === undefined) q = min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
        else if (min === 0 && max === 1) q = '?';
        else q = min === max ? `{${min}}` : `{${min},${max}}`;
        return `${atom}${q}${lazy}`;
      }
      case 'concat':
        return n.items.map((i) => this.node(i)).join('');
      case 'alt':
        return n.items.map((i) => this.node(i)).join('|');
    }
  }

  private look(l: Look, flags: Flags): string {
    switch (l) {
      case 'textStart':
        return '\\A';
      case 'textEnd':
        return '\\z';
      case 'lineStart':
        if (flags.R) this.noCarriageReturn = true;
        return '(?m:^)';
      case 'lineEnd':
        if (flags.R) this.noCarriageReturn = true;
        return '(?m:$)';
      default:
        break;
    }
    if (flags.u) this.asciiTextOnly = true;
    else this.asciiWord = true;
    switch (l) {
      case 'word':
        return '\\b';
      case 'notWord':
        return '\\B';
      default:
        break;
    }
    this.lookbehinds = true;
    switch (l) {
      case 'wordStart':
        return `\\b(?<!${WORD_ASCII})`;
      case 'wordEnd':
        return `\\b(?<=${WORD_ASCII})`;
      case 'wordStartHalf':
        return `(?<!${WORD_ASCII})`;
      default:
        // End half (`(?!\w)` without look-ahead): a boundary after a word character, or
        // no boundary after a non-word character.
        return `(?:\\b(?<=${WORD_ASCII})|\\B(?<!${WORD_ASCII}))`;
    }
  }
}

/** RE2's largest repetition count (Rust has none but its size limit). */
const MAX_REPEAT = 1000;

/**
 * `atom{min,max}` beyond RE2's count limit, as consecutive repetitions of at most 1000
 * (RE2 also refuses nested counts whose product passes it). Chunk after chunk, greedy
 * (or lazy) preference over the total count is kept: the first chunks fill first.
 */
function longRepeat(atom: string, min: number, max: number | undefined, lazy: string): string {
  const parts: string[] = [];
  for (let left = min; left > 0; left -= MAX_REPEAT) parts.push(`${atom}{${Math.min(left, MAX_REPEAT)}}`);
  if (max === undefined) parts.push(`${atom}*${lazy}`);
  else for (let left = max - min; left > 0; left -= MAX_REPEAT) parts.push(`${atom}{0,${Math.min(left, MAX_REPEAT)}}${lazy}`);
  return `(?:${parts.join('')})`;
}

/** Whether a node holds a capturing group (which a repetition cannot copy). */
function hasCapture(n: RegexNode): boolean {
  const stack: RegexNode[] = [n];
  while (stack.length > 0) {
    const x = stack.pop() as RegexNode;
    if (x.kind === 'group') {
      if (x.index !== undefined) return true;
      stack.push(x.body);
    } else if (x.kind === 'repeat') stack.push(x.body);
    else if (x.kind === 'concat' || x.kind === 'alt') stack.push(...x.items);
  }
  return false;
}

function literal(c: number, flags: Flags): string {
  if (!flags.i) return cp(c);
  if (!flags.u) {
    // ASCII-only folding without Unicode mode.
    const lower = c >= 0x41 && c <= 0x5a ? c + 32 : c;
    return lower >= 0x61 && lower <= 0x7a ? `[${cp(lower - 32)}${cp(lower)}]` : cp(c);
  }
  // RE2's folding is simple case folding, as Rust's.
  return isCaseless(c) ? cp(c) : `(?i:${cp(c)})`;
}

/** Rust's Unicode `\w` as RE2 class items (Join_Control is U+200C and U+200D). */
const WORD_ITEMS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200c}\\x{200d}';

const re2Names = new Map<string, string | undefined>();

/** The RE2 name of a property given in JavaScript syntax, when re2js knows it. */
function re2Property(body: string): string | undefined {
  if (re2Names.has(body)) return re2Names.get(body);
  let name: string | undefined = body.startsWith('Script=') ? body.slice('Script='.length) : body;
  if (name.includes('='))
    name = undefined; // Script_Extensions: not in RE2
  else
    try {
      RE2().compile(`\\p{${name}}`);
    } catch {
      name = undefined;
    }
  re2Names.set(body, name);
  return name;
}

/** The members of a class as RE2 class items, when RE2 can say them without set operations. */
function nativeItems(e: ClassExpr): string | undefined {
  switch (e.t) {
    case 'ranges':
      return e.ranges.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('');
    case 'prop': {
      const name = re2Property(e.body);
      return name === undefined ? undefined : `\\${e.neg ? 'P' : 'p'}{${name}}`;
    }
    case 'perl':
      if (e.k === 'd') return e.neg ? '\\P{Nd}' : '\\p{Nd}';
      if (e.k === 's') return e.neg ? '\\P{White_Space}' : '\\p{White_Space}';
      return e.neg ? undefined : WORD_ITEMS;
    case 'union': {
      let out = '';
      for (const item of e.items) {
        const x = nativeItems(item);
        if (x === undefined) return undefined;
        out += x;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A class in RE2's own syntax, or undefined when it needs evaluating to ranges. */
function nativeClass(e: ClassExpr): string | undefined {
  if (e.t === 'perl' && e.k === 'w' && e.neg) return `[^${WORD_ITEMS}]`;
  const negated = e.t === 'not';
  const items = nativeItems(negated ? e.of : e);
  if (items === undefined) return undefined;
  return negated ? `[^${items}]` : `[${items}]`;
}
