/**
 * The job scheduler every CI front end shares (GitHub's and GitLab's bridges, the server): a DAG
 * of jobs where each job starts the moment the jobs it needs are done, within a concurrency
 * limit, and is prepared ahead (workspace, containers, services, actions) while it waits.
 *
 * Event driven, no polling: a job's completion settles it and wakes exactly the jobs that need
 * it. Cancelling (the caller's signal, a SIGINT forwarded by the CLI, or `cancelOnFailure`)
 * aborts the signal every running job and preparation received, marks the jobs that had not
 * started `cancelled`, and hands every prepared-but-unused runner back to `release`.
 *
 * What a job's outcome means for the jobs after it is the caller's call (`decide`): GitHub skips
 * a job whose needs did not all succeed unless its `if:` says otherwise; GitLab has `when:`.
 */
import type { StepState } from '@tutti/core';

/** A job as the scheduler sees it: a name unique in the graph and the names it waits on. */
export interface GraphJob {
  readonly id: string;
  readonly needs: readonly string[];
}

/** The end of a job. `skipped` jobs did not run (`decide` said so); `cancelled` ones were stopped. */
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

/** A finished job: its result, what `run` returned, its error, and when each phase happened. */
export interface JobOutcome<V> {
  readonly id: string;
  readonly result: JobResult;
  readonly value?: V;
  readonly error?: unknown;
  /** Milliseconds since the scheduler started (performance.now() based). */
  readonly readyAt?: number;
  readonly startedAt?: number;
  readonly endedAt: number;
  /** Milliseconds `prepare` took (0 without one), of which `preparedAhead` happened before the job was ready. */
  readonly prepareMs: number;
}

/** What `run` receives: the prepared runner, the outcomes of the needs, a signal aborted on cancel. */
export interface RunContext<P, V> {
  readonly prepared: P | undefined;
  readonly needs: ReadonlyMap<string, JobOutcome<V>>;
  readonly signal: AbortSignal;
}

export interface SchedulerOptions<J extends GraphJob, P, V> {
  readonly jobs: readonly J[];
  /** Jobs running at once (default: no limit). Preparation has its own limit, `prepareConcurrency`. */
  readonly concurrency?: number;
  /** Preparations running at once (default: `concurrency`, or 4 without a limit). */
  readonly prepareConcurrency?: number;
  /** Prepares a job's runner ahead, while it waits for its needs. A rejection fails the job. */
  readonly prepare?: (job: J, signal: AbortSignal) => Promise<P>;
  /** Hands back a prepared runner that will not run (skipped, cancelled) or has run. */
  readonly release?: (job: J, prepared: P) => Promise<void> | void;
  /**
   * Whether a ready job runs or is skipped, from the outcomes of its needs. Default: it runs when
   * every need succeeded, otherwise it is skipped.
   */
  readonly decide?: (job: J, needs: ReadonlyMap<string, JobOutcome<V>>) => 'run' | 'skip';
  /** Runs the job. Its `result` (default `success`) and value are the job's outcome; a throw is a `failure`. */
  readonly run: (job: J, ctx: RunContext<P, V>) => Promise<{ result?: JobResult; value?: V }>;
  /** Cancel every job still running or waiting as soon as one fails (default false, as GitHub). */
  readonly cancelOnFailure?: boolean;
  /** Aborting it cancels the run: running jobs see their signal aborted, waiting ones are cancelled. */
  readonly signal?: AbortSignal;
  /** Each job's state changes, in the StepState vocabulary the progress board shares. */
  readonly onState?: (job: J, state: StepState, at: number) => void;
}

/** A needs graph that cannot run: an unknown need or a cycle. */
export class GraphError extends Error {}

/** Checks the graph (unknown needs, duplicates, cycles) and returns the jobs in a topological order. */
export function orderJobs<J extends GraphJob>(jobs: readonly J[]): J[] {
  const byId = new Map<string, J>();
  for (const j of jobs) {
    if (byId.has(j.id)) throw new GraphError(`job '${j.id}' is defined twice`);
    byId.set(j.id, j);
  }
  for (const j of jobs) for (const n of j.needs) if (!byId.has(n)) throw new GraphError(`job '${j.id}' needs '${n}', which does not exist`);
  const order: J[] = [];
  const mark = new Map<string, 1 | 2>();
  const visit = (j: J, path: string[]): void => {
    const m = mark.get(j.id);
    if (m === 2) return;
    if (m === 1) throw new GraphError(`jobs form a cycle: ${[...path.slice(path.indexOf(j.id)), j.id].join(' → ')}`);
    mark.set(j.id, 1);
    for (const n of j.needs) visit(byId.get(n)!, [...path, j.id]);
    mark.set(j.id, 2);
    order.push(j);
  };
  for (const j of jobs) visit(j, []);
  return order;
}

/** A small counting semaphore whose waiters are served in order. */
class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(r));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
}

/**
 * Runs the graph and resolves with every job's outcome (in the order of `jobs`) once all are
 * settled; it never rejects for a job's failure, only for an invalid graph (GraphError).
 */
export async function runGraph<J extends GraphJob, P = undefined, V = unknown>(
  opts: SchedulerOptions<J, P, V>,
): Promise<Map<string, JobOutcome<V>>> {
  orderJobs(opts.jobs);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const cancel = new AbortController();
  const outer = opts.signal;
  const onOuterAbort = () => cancel.abort(outer?.reason);
  if (outer) {
    if (outer.aborted) cancel.abort(outer.reason);
    else outer.addEventListener('abort', onOuterAbort, { once: true });
  }
  const limit = opts.concurrency && opts.concurrency > 0 ? opts.concurrency : Number.POSITIVE_INFINITY;
  const runSlots = new Slots(limit);
  const prepSlots = new Slots(opts.prepareConcurrency ?? (Number.isFinite(limit) ? limit : 4));
  const decide = opts.decide ?? ((_j, needs) => ([...needs.values()].every((o) => o.result === 'success') ? 'run' : 'skip'));
  const outcomes = new Map<string, JobOutcome<V>>();
  const settled = new Map<string, Promise<JobOutcome<V>>>();
  const byId = new Map(opts.jobs.map((j) => [j.id, j]));

  // Preparation starts for every job at once (bounded): it overlaps with the jobs it waits on.
  const prepared = new Map<string, Promise<{ value?: P; error?: unknown; ms: number }>>();
  if (opts.prepare) {
    const prepare = opts.prepare;
    for (const j of opts.jobs) {
      prepared.set(
        j.id,
        (async () => {
          await prepSlots.acquire();
          const s = performance.now();
          try {
            if (cancel.signal.aborted) return { error: cancel.signal.reason, ms: 0 };
            opts.onState?.(j, 'preparing', now());
            return { value: await prepare(j, cancel.signal), ms: performance.now() - s };
          } catch (error) {
            return { error, ms: performance.now() - s };
          } finally {
            prepSlots.release();
          }
        })(),
      );
    }
  }

  const releasePrepared = async (j: J): Promise<number> => {
    const p = prepared.get(j.id);
    if (!p) return 0;
    const r = await p;
    if (r.value !== undefined && opts.release) {
      try {
        await opts.release(j, r.value);
      } catch {
        // a cleanup failure must not turn a job's outcome around; the releaser reports it
      }
    }
    return r.ms;
  };

  const finish = (o: JobOutcome<V>): JobOutcome<V> => {
    outcomes.set(o.id, o);
    const j = byId.get(o.id)!;
    const state: StepState =
      o.result === 'success' ? 'passed' : o.result === 'failure' ? 'failed' : o.result === 'skipped' ? 'skipped' : 'cancelled';
    opts.onState?.(j, state, o.endedAt);
    if (o.result === 'failure' && opts.cancelOnFailure) cancel.abort(new Error(`job '${o.id}' failed`));
    return o;
  };

  const start = (j: J): Promise<JobOutcome<V>> => {
    const existing = settled.get(j.id);
    if (existing) return existing;
    const p = (async (): Promise<JobOutcome<V>> => {
      opts.onState?.(j, 'waiting', now());
      const needOutcomes = await Promise.all(j.needs.map((n) => start(byId.get(n)!)));
      const needs = new Map(needOutcomes.map((o) => [o.id, o]));
      const readyAt = now();
      if (cancel.signal.aborted) {
        const ms = await releasePrepared(j);
        return finish({ id: j.id, result: 'cancelled', readyAt, endedAt: now(), prepareMs: ms });
      }
      if (decide(j, needs) === 'skip') {
        const ms = await releasePrepared(j);
        return finish({ id: j.id, result: 'skipped', readyAt, endedAt: now(), prepareMs: ms });
      }
      await runSlots.acquire();
      try {
        const prep = prepared.get(j.id);
        const pr = prep ? await prep : { ms: 0 };
        if (cancel.signal.aborted) {
          await releasePrepared(j);
          return finish({ id: j.id, result: 'cancelled', readyAt, endedAt: now(), prepareMs: pr.ms });
        }
        if ('error' in pr && pr.error !== undefined) {
          await releasePrepared(j);
          return finish({ id: j.id, result: 'failure', error: pr.error, readyAt, endedAt: now(), prepareMs: pr.ms });
        }
        const startedAt = now();
        opts.onState?.(j, 'running', startedAt);
        let result: JobResult;
        let value: V | undefined;
        let error: unknown;
        try {
          const r = await opts.run(j, { prepared: 'value' in pr ? pr.value : undefined, needs, signal: cancel.signal });
          result = r.result ?? 'success';
          value = r.value;
        } catch (e) {
          error = e;
          result = cancel.signal.aborted ? 'cancelled' : 'failure';
        }
        await releasePrepared(j);
        const o: JobOutcome<V> = {
          id: j.id,
          result,
          readyAt,
          startedAt,
          endedAt: now(),
          prepareMs: pr.ms,
          ...(value !== undefined ? { value } : {}),
          ...(error !== undefined ? { error } : {}),
        };
        return finish(o);
      } finally {
        runSlots.release();
      }
    })();
    settled.set(j.id, p);
    return p;
  };

  try {
    await Promise.all(opts.jobs.map(start));
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  return new Map(opts.jobs.map((j) => [j.id, outcomes.get(j.id)!]));
}

/**
 * The critical path of a finished graph: the chain of needs, ending at the job that ended last,
 * along which each job waited for the need that ended last. Returns the ids in order and the
 * sum of their run times (what no amount of parallelism could shorten).
 */
export function criticalPath<V>(jobs: readonly GraphJob[], outcomes: ReadonlyMap<string, JobOutcome<V>>): { ids: string[]; ms: number } {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  let last: JobOutcome<V> | undefined;
  for (const o of outcomes.values()) if (!last || o.endedAt > last.endedAt) last = o;
  const ids: string[] = [];
  let ms = 0;
  let cur = last;
  while (cur) {
    ids.unshift(cur.id);
    ms += cur.startedAt !== undefined ? cur.endedAt - cur.startedAt : 0;
    let next: JobOutcome<V> | undefined;
    for (const n of byId.get(cur.id)?.needs ?? []) {
      const o = outcomes.get(n);
      if (o && (!next || o.endedAt > next.endedAt)) next = o;
    }
    cur = next;
  }
  return { ids, ms };
}
