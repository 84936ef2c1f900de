/**
 * Behaviours of the `std/flow` treatments that route whole streams:
 * forwarding, merging, selecting and gating. Each works per batch; the ones that read
 * two inputs element by element use {@link BatchReader}s so that only batch boundaries
 * cost a promise.
 */
import { END, type TreatmentRun, type Value } from '@tutti/core';
import { BatchReader, fillBoth, forward, signal } from './batch.js';

/** `chain`: all of `first`, then all of `second`. */
export const chain: TreatmentRun<'first' | 'second', 'chained', never> = async ({ inputs, outputs }) => {
  if (!(await forward(inputs.first, outputs.chained))) return;
  await forward(inputs.second, outputs.chained);
};

/** `merge`: both inputs forwarded concurrently, batch by batch; stops when the output is gone. */
export const merge: TreatmentRun<'a' | 'b', 'value', never> = async ({ inputs, outputs }) => {
  const gone = signal();
  const pump = async (input: typeof inputs.a): Promise<void> => {
    if (!(await forward(input, outputs.value))) gone.fire();
  };
  // A pending receive on the other input is not woken when it is closed, hence the race.
  await Promise.race([Promise.all([pump(inputs.a), pump(inputs.b)]), gone.promise]);
};

/** `arrange`: per `select` value, the next value of `a` (true) or `b` (false). */
export const arrange: TreatmentRun<'a' | 'b' | 'select', 'value', never> = async ({ inputs, outputs }) => {
  const a = new BatchReader(inputs.a);
  const b = new BatchReader(inputs.b);
  for (;;) {
    const sel = await inputs.select.recvMany();
    if (sel === END) return;
    let out: Value[] = [];
    for (let i = 0; i < sel.length; i++) {
      const from = sel[i] === true ? a : b;
      if (from.available === 0) {
        // Hand over what is ready before waiting, so a consumer is never kept waiting on us.
        if (out.length > 0) {
          if (!(await outputs.value.sendMany(out))) return;
          out = [];
        }
        if (!(await from.fill())) return;
      }
      out.push(from.next());
    }
    if (out.length > 0 && !(await outputs.value.sendMany(out))) return;
  }
};

/** `fill`: one `value` per pattern element. */
export const fill: TreatmentRun<'pattern', 'filled', 'value'> = async ({ inputs, outputs, params }) => {
  const value = params.value;
  for (;;) {
    const b = await inputs.pattern.recvMany();
    if (b === END) return;
    const n = b.length;
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = value;
    if (!(await outputs.filled.sendMany(out))) return;
  }
};

/** `filter`: routes each value by the matching `select`; stops when both outputs are gone. */
export const filter: TreatmentRun<'value' | 'select', 'accepted' | 'rejected', never> = async ({ inputs, outputs }) => {
  const { accepted, rejected } = outputs;
  const values = new BatchReader(inputs.value);
  const select = new BatchReader(inputs.select);
  while (accepted.usable || rejected.usable) {
    if (!(await fillBoth(values, select))) return;
    const n = Math.min(values.available, select.available);
    const acc: Value[] = [];
    const rej: Value[] = [];
    for (let i = 0; i < n; i++) {
      const v = values.next();
      if (select.next() === true) acc.push(v);
      else rej.push(v);
    }
    // Sent concurrently: one consumer may be waiting for the other's values.
    const sends: Promise<boolean>[] = [];
    if (acc.length > 0) sends.push(accepted.sendMany(acc));
    if (rej.length > 0) sends.push(rejected.sendMany(rej));
    await Promise.all(sends);
  }
};

/** `fit`: one value per pattern element, until either runs out (rule Z). */
export const fit: TreatmentRun<'value' | 'pattern', 'fitted', never> = async ({ inputs, outputs }) => {
  const values = new BatchReader(inputs.value);
  const pattern = new BatchReader(inputs.pattern);
  for (;;) {
    if (!(await fillBoth(values, pattern))) return;
    const n = Math.min(values.available, pattern.available);
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = values.next();
      pattern.next();
    }
    if (!(await outputs.fitted.sendMany(out))) return;
  }
};

/** `insert`: forwards the stream and slips the block value in when it arrives. */
export const insert: TreatmentRun<'stream' | 'block', 'output', never> = async ({ inputs, outputs }) => {
  const gone = signal();
  const stream = async (): Promise<void> => {
    if (!(await forward(inputs.stream, outputs.output))) gone.fire();
  };
  const block = async (): Promise<void> => {
    const v = await inputs.block.recvOne();
    if (v !== END && !(await outputs.output.sendOne(v))) gone.fire();
  };
  await Promise.race([Promise.all([stream(), block()]), gone.promise]);
};

/** `consume`: reads and discards until the end. */
export const consume: TreatmentRun<'stream', never, never> = async ({ inputs }) => {
  const input = inputs.stream;
  input.releasesBatches?.();
  while ((await input.recvMany()) !== END) {
    // Discarded: draining is the point.
  }
};

/** `pass`: everything when `cond`, otherwise `passed` closes at once. */
export const pass: TreatmentRun<'stream', 'passed', 'cond'> = async ({ inputs, outputs, params }) => {
  if (params.cond !== true) {
    outputs.passed.close();
    return;
  }
  await forward(inputs.stream, outputs.passed);
};

/** `barrier`: waits for `leverage`; forwards the stream only when it is `true`. */
export const barrier: TreatmentRun<'leverage' | 'stream', 'passed', never> = async ({ inputs, outputs }) => {
  const leverage = await inputs.leverage.recvOne();
  if (leverage !== true) {
    outputs.passed.close();
    return;
  }
  await forward(inputs.stream, outputs.passed);
};

/** `cut`: forwards until a `cut` value arrives; a `cut` closing empty changes nothing. */
export const cut: TreatmentRun<'cut' | 'stream', 'passed', never> = async ({ inputs, outputs }) => {
  const cutting = signal();
  const watch = async (): Promise<void> => {
    if ((await inputs.cut.recvOne()) === END) return;
    cutting.fire();
    outputs.passed.close();
  };
  const watched = watch();
  await Promise.race([forward(inputs.stream, outputs.passed, cutting.fired), cutting.promise]);
  // When the stream ended first, the watcher's pending receive ends with the inputs.
  if (cutting.fired()) await watched;
};

/** `release`: waits for `leverage`, then forwards `data`; nothing when it closes empty. */
export const release: TreatmentRun<'leverage' | 'data', 'released', never> = async ({ inputs, outputs }) => {
  if ((await inputs.leverage.recvOne()) === END) {
    outputs.released.close();
    return;
  }
  await forward(inputs.data, outputs.released);
};
