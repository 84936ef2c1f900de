/**
 * The summary printed when a run ends: the outcome in one line, each step with its outcome
 * and duration, and the critical path. A run of thousands of steps lists the ones a reader
 * looks for (failures, the slowest) and says how many more the report holds.
 */
import { dim, formatDuration, pad, paint, STATE_MARK } from './format.js';
import type { ProgressBoard, StepInfo } from './progress.js';

/** Options of {@link renderSummary}. */
export interface SummaryOptions {
  readonly color?: boolean;
  /** Steps listed one by one at most (default 40); failures always are. */
  readonly maxSteps?: number;
  /** Restricts the critical path to some steps (a bridge passes its jobs). */
  readonly select?: (s: StepInfo) => boolean;
  /** The first word of the summary instead of `Done`/`Failed` (`Interrupted` after a signal). */
  readonly headline?: string;
  /** Where each step's log file is, to show beside failures. */
  readonly logFile?: (name: string) => string | undefined;
}

/**
 * The summary as text (lines end with `\n`); empty when no step was reported.
 *
 * @example
 * process.stdout.write(renderSummary(board, { color: true }));
 */
export function renderSummary(board: ProgressBoard, o: SummaryOptions = {}): string {
  const steps = board.steps();
  if (steps.length === 0) return '';
  const color = o.color ?? false;
  const c = board.counts();
  const parts: string[] = [];
  for (const state of ['passed', 'failed', 'cancelled', 'skipped', 'running', 'preparing', 'waiting'] as const)
    if (c[state] > 0)
      parts.push(
        paint(
          `${c[state]} ${state === 'running' || state === 'preparing' || state === 'waiting' ? `still ${state}` : state}`,
          state,
          color,
        ),
      );
  const head = o.headline !== undefined ? paint(o.headline, 'cancelled', color) : board.failed ? paint('Failed', 'failed', color) : 'Done';
  const out: string[] = [`${head}: ${parts.join(', ')} in ${formatDuration(board.wall())}`];
  const max = o.maxSteps ?? 40;
  let listed: readonly StepInfo[] = steps;
  if (steps.length > max) {
    const keep = new Set<StepInfo>(steps.filter((s) => s.state === 'failed' || s.state === 'cancelled'));
    const slowest = [...steps].sort((a, b) => board.duration(b) - board.duration(a));
    for (const s of slowest) {
      if (keep.size >= max) break;
      keep.add(s);
    }
    listed = [...keep].sort((a, b) => a.order - b.order);
  }
  const width = Math.min(32, Math.max(4, ...listed.map((s) => [...s.name].length)));
  for (const s of listed) {
    const time = s.startedAt === undefined ? '' : formatDuration(board.duration(s));
    const log = s.state === 'failed' ? o.logFile?.(s.name) : undefined;
    const extra = [s.detail ?? '', log === undefined ? '' : `log: ${log}`].filter((x) => x !== '').join('  ');
    out.push(
      `  ${paint(STATE_MARK[s.state], s.state, color)} ${pad(s.name, width)}  ${paint(pad(s.state, 9), s.state, color)} ${time.padStart(9)}${extra === '' ? '' : `  ${dim(extra, color)}`}`.trimEnd(),
    );
  }
  if (listed.length < steps.length) out.push(dim(`  (${steps.length - listed.length} more steps, the fastest, are in the report)`, color));
  const path = board.criticalPath(o.select);
  if (path.steps.length > 0) {
    const chain =
      path.steps.length > 12 ? [...path.steps.slice(0, 5), `… ${path.steps.length - 10} more …`, ...path.steps.slice(-5)] : path.steps;
    out.push(
      `Critical path (${formatDuration(path.duration)} of ${formatDuration(board.wall())}${path.inferred ? ', from start and end times' : ''}): ${chain.join(' → ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
