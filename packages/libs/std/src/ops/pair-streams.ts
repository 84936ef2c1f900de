/**
 * The pairwise stream loop (libraries spec §1.4, rule Z) shared by the two-input stream
 * treatments of `std/ops/vec`, `std/data/map` and `std/data/string_map`.
 *
 * The reference reads one value of `a`, then one of `b`, and stops when either ends. This
 * loop reads whole batches instead (one promise per batch, not per value) and pairs as
 * many values as both sides hold; the leftover of the longer batch waits for the next
 * batch of the other side, so at most one batch per input is held. What a reader can
 * observe is the same: `a` is read before `b` whenever both are empty, the outputs are
 * the same pairs in the same order, and the loop ends at the first end of either input.
 */
import { type Batch, END, type InputPort, type OutputPort, type Value } from '@tutti/core';

/**
 * Sends `combine(a[i], b[i])` for every pair of values of `a` and `b` on `out`, until
 * either input ends or `out` has no consumer left (rule C).
 *
 * @example
 * ```ts
 * await pairStreams(inputs.first, inputs.second, outputs.concatened, (x, y) => concatVec(x, y));
 * ```
 */
export async function pairStreams(a: InputPort, b: InputPort, out: OutputPort, combine: (x: Value, y: Value) => Value): Promise<void> {
  let bufA: Batch = [];
  let bufB: Batch = [];
  let ia = 0;
  let ib = 0;
  for (;;) {
    if (ia >= bufA.length) {
      const r = await a.recvMany();
      if (r === END) return;
      bufA = r;
      ia = 0;
    }
    if (ib >= bufB.length) {
      const r = await b.recvMany();
      if (r === END) return;
      bufB = r;
      ib = 0;
    }
    const n = Math.min(bufA.length - ia, bufB.length - ib);
    const result: Value[] = new Array(n);
    for (let i = 0; i < n; i++) result[i] = combine(bufA[ia + i], bufB[ib + i]);
    ia += n;
    ib += n;
    if (!(await out.sendMany(result))) return;
  }
}
