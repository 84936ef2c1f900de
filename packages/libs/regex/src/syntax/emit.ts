/**
 * Writes a parsed Rust pattern as a JavaScript RegExp source for the `v` flag.
 *
 * Each construct is emitted with Rust's meaning rather than JavaScript's look-alike:
 * `\d`, `\w`, `\s` and `\b` are Unicode-aware (JavaScript's are ASCII), `.` excludes only
 * `\n` (or `\r` and `\n` in CRLF mode), multi-line `^`/`$` break at `\n` only, and capture
 * groups are all unnamed (names are kept aside, so any Rust group name works). Case
 * insensitivity uses the RegExp `i` flag when it covers the whole pattern; otherwise the
 * case-insensitive parts are expanded into explicit alternatives.
 */
import type { ClassExpr, Flags, Look, Range, RegexNode } from './ast.js';
import { caseOrbit, caseOrbits, isCaseless } from './case-fold.js';

/** RegExp source and flags. */
export interface EmittedRegex {
  readonly source: string;
  readonly flags: string;
}

/** Rust's Unicode word characters (UTS #18 `\w`). */
const WORD_UNICODE = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
const WORD_ASCII = '[0-9A-Za-z_]';

type CaseMode = 'none' | 'global' | 'expand';

/** Emits `root` as a JavaScript RegExp. */
export function emitRegex(root: RegexNode): EmittedRegex {
  const mode = caseMode(root);
  const source = new Emitter(mode).node(root);
  return { source, flags: mode === 'global' ? 'iv' : 'v' };
}

function caseMode(root: RegexNode): CaseMode {
  let anyInsensitive = false;
  let anySensitive = false;
  let anyAscii = false;
  const visit = (n: RegexNode): void => {
    switch (n.kind) {
      case 'literal':
      case 'class':
        if (n.flags.i) anyInsensitive = true;
        else if (n.kind === 'class' || !isCaseless(n.cp)) anySensitive = true;
        if (!n.flags.u) anyAscii = true;
        return;
      case 'dot':
      case 'look':
        if (!n.flags.u) anyAscii = true;
        return;
      case 'group':
      case 'repeat':
        visit(n.body);
        return;
      case 'concat':
      case 'alt':
        n.items.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(root);
  if (!anyInsensitive) return 'none';
  // JavaScript's `i` folds with Unicode rules everywhere; ASCII-only folding needs expansion.
  return anySensitive || anyAscii ? 'expand' : 'global';
}

/** A code point as a RegExp atom (also valid inside a `v` class). */
function cp(c: number): string {
  const ascii = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return ascii ? String.fromCharCode(c) : `\\u{${c.toString(16)}}`;
}

const range = ([lo, hi]: Range): string => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`);

class Emitter {
  constructor(private readonly mode: CaseMode) {}

  node(n: RegexNode): string {
    switch (n.kind) {
      case 'empty':
      case 'flags':
        return '';
      case 'literal':
        return this.literal(n.cp, n.flags);
      case 'class':
        return this.set(n.expr, this.mode === 'expand' && n.flags.i && n.flags.u);
      case 'dot':
        return n.flags.s ? '[\\s\\S]' : n.flags.R ? '[^\\n\\r]' : '[^\\n]';
      case 'look':
        return look(n.look, n.flags);
      case 'group': {
        const body = this.node(n.body);
        return n.index === undefined ? `(?:${body})` : `(${body})`;
      }
      case 'repeat':
        return this.repeat(n);
      case 'concat':
        return n.items.map((i) => this.node(i)).join('');
      case 'alt':
        return n.items.map((i) => this.node(i)).join('|');
    }
  }

  private literal(c: number, flags: Flags): string {
    if (this.mode !== 'expand' || !flags.i) return cp(c);
    if (!flags.u) {
      // ASCII-only folding without Unicode mode.
      const lower = c >= 0x41 && c <= 0x5a ? c + 32 : c;
      return lower >= 0x61 && lower <= 0x7a ? `[${cp(lower - 32)}${cp(lower)}]` : cp(c);
    }
    const orbit = caseOrbit(c);
    return orbit.length === 1 ? cp(c) : `[${orbit.map(cp).join('')}]`;
  }

  private repeat(n: RegexNode & { kind: 'repeat' }): string {
    const body = this.node(n.body);
    const k = n.body.kind;
    const atom = k === 'literal' || k === 'class' || k === 'dot' || k === 'group' ? body : `(?:${body})`;
    const { min, max } = n;
    let q: string;
    if (max === undefined) q = min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
    else if (min === 0 && max === 1) q = '?';
    else q = min === max ? `{${min}}` : `{${min},${max}}`;
    return `${atom}${q}${n.greedy ? '' : '?'}`;
  }

  /**
   * A class as a `v`-mode operand (`[…]` or `\p{…}`). With `fold`, every leaf is closed
   * under case folding before negations and set operations apply, as Rust does.
   */
  private set(e: ClassExpr, fold: boolean): string {
    switch (e.t) {
      case 'ranges': {
        const s = `[${e.ranges.map(range).join('')}]`;
        return fold ? closeUnderFolding(s) : s;
      }
      case 'prop': {
        const positive = `\\p{${e.body}}`;
        if (!fold) return e.neg ? `\\P{${e.body}}` : positive;
        const closed = closeUnderFolding(positive);
        return e.neg ? `[^${closed}]` : closed;
      }
      case 'perl': {
        const body = e.k === 'd' ? '\\p{Nd}' : e.k === 's' ? '\\p{White_Space}' : WORD_UNICODE;
        if (!e.neg) return body;
        return e.k === 'w' ? `[^${body.slice(1, -1)}]` : body.replace('\\p', '\\P');
      }
      case 'union': {
        // Literal members go together (`[a-z_]`), other members as nested operands.
        const ranges: Range[] = [];
        const others: string[] = [];
        for (const item of e.items) {
          if (item.t === 'ranges') ranges.push(...item.ranges);
          else others.push(this.set(item, fold));
        }
        if (others.length === 0) return this.set({ t: 'ranges', ranges }, fold);
        const literals =
          ranges.length === 0 ? '' : fold ? closeUnderFolding(`[${ranges.map(range).join('')}]`) : ranges.map(range).join('');
        return `[${literals}${others.join('')}]`;
      }
      case 'op': {
        const a = this.set(e.a, fold);
        const b = this.set(e.b, fold);
        if (e.op === '~~') return `[[${a}--${b}][${b}--${a}]]`;
        return `[${a}${e.op}${b}]`;
      }
      case 'not': {
        const inner = this.set(e.of, fold);
        // `[^[abc]]` reads better as `[^abc]` (never strip a nested negation's brackets).
        return inner.startsWith('[') && !inner.startsWith('[^') ? `[^${inner.slice(1)}` : `[^${inner}]`;
      }
    }
  }
}

/** Adds to a class every case variant of its members (`[a-c]` → `[[a-c]ABC]`). */
function closeUnderFolding(set: string): string {
  const re = new RegExp(`^${set}$`, 'v');
  const extra = new Set<number>();
  for (const [c, orbit] of caseOrbits()) {
    if (!re.test(String.fromCodePoint(c))) continue;
    for (const o of orbit) if (!re.test(String.fromCodePoint(o))) extra.add(o);
  }
  if (extra.size === 0) return set;
  const sorted = [...extra].sort((a, b) => a - b);
  const ranges: Range[] = [];
  for (const c of sorted) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] + 1 === c) ranges[ranges.length - 1] = [last[0], c];
    else ranges.push([c, c]);
  }
  return `[${set}${ranges.map(range).join('')}]`;
}

function look(l: Look, flags: Flags): string {
  const w = flags.u ? WORD_UNICODE : WORD_ASCII;
  switch (l) {
    case 'textStart':
      return '^';
    case 'textEnd':
      return '$';
    case 'lineStart':
      return flags.R ? '(?:^|(?<=\\n)|(?<=\\r)(?!\\n))' : '(?<![^\\n])';
    case 'lineEnd':
      return flags.R ? '(?:$|(?=\\r)|(?<!\\r)(?=\\n))' : '(?![^\\n])';
    case 'word':
      return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    case 'notWord':
      return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
    case 'wordStart':
      return `(?<!${w})(?=${w})`;
    case 'wordEnd':
      return `(?<=${w})(?!${w})`;
    case 'wordStartHalf':
      return `(?<!${w})`;
    case 'wordEndHalf':
      return `(?!${w})`;
  }
}
