/**
 * Character class tests of `std/text/compare/char`, matching Rust's
 * `char::is_*` methods through Unicode property escapes. A char value holds exactly one
 * code point; the patterns are anchored so a malformed value cannot match by a part.
 */

const ALPHABETIC = /^\p{Alphabetic}$/u;
// Rust's `is_alphanumeric`: `Alphabetic`, or a numeric general category (Nd, Nl, No).
const ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;
const CONTROL = /^\p{Cc}$/u;
const LOWERCASE = /^\p{Lowercase}$/u;
const UPPERCASE = /^\p{Uppercase}$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;

/** Whether `c` has the Unicode `Alphabetic` property. */
export function isAlphabetic(c: string): boolean {
  return ALPHABETIC.test(c);
}

/** Whether `c` is `Alphabetic` or numeric (general category Nd, Nl or No). */
export function isAlphanumeric(c: string): boolean {
  return ALPHANUMERIC.test(c);
}

/** Whether `c` is in the ASCII range (U+0000–U+007F). */
export function isAscii(c: string): boolean {
  return (c.codePointAt(0) ?? 0x80) < 0x80;
}

/** Whether `c` is a control character (general category Cc). */
export function isControl(c: string): boolean {
  return CONTROL.test(c);
}

/** Whether `c` has the Unicode `Lowercase` property. */
export function isLowercase(c: string): boolean {
  return LOWERCASE.test(c);
}

/** Whether `c` has the Unicode `Uppercase` property. */
export function isUppercase(c: string): boolean {
  return UPPERCASE.test(c);
}

/** Whether `c` has the Unicode `White_Space` property (U+0085 yes, U+FEFF no). */
export function isWhitespace(c: string): boolean {
  return WHITE_SPACE.test(c);
}

/**
 * Whether `c` is a digit in radix `base`, as Rust's `char::is_digit`: ASCII `0`–`9`, then
 * Latin letters of either case for radixes above 10. A radix outside 2–36 gives false
 * (the reference panics below 2).
 *
 * @example
 * ```ts
 * isDigit('f', 16); // true
 * isDigit('٣', 10); // false (only ASCII digits count)
 * ```
 */
export function isDigit(c: string, base: number): boolean {
  if (base < 2 || base > 36) return false;
  const cp = c.codePointAt(0) ?? -1;
  let digit = cp - 0x30;
  if (digit < 0 || digit > 9) {
    // Setting bit 0x20 folds `A`–`Z` onto `a`–`z` and moves no other code point there.
    const lower = cp | 0x20;
    digit = lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 99;
  }
  return digit < base;
}
