/**
 * Behaviours of the hot `std/flow` treatments (libraries §3.4): `count`, `generate`,
 * `generateIndefinitely` and `trigger`. They sit on benchmark paths (tens of millions of
 * values), so they loop per batch only and avoid allocating where they can.
 *
 * `generate` sends the same chunk array again and again: batches are never mutated by
 * their receivers (executive.ts), and its content is the same value repeated anyway.
 */
import { type Batch, canon, END, type TreatmentRun, type Value } from '@tutti/core';
import { isByte, yieldToLoop } from './batch.js';

/**
 * Values per generated chunk: at most 2^20 (libraries §3.4); the engine's default
 * channel capacity, so that one chunk fills a connection and the consumer starts at once.
 */
export const GENERATE_CHUNK = 1 << 15;

/** Chunks sent between two yields to the event loop (about a million values). */
const CHUNKS_PER_YIELD = 32;

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

/** `count`: 0, 1, 2, … per received element (quirk §17.1: 0-based), as `u128`. */
export const count: TreatmentRun<'stream', 'count', never> = async ({ inputs, outputs }) => {
  const input = inputs.stream;
  const output = outputs.count;
  let next: number | bigint = 0;
  for (;;) {
    const b = await input.recvMany();
    if (b === END) return;
    const n = b.length;
    const out = numbering(next, n);
    next = typeof next === 'number' && next <= Number.MAX_SAFE_INTEGER - n ? next + n : canon(BigInt(next) + BigInt(n));
    if (!(await output.sendMany(out))) return;
  }
};

/** `generate`: `data` exactly `length` times (`u128`, a bigint beyond 2^53). */
export const generate: TreatmentRun<'length', 'stream', 'data'> = async ({ inputs, outputs, params, generics }) => {
  const length = await inputs.length.recvOne();
  if (length === END) return;
  let left = length as number | bigint;
  if (left <= 0) return;
  const full = chunkOf(params.data, isByte(generics.T), typeof left === 'number' && left < GENERATE_CHUNK ? left : GENERATE_CHUNK);
  const output = outputs.stream;
  for (let sent = 1; ; sent++) {
    let chunk = full;
    if (typeof left === 'bigint') left = canon(left - BigInt(GENERATE_CHUNK));
    else if (left >= GENERATE_CHUNK) left -= GENERATE_CHUNK;
    else {
      chunk = left === full.length ? full : full.slice(0, left);
      left = 0;
    }
    if (!(await output.sendMany(chunk))) return;
    if (left === 0) return;
    if (sent % CHUNKS_PER_YIELD === 0) await yieldToLoop();
  }
};

/** `generateIndefinitely`: after `trigger`, `data` forever until no consumer is left (rule C). */
export const generateIndefinitely: TreatmentRun<'trigger', 'stream', 'data'> = async ({ inputs, outputs, params, generics, signal }) => {
  if ((await inputs.trigger.recvOne()) === END) return;
  const chunk = chunkOf(params.data, isByte(generics.T), GENERATE_CHUNK);
  const output = outputs.stream;
  for (let sent = 1; !signal.aborted; sent++) {
    if (!(await output.sendMany(chunk))) return;
    if (sent % CHUNKS_PER_YIELD === 0) await yieldToLoop();
  }
};

/**
 * `trigger`: `start` and `first` on the first batch, `end` then `last` at the end. It reads
 * the whole stream even when no output is used (libraries §3.4).
 */
export const trigger: TreatmentRun<'stream', 'start' | 'end' | 'first' | 'last', never> = async ({ inputs, outputs }) => {
  const input = inputs.stream;
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
