/**
 * The syntax tree of a Rust `regex` pattern, as the parser leaves it for the emitter.
 *
 * Every node that Rust translates differently depending on the inline flags (`i`, `m`,
 * `s`, `U`, `u`, `R`) carries the flags in force where it was written, so the emitter
 * never has to replay flag scopes. Character classes keep their set operations (Rust
 * has `&&`, `--` and `~~`; JavaScript's `v` flag has the first two natively).
 */

/** Inline flags in force at a point of the pattern (Rust names). */
export interface Flags {
  /** Case-insensitive (`i`). */
  readonly i: boolean;
  /** Multi-line: `^`/`$` match at line ends (`m`). */
  readonly m: boolean;
  /** `.` matches `\n` (`s`). */
  readonly s: boolean;
  /** Swap greedy and lazy quantifiers (`U`). */
  readonly U: boolean;
  /** Unicode mode (`u`, on by default). */
  readonly u: boolean;
  /** Verbose: whitespace and `#` comments are ignored (`x`). */
  readonly x: boolean;
  /** CRLF mode: `\r\n` is a line terminator for `^`, `$` and `.` (`R`). */
  readonly R: boolean;
}

/** The flags at the start of a pattern. */
export const DEFAULT_FLAGS: Flags = { i: false, m: false, s: false, U: false, u: true, x: false, R: false };

/** A closed code point range. */
export type Range = readonly [lo: number, hi: number];

/** A set of code points, as written in a class. */
export type ClassExpr =
  /** Literal characters and ranges (also the expansion of ASCII classes). */
  | { readonly t: 'ranges'; readonly ranges: readonly Range[] }
  /** A Unicode property in JavaScript syntax (`Lu`, `Script=Greek`), possibly negated. */
  | { readonly t: 'prop'; readonly body: string; readonly neg: boolean }
  /** A Perl class `\d`, `\s`, `\w` (Unicode flavour; ASCII flavours are `ranges`). */
  | { readonly t: 'perl'; readonly k: 'd' | 's' | 'w'; readonly neg: boolean }
  | { readonly t: 'union'; readonly items: readonly ClassExpr[] }
  /** Intersection, difference, symmetric difference. */
  | { readonly t: 'op'; readonly op: '&&' | '--' | '~~'; readonly a: ClassExpr; readonly b: ClassExpr }
  /** A negated bracket `[^…]` or ASCII class `[:^…:]`. */
  | { readonly t: 'not'; readonly of: ClassExpr };

/** Zero-width assertions. */
export type Look =
  | 'textStart'
  | 'textEnd'
  | 'lineStart'
  | 'lineEnd'
  | 'word'
  | 'notWord'
  | 'wordStart'
  | 'wordEnd'
  | 'wordStartHalf'
  | 'wordEndHalf';

/** A node of the pattern. */
export type RegexNode =
  | { readonly kind: 'empty' }
  /** A flag group `(?i)`: matches the empty string (and cannot be repeated). */
  | { readonly kind: 'flags' }
  | { readonly kind: 'literal'; readonly cp: number; readonly flags: Flags }
  | { readonly kind: 'class'; readonly expr: ClassExpr; readonly flags: Flags }
  | { readonly kind: 'dot'; readonly flags: Flags }
  | { readonly kind: 'look'; readonly look: Look; readonly flags: Flags }
  /** A group; `index` is the capture index (1-based) of a capturing group. */
  | { readonly kind: 'group'; readonly index: number | undefined; readonly body: RegexNode }
  /** `max` undefined means unbounded; `greedy` already accounts for the `U` flag. */
  | { readonly kind: 'repeat'; readonly min: number; readonly max: number | undefined; readonly greedy: boolean; readonly body: RegexNode }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly items: readonly RegexNode[] };

/** A parsed pattern. */
export interface ParsedRegex {
  readonly root: RegexNode;
  /** Number of capturing groups (not counting the whole match). */
  readonly groups: number;
  /** Group names by capture index. */
  readonly names: ReadonlyMap<number, string>;
}
