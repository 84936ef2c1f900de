/**
 * Live events of the server, for the SSE endpoint: run, job and step state changes, node
 * states of a job's graph (coalesced: at most one message per job every
 * {@link NODE_FLUSH_MS}), log lines, and graph availability. Subscribers filter by run.
 */

/** One live event. `run` is the run it belongs to. */
export type ServerEvent =
  | { readonly type: 'run'; readonly run: number; readonly state: string; readonly project: string; readonly pipeline: string }
  | {
      readonly type: 'job';
      readonly run: number;
      readonly job: string;
      readonly state: string;
      readonly detail?: string;
      readonly time: string;
    }
  | {
      readonly type: 'step';
      readonly run: number;
      readonly job: string;
      readonly name: string;
      readonly state: string;
      readonly runner?: string;
      readonly detail?: string;
      readonly time: string;
    }
  /** Node states: `[node index, state, start ms, end ms]` (times since the epoch, 0 when unknown). */
  | {
      readonly type: 'nodes';
      readonly run: number;
      readonly job: string;
      readonly nodes: readonly (readonly [number, string, number, number])[];
    }
  | {
      readonly type: 'log';
      readonly run: number;
      readonly job: string;
      readonly level: string;
      readonly label: string;
      readonly message: string;
      readonly time: string;
    }
  | { readonly type: 'graph'; readonly run: number; readonly job: string };

/** Milliseconds between two node-state messages of one job. */
export const NODE_FLUSH_MS = 100;

type Listener = (e: ServerEvent) => void;

/** A fan-out of {@link ServerEvent}s. */
export class EventBus {
  private readonly listeners = new Set<{ run: number | undefined; fn: Listener }>();

  /** Listens to the events of `run` (every run when undefined); returns the unsubscribe function. */
  subscribe(run: number | undefined, fn: Listener): () => void {
    const entry = { run, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  emit(e: ServerEvent): void {
    for (const l of this.listeners) if (l.run === undefined || l.run === e.run) l.fn(e);
  }

  get size(): number {
    return this.listeners.size;
  }
}
