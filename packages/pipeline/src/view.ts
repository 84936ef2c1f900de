/**
 * The live view of a run: what a CI user watches while steps run.
 *
 * - `tty`: a compact board (which steps wait, are being prepared, run, passed or failed,
 *   with durations and a spinner for running ones) redrawn in place below the output, in
 *   one write per redraw so it never flickers; output lines are printed above it.
 * - `plain` (`CI=true`, no TTY, `TERM=dumb`): one line per change, `▶ build started`,
 *   `✓ build passed (3.2 s)`, and output lines prefixed with their step's name.
 * - `grouped`: as plain, but each step's output is held back and printed as one block when
 *   the step ends (inside `::group::` on GitHub Actions, so it folds).
 *
 * Everything written goes through the mask first. Redraws are driven by changes (at most
 * once per event-loop turn) and by a timer for the spinner that does not keep the process
 * alive.
 */
import type { StepState } from '@tutti/core';
import { dim, fit, formatDuration, pad, paint, STATE_MARK } from './format.js';
import type { BoardChange, ProgressBoard, StepInfo } from './progress.js';

/** How the view shows progress. */
export type ViewMode = 'tty' | 'plain' | 'grouped';

/** Where the view writes (a `process.stdout`-like stream). */
export interface ViewOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/**
 * The mode for a stream and environment: `plain` when `CI` is set (and not `false`/`0`),
 * when `TERM=dumb` or when the stream is not a terminal; `tty` otherwise.
 */
export function chooseViewMode(
  out: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): 'tty' | 'plain' {
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return 'plain';
  if (env.TERM === 'dumb') return 'plain';
  return out.isTTY === true ? 'tty' : 'plain';
}

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  readonly out: ViewOutput;
  readonly mode: ViewMode;
  readonly color?: boolean;
  /** Applied to every text before it is written (secret masking). */
  readonly mask?: (text: string) => string;
  /** Spinner and elapsed-time refresh period of the TTY board (default 100 ms). */
  readonly refreshMs?: number;
  /** At most this many step rows on the TTY board (default: a third of the terminal, 3 to 20). */
  readonly maxRows?: number;
  /** Wrap grouped blocks in `::group::`/`::endgroup::` (default: when `GITHUB_ACTIONS=true`). */
  readonly githubGroups?: boolean;
}

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const MAX_NAME = 24;
/** Grouped mode prints what it held of a step once it holds this many lines. */
const GROUP_LIMIT = 5000;

/**
 * Shows a board's progress on a stream until closed.
 *
 * @example
 * const board = new ProgressBoard();
 * const view = new LiveView(board, { out: process.stdout, mode: chooseViewMode(process.stdout) });
 * board.update({ name: 'build', state: 'running' });
 * board.line('build', 'compiling');
 * board.update({ name: 'build', state: 'passed' });
 * view.close();
 */
export class LiveView {
  private readonly out: ViewOutput;
  private readonly color: boolean;
  private readonly mask: (text: string) => string;
  private readonly unsubscribe: () => void;
  private pending: string[] = [];
  private drawn = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private nameWidth = 4;
  private readonly held = new Map<string, string[]>();
  private readonly recent: StepInfo[] = [];
  private readonly githubGroups: boolean;
  private closed = false;

  constructor(
    private readonly board: ProgressBoard,
    private readonly o: LiveViewOptions,
  ) {
    this.out = o.out;
    this.color = o.color ?? false;
    this.mask = o.mask ?? ((t) => t);
    this.githubGroups = o.githubGroups ?? process.env.GITHUB_ACTIONS === 'true';
    for (const s of board.steps()) this.widen(s);
    this.unsubscribe = board.subscribe((c) => this.onChange(c));
    if (o.mode === 'tty') {
      this.timer = setInterval(() => {
        if (this.board.active()[Symbol.iterator]().next().done !== true) this.schedule();
      }, o.refreshMs ?? 100);
      this.timer.unref();
      this.schedule();
    }
  }

  /** Prints a line that is no step's (a program log), above the board. */
  print(text: string): void {
    if (this.closed) {
      this.out.write(this.mask(text.endsWith('\n') ? text : `${text}\n`));
      return;
    }
    this.emit(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes what is pending, prints held groups and removes the board (the summary follows). */
  close(): void {
    if (this.closed) return;
    this.unsubscribe();
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const [name, lines] of this.held) {
      const s = this.board.get(name);
      if (s !== undefined && lines.length > 0) this.emit(this.block(s, lines));
    }
    this.held.clear();
    this.closed = true;
    this.render(false);
  }

  private onChange(c: BoardChange): void {
    if (this.closed) return;
    const s = c.step;
    if (c.kind === 'line') {
      const line = this.outputLine(s, c.text, c.level);
      if (this.o.mode === 'grouped') {
        let lines = this.held.get(s.name);
        if (lines === undefined) this.held.set(s.name, (lines = []));
        lines.push(line);
        if (lines.length >= GROUP_LIMIT) {
          this.emit(this.block(s, lines, true));
          this.held.set(s.name, []);
        }
      } else this.emit(`${this.prefix(s)}${line}\n`);
      return;
    }
    this.widen(s);
    if (this.o.mode === 'tty') {
      if (s.state !== c.previous && (s.state === 'passed' || s.state === 'failed' || s.state === 'cancelled' || s.state === 'skipped')) {
        const i = this.recent.indexOf(s);
        if (i !== -1) this.recent.splice(i, 1);
        this.recent.push(s);
        if (this.recent.length > 50) this.recent.shift();
      }
      this.schedule();
      return;
    }
    if (s.state === c.previous) return; // a repeated report (a runner named later) is no change to print
    const lines = this.held.get(s.name);
    if (this.o.mode === 'grouped' && isEnd(s.state)) {
      this.held.delete(s.name);
      this.emit(this.block(s, lines ?? []));
      return;
    }
    const text = this.stateLine(s);
    if (text !== undefined) this.emit(`${text}\n`);
  }

  /** A plain state line: `▶ build started`, `✓ build passed (3.2 s)`; undefined for `waiting`. */
  private stateLine(s: StepInfo): string | undefined {
    const c = this.color;
    const mark = paint(STATE_MARK[s.state], s.state, c);
    const on = s.runner === undefined ? '' : ` on ${s.runner}`;
    const detail = s.detail === undefined ? '' : `: ${s.detail}`;
    switch (s.state) {
      case 'waiting':
        return undefined;
      case 'preparing':
        return `${mark} ${s.name} preparing${on}`;
      case 'running':
        return `${mark} ${s.name} started${on}`;
      case 'passed':
        return `${mark} ${s.name} passed (${formatDuration(this.board.duration(s))})`;
      case 'failed':
        return `${mark} ${s.name} ${paint('failed', 'failed', c)} (${formatDuration(this.board.duration(s))})${detail}`;
      case 'cancelled':
        return `${mark} ${s.name} cancelled${s.startedAt === undefined ? '' : ` (${formatDuration(this.board.duration(s))})`}${detail}`;
      case 'skipped':
        return `${mark} ${s.name} skipped${detail}`;
    }
  }

  private block(s: StepInfo, lines: readonly string[], partial = false): string {
    const head = partial ? `${paint(STATE_MARK[s.state], s.state, this.color)} ${s.name} (output so far)` : (this.stateLine(s) ?? s.name);
    const body = lines.map((l) => `  ${l}\n`).join('');
    if (this.githubGroups) return `::group::${head}\n${body}::endgroup::\n`;
    return `${head}\n${body}`;
  }

  private outputLine(_s: StepInfo, text: string, level: string): string {
    if (level === 'error' || level === 'warning')
      return `${this.color ? (level === 'error' ? '\x1b[31m' : '\x1b[33m') : ''}${level}:${this.color ? '\x1b[0m' : ''} ${text}`;
    return text;
  }

  private prefix(s: StepInfo): string {
    return `${paint(pad(s.name, this.nameWidth), s.state === 'failed' ? 'failed' : 'running', this.color)} ${dim('│', this.color)} `;
  }

  private widen(s: StepInfo): void {
    const n = Math.min(MAX_NAME, [...s.name].length + (s.group === undefined ? 0 : 2));
    if (n > this.nameWidth) this.nameWidth = n;
  }

  private emit(text: string): void {
    if (this.o.mode !== 'tty') {
      this.out.write(this.mask(text));
      return;
    }
    this.pending.push(text);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.render(true);
    });
  }

  /** One write: move up over the old board, clear, pending output, the new board. */
  private render(withBoard: boolean): void {
    if (this.o.mode !== 'tty') {
      if (this.pending.length > 0) this.out.write(this.mask(this.pending.join('')));
      this.pending = [];
      return;
    }
    const erase = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    const lines = withBoard ? this.boardLines() : [];
    const text = this.pending.join('') + (lines.length > 0 ? `${lines.join('\n')}\n` : '');
    this.pending = [];
    this.drawn = lines.length;
    if (erase === '' && text === '') return;
    this.out.write(erase + this.mask(text));
  }

  /** The compact board: rows of the steps that matter now, then a line of counts. */
  private boardLines(): string[] {
    const b = this.board;
    if (b.size === 0) return [];
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const limit = this.o.maxRows ?? Math.min(20, Math.max(3, Math.floor((this.out.rows || 24) / 3)));
    let shown: StepInfo[];
    if (b.size <= limit) shown = [...b.steps()];
    else {
      // Active steps first, then failures, then the latest to end, then the next waiting.
      const pick = new Set<StepInfo>();
      for (const s of b.active()) if (pick.size < limit) pick.add(s);
      for (let i = this.recent.length - 1; i >= 0 && pick.size < limit; i--) {
        const s = this.recent[i] as StepInfo;
        if (s.state === 'failed') pick.add(s);
      }
      for (let i = this.recent.length - 1; i >= 0 && pick.size < limit; i--) pick.add(this.recent[i] as StepInfo);
      shown = [...pick].sort((x, y) => x.order - y.order);
    }
    const now = b.now();
    const rows = shown.map((s) => fitAnsi(this.row(s, now), width, this.color));
    const c = b.counts();
    const parts: string[] = [];
    const add = (n: number, word: string, state: StepState) => {
      if (n > 0) parts.push(paint(`${n} ${word}`, state, this.color));
    };
    add(c.running, 'running', 'running');
    add(c.preparing, 'preparing', 'preparing');
    add(c.passed, 'passed', 'passed');
    add(c.failed, 'failed', 'failed');
    add(c.cancelled, 'cancelled', 'cancelled');
    add(c.skipped, 'skipped', 'skipped');
    add(c.waiting, 'waiting', 'waiting');
    const hidden = b.size - shown.length;
    rows.push(
      fitAnsi(
        `${dim('──', this.color)} ${parts.join(dim(' · ', this.color))}${hidden > 0 ? dim(` (${hidden} not shown)`, this.color) : ''}  ${formatDuration(b.wall())}`,
        width,
        this.color,
      ),
    );
    return rows;
  }

  private row(s: StepInfo, now: number): string {
    const c = this.color;
    const mark = s.state === 'running' ? (SPINNER[Math.floor(now / 100) % SPINNER.length] as string) : STATE_MARK[s.state];
    const time = s.startedAt === undefined ? '' : formatDuration(this.board.duration(s));
    const extra = [s.runner === undefined ? '' : `on ${s.runner}`, s.detail ?? ''].filter((x) => x !== '').join(' — ');
    // A step of a job that is on the board itself is shown under it, indented.
    const indent = s.group !== undefined && this.board.has(s.group) ? '  ' : '';
    return `${indent}${paint(mark, s.state, c)} ${pad(s.name, this.nameWidth - indent.length)}  ${paint(pad(s.state, 9), s.state, c)} ${time.padStart(9)}${extra === '' ? '' : `  ${dim(extra, c)}`}`.trimEnd();
  }
}

function isEnd(state: StepState): boolean {
  return state === 'passed' || state === 'failed' || state === 'cancelled' || state === 'skipped';
}

const COLOR_CODE = '\u001b\\[[0-9;]*m';

/** Cuts a line with colour codes to `width` visible characters (codes kept, reset added). */
function fitAnsi(text: string, width: number, color: boolean): string {
  if (!color) return fit(text, width);
  const code = new RegExp(COLOR_CODE, 'y');
  if ([...text.replace(new RegExp(COLOR_CODE, 'g'), '')].length <= width) return text;
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    code.lastIndex = i;
    const m = code.exec(text);
    if (m !== null) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    if (visible === width - 1) return `${out}…\x1b[0m`;
    const ch = String.fromCodePoint(text.codePointAt(i) as number);
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}
