/**
 * The run as the user watches it, through `@tutti/pipeline`'s progress board and live view
 * (TTY board redrawn in place; plain lines with `CI=true` or without a TTY; grouped blocks):
 * each job is a step of the board (with its `needs`), each of its steps a step named
 * `job › step` whose `group` is the job, and every output line goes to its step.
 *
 * Every event also goes to `onStep`, in the StepRecord shape (`name`, `state`, `time`,
 * `group` = the job, `needs`, `detail`) the server's run history consumes.
 */
import type { StepState } from '@tutti/core';
import { chooseViewMode, LiveView, ProgressBoard, type ViewMode, type ViewOutput } from '@tutti/pipeline';

export interface StepEvent {
  readonly name: string;
  readonly state: StepState;
  readonly time: Date;
  readonly group?: string;
  readonly needs?: readonly string[];
  readonly detail?: string;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** The board name of a step of job `group`. */
export const stepName = (group: string | undefined, name: string) => (group === undefined ? name : `${group} › ${name}`);

export class GithubView {
  readonly board = new ProgressBoard();
  private readonly live: LiveView;
  constructor(
    out: ViewOutput,
    mode: ViewMode | 'auto' = 'auto',
    mask: (t: string) => string = (t) => t,
    private readonly onStep?: (e: StepEvent) => void,
  ) {
    this.live = new LiveView(this.board, {
      out,
      mode: mode === 'auto' ? chooseViewMode(out) : mode,
      mask,
      color: mode !== 'plain' && out.isTTY === true,
    });
  }

  step(e: StepEvent): void {
    this.onStep?.(e);
    this.board.update({ ...e, name: stepName(e.group, e.name) });
  }

  log(group: string, step: string, line: string): void {
    const name = stepName(group, step);
    if (!this.board.has(name)) this.board.update({ name, state: 'running', group });
    const level = line.startsWith('##[error]') ? 'error' : line.startsWith('##[warning]') ? 'warning' : 'info';
    this.board.line(name, line.replace(/^##\[(error|warning)\]/, '').replace(/^##\[(notice|debug)\]/, '$1: '), level);
  }

  write(text: string): void {
    this.live.print(text);
  }

  close(): void {
    this.live.close();
  }
}
