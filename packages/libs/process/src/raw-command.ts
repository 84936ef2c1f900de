/**
 * POSIX-shell-like word splitting for `|raw_command`: quotes and
 * backslashes are honoured, nothing else is interpreted (no operators, globbing or
 * expansion: `&&`, `|` and `${X}` stay literal words), as the reference's `shlex` split.
 */

/**
 * The words of `line`, or null when a quote is unterminated or the line ends with a lone
 * backslash.
 *
 * Rules: only space, tab and newline separate words (not `\r`); outside quotes a backslash
 * takes the next character literally and backslash-newline disappears; inside single quotes
 * everything is literal; inside double quotes a backslash only escapes `$`, `` ` ``, `"`,
 * `\` and newline (removed) and is kept before anything else; a `#` where a word would start
 * begins a comment running to the end of the line.
 *
 * @example
 * ```ts
 * splitWords(`echo "a b" 'c\\d' e\\ f #note`); // ['echo', 'a b', 'c\\d', 'e f']
 * ```
 */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    // Between words: separators and comments.
    while (i < n) {
      const c = line[i];
      if (c === ' ' || c === '\t' || c === '\n') i++;
      else if (c === '#') {
        while (i < n && line[i] !== '\n') i++;
      } else break;
    }
    if (i >= n) return words;
    // One word: runs of plain text, quoted parts and escapes, up to a separator.
    let word = '';
    while (i < n) {
      const c = line[i] as string;
      if (c === ' ' || c === '\t' || c === '\n') break;
      i++;
      if (c === '\\') {
        if (i >= n) return null;
        const next = line[i++] as string;
        if (next !== '\n') word += next;
      } else if (c === "'") {
        const end = line.indexOf("'", i);
        if (end === -1) return null;
        word += line.slice(i, end);
        i = end + 1;
      } else if (c === '"') {
        const r = doubleQuoted(line, i);
        if (r === null) return null;
        word += r.text;
        i = r.next;
      } else word += c;
    }
    words.push(word);
  }
}

/** The text of a double-quoted part starting after its opening quote, and where it ends. */
function doubleQuoted(line: string, start: number): { text: string; next: number } | null {
  let text = '';
  let i = start;
  while (i < line.length) {
    const c = line[i++] as string;
    if (c === '"') return { text, next: i };
    if (c !== '\\') {
      text += c;
      continue;
    }
    if (i >= line.length) return null;
    const next = line[i++] as string;
    if (next === '$' || next === '`' || next === '"' || next === '\\') text += next;
    else if (next !== '\n') text += `\\${next}`;
  }
  return null;
}
