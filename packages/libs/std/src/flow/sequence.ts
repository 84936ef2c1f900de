/**
 * Behaviours of the hot `std/flow` treatments: `count`, `generate`,
 * `generateIndefinitely` and `trigger`. They sit on benchmark paths (tens of millions of
 * values), so they loop per batch only and avoid allocating where they can.
 *
 * `generate` sends the same chunk array again and again: batches are never mutated by
 * their receivers (executive.ts), and its content is the same value repeated anyway.
 */
import { type Batch, canon, END, type TreatmentRun, type Value } from '@tutti/core';
import { MAX_CHUNK } from '../ops/op-streams.js';
import { isByte, yieldToLoop } from './batch.js';

/**
 * Values per generated chunk (at most 2^20, as the reference's `generate`): the kernels' batch size.
 * A larger array (over 128 KiB of slots) is born in V8's large-object space, and filling
 * one costs an order of magnitude more per value (measured: 58 against 3.3 ns per value
 * for 32 768 against 8 192 counter values), which made `count` the bottleneck of
 * numeric pipelines.
 */
export const GENERATE_CHUNK = MAX_CHUNK;

/** Bytes per generated chunk: a `Uint8Array` has no such cliff, and bigger chunks mean fewer hand-offs. */
export const GENERATE_BYTE_CHUNK = 1 << 16;

/** Values sent between two yields to the event loop (about a million). */
const VALUES_PER_YIELD = 1 << 20;

/** A chunk of `n` copies of `data` (a `Uint8Array` for bytes). */
function chunkOf(data: Value, bytes: boolean, n: number): Batch {
  if (bytes) return new Uint8Array(n).fill(data as number);
  const out: Value[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = data;
  return out;
}

/**
 * `n` consecutive counter values from `from`, canonical `u128` (numbers while safe, then
 * bigints).
 */
export function numbering(from: number | bigint, n: number): Value[] {
  const out: Value[] = new Array(n);
  if (typeof from === 'number' && from <= Number.MAX_SAFE_INTEGER - n + 1) {
    for (let i = 0; i < n; i++) out[i] = from + i;
  } else {
    let c = BigInt(from);
    for (let i = 0; i < n; i++) out[i] = canon(c++);
  }
  return out;
}

/**
 * `count`: 0, 1, 2, … per received element (0-based, as the reference, although documented 1-based), as `u128`; sent in
 * batches of at most {@link MAX_CHUNK} whatever the size of the received ones.
 */
export const count: TreatmentRun<'stream', 'count', never> = async ({ inputs, outputs }) => {
  const input = inputs.stream;
  const output = outputs.count;
  let next: number | bigint = 0;
  for (;;) {
    const b = await input.recvMany();
    if (b === END) return;
    for (let left = b.length; left > 0; ) {
      const n = left < MAX_CHUNK ? left : MAX_CHUNK;
      const out = numbering(next, n);
      next = typeof next === 'number' && next <= Number.MAX_SAFE_INTEGER - n ? next + n : canon(BigInt(next) + BigInt(n));
      left -= n;
      if (!(await output.sendMany(out))) return;
    }
  }
};

/** `generate`: `data` exactly `length` times (`u128`, a bigint beyond 2^53). */
export const generate: TreatmentRun<'length', 'stream', 'data'> = async ({ inputs, outputs, params, generics }) => {
  const length = await inputs.length.recvOne();
  if (length === END) return;
  let left = length as number | bigint;
  if (left <= 0) return;
  const bytes = isByte(generics.T);
  const size = bytes ? GENERATE_BYTE_CHUNK : GENERATE_CHUNK;
  const full = chunkOf(params.data, bytes, typeof left === 'number' && left < size ? left : size);
  const output = outputs.stream;
  const perYield = VALUES_PER_YIELD / size;
  for (let sent = 1; ; sent++) {
    let chunk = full;
    if (typeof left === 'bigint') left = canon(left - BigInt(size));
    else if (left >= size) left -= size;
    else {
      chunk = left === full.length ? full : full.slice(0, left);
      left = 0;
    }
    if (!(await output.sendMany(chunk))) return;
    if (left === 0) return;
    if (sent % perYield === 0) await yieldToLoop();
  }
};

/** `generateIndefinitely`: after `trigger`, `data` forever until no consumer is left (rule C). */
export const generateIndefinitely: TreatmentRun<'trigger', 'stream', 'data'> = async ({ inputs, outputs, params, generics, signal }) => {
  if ((await inputs.trigger.recvOne()) === END) return;
  const bytes = isByte(generics.T);
  const chunk = chunkOf(params.data, bytes, bytes ? GENERATE_BYTE_CHUNK : GENERATE_CHUNK);
  const output = outputs.stream;
  const perYield = VALUES_PER_YIELD / chunk.length;
  for (let sent = 1; !signal.aborted; sent++) {
    if (!(await output.sendMany(chunk))) return;
    if (sent % perYield === 0) await yieldToLoop();
  }
};

/**
 * `trigger`: `start` and `first` on the first batch, `end` then `last` at the end. It reads
 * the whole stream even when no output is used.
 */
export const trigger: TreatmentRun<'stream', 'start' | 'end' | 'first' | 'last', never> = async ({ inputs, outputs }) => {
  const input = inputs.stream;
  // Only values are kept (the first, the last), never a batch: producers may reuse them.
  input.releasesBatches?.();
  let b: Batch | typeof END;
  do b = await input.recvMany();
  while (b !== END && b.length === 0);
  if (b === END) {
    await outputs.end.sendOne(undefined);
    return;
  }
  // Not awaited before reading on: the stream must keep flowing whatever these consumers do.
  const early = Promise.all([outputs.start.sendOne(undefined), outputs.first.sendOne(b[0])]);
  outputs.start.close();
  outputs.first.close();
  let last = b[b.length - 1];
  for (;;) {
    b = await input.recvMany();
    if (b === END) break;
    if (b.length > 0) last = b[b.length - 1];
  }
  await outputs.end.sendOne(undefined);
  await outputs.last.sendOne(last);
  await early;
};
