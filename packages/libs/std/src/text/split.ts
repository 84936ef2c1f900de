/**
 * Splitting and re-cutting text with the semantics of Rust's `str::split` and
 * `str::split_inclusive`, which the reference uses. They differ from
 * JavaScript's `String.prototype.split`: an empty delimiter matches at every character
 * boundary *including both ends*, and the inclusive form keeps each delimiter and never
 * yields an empty last piece.
 */

/**
 * The pieces of `text` around each literal occurrence of `delimiter` (left to right, not
 * overlapping). With `inclusive`, each piece keeps its trailing delimiter and an empty
 * last piece is dropped.
 *
 * @example
 * ```ts
 * splitText('a\nb\n', '\n', true); // ['a\n', 'b\n']
 * splitText('a\nb\n', '\n', false); // ['a', 'b', '']
 * splitText('ab', '', false); // ['', 'a', 'b', '']
 * ```
 */
export function splitText(text: string, delimiter: string, inclusive: boolean): string[] {
  if (delimiter === '') return splitEveryChar(text, inclusive);
  const pieces: string[] = [];
  const step = delimiter.length;
  let start = 0;
  for (let at = text.indexOf(delimiter); at !== -1; at = text.indexOf(delimiter, start)) {
    pieces.push(text.slice(start, inclusive ? at + step : at));
    start = at + step;
  }
  if (!inclusive || start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** The empty pattern matches before every character (code point) and at the end. */
function splitEveryChar(text: string, inclusive: boolean): string[] {
  // Inclusive: the piece ending at the first match (offset 0) is empty, then one piece per
  // character; the empty piece after the final match is dropped.
  const pieces = [''];
  for (const c of text) pieces.push(c);
  if (!inclusive) pieces.push('');
  return pieces;
}

/**
 * One step of `rescale`: appends the inclusive pieces of `text` to `pending` one at a time
 * and moves `pending` to `out` whenever it ends with `delimiter`. Returns the new pending
 * text. As in the reference, a multi-character delimiter split across two strings is only
 * recognised when it ends the accumulated text.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const pending = rescaleInto('ab', 'c\nd', '\n', out); // out ['abc\n'], pending 'd'
 * ```
 */
export function rescaleInto(pending: string, text: string, delimiter: string, out: string[]): string {
  let acc = pending;
  for (const piece of splitText(text, delimiter, true)) {
    acc += piece;
    if (acc.endsWith(delimiter)) {
      out.push(acc);
      acc = '';
    }
  }
  return acc;
}
