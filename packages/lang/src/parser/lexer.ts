/**
 * The lexer. It tries its token rules in a fixed order at each
 * position. A character outside the language is reported (E_LEX) and skipped, so that the
 * parser can go on and report later problems of the same file too; a malformed literal is
 * reported once and handed to the parser as a token marked `invalid`.
 */
import type { DiagnosticSink, SourceFile } from '@tutti/core';
import { type Token, TokenKind } from './token.js';

const PUNCT = new Set(['(', ')', '{', '}', '[', ']', '<', '>', '=', ':', ',', '.', '/', '_', '+']);
const NAME = /[\p{Alphabetic}\p{M}\p{Pc}\p{Join_Control}][\p{Alphabetic}\p{M}\p{Pc}\p{Join_Control}\p{Nd}]*/uy;
const NUMBER = /-?[0-9]*\.?[0-9]+/y;
const ARROW = /-+>/y;
const WHITE = /\p{White_Space}+/uy;

/** Result of {@link lex}. */
export interface LexResult {
  readonly tokens: Token[];
  /** Number of E_LEX diagnostics reported. */
  readonly errors: number;
  /** An unterminated token ran to the end of the file: an "unexpected end" would be noise. */
  readonly truncated: boolean;
}

/** Splits `file` into tokens, reporting lexical problems into `sink`. */
export function lex(file: SourceFile, sink: DiagnosticSink): LexResult {
  const text = file.text;
  const n = text.length;
  const tokens: Token[] = [];
  let pos = 0;
  let errors = 0;
  let truncated = false;
  let lineStart = true;
  let doc: string | undefined;
  let lineDocs: string[] | undefined;

  const lexError = (at: number, end: number, message: string) => {
    errors++;
    sink.report('E_LEX', file.span(at, end), message);
  };
  const push = (kind: Token['kind'], start: number, end: number, extra: Partial<Token> = {}) => {
    const token: Token = { kind, text: text.slice(start, end), start, end, lineStart, ...extra };
    if (doc !== undefined || lineDocs !== undefined) {
      (token as { doc?: string }).doc = doc ?? lineDocs?.join('\n') ?? '';
      doc = undefined;
      lineDocs = undefined;
    }
    tokens.push(token);
    lineStart = false;
  };

  while (pos < n) {
    const c = text[pos] as string;
    WHITE.lastIndex = pos;
    if (WHITE.exec(text)) {
      if (text.slice(pos, WHITE.lastIndex).includes('\n')) lineStart = true;
      pos = WHITE.lastIndex;
      continue;
    }
    // 1. comments
    if (c === '/' && text[pos + 1] === '/') {
      let end = text.indexOf('\n', pos);
      if (end === -1) end = n;
      if (text[pos + 2] === '/')
        (lineDocs ??= []).push(
          text
            .slice(pos + 3, end)
            .replace(/\r$/, '')
            .trim(),
        );
      pos = end;
      continue;
    }
    if (c === '/' && text[pos + 1] === '*') {
      const close = text.indexOf('*/', pos + 2);
      if (close === -1) {
        lexError(pos, pos + 2, 'block comment is never closed');
        truncated = true;
        pos = n;
        break;
      }
      const body = text.slice(pos + 2, close);
      if (body.startsWith('*') && body !== '*' && body.length > 0) doc = blockDoc(body.slice(1));
      pos = close + 2;
      continue;
    }
    // 2. annotations (`#` to end of line: shebang, header lines, attributes)
    if (c === '#') {
      const end = text.indexOf('\n', pos);
      pos = end === -1 ? n : end;
      continue;
    }
    // 3. punctuation
    if (PUNCT.has(c)) {
      push(TokenKind.Punct, pos, pos + 1);
      pos++;
      continue;
    }
    // 4. arrow
    if (c === '-') {
      ARROW.lastIndex = pos;
      if (ARROW.exec(text)) {
        push(TokenKind.Arrow, pos, ARROW.lastIndex);
        pos = ARROW.lastIndex;
        continue;
      }
    }
    // 5. name
    NAME.lastIndex = pos;
    if (NAME.exec(text)) {
      push(TokenKind.Name, pos, NAME.lastIndex);
      pos = NAME.lastIndex;
      continue;
    }
    // 6. context, 7. function
    if (c === '@' || c === '|') {
      NAME.lastIndex = pos + 1;
      if (NAME.exec(text)) {
        push(c === '@' ? TokenKind.Context : TokenKind.Function, pos, NAME.lastIndex);
        pos = NAME.lastIndex;
        continue;
      }
      push(TokenKind.Error, pos, pos + 1);
      lexError(
        pos,
        pos + 1,
        c === '|' ? "lone '|': a function is written '|name' with no space" : "lone '@': a context is written '@Name'",
      );
      pos++;
      continue;
    }
    // 8. byte
    if (c === '0' && text[pos + 1] === 'x') {
      const d = text.slice(pos + 2, pos + 4);
      if (/^[0-9A-F]{2}$/.test(d)) {
        push(TokenKind.Byte, pos, pos + 4, { byte: Number.parseInt(d, 16) });
        pos += 4;
      } else {
        let end = pos + 2;
        while (end < n && /[0-9A-Za-z]/.test(text[end] as string)) end++;
        lexError(pos, end, `malformed byte literal '${text.slice(pos, end)}': write '0x' and two uppercase hex digits, e.g. 0x1F`);
        push(TokenKind.Byte, pos, end, { byte: 0, invalid: true });
        pos = end;
      }
      continue;
    }
    // 9. number
    NUMBER.lastIndex = pos;
    if (NUMBER.exec(text)) {
      push(TokenKind.Number, pos, NUMBER.lastIndex);
      pos = NUMBER.lastIndex;
      continue;
    }
    // 10. strings
    if (c === '"') {
      pos = lexString(pos);
      continue;
    }
    if (c === '$' && text[pos + 1] === '{') {
      let open = pos + 1;
      while (text[open] === '{') open++;
      const count = open - pos - 1;
      const close = text.indexOf('}'.repeat(count), open);
      if (close === -1) {
        lexError(pos, open, 'raw string is never closed');
        truncated = true;
        pos = n;
        break;
      }
      push(TokenKind.String, pos, close + count);
      (tokens[tokens.length - 1] as { text: string }).text = text.slice(open, close);
      pos = close + count;
      continue;
    }
    // 11. characters
    if (c === "'") {
      pos = lexChar(pos);
      continue;
    }
    // A run of characters outside the language is one problem, not one per character.
    const cp = text.codePointAt(pos) as number;
    let end = pos + (cp > 0xffff ? 2 : 1);
    while (end < n && startsNothing(text, end)) end += (text.codePointAt(end) as number) > 0xffff ? 2 : 1;
    lexError(
      pos,
      end,
      end - pos > 2 ? `unexpected characters starting with ${describeChar(cp)}` : `unexpected character ${describeChar(cp)}`,
    );
    push(TokenKind.Error, pos, end);
    pos = end;
  }
  tokens.push({ kind: TokenKind.End, text: '', start: n, end: n, lineStart: true });
  return { tokens, errors, truncated };

  function lexString(start: number): number {
    let i = start + 1;
    let broken = false;
    while (i < n) {
      const ch = text[i];
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === '\n' || (next === '\r' && text[i + 2] === '\n')) {
          lexError(i, i + 2, 'a backslash before a line break is not allowed in a string');
          broken = true;
          // Keep scanning to find the end, so the rest of the file still lexes.
          i += next === '\r' ? 3 : 2;
          continue;
        }
        i += 2;
        continue;
      }
      i++;
    }
    if (i >= n) {
      lexError(start, start + 1, 'string is never closed');
      truncated = true;
      return n;
    }
    const decoded = broken ? { value: '', error: 'malformed' } : decodeEscapes(text.slice(start + 1, i));
    if (decoded.error !== undefined && !broken) sink.report('E_INVALID_LITERAL', file.span(start, i + 1), decoded.error);
    push(TokenKind.String, start, i + 1);
    const tok = tokens[tokens.length - 1] as { text: string; invalid?: boolean };
    tok.text = decoded.value;
    if (decoded.error !== undefined) tok.invalid = true;
    return i + 1;
  }

  function lexChar(start: number): number {
    let i = start + 1;
    while (i < n && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
    if (i >= n) {
      lexError(start, start + 1, 'character literal is never closed');
      // Recover at the end of the line rather than swallowing the file.
      const eol = text.indexOf('\n', start);
      return eol === -1 ? n : eol;
    }
    const content = text.slice(start + 1, i);
    const decoded = decodeEscapes(content);
    let value: string | undefined;
    let error = decoded.error;
    if (error === undefined) {
      const cps = [...decoded.value];
      if (cps.length === 1) value = cps[0];
      else error = cps.length === 0 ? 'empty character literal' : `character literal holds ${cps.length} characters; use a string`;
    }
    if (error !== undefined) sink.report('E_INVALID_LITERAL', file.span(start, i + 1), error);
    push(TokenKind.Char, start, i + 1, error !== undefined ? { invalid: true } : {});
    (tokens[tokens.length - 1] as { text: string }).text = value ?? '';
    return i + 1;
  }
}

const STARTS = /[\p{White_Space}\p{Alphabetic}\p{M}\p{Pc}\p{Join_Control}0-9"'#/$@|(){}[\]<>=:,._+-]/uy;

/** Whether no token rule can start at `pos` (the character is outside the language). */
function startsNothing(text: string, pos: number): boolean {
  STARTS.lastIndex = pos;
  return !STARTS.test(text);
}

function describeChar(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `U+${hex}`;
  if (cp === 0xfeff) return 'U+FEFF (byte-order mark)';
  return `'${String.fromCodePoint(cp)}' (U+${hex})`;
}

/** Removes the indentation of the first non-blank line from every line that starts with it. */
function blockDoc(body: string): string {
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = lines.find((l) => l.trim() !== '');
  const indent = first === undefined ? '' : (/^[ \t]*/.exec(first)?.[0] ?? '');
  return lines
    .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
    .join('\n')
    .trim();
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\u0007',
  b: '\u0008',
  v: '\u000b',
  f: '\u000c',
  e: '\u001b',
  '`': '`',
};

/** Decodes the escapes of a string literal; reports the first invalid one. */
export function decodeEscapes(raw: string): { value: string; error?: string } {
  if (!raw.includes('\\')) return { value: raw };
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] as string;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = raw[i + 1];
    if (e === undefined) return { value: out, error: 'string ends with a lone backslash' };
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (e === 'x') {
      const h = raw.slice(i + 2, i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return { value: out, error: `invalid escape '\\x${h}': \\x takes two hex digits` };
      out += String.fromCodePoint(Number.parseInt(h, 16));
      i += 4;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1)) as RegExpExecArray;
      out += String.fromCodePoint(Number.parseInt(m[0], 8));
      i += 1 + m[0].length;
      continue;
    }
    if (e === 'u') {
      let hex: string;
      let len: number;
      if (raw[i + 2] === '{') {
        const close = raw.indexOf('}', i + 3);
        hex = close === -1 ? '' : raw.slice(i + 3, close);
        if (close === -1 || !/^[0-9A-Fa-f]{1,6}$/.test(hex))
          return { value: out, error: `invalid escape '\\u{${hex}': \\u{…} takes 1 to 6 hex digits` };
        len = close + 1 - i;
      } else {
        hex = raw.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return { value: out, error: `invalid escape '\\u${hex}': \\u takes four hex digits` };
        len = 6;
      }
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { value: out, error: `escape '\\u${hex}' is not a Unicode scalar value` };
      out += String.fromCodePoint(cp);
      i += len;
      continue;
    }
    return { value: out, error: `unknown escape '\\${e}'` };
  }
  return { value: out };
}
