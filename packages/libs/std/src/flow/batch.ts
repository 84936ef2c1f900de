/**
 * Small helpers shared by the `std/flow` behaviours: reading inputs value by value
 * without a promise per value, forwarding whole batches, and waiting on block pairs.
 *
 * Hot treatments keep one promise per batch (values travel in batches): a {@link BatchReader}
 * hands out values synchronously from the batch it holds and only awaits when that
 * batch is used up.
 */
import { type Batch, type DataType, END, type End, type InputPort, type OutputPort, type Value } from '@tutti/core';

const NO_BATCH: Batch = [];

/** Reads an input value by value, awaiting only when its current batch is used up. */
export class BatchReader {
  private batch: Batch = NO_BATCH;
  private pos = 0;
  private ended = false;

  constructor(private readonly input: InputPort) {}

  /** Values that {@link next} can return without waiting. */
  get available(): number {
    return this.batch.length - this.pos;
  }

  /** Makes at least one value available; false once the input ended. */
  async fill(): Promise<boolean> {
    while (this.pos >= this.batch.length) {
      if (this.ended) return false;
      const b = await this.input.recvMany();
      if (b === END) {
        this.ended = true;
        return false;
      }
      this.batch = b;
      this.pos = 0;
    }
    return true;
  }

  /** The next value; only call while {@link available} is positive. */
  next(): Value {
    return this.batch[this.pos++];
  }
}

/**
 * Makes a value available on both readers, reading both inputs concurrently so that
 * neither producer waits on the other; false when either has ended (rule Z).
 */
export async function fillBoth(a: BatchReader, b: BatchReader): Promise<boolean> {
  if (a.available > 0 && b.available > 0) return true;
  const [okA, okB] = await Promise.all([a.fill(), b.fill()]);
  return okA && okB;
}

/** Forwards every batch of `input` to `output`; false when the output became unusable (rule C). */
export async function forward(input: InputPort, output: OutputPort, stopped?: () => boolean): Promise<boolean> {
  for (;;) {
    const b = await input.recvMany();
    if (b === END || stopped?.() === true) return true;
    if (!(await output.sendMany(b))) return false;
  }
}

/**
 * Waits for one value on each block input; {@link END} as soon as either closes empty
 * (rule B), without waiting for the other.
 */
export function bothBlocks(a: InputPort, b: InputPort): Promise<readonly [Value, Value] | End> {
  return new Promise((resolve, reject) => {
    let va: Value = END;
    let vb: Value = END;
    let got = 0;
    const arrived = (which: 0 | 1, v: Value): void => {
      if (v === END) {
        resolve(END);
        return;
      }
      if (which === 0) va = v;
      else vb = v;
      if (++got === 2) resolve([va, vb]);
    };
    a.recvOne().then((v) => arrived(0, v), reject);
    b.recvOne().then((v) => arrived(1, v), reject);
  });
}

/** A one-shot signal: `fire` resolves `promise` (later calls do nothing). */
export function signal(): { readonly promise: Promise<void>; fire: () => void; readonly fired: () => boolean } {
  let fired = false;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    promise,
    fire: () => {
      if (fired) return;
      fired = true;
      resolve();
    },
    fired: () => fired,
  };
}

/**
 * Lets the event loop run timers and I/O. Channel hand-offs resolve as microtasks, so a
 * producer that never has to wait would otherwise starve everything else.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `t` is the core type `byte` (whose batches and vectors may be `Uint8Array`). */
export function isByte(t: DataType | undefined): boolean {
  return t !== undefined && t.kind === 'core' && t.name === 'byte';
}

/** One batch holding every value of `batches` in order; bytes stay a `Uint8Array`. */
export function concatBatches(batches: readonly Batch[]): Batch {
  if (batches.length === 1) return batches[0] as Batch;
  let total = 0;
  let bytes = true;
  for (const b of batches) {
    total += b.length;
    if (!(b instanceof Uint8Array)) bytes = false;
  }
  if (bytes) {
    const out = new Uint8Array(total);
    let at = 0;
    for (const b of batches) {
      out.set(b as Uint8Array, at);
      at += b.length;
    }
    return out;
  }
  const out: Value[] = new Array(total);
  let at = 0;
  for (const b of batches) for (let i = 0; i < b.length; i++) out[at++] = b[i];
  return out;
}
