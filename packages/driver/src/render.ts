/**
 * Rendering of diagnostics: the human form (`error[E_CODE]:
 * file:line:col: message`, then the source line with carets, related places and hints)
 * on stderr, and the JSON form on stdout (`check --format json`: an array of
 * `{code, severity, message, file, line, column}`, 1-based, `null` without a place).
 */
import { styleText } from 'node:util';
import type { Diagnostic } from '@tutti/core';

/** Rendering options. */
export interface RenderOptions {
  readonly color: boolean;
  /** File named by location-less diagnostics that name none. */
  readonly defaultFile: string;
}

type Style = Parameters<typeof styleText>[0];

/** Renders one diagnostic for a terminal. */
export function renderHuman(d: Diagnostic, o: RenderOptions): string {
  const paint = (s: Style, t: string) => (o.color ? styleText(s, t) : t);
  const head = `${paint(['bold', d.severity === 'error' ? 'red' : 'yellow'], `${d.severity}[${d.code}]`)}`;
  const lines: string[] = [];
  if (d.span === undefined) {
    lines.push(`${head}: ${d.file ?? o.defaultFile}: ${paint('bold', d.message)}`);
  } else {
    const f = d.span.file;
    const pos = f.position(d.span.start);
    lines.push(`${head}: ${f.path}:${pos.line}:${pos.column}: ${paint('bold', d.message)}`);
    lines.push(...excerpt(d.span, o, paint));
  }
  for (const r of d.related) {
    const p = r.span.file.position(r.span.start);
    lines.push(`  ${paint('cyan', '= note:')} ${r.message} at ${r.span.file.path}:${p.line}:${p.column}`);
  }
  if (d.hint !== undefined) {
    const [first, ...rest] = d.hint.split('\n');
    lines.push(`  ${paint('cyan', '= hint:')} ${first}`);
    for (const l of rest) lines.push(`          ${l}`);
  }
  return lines.join('\n');
}

const MAX_EXCERPT = 160;

function excerpt(span: NonNullable<Diagnostic['span']>, _o: RenderOptions, paint: (s: Style, t: string) => string): string[] {
  const f = span.file;
  const start = f.position(span.start);
  const end = f.position(Math.max(span.start, span.end - 1));
  const text = f.lineText(start.line);
  // Long lines (a 1 MB literal…) are shown around the span only.
  const cps = [...text];
  let from = 0;
  if (cps.length > MAX_EXCERPT) from = Math.max(0, start.column - 1 - 40);
  const shown = cps
    .slice(from, from + MAX_EXCERPT)
    .join('')
    .replace(/\t/g, ' ');
  const caretStart = start.column - 1 - from;
  const lastCol = end.line === start.line ? end.column : cps.length + 1;
  const width = Math.max(1, Math.min(lastCol - start.column + 1, MAX_EXCERPT - caretStart));
  const gutter = String(start.line).length;
  const bar = paint('blue', `${' '.repeat(gutter)} |`);
  const out = [
    bar,
    `${paint('blue', `${start.line} |`)} ${from > 0 ? '…' : ''}${shown}${from + MAX_EXCERPT < cps.length ? '…' : ''}`,
    `${bar} ${from > 0 ? ' ' : ''}${' '.repeat(Math.max(0, caretStart))}${paint('red', '^'.repeat(width))}`,
  ];
  if (end.line > start.line) out.push(`${bar} ${paint('blue', `… (to line ${end.line})`)}`);
  return out;
}

/** The JSON form of one diagnostic. */
export function toJson(d: Diagnostic, defaultFile: string): Record<string, unknown> {
  const loc = (s: NonNullable<Diagnostic['span']>) => {
    const p = s.file.position(s.start);
    return { file: s.file.path, line: p.line, column: p.column };
  };
  const base = d.span !== undefined ? loc(d.span) : { file: d.file ?? defaultFile, line: null, column: null };
  const out: Record<string, unknown> = { code: d.code, severity: d.severity, message: d.message, ...base };
  if (d.related.length > 0) out.related = d.related.map((r) => ({ message: r.message, ...loc(r.span) }));
  if (d.hint !== undefined) out.hint = d.hint;
  return out;
}

/** Whether to colour stderr. */
export function useColor(): boolean {
  return process.stderr.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
}
