/**
 * Source files and spans. Spans are UTF-16 offsets into the file text (what JavaScript
 * strings index); lines and columns are only computed when a diagnostic is rendered, and
 * columns count Unicode code points (1-based lines and columns; the reference's tooling
 * reports 0-based byte offsets).
 */

/** A half-open range `[start, end)` of UTF-16 offsets in one source file. */
export interface Span {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

/** A position as shown to users: 1-based line, 1-based column in code points. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** One loaded text file: `.mel` source, `Compo.toml`, or a library's own `.mel`. */
export class SourceFile {
  #lineStarts: number[] | undefined;

  /**
   * @param path the path shown in diagnostics (as given on the command line, or relative
   *   to the project root)
   * @param text the decoded file content
   */
  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** Offsets at which each line starts (line 1 starts at 0). Computed once, on demand. */
  get lineStarts(): readonly number[] {
    if (this.#lineStarts === undefined) {
      const starts = [0];
      const text = this.text;
      let i = text.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = text.indexOf('\n', i + 1);
      }
      this.#lineStarts = starts;
    }
    return this.#lineStarts;
  }

  /** 1-based line and code-point column of an offset. */
  position(offset: number): LineColumn {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = starts[lo] as number;
    let column = 1;
    for (let i = lineStart; i < offset && i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      // A high surrogate followed by its low surrogate is one code point.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
        const d = this.text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      column++;
    }
    return { line: lo + 1, column };
  }

  /** The text of 1-based line `line`, without its line break. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** A span of this file. */
  span(start: number, end: number): Span {
    return { file: this, start, end };
  }
}
