/**
 * The data half of a connection, the same on both sides: the streams this side sends
 * (credit windows per (instance, port)) and the streams it receives (a queue per
 * (instance, port) that a local output drains; credit is granted back once a batch was
 * handed to the local engine, i.e. once its bounded channel took it). A slow consumer
 * therefore stops the credit, which stops the remote producer: memory stays bounded by
 * one window per stream on each side.
 */
import type { Batch, OutputPort } from '@tutti/core';
import { type Connection, Credit, DEFAULT_WINDOW } from './protocol.js';

/** Credit cost of a batch in its wire form (the same number on both sides). */
export function wireCost(w: unknown): number {
  if (w instanceof Uint8Array || w instanceof Float64Array) return w.byteLength + 16;
  if (Array.isArray(w)) {
    let n = 16;
    for (const x of w) n += typeof x === 'string' ? x.length + 8 : x instanceof Uint8Array ? x.byteLength + 8 : 16;
    return n;
  }
  return 16;
}

type Queued = { readonly ty: string; readonly v: unknown } | 'end';

/** One received stream (id, name). */
class Receiver {
  readonly queue: Queued[] = [];
  private wake: (() => void) | undefined;
  attached = false;
  stopped = false;

  push(q: Queued): void {
    if (this.stopped) return;
    this.queue.push(q);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  next(): Promise<Queued> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((r) => {
      this.wake = () => r(this.queue.shift() as Queued);
    });
  }

  /** Ends the receiver when the connection is gone. */
  abort(): void {
    this.push('end');
  }
}

const key = (id: number, name: string) => `${id}\u0000${name}`;

/** Streams of one connection in both directions. */
export class Streams {
  private readonly receivers = new Map<string, Receiver>();
  private readonly credits = new Map<string, Credit>();

  /**
   * @param conn the connection (undefined while not connected)
   * @param sendDir the tag of data this side sends (`in` on the orchestrator, `out` on a worker)
   */
  constructor(
    private readonly conn: () => Connection | undefined,
    private readonly sendDir: 'in' | 'out',
    private readonly window: number = DEFAULT_WINDOW,
  ) {}

  private get recvDir(): 'in' | 'out' {
    return this.sendDir === 'in' ? 'out' : 'in';
  }

  private receiver(id: number, name: string): Receiver {
    const k = key(id, name);
    let r = this.receivers.get(k);
    if (r === undefined) {
      r = new Receiver();
      this.receivers.set(k, r);
    }
    return r;
  }

  private credit(id: number, name: string): Credit {
    const k = key(id, name);
    let c = this.credits.get(k);
    if (c === undefined) {
      c = new Credit(this.window);
      this.credits.set(k, c);
    }
    return c;
  }

  /** A data message received for (id, name). */
  onData(id: number, name: string, ty: string, v: unknown): void {
    this.receiver(id, name).push({ ty, v });
  }

  /** The peer closed (id, name). */
  onClose(id: number, name: string): void {
    this.receiver(id, name).push('end');
  }

  /** The peer granted credit on a stream this side sends. */
  onCredit(id: number, name: string, n: number): void {
    // (Credit only follows data this side sent, so the window exists unless the stream is closed.)
    this.credits.get(key(id, name))?.grant(n);
  }

  /** The peer stopped reading a stream this side sends. */
  onDrop(id: number, name: string): void {
    this.credits.get(key(id, name))?.close();
  }

  /** The connection is gone: every receiver ends, every sender is refused. */
  abortAll(): void {
    for (const r of this.receivers.values()) r.abort();
    for (const c of this.credits.values()) c.close();
  }

  /**
   * Sends one batch (in wire form) on (id, name), waiting for credit and for the socket.
   * Returns false when the peer dropped the stream or the connection is gone.
   */
  async send(id: number, name: string, ty: string, wire: unknown): Promise<boolean> {
    const c = this.credit(id, name);
    if (!(await c.take(wireCost(wire)))) return false;
    const conn = this.conn();
    if (conn === undefined) return false;
    return conn.send({ t: this.sendDir, id, name, ty, v: wire });
  }

  /** Whether the peer still reads (id, name). */
  sendable(id: number, name: string): boolean {
    return !this.credit(id, name).isClosed && this.conn()?.open === true;
  }

  /** Closes a sent stream. */
  async closeSend(id: number, name: string): Promise<void> {
    this.credits.delete(key(id, name));
    await this.conn()?.send({ t: this.sendDir === 'in' ? 'inclose' : 'outclose', id, name });
  }

  /**
   * Drains the received stream (id, name) into `port` until it ends, the port has no
   * consumer left, or a batch is not of type `ty` (then receiving stops). With `block`,
   * only the first value is delivered. Returns whether a type mismatch stopped it.
   */
  async drain(
    id: number,
    name: string,
    ty: string,
    decode: (w: unknown) => Batch,
    port: OutputPort,
    block: boolean,
  ): Promise<'ended' | 'mismatch' | 'consumer-gone'> {
    try {
      return await this.drainInto(id, name, ty, decode, port, block);
    } finally {
      // A stream is drained once: forget it (a stopped one keeps dropping late data).
      const k = key(id, name);
      if (this.receivers.get(k)?.stopped !== true) this.receivers.delete(k);
    }
  }

  private async drainInto(
    id: number,
    name: string,
    ty: string,
    decode: (w: unknown) => Batch,
    port: OutputPort,
    block: boolean,
  ): Promise<'ended' | 'mismatch' | 'consumer-gone'> {
    const r = this.receiver(id, name);
    r.attached = true;
    const stop = () => {
      r.stopped = true;
      r.queue.length = 0;
      this.conn()?.post({ t: 'drop', dir: this.recvDir, id, name });
    };
    // Credit goes back in quarters of the window, or at once when the queue ran dry (the
    // sender may be waiting for it): fewer control frames, never a stall.
    let owed = 0;
    const quarter = this.window >> 2;
    for (;;) {
      const q = await r.next();
      if (q === 'end') return 'ended';
      if (q.ty !== ty) {
        stop();
        return 'mismatch';
      }
      let batch: Batch;
      try {
        batch = decode(q.v);
      } catch {
        stop();
        return 'mismatch';
      }
      if (block) {
        if (batch.length > 0) await port.sendMany(batch.length === 1 ? batch : [batch[0]]);
        stop();
        return 'ended';
      }
      const ok = await port.sendMany(batch);
      owed += wireCost(q.v);
      if (owed >= quarter || r.queue.length === 0) {
        this.conn()?.post({ t: 'credit', dir: this.recvDir, id, name, n: owed });
        owed = 0;
      }
      if (!ok) {
        stop();
        return 'consumer-gone';
      }
    }
  }
}
