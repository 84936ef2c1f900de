/**
 * Compile errors of a Rust `regex` pattern. The text mimics the reference engine's
 * (`regex parse error:` then the pattern with carets under the offending part, then
 * `error: …`); the exact text is not a compatibility promise, but users
 * recognise the shape.
 */

/** A pattern that does not compile, with the offending span (UTF-16 offsets). */
export class RegexSyntaxError extends Error {
  /**
   * @param pattern the whole pattern
   * @param start start offset of the offending part
   * @param end end offset (exclusive; equal to `start` for a position)
   * @param reason the one-line explanation (`look-around … is not supported`)
   */
  constructor(
    readonly pattern: string,
    readonly start: number,
    readonly end: number,
    readonly reason: string,
  ) {
    super(renderRegexError(pattern, start, end, reason));
    this.name = 'RegexSyntaxError';
  }

  /** One line for a diagnostic: the reason and where it is. */
  get summary(): string {
    const at = Array.from(this.pattern.slice(0, this.start)).length;
    return `invalid regex: ${this.reason} (at character ${at + 1} of the pattern)`;
  }
}

/** The reference's multi-line error text. */
export function renderRegexError(pattern: string, start: number, end: number, reason: string): string {
  const lines = pattern.split('\n');
  if (lines.length === 1) {
    const col = Array.from(pattern.slice(0, start)).length;
    const width = Math.max(1, Array.from(pattern.slice(start, end)).length);
    return `regex parse error:\n    ${pattern}\n    ${' '.repeat(col)}${'^'.repeat(width)}\nerror: ${reason}`;
  }
  // Several lines: number them and point at the line of the span's start.
  const before = pattern.slice(0, start).split('\n');
  const lineNo = before.length;
  const numbered = lines.map((l, i) => `${String(i + 1).padStart(String(lines.length).length)}: ${l}`).join('\n');
  return `regex parse error:\n${numbered}\n\nerror: ${reason} (line ${lineNo})`;
}
