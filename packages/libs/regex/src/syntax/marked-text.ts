/**
 * Marked text: how a Unicode word boundary runs on RE2, whose `\b` sees ASCII word
 * characters only and which has no look-ahead. Every character of the text is written
 * between two copies of a marker that RE2 classifies as Rust classifies the character:
 * `a` for a Unicode word character, `\n` for a newline, `-` for anything else. Between two
 * characters RE2 then sees marker next to marker, so its `\b`, `\B`, `(?m:^)`, `(?m:$)`
 * and look-behinds answer with Rust's meaning. The pattern is emitted to match each
 * character with its markers (`emit-re2.ts`, `marked`), and anchored behind a lazy
 * `(?s:.{3})*?`, so that a match can only start at a character (which is also how RE2
 * itself searches unanchored: leftmost first). Text and pattern grow three times; matching
 * stays linear.
 *
 * @example
 * ```ts
 * markText('é!'); // 'aéa-!-'
 * unmark('aéa-!-'); // 'é!'
 * ```
 */

/** Rust's Unicode `\w` (UTS #18), as a JavaScript `v` class. */
const WORD_CLASS = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
// Built from text: the `v` flag is newer than this repository's TypeScript target.
const WORD = new RegExp(`^${WORD_CLASS}$`, 'v');

function isAsciiWord(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** `text` with each character between its markers. */
export function markText(text: string): string {
  const parts: string[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const m = c === 0x0a ? '\n' : (c < 0x80 ? isAsciiWord(c) : WORD.test(ch)) ? 'a' : '-';
    parts.push(m, ch, m);
  }
  return parts.join('');
}

/** The text of a marked slice that starts and ends between characters. */
export function unmark(marked: string): string {
  const parts: string[] = [];
  let k = 0;
  for (const ch of marked) {
    if (k % 3 === 1) parts.push(ch);
    k++;
  }
  return parts.join('');
}
