/**
 * The progress board: what is known of every step of a run, fed by step reports (the
 * engine's `StepRecord`s, or a bridge's job and step events) and by log lines per step.
 * Views, summaries, reports and log files are consumers of it (ARCHITECTURE.md: one event
 * stream, many renderers).
 *
 * Counts and the set of active steps are kept up to date on every change, so a view of a
 * 10 000-step run redraws in time proportional to what it shows, not to the run.
 */
import type { StepState } from '@tutti/core';
import { type CriticalPath, criticalPath as computeCriticalPath } from './critical-path.js';

/** A step's change of state, as the board takes it: a `StepRecord`, plus job/stage and needs. */
export interface StepEvent {
  readonly name: string;
  readonly state: StepState;
  /** When it happened (default: now). */
  readonly time?: Date | number;
  readonly runner?: string;
  readonly detail?: string;
  /** The job (or stage) the step belongs to, when the host groups steps. */
  readonly group?: string;
  /** The steps it waits on, when the host knows them (GitHub `needs`, GitLab stages). */
  readonly needs?: readonly string[];
}

/** What the board knows of one step. Times are milliseconds since the epoch. */
export interface StepInfo {
  readonly name: string;
  /** Rank of its first report: the order steps became known. */
  readonly order: number;
  readonly state: StepState;
  readonly group?: string;
  readonly needs: readonly string[];
  readonly runner?: string;
  readonly detail?: string;
  /** First report. */
  readonly seenAt: number;
  /** When it stopped waiting: first `preparing` or `running` (its trigger and inputs had come). */
  readonly readyAt?: number;
  /** First `running`. */
  readonly startedAt?: number;
  /** Last final state (`passed`, `failed`, `cancelled`, `skipped`). */
  readonly endedAt?: number;
  /** Log lines received. */
  readonly lines: number;
}

type MutableStep = { -readonly [K in keyof StepInfo]: StepInfo[K] };

/** A change on the board, as listeners receive it. */
export type BoardChange =
  | { readonly kind: 'state'; readonly step: StepInfo; readonly previous: StepState | undefined }
  | { readonly kind: 'line'; readonly step: StepInfo; readonly text: string; readonly level: string };

/** The states a step ends in. */
export const FINAL_STATES: ReadonlySet<StepState> = new Set<StepState>(['passed', 'failed', 'cancelled', 'skipped']);

/** Whether `state` is final. */
export function isFinal(state: StepState): boolean {
  return FINAL_STATES.has(state);
}

const ALL_STATES: readonly StepState[] = ['waiting', 'preparing', 'running', 'passed', 'failed', 'cancelled', 'skipped'];

/**
 * The steps of one run and their states.
 *
 * @example
 * const board = new ProgressBoard();
 * board.subscribe((c) => { if (c.kind === 'state') console.log(c.step.name, c.step.state); });
 * board.update({ name: 'build', state: 'running' });
 * board.line('build', 'compiling…');
 * board.update({ name: 'build', state: 'passed' });
 * board.duration(board.get('build')!); // milliseconds
 */
export class ProgressBoard {
  private readonly byName = new Map<string, MutableStep>();
  private readonly ordered: MutableStep[] = [];
  private readonly listeners: ((c: BoardChange) => void)[] = [];
  private readonly count: Record<StepState, number> = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<StepState, number>;
  /** Steps preparing or running, in the order they became so. */
  private readonly activeSet = new Set<MutableStep>();
  private firstAt: number | undefined;
  private lastAt: number | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  /** The current time of the board's clock (milliseconds). */
  now(): number {
    return this.clock();
  }

  /** Records a change of state; returns the step as it is now. */
  update(e: StepEvent): StepInfo {
    const time = e.time === undefined ? this.clock() : typeof e.time === 'number' ? e.time : e.time.getTime();
    this.firstAt ??= time;
    if (this.lastAt === undefined || time > this.lastAt) this.lastAt = time;
    let s = this.byName.get(e.name);
    const previous = s?.state;
    if (s === undefined) {
      s = { name: e.name, order: this.ordered.length, state: e.state, needs: e.needs ?? [], seenAt: time, lines: 0 };
      this.byName.set(e.name, s);
      this.ordered.push(s);
    } else {
      this.count[s.state]--;
      s.state = e.state;
      if (e.needs !== undefined) s.needs = e.needs;
    }
    this.count[e.state]++;
    if (e.group !== undefined) s.group = e.group;
    if (e.runner !== undefined) s.runner = e.runner;
    if (e.detail !== undefined) s.detail = e.detail;
    switch (e.state) {
      case 'preparing':
        s.readyAt ??= time;
        delete s.endedAt;
        this.activeSet.add(s);
        break;
      case 'running':
        s.readyAt ??= time;
        s.startedAt ??= time;
        // A step that runs again (a retry) is not ended any more; its duration spans every attempt.
        delete s.endedAt;
        this.activeSet.add(s);
        break;
      case 'waiting':
        this.activeSet.delete(s);
        break;
      default:
        s.endedAt = time;
        this.activeSet.delete(s);
    }
    this.emit({ kind: 'state', step: s, previous });
    return s;
  }

  /**
   * Records one line of a step's output. Returns false (and records nothing) when no step
   * of that name was reported: the line is not a step's.
   */
  line(name: string, text: string, level = 'info'): boolean {
    const s = this.byName.get(name);
    if (s === undefined) return false;
    s.lines++;
    if (this.listeners.length > 0) this.emit({ kind: 'line', step: s, text, level });
    return true;
  }

  /** Whether a step of that name was reported. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): StepInfo | undefined {
    return this.byName.get(name);
  }

  /** Every step, in the order they became known. */
  steps(): readonly StepInfo[] {
    return this.ordered;
  }

  /** Steps preparing or running, in the order they became so. */
  active(): Iterable<StepInfo> {
    return this.activeSet;
  }

  get size(): number {
    return this.ordered.length;
  }

  /** How many steps are in each state. */
  counts(): Readonly<Record<StepState, number>> {
    return this.count;
  }

  /** Whether every known step is in a final state (and at least one is known). */
  get finished(): boolean {
    return this.ordered.length > 0 && this.activeSet.size === 0 && this.count.waiting === 0;
  }

  /** Whether some step failed. */
  get failed(): boolean {
    return this.count.failed > 0;
  }

  /**
   * A step's duration in milliseconds: from its first `running` to its end (or to now while
   * it runs); 0 for a step that never ran.
   */
  duration(s: StepInfo): number {
    if (s.startedAt === undefined) return 0;
    return (s.endedAt ?? this.clock()) - s.startedAt;
  }

  /** From the first report to the last (or to now while steps are active). */
  wall(): number {
    if (this.firstAt === undefined) return 0;
    const end = this.finished ? (this.lastAt ?? this.firstAt) : Math.max(this.clock(), this.lastAt ?? 0);
    return end - this.firstAt;
  }

  /** When the first step was reported. */
  get startedAt(): number | undefined {
    return this.firstAt;
  }

  /** The last report's time. */
  get lastReportAt(): number | undefined {
    return this.lastAt;
  }

  /**
   * The chain of steps that decided the run's length (see `critical-path.ts`): through `needs`
   * when the steps name them, else inferred from start and end times. `select` restricts it
   * to some steps (a bridge passes its jobs, not the steps inside them).
   */
  criticalPath(select?: (s: StepInfo) => boolean): CriticalPath {
    const steps = select === undefined ? this.ordered : this.ordered.filter(select);
    return computeCriticalPath(steps, (s) => this.duration(s));
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  subscribe(listener: (c: BoardChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i !== -1) this.listeners.splice(i, 1);
    };
  }

  private emit(c: BoardChange): void {
    for (const l of this.listeners) l(c);
  }
}
