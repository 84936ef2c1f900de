/**
 * Trimming with the Unicode `White_Space` property, as Rust's `str::trim` does (the
 * reference uses it). JavaScript's `trim` uses another set: it keeps U+0085 (NEL) and removes U+FEFF
 * (BOM); this one does the opposite. Every `White_Space` code point is in the BMP, so a
 * UTF-16 code unit test is exact (the test file checks the table against `\p{White_Space}`).
 */

/** Whether the UTF-16 code unit `c` is a `White_Space` character. */
export function isWhiteSpaceUnit(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  if (c <= 0xa0) return c === 0x85 || c === 0xa0;
  if (c < 0x1680) return false;
  if (c === 0x1680) return true;
  if (c >= 0x2000 && c <= 0x200a) return true;
  return c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * `text` without leading `White_Space` characters.
 *
 * @example
 * ```ts
 * trimWhiteSpaceStart('\u0085 a '); // 'a '
 * ```
 */
export function trimWhiteSpaceStart(text: string): string {
  let start = 0;
  while (start < text.length && isWhiteSpaceUnit(text.charCodeAt(start))) start++;
  return start === 0 ? text : text.slice(start);
}

/**
 * `text` without trailing `White_Space` characters.
 *
 * @example
 * ```ts
 * trimWhiteSpaceEnd(' a\ufeff'); // ' a\ufeff' (a BOM is not white space)
 * ```
 */
export function trimWhiteSpaceEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isWhiteSpaceUnit(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * `text` without leading and trailing `White_Space` characters.
 *
 * @example
 * ```ts
 * trimWhiteSpace('\t a b \n'); // 'a b'
 * ```
 */
export function trimWhiteSpace(text: string): string {
  return trimWhiteSpaceEnd(trimWhiteSpaceStart(text));
}
