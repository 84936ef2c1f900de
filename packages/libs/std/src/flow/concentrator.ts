/**
 * The `std/flow/concentrate::Concentrator` model: fan-in channels keyed by
 * (track id, data type), shared by `concentrate`/`concentrateBlock` (producers) and
 * `concentrated` (consumers) of the same track.
 *
 * Every participant registers synchronously at the very start of its task. The tasks of a
 * track all start together, so by the time a consumer's trigger has arrived and it has
 * yielded once to the event loop, every producer of its track is known: a consumer ends
 * when no registered producer is left and the channel is drained. That also ends it when
 * no producer ever registers, which the reference never does (a reference quirk, fixed).
 *
 * A producer waits while 500 values are pending, but only while some consumer may still
 * read them: once every registered consumer of the channel has finished, or when no
 * consumer registered at all in the track, its values are dropped and it stops (as a
 * sender whose receivers are gone, rule C) instead of hanging the track.
 */
import { type Batch, type DataType, END, type End, type ModelInstance } from '@tutti/core';
import { concatBatches, yieldToLoop } from './batch.js';

/** Values a channel holds before its producers wait (500, as in the reference). */
export const CONCENTRATOR_CAPACITY = 500;

/** The channel key of a data type; library data types by identifier, not by bare name. */
export function typeKey(t: DataType | undefined): string {
  if (t === undefined) return '?';
  switch (t.kind) {
    case 'core':
      return t.name;
    case 'vec':
      return `Vec<${typeKey(t.of)}>`;
    case 'option':
      return `Option<${typeKey(t.of)}>`;
    case 'data':
      return t.id;
    case 'generic':
      return t.name;
  }
}

/** One fan-in channel: a bounded queue of batches with counted producers and consumers. */
export class FanIn {
  private queue: Batch[] = [];
  /** Values queued. */
  pending = 0;
  /** Producers registered and not finished. */
  producers = 0;
  /** Consumers registered and not finished. */
  consumers = 0;
  /** Consumers ever registered. */
  consumersEver = 0;
  private consumerWaiters: (() => void)[] = [];
  private producerWaiters: (() => void)[] = [];

  constructor(private readonly onIdle: () => void) {}

  /** Whether values pushed now can still be read by some consumer. */
  private get readable(): boolean {
    return this.consumers > 0 || this.consumersEver === 0;
  }

  /**
   * Queues a batch (handed over), then waits while the channel is full. False when no
   * consumer will ever read it (the values are dropped): the producer should stop.
   */
  async push(batch: Batch): Promise<boolean> {
    while (this.pending >= CONCENTRATOR_CAPACITY && this.readable) {
      if (this.consumers === 0) {
        // Nobody registered yet: give late-starting tasks of the track one turn.
        await yieldToLoop();
        if (this.consumersEver === 0) return false;
        continue;
      }
      await new Promise<void>((resolve) => this.producerWaiters.push(resolve));
    }
    if (!this.readable) return false;
    if (batch.length === 0) return true;
    this.queue.push(batch);
    this.pending += batch.length;
    wake(this.consumerWaiters);
    return true;
  }

  /** Every queued value as one batch; waits for some; {@link END} once no producer is left and drained. */
  async take(): Promise<Batch | End> {
    for (;;) {
      if (this.queue.length > 0) {
        const out = concatBatches(this.queue);
        this.queue = [];
        this.pending = 0;
        wake(this.producerWaiters);
        return out;
      }
      if (this.producers === 0) return END;
      await new Promise<void>((resolve) => this.consumerWaiters.push(resolve));
    }
  }

  /** Registers a producer; call the returned function once it has finished. */
  addProducer(): () => void {
    this.producers++;
    return once(() => {
      this.producers--;
      wake(this.consumerWaiters);
      this.checkIdle();
    });
  }

  /** Registers a consumer; call the returned function once it has finished. */
  addConsumer(): () => void {
    this.consumers++;
    this.consumersEver++;
    return once(() => {
      this.consumers--;
      // Blocked producers re-check: with no consumer left their values are dropped.
      wake(this.producerWaiters);
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.producers === 0 && this.consumers === 0) {
      this.queue = [];
      this.pending = 0;
      this.onIdle();
    }
  }
}

function wake(waiters: (() => void)[]): void {
  if (waiters.length === 0) return;
  const all = waiters.splice(0);
  for (const w of all) w();
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

/**
 * A live `Concentrator`: the object treatments find in `ctx.models.concentrator`. Channels
 * exist while some participant of their track uses them; an idle channel is forgotten, so
 * finished tracks leave nothing behind.
 */
export class Concentrator implements ModelInstance {
  private readonly tracks = new Map<number, Map<string, FanIn>>();

  /** The channel of `track` for the type key `key` (created on first use). */
  channel(track: number, key: string): FanIn {
    let byType = this.tracks.get(track);
    if (byType === undefined) {
      byType = new Map();
      this.tracks.set(track, byType);
    }
    let ch = byType.get(key);
    if (ch === undefined) {
      const created: FanIn = new FanIn(() => {
        const m = this.tracks.get(track);
        if (m === undefined || m.get(key) !== created) return;
        m.delete(key);
        if (m.size === 0) this.tracks.delete(track);
      });
      ch = created;
      byType.set(key, ch);
    }
    return ch;
  }

  /** Number of live channels, for tests and debugging. */
  get size(): number {
    let n = 0;
    for (const m of this.tracks.values()) n += m.size;
    return n;
  }

  shutdown(): void {
    this.tracks.clear();
  }
}

/** The concentrator of a treatment's `concentrator` slot; a clear error if it is missing. */
export function concentratorOf(models: Readonly<Record<string, unknown>>): Concentrator {
  const c = models.concentrator;
  if (!(c instanceof Concentrator)) throw new Error('the concentrator slot does not hold a std/flow/concentrate::Concentrator instance');
  return c;
}
