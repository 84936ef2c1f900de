/**
 * The run as the user watches it, in plain lines (a TTY or not, CI or not): each step's output
 * prefixed by its job, a line when a step ends with its outcome and duration, and at the end a
 * summary of every job with its result and duration and the critical path.
 *
 * Every event goes through `onStep` too, in the StepRecord shape (`name`, `state`, `time`,
 * `group` = the job, `detail`) the progress board of `@tutti/pipeline` and the server consume.
 */
import type { Writable } from 'node:stream';
import type { StepState } from '@tutti/core';

export interface StepEvent {
  readonly name: string;
  readonly state: StepState;
  readonly time: Date;
  readonly group?: string;
  readonly needs?: readonly string[];
  readonly detail?: string;
}

const MARK: Partial<Record<StepState, string>> = { passed: '✓', failed: '✗', skipped: '-', cancelled: '⊘' };

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export class PlainView {
  private readonly started = new Map<string, number>();
  constructor(
    private readonly out: Writable,
    private readonly onStep?: (e: StepEvent) => void,
  ) {}

  step(e: StepEvent): void {
    this.onStep?.(e);
    const key = `${e.group ?? ''}\0${e.name}`;
    if (e.state === 'running') {
      this.started.set(key, performance.now());
      if (e.group === undefined) this.out.write(`▶ ${e.name}\n`);
      return;
    }
    const mark = MARK[e.state];
    if (!mark) return;
    const t = this.started.get(key);
    const dur = t !== undefined ? ` (${formatMs(performance.now() - t)})` : '';
    const who = e.group !== undefined ? `[${e.group}] ` : '';
    this.out.write(`${who}${mark} ${e.name}${dur}${e.detail && e.state === 'failed' ? ` — ${e.detail}` : ''}\n`);
  }

  log(group: string, line: string): void {
    this.out.write(`[${group}] | ${line}\n`);
  }

  write(text: string): void {
    this.out.write(text);
  }
}
