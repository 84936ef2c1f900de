/**
 * A queue of log records between the synchronous log stream of the engine and one
 * asynchronous consumer (a `logs` track, a `trackLogs` instance). The engine cannot wait
 * for a slow consumer, so the queue is not bounded, as the reference's logger channel;
 * a consumer that stops reading cancels it, which drops what it held.
 */
import { END, type End } from '@tutti/core';
import type { LogValue } from './log-value.js';

export class LogQueue {
  #items: LogValue[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(readonly accept: (log: LogValue) => boolean = () => true) {}

  push(log: LogValue): void {
    if (this.#ended || !this.accept(log)) return;
    this.#items.push(log);
    this.#wake?.();
  }

  /** No more records: the consumer gets what is queued, then the end. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** The records queued so far (waits for one), or the end. */
  async next(): Promise<LogValue[] | End> {
    while (this.#items.length === 0) {
      if (this.#ended) return END;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
    }
    const batch = this.#items;
    this.#items = [];
    return batch;
  }
}
