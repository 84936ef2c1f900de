/**
 * Behaviours of `std/flow/vec`: streams of vectors to streams of values
 * and back. A `Vec<byte>` may be a `Uint8Array` (values.ts); byte vectors built here are
 * `Uint8Array`s, and any vector is accepted as either form.
 */
import { type Batch, END, type TreatmentRun, type Value } from '@tutti/core';
import { BatchReader, fillBoth, isByte } from './batch.js';

type Vector = readonly Value[] | Uint8Array;

/** `flatten`: the elements of each vector, in order. */
export const flatten: TreatmentRun<'vector', 'value', never> = async ({ inputs, outputs, generics }) => {
  const bytes = isByte(generics.T);
  const output = outputs.value;
  for (;;) {
    const b = await inputs.vector.recvMany();
    if (b === END) return;
    let out: Batch;
    if (b.length === 1) {
      // A vector is immutable, like a batch: it can travel as the batch itself.
      out = b[0] as Vector;
    } else {
      let total = 0;
      for (let i = 0; i < b.length; i++) total += (b[i] as Vector).length;
      if (bytes) {
        const u = new Uint8Array(total);
        let at = 0;
        for (let i = 0; i < b.length; i++) {
          const v = b[i] as Vector;
          u.set(v as ArrayLike<number>, at);
          at += v.length;
        }
        out = u;
      } else {
        const a: Value[] = new Array(total);
        let at = 0;
        for (let i = 0; i < b.length; i++) {
          const v = b[i] as Vector;
          for (let j = 0; j < v.length; j++) a[at++] = v[j];
        }
        out = a;
      }
    }
    if (out.length === 0) {
      // Empty vectors produce nothing, not even an empty batch (a batch is never empty); still honour rule C.
      if (!output.usable) return;
      continue;
    }
    if (!(await output.sendMany(out))) return;
  }
};

/** A vector of `n` `void` values. */
function voids(n: number): Value[] {
  return new Array(n).fill(undefined);
}

/** A vector of `n` copies of `value`. */
function filled(value: Value, n: number, bytes: boolean): Vector {
  return bytes ? new Uint8Array(n).fill(value as number) : new Array(n).fill(value);
}

/** `pattern`: per vector, a vector of `void` of the same length. */
export const pattern: TreatmentRun<'stream', 'pattern', never> = async ({ inputs, outputs }) => {
  for (;;) {
    const b = await inputs.stream.recvMany();
    if (b === END) return;
    const out: Value[] = new Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = voids((b[i] as Vector).length);
    if (!(await outputs.pattern.sendMany(out))) return;
  }
};

/** `fill`: per pattern, a vector of `value` of the same length. */
export const fill: TreatmentRun<'pattern', 'filled', 'value'> = async ({ inputs, outputs, params, generics }) => {
  const bytes = isByte(generics.T);
  const value = params.value;
  for (;;) {
    const b = await inputs.pattern.recvMany();
    if (b === END) return;
    const out: Value[] = new Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = filled(value, (b[i] as Vector).length, bytes);
    if (!(await outputs.filled.sendMany(out))) return;
  }
};

/** `size`: the length of each vector, as `u64`. */
export const size: TreatmentRun<'vector', 'size', never> = async ({ inputs, outputs }) => {
  for (;;) {
    const b = await inputs.vector.recvMany();
    if (b === END) return;
    const out: Value[] = new Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = (b[i] as Vector).length;
    if (!(await outputs.size.sendMany(out))) return;
  }
};

/**
 * `fit`: per pattern of length n, the next n values as one vector. When values run out
 * mid-vector, that vector is dropped and the treatment ends.
 */
export const fit: TreatmentRun<'value' | 'pattern', 'fitted', never> = async ({ inputs, outputs, generics }) => {
  const bytes = isByte(generics.T);
  const values = new BatchReader(inputs.value);
  for (;;) {
    const b = await inputs.pattern.recvMany();
    if (b === END) return;
    let out: Value[] = [];
    for (let i = 0; i < b.length; i++) {
      const n = (b[i] as Vector).length;
      const vec: Value[] | Uint8Array = bytes ? new Uint8Array(n) : new Array(n);
      let got = 0;
      while (got < n) {
        if (values.available === 0) {
          // Deliver finished vectors before waiting for more values.
          if (out.length > 0) {
            if (!(await outputs.fitted.sendMany(out))) return;
            out = [];
          }
          if (!(await values.fill())) return;
        }
        const stop = Math.min(n, got + values.available);
        if (bytes) while (got < stop) (vec as Uint8Array)[got++] = values.next() as number;
        else while (got < stop) (vec as Value[])[got++] = values.next();
      }
      out.push(vec);
    }
    if (out.length > 0 && !(await outputs.fitted.sendMany(out))) return;
  }
};

/** `resize`: pairs one size (read first) with one vector; truncates or pads with `default`. */
export const resize: TreatmentRun<'vector' | 'size', 'resized', 'default'> = async ({ inputs, outputs, params, generics }) => {
  const bytes = isByte(generics.T);
  const pad = params.default;
  const sizes = new BatchReader(inputs.size);
  const vectors = new BatchReader(inputs.vector);
  for (;;) {
    if (!(await fillBoth(sizes, vectors))) return;
    const n = Math.min(sizes.available, vectors.available);
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const target = sizes.next() as number | bigint;
      out[i] = resized(vectors.next() as Vector, target, pad, bytes);
    }
    if (!(await outputs.resized.sendMany(out))) return;
  }
};

function resized(v: Vector, target: number | bigint, pad: Value, bytes: boolean): Vector {
  if (typeof target === 'bigint' || target > 0xffffffff) {
    throw new Error(`resize: cannot build a vector of ${target} elements`);
  }
  if (target === v.length) return v;
  if (target < v.length) return v.slice(0, target);
  if (bytes || v instanceof Uint8Array) {
    const u = new Uint8Array(target);
    u.set(v as ArrayLike<number>);
    return u.fill(pad as number, v.length);
  }
  const a: Value[] = new Array(target);
  for (let i = 0; i < v.length; i++) a[i] = v[i];
  for (let i = v.length; i < target; i++) a[i] = pad;
  return a;
}
