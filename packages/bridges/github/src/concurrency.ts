/**
 * `concurrency:` of workflows and jobs, within one `tutti github run`, as GitHub applies it to
 * the runs of a repository: in a group, at most one runs and one waits. A later arrival takes
 * the waiting place (the one waiting before it is cancelled without running); with
 * `cancel-in-progress`, it also cancels the one running.
 */
import { setMaxListeners } from 'node:events';
import { asString, evalValue, type Scope, truthy } from './expressions.js';
import type { Raw } from './workflow.js';

/** The group and `cancel-in-progress` of a `concurrency:` value (a string or a mapping); undefined without one. */
export function concurrencyOf(v: unknown, scope: Scope): { group: string; cancelInProgress: boolean } | undefined {
  if (v === undefined || v === null) return undefined;
  const value = evalValue(v, scope);
  if (typeof value === 'string' || typeof value === 'number')
    return value === '' ? undefined : { group: String(value), cancelInProgress: false };
  if (value && typeof value === 'object') {
    const group = asString((value as Raw).group);
    if (group === '') return undefined;
    return { group, cancelInProgress: truthy((value as Raw)['cancel-in-progress'] ?? false) };
  }
  return undefined;
}

interface Slot {
  readonly abort: AbortController;
  /** Starts the waiting one (true) or tells it that it was cancelled before it ran (false). */
  readonly start?: (go: boolean) => void;
}

export class ConcurrencyGroups {
  private readonly running = new Map<string, Slot>();
  private readonly waiting = new Map<string, Slot>();

  /**
   * Runs `fn` once the group is free, with a signal aborted when a later arrival cancels it
   * (cancel-in-progress); resolves with `cancelled()` instead, without running `fn`, when a
   * later arrival took its place while it waited.
   */
  async run<T>(
    group: string,
    cancelInProgress: boolean,
    fn: (signal: AbortSignal) => Promise<T>,
    cancelled: () => T,
    onWait?: () => void,
  ): Promise<T> {
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const before = this.waiting.get(group);
    if (before) {
      this.waiting.delete(group);
      before.start?.(false);
    }
    const holder = this.running.get(group);
    if (holder) {
      if (cancelInProgress) holder.abort.abort();
      onWait?.();
      // the one finishing hands the group over (running set before this resumes)
      const go = await new Promise<boolean>((start) => this.waiting.set(group, { abort, start }));
      if (!go) return cancelled();
    } else this.running.set(group, { abort });
    try {
      return await fn(abort.signal);
    } finally {
      this.running.delete(group);
      const next = this.waiting.get(group);
      if (next) {
        this.waiting.delete(group);
        this.running.set(group, { abort: next.abort });
        next.start?.(true);
      }
    }
  }
}
