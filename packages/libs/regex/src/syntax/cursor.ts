/**
 * Position and lexical helpers shared by the pattern parser's parts. Offsets are UTF-16
 * indices into the pattern; characters are code points. The helpers keep the names and
 * the exact semantics of the reference parser (`regex-syntax`), whose error behaviour
 * depends on them (e.g. `bump` reports whether input remains).
 */
import { RegexSyntaxError } from './error.js';

/** Rust's `char::is_whitespace` (the Unicode `White_Space` property). */
export function isWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Characters with a meaning in the syntax: escaping them gives the literal. */
export function isMetaCharacter(c: number): boolean {
  return '\\.+*?()|[]{}^$#&-~'.includes(String.fromCodePoint(c));
}

/** Characters that may be escaped superfluously (`\/`, `\ `): ASCII, not alphanumeric, not `<` or `>`. */
export function isEscapeableCharacter(c: number): boolean {
  if (isMetaCharacter(c)) return true;
  if (c > 0x7f) return false;
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return !alnum && c !== 0x3c && c !== 0x3e;
}

/** A read position in a pattern. */
export class Cursor {
  pos = 0;
  /** The first translation error (reported after the whole pattern parsed, as Rust does). */
  deferred: RegexSyntaxError | undefined;

  constructor(readonly pattern: string) {}

  /** Whether the whole pattern was read. */
  isEof(): boolean {
    return this.pos >= this.pattern.length;
  }

  /** The code point at the position (the caller checks `isEof` first). */
  char(): number {
    return this.pattern.codePointAt(this.pos)!;
  }

  /** Advances one character; true while characters remain. */
  bump(): boolean {
    if (this.isEof()) return false;
    this.pos += this.char() > 0xffff ? 2 : 1;
    return !this.isEof();
  }

  /** Advances past `prefix` when the input starts with it. */
  bumpIf(prefix: string): boolean {
    if (!this.pattern.startsWith(prefix, this.pos)) return false;
    this.pos += prefix.length;
    return true;
  }

  /** In verbose mode, skips whitespace and `#` comments. */
  bumpSpace(verbose: boolean): void {
    if (!verbose) return;
    while (!this.isEof()) {
      const c = this.char();
      if (isWhitespace(c)) this.bump();
      else if (c === 0x23) {
        this.bump();
        while (!this.isEof()) {
          const d = this.char();
          this.bump();
          if (d === 0x0a) break;
        }
      } else break;
    }
  }

  /** `bump` then `bumpSpace`; true while characters remain. */
  bumpAndBumpSpace(verbose: boolean): boolean {
    if (!this.bump()) return false;
    this.bumpSpace(verbose);
    return !this.isEof();
  }

  /** The character after the current one, if any. */
  peek(): number | undefined {
    if (this.isEof()) return undefined;
    const next = this.pos + (this.char() > 0xffff ? 2 : 1);
    return next < this.pattern.length ? this.pattern.codePointAt(next) : undefined;
  }

  /**
   * Like `peek`, skipping whitespace in verbose mode. Mirrors the reference exactly,
   * including its leniency: inside a comment it returns the first non-space character, and
   * when only spaces follow it returns the very next character.
   */
  peekSpace(verbose: boolean): number | undefined {
    if (!verbose) return this.peek();
    if (this.isEof()) return undefined;
    const start = this.pos + (this.char() > 0xffff ? 2 : 1);
    let inComment = false;
    for (let i = start; i < this.pattern.length; ) {
      const c = this.pattern.codePointAt(i)!;
      i += c > 0xffff ? 2 : 1;
      if (isWhitespace(c)) continue;
      if (!inComment && c === 0x23) inComment = true;
      else return c;
    }
    return start < this.pattern.length ? this.pattern.codePointAt(start) : undefined;
  }

  /** Throws a syntax error for `[start, end)`. */
  fail(start: number, end: number, reason: string): never {
    throw new RegexSyntaxError(this.pattern, start, end, reason);
  }

  /** Records a translation error, reported if parsing succeeds (the first one wins). */
  defer(start: number, end: number, reason: string): void {
    this.deferred ??= new RegexSyntaxError(this.pattern, start, end, reason);
  }
}
