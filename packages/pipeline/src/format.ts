/**
 * The small vocabulary every renderer shares: how a duration reads, the mark and colour of
 * each state. Colour is optional everywhere (a TTY without `NO_COLOR`).
 */
import type { StepState } from '@tutti/core';

/**
 * A duration for people: `45 ms`, `3.2 s`, `42 s`, `2 min 05 s`, `1 h 02 min`.
 *
 * @example
 * formatDuration(3210); // '3.2 s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The mark shown before a step in each state. */
export const STATE_MARK: Readonly<Record<StepState, string>> = {
  waiting: '·',
  preparing: '◌',
  running: '▶',
  passed: '✓',
  failed: '✗',
  cancelled: '⊘',
  skipped: '↷',
};

const STATE_COLOR: Readonly<Record<StepState, string>> = {
  waiting: '\x1b[2m',
  preparing: '\x1b[36m',
  running: '\x1b[36m',
  passed: '\x1b[32m',
  failed: '\x1b[31m',
  cancelled: '\x1b[33m',
  skipped: '\x1b[2m',
};

/** `text` in the colour of `state`, when `color`. */
export function paint(text: string, state: StepState, color: boolean): string {
  return color ? `${STATE_COLOR[state]}${text}\x1b[0m` : text;
}

/** `text` dimmed, when `color`. */
export function dim(text: string, color: boolean): string {
  return color ? `\x1b[2m${text}\x1b[0m` : text;
}

/** `text` cut to `width` characters (code points), with an ellipsis when cut. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** `text` padded with spaces to `width` code points (cut first when longer). */
export function pad(text: string, width: number): string {
  const t = fit(text, width);
  return t + ' '.repeat(Math.max(0, width - [...t].length));
}
