/**
 * Connections between treatments. One `Channel` per connection: an
 * output fans out to several channels, an input reads exactly one.
 *
 * Values move as batches (arrays). A producer's batch is queued on every open receiver
 * without copying (receivers never mutate batches); single values sent with `sendOne`
 * are appended to a batch the channel owns, so per-value producers still deliver
 * batches. A send resolves at once while every receiver holds fewer than `capacity`
 * values and waits otherwise: a producer runs at the pace of its slowest open consumer,
 * and memory stays bounded whatever the stream length.
 *
 * Promises are only allocated when someone must wait; the common path returns shared,
 * already-resolved promises.
 *
 * Lent batches: a consumer that promises not to use a batch after its next receive
 * (`Input.releasesBatches`, e.g. a file writer) lets a producer lend it reusable memory
 * (`Output.lend`): the channel calls the batch's release once the consumer took the next
 * batch or closed its input, and once every receiver has released, the producer may
 * overwrite the memory. A consumer may keep its last `keep` batches instead (a writer with
 * several writes in flight): a batch is then released at the `keep`-th next receive. When any open receiver made no such promise, nothing is released
 * and the producer allocates anew, as with `sendMany`.
 */
import { type Batch, END, type End, type InputPort, NOT_YET, type NotYet, type OutputPort, type Value } from '@tutti/core';

/** Values a receiver may hold before its producer waits. */
export const DEFAULT_CAPACITY = 1 << 15;

const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);

/** `r` as a promise: the shared settled ones for a result given at once. */
function settle(r: boolean | Promise<boolean>): Promise<boolean> {
  return r === true ? TRUE : r === false ? FALSE : r;
}

/**
 * Whether `p` is one of the shared promises a send that did not wait returns: already
 * fulfilled, so a treatment that ends with such a send is over now (the engine ends its
 * task without waiting a microtask for it).
 */
export function settledSend(p: unknown): boolean {
  return p === TRUE || p === FALSE;
}
const ENDED: Promise<End> = Promise.resolve(END);

/**
 * Fairness with the rest of the process. A send that finds room resolves at once, so a
 * graph whose values are all ready runs in microtasks alone; a cycle that keeps feeding
 * itself would then never let the event loop turn: no signal handler, no log flush, no
 * I/O. Every {@link YIELD_CHECK} sends the clock is read, and once {@link YIELD_MS} have
 * passed since the loop last turned, that send resolves on the next turn (setImmediate).
 */
const YIELD_CHECK = 1024;
const YIELD_MS = 20;
let sendsSinceCheck = 0;
let lastTurn = performance.now();

function yieldDue(): boolean {
  if (++sendsSinceCheck < YIELD_CHECK) return false;
  sendsSinceCheck = 0;
  const now = performance.now();
  if (now - lastTurn < YIELD_MS) return false;
  lastTurn = now;
  return true;
}

function nextTurn(): Promise<boolean> {
  return new Promise((resolve) => setImmediate(resolve, true));
}

/** What a blocked task is waiting for, for deadlock reports. */
export type WaitState = 'none' | 'receive' | 'send';

/**
 * Told when a port starts and stops waiting on its channel (the engine's deadlock
 * detection). Only the slow path, where a promise is created anyway, calls it.
 */
export interface WaitWatcher {
  blocked(): void;
  unblocked(): void;
}

/** One connection: a bounded queue of batches between one producer and one consumer. */
export class Channel {
  /** Queued batches from `head`; slots before `head` are emptied as they are taken. */
  private readonly queue: (Batch | undefined)[] = [];
  /**
   * The release of each queued batch (same indexes as `queue`) once a lent batch came;
   * null before (most channels never see one, and a track allocates many channels).
   */
  private releases: (Release | undefined)[] | null = null;
  /**
   * Releases of the batches the consumer holds, one entry per take from the oldest that
   * held any (null for a take that held none): called once `keep` newer takes came, or
   * when the consumer closes.
   */
  private held: (Release[] | null)[] | null = null;
  /** 0, or the consumer does not use a batch after its `keep`-th next receive (module doc). */
  keep = 0;
  /** The last queued batch when the channel created it (so `push1` may append to it). */
  private ownedTail: Value[] | null = null;
  private head = 0;
  /** Values queued. */
  pending = 0;
  /** The producer closed the connection: no more values will come. */
  producerClosed = false;
  /** The consumer closed its input: values sent are dropped. */
  consumerClosed = false;
  private consumerWaiter: (() => void) | null = null;
  private producerWaiter: (() => void) | null = null;

  constructor(readonly capacity: number = DEFAULT_CAPACITY) {}

  /** Queues a batch (handed over, not copied); `release` is called once the consumer is done with it. */
  push(batch: Batch, release?: Release): void {
    this.queue.push(batch);
    if (release !== undefined || this.releases !== null) {
      this.releases ??= new Array<Release | undefined>(this.queue.length - 1).fill(undefined);
      this.releases.push(release);
    }
    this.ownedTail = null;
    this.pending += batch.length;
    this.wakeConsumer();
  }

  /** Queues one value, appending to the channel's own tail batch when there is one. */
  push1(v: Value): void {
    const tail = this.ownedTail;
    if (tail !== null) tail.push(v);
    else {
      const b = [v];
      this.queue.push(b);
      this.releases?.push(undefined);
      this.ownedTail = b;
    }
    this.pending++;
    this.wakeConsumer();
  }

  get full(): boolean {
    return this.pending >= this.capacity && !this.consumerClosed;
  }

  /** Resolves once the channel is below capacity or its consumer is gone. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.producerWaiter = resolve;
    });
  }

  /**
   * Takes the next batch, or null when none is queued. A large batch is handed over as
   * it is (no copy); runs of small ones (values sent one by one, small batches) are
   * joined, up to {@link JOIN_LIMIT} values, so a consumer still sees batches.
   */
  take(): Batch | null {
    // The consumer is taking again: it is done with all but its last `keep - 1` batches.
    if (this.held !== null) this.releaseHeld(this.keep - 1);
    const q = this.queue;
    const n = q.length - this.head;
    if (n === 0) return null;
    const first = q[this.head] as Batch;
    let end = this.head + 1;
    if (first.length < JOIN_LIMIT) {
      let total = first.length;
      while (end < q.length && total + (q[end] as Batch).length <= JOIN_LIMIT) total += (q[end++] as Batch).length;
    }
    const out = end === this.head + 1 ? first : concatBatches(q, this.head, end);
    const joined = end !== this.head + 1;
    const rs = this.releases;
    let taken = 0;
    let held: Release[] | null = null;
    for (let i = this.head; i < end; i++) {
      taken += (q[i] as Batch).length;
      const r = rs?.[i];
      if (r !== undefined) {
        // A joined batch was copied: its parts are free at once; a batch handed over is
        // held by the consumer until it took `keep` more times.
        if (joined) r();
        else (held ??= []).push(r);
        (rs as (Release | undefined)[])[i] = undefined;
      }
      // Taken batches must not stay reachable from the queue: a producer that keeps ahead
      // would otherwise keep up to a thousand of them alive, and every young batch the
      // queue holds is copied by the next scavenges and promoted (measured: 60 % of
      // bench (a) in the garbage collector).
      q[i] = undefined;
    }
    if (held !== null || this.held !== null) (this.held ??= []).push(held);
    // The consumer now owns the tail batch if it was taken: single sends start a new one.
    if (end === q.length) this.ownedTail = null;
    if (end === q.length) {
      truncate(q);
      if (rs !== null) truncate(rs);
      this.head = 0;
    } else {
      this.head = end;
      if (this.head > 1024) {
        q.splice(0, this.head);
        rs?.splice(0, this.head);
        this.head = 0;
      }
    }
    this.pending -= taken;
    if (this.pending < this.capacity) this.wakeProducer();
    return out;
  }

  /** Calls `wake` (once) when a value is queued, the producer closed or the consumer closed. */
  onArrival(wake: () => void): void {
    this.consumerWaiter = wake;
  }

  closeProducer(): void {
    if (this.producerClosed) return;
    this.producerClosed = true;
    this.ownedTail = null;
    this.wakeConsumer();
  }

  closeConsumer(): void {
    if (this.consumerClosed) return;
    this.consumerClosed = true;
    // Nothing queued or held will be read any more.
    this.releaseHeld(0);
    const rs = this.releases;
    if (rs !== null) {
      for (let i = this.head; i < rs.length; i++) rs[i]?.();
      truncate(rs);
    }
    truncate(this.queue);
    this.head = 0;
    this.ownedTail = null;
    this.pending = 0;
    this.wakeProducer();
    // A receive already waiting on this input ends (the consumer closed it itself).
    this.wakeConsumer();
  }

  /** Releases the batches of every take but the last `kept` ones. */
  private releaseHeld(kept: number): void {
    const held = this.held;
    if (held === null) return;
    let n = held.length - kept;
    if (n <= 0) return;
    // Takes that held nothing need no entry before the first that does.
    while (n < held.length && held[n] === null) n++;
    const done = held.splice(0, n);
    if (held.length === 0) this.held = null;
    for (const rs of done) if (rs !== null) for (const r of rs) r();
  }

  private wakeConsumer(): void {
    const w = this.consumerWaiter;
    if (w !== null) {
      this.consumerWaiter = null;
      w();
    }
  }

  private wakeProducer(): void {
    const w = this.producerWaiter;
    if (w !== null) {
      this.producerWaiter = null;
      w();
    }
  }
}

/**
 * Empties `a`. Setting `length` is a call into the runtime (the profile of a track per HTTP
 * request showed two microseconds of it per request, a channel holding one batch at most
 * is the common case): `pop` of a short array is inlined.
 */
function truncate(a: unknown[]): void {
  if (a.length > 4) a.length = 0;
  else while (a.length > 0) a.pop();
}

/** Called once the consumer of a lent batch is done with it. */
type Release = () => void;

/** Values up to which small batches are joined into one on receive. */
const JOIN_LIMIT = 8192;

/** One batch of the queued batches `from` to `to` (excluded); bytes stay a `Uint8Array`. */
function concatBatches(queue: readonly (Batch | undefined)[], from: number, to: number): Batch {
  let bytes = true;
  let total = 0;
  for (let i = from; i < to; i++) {
    const b = queue[i] as Batch;
    total += b.length;
    if (!(b instanceof Uint8Array)) bytes = false;
  }
  if (bytes) {
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = from; i < to; i++) {
      const b = queue[i] as Uint8Array;
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
  const out: Value[] = new Array(total);
  let at = 0;
  for (let i = from; i < to; i++) {
    const b = queue[i] as Batch;
    for (let j = 0; j < b.length; j++) out[at++] = b[j];
  }
  return out;
}

/** A closed, empty channel: the input of a track that nothing feeds (closed once the track is built). */
export function closedChannel(): Channel {
  const c = new Channel(1);
  c.producerClosed = true;
  return c;
}

/** The consumer side of one channel. */
export class Input implements InputPort {
  private current: Batch | null = null;
  private pos = 0;
  waiting: WaitState = 'none';
  /** Values received, for `--debug` reports. */
  received = 0;
  /** Told when this input starts and stops waiting. */
  watcher: WaitWatcher | undefined;

  constructor(
    readonly name: string,
    readonly channel: Channel,
  ) {}

  recvMany(): Promise<Batch | End> {
    const b = this.tryRecvMany();
    if (b === NOT_YET) return this.waitMany();
    return b === END ? ENDED : Promise.resolve(b);
  }

  /**
   * Waits for the next batch. One promise per wait: the channel's wake-up takes the batch
   * itself and settles it (an async function awaiting an arrival promise made three, and
   * a track per HTTP request waits five times or so).
   */
  private waitMany(): Promise<Batch | End> {
    return new Promise((resolve) => this.waitFor(resolve as (v: Value) => void, false));
  }

  /** Registers the wake-up of a wait: settles `resolve` with the next batch (`one`: its first value) or END. */
  private waitFor(resolve: (v: Value) => void, one: boolean): void {
    const c = this.channel;
    this.waiting = 'receive';
    this.watcher?.blocked();
    c.onArrival(() => {
      this.waiting = 'none';
      this.watcher?.unblocked();
      if (c.consumerClosed) return resolve(END);
      const b = c.take();
      if (b !== null) {
        if (one) resolve(this.startBatch(b));
        else {
          this.received += b.length;
          resolve(b);
        }
        return;
      }
      if (c.producerClosed) return resolve(END);
      this.waitFor(resolve, one);
    });
  }

  recvOne(): Promise<Value | End> {
    const v = this.tryRecvOne();
    if (v === NOT_YET) return this.waitOne();
    return v === END ? ENDED : Promise.resolve(v);
  }

  private startBatch(b: Batch): Value {
    this.current = b;
    this.pos = 1;
    this.received++;
    return b[0];
  }

  private waitOne(): Promise<Value | End> {
    return new Promise((resolve) => this.waitFor(resolve as (v: Value) => void, true));
  }

  close(): void {
    this.current = null;
    this.channel.closeConsumer();
  }

  /**
   * Promises that the treatment does not use a batch received here after its `keep`-th
   * next receive on this input (or after closing it): producers may then lend reusable memory.
   */
  releasesBatches(keep = 1): void {
    this.channel.keep = Math.max(1, Math.floor(keep));
  }

  /** The next value at once, END once closed and drained, else NOT_YET (no promise either way). */
  tryRecvOne(): Value | End | NotYet {
    const cur = this.current;
    if (cur !== null && this.pos < cur.length) {
      this.received++;
      return cur[this.pos++];
    }
    this.current = null;
    const c = this.channel;
    if (c.consumerClosed) return END;
    const b = c.take();
    if (b !== null) return this.startBatch(b);
    return c.producerClosed ? END : NOT_YET;
  }

  /** Every value there now as one batch, END once closed and drained, else NOT_YET (no promise either way). */
  tryRecvMany(): Batch | End | NotYet {
    const cur = this.current;
    if (cur !== null) {
      this.current = null;
      if (this.pos < cur.length) {
        const rest = this.pos === 0 ? cur : cur.slice(this.pos);
        this.received += rest.length;
        return rest;
      }
    }
    const c = this.channel;
    if (c.consumerClosed) return END;
    const b = c.take();
    if (b !== null) {
      this.received += b.length;
      return b;
    }
    return c.producerClosed ? END : NOT_YET;
  }

  /** Whether a receive now would not wait: a value is there, or the input is closed. */
  get ready(): boolean {
    const cur = this.current;
    if (cur !== null && this.pos < cur.length) return true;
    const c = this.channel;
    return c.consumerClosed || c.pending > 0 || c.producerClosed;
  }

  /** Whether the input was closed by its consumer or is closed and drained. */
  get finished(): boolean {
    const c = this.channel;
    return c.consumerClosed || (c.producerClosed && c.pending === 0 && (this.current === null || this.pos >= this.current.length));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    for (;;) {
      const b = await this.recvMany();
      if (b === END) return;
      yield b;
    }
  }
}

/** The producer side: fans out to every connected channel. */
export class Output implements OutputPort {
  closed = false;
  waiting: WaitState = 'none';
  /** Values sent, for `--debug` reports. */
  sent = 0;
  /** Told when this output starts and stops waiting. */
  watcher: WaitWatcher | undefined;

  constructor(
    readonly name: string,
    readonly channels: Channel[],
    readonly block: boolean,
  ) {}

  get usable(): boolean {
    if (this.closed) return false;
    for (const c of this.channels) if (!c.consumerClosed) return true;
    return false;
  }

  sendOne(v: Value): Promise<boolean> {
    if (this.closed) return FALSE;
    let delivered = false;
    let full = false;
    for (const c of this.channels) {
      if (c.consumerClosed) continue;
      c.push1(v);
      delivered = true;
      if (c.pending >= c.capacity) full = true;
    }
    return settle(this.after(delivered, full, 1));
  }

  sendMany(values: Batch): Promise<boolean> {
    return settle(this.deliver(values, undefined));
  }

  /** As {@link sendMany}, with the result at once when the send did not wait. */
  trySendMany(values: Batch): boolean | Promise<boolean> {
    return this.deliver(values, undefined);
  }

  /**
   * Sends `values` as {@link sendMany} does and calls `release` once no receiver uses them
   * any more, so that the producer may reuse their memory — only when every open receiver
   * promised to release its batches (`Input.releasesBatches`); otherwise (or when nothing
   * was delivered) `release` is never called and the batch is handed over for good.
   */
  lend(values: Batch, release: () => void): Promise<boolean> {
    if (this.closed || this.block || values.length === 0) return settle(this.deliver(values, undefined));
    let open = 0;
    for (const c of this.channels) {
      if (c.consumerClosed) continue;
      if (c.keep === 0) return settle(this.deliver(values, undefined));
      open++;
    }
    let left = open;
    return settle(
      this.deliver(values, () => {
        if (--left === 0) release();
      }),
    );
  }

  /** Delivers `values`: the result at once when nothing had to wait, else a promise of it. */
  private deliver(values: Batch, release: Release | undefined): boolean | Promise<boolean> {
    if (this.closed) return false;
    if (values.length === 0) return this.usable;
    if (this.block) {
      // A Block carries at most one value: deliver the first, refuse the rest.
      const ok = this.sendOne(values[0]);
      if (values.length > 1) return ok.then(() => false);
      return ok === TRUE ? true : ok === FALSE ? false : ok;
    }
    let delivered = false;
    let full = false;
    for (const c of this.channels) {
      if (c.consumerClosed) continue;
      c.push(values, release);
      delivered = true;
      if (c.pending >= c.capacity) full = true;
    }
    return this.after(delivered, full, values.length);
  }

  /** The result of a send of `n` values: at once when it need not wait, else a promise of it. */
  private after(delivered: boolean, full: boolean, n: number): boolean | Promise<boolean> {
    if (!delivered) return false;
    this.sent += n;
    if (this.block) this.close();
    if (!full) return yieldDue() ? nextTurn() : true;
    return this.waitRoom();
  }

  private async waitRoom(): Promise<boolean> {
    this.waiting = 'send';
    this.watcher?.blocked();
    try {
      for (const c of this.channels) {
        while (c.full) await c.drained();
      }
    } finally {
      this.waiting = 'none';
      this.watcher?.unblocked();
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.channels) c.closeProducer();
  }
}
