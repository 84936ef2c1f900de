/**
 * Behaviours of the `std/flow` treatments built on Block inputs. They
 * handle at most a few values, so they use `recvOne`/`sendOne`; rule B (a block input
 * closing empty ends the treatment silently) is the common thread.
 */
import { END, type TreatmentRun, type Value } from '@tutti/core';
import { bothBlocks } from './batch.js';

/** `check`: `check` when `value` arrives. */
export const check: TreatmentRun<'value', 'check', never> = async ({ inputs, outputs }) => {
  if ((await inputs.value.recvOne()) === END) return;
  await outputs.check.sendOne(undefined);
};

/** `uncheck`: `uncheck` only when `value` closes without a value. */
export const uncheck: TreatmentRun<'value', 'uncheck', never> = async ({ inputs, outputs }) => {
  if ((await inputs.value.recvOne()) !== END) return;
  await outputs.uncheck.sendOne(undefined);
};

/** `emit`: `value` on trigger. */
export const emit: TreatmentRun<'trigger', 'emit', 'value'> = async ({ inputs, outputs, params }) => {
  if ((await inputs.trigger.recvOne()) === END) return;
  await outputs.emit.sendOne(params.value);
};

/** `stream`: the block value as a one-element stream. */
export const stream: TreatmentRun<'block', 'stream', never> = async ({ inputs, outputs }) => {
  const v = await inputs.block.recvOne();
  if (v === END) return;
  await outputs.stream.sendOne(v);
};

/** `filterBlock`: routes `value` by `select` once both arrived (rule B). */
export const filterBlock: TreatmentRun<'value' | 'select', 'accepted' | 'rejected', never> = async ({ inputs, outputs }) => {
  const both = await bothBlocks(inputs.value, inputs.select);
  if (both === END) return;
  const [value, select] = both;
  await (select === true ? outputs.accepted : outputs.rejected).sendOne(value);
};

/** `flock`: each block value as it arrives, in arrival order. */
export const flock: TreatmentRun<'a' | 'b', 'stream', never> = async ({ inputs, outputs }) => {
  const relay = async (input: typeof inputs.a): Promise<void> => {
    const v = await input.recvOne();
    if (v !== END) await outputs.stream.sendOne(v);
  };
  await Promise.all([relay(inputs.a), relay(inputs.b)]);
};

/** `one`: the first value to arrive from `a` or `b`; empty only when both close empty. */
export const one: TreatmentRun<'a' | 'b', 'value', never> = async ({ inputs, outputs }) => {
  const a = inputs.a.recvOne().then((v) => ({ v, other: 'b' as const }));
  const b = inputs.b.recvOne().then((v) => ({ v, other: 'a' as const }));
  const first = await Promise.race([a, b]);
  let v: Value = first.v;
  if (v === END) v = (await (first.other === 'a' ? a : b)).v;
  if (v === END) return;
  // The other input is not read any further; it closes when the treatment ends.
  await outputs.value.sendOne(v);
};

/** `close`: `closed` closes at once, without waiting for `trigger`. */
export const close: TreatmentRun<'trigger', 'closed', never> = async ({ outputs }) => {
  outputs.closed.close();
};

/** `closeBlock`: the block `closed` closes at once, without waiting for `trigger`. */
export const closeBlock: TreatmentRun<'trigger', 'closed', never> = async ({ outputs }) => {
  outputs.closed.close();
};

/** `passBlock`: the block when `cond`, otherwise `passed` closes at once. */
export const passBlock: TreatmentRun<'block', 'passed', 'cond'> = async ({ inputs, outputs, params }) => {
  if (params.cond !== true) {
    outputs.passed.close();
    return;
  }
  const v = await inputs.block.recvOne();
  if (v === END) return;
  await outputs.passed.sendOne(v);
};

/** `releaseBlock`: waits for `leverage`, then forwards the `data` block. */
export const releaseBlock: TreatmentRun<'leverage' | 'data', 'released', never> = async ({ inputs, outputs }) => {
  if ((await inputs.leverage.recvOne()) === END) {
    outputs.released.close();
    return;
  }
  const v = await inputs.data.recvOne();
  if (v === END) return;
  await outputs.released.sendOne(v);
};

/** `waitBlock`: `awaited` once both `a` and `b` delivered; never if either closes empty. */
export const waitBlock: TreatmentRun<'a' | 'b', 'awaited', never> = async ({ inputs, outputs }) => {
  if ((await bothBlocks(inputs.a, inputs.b)) === END) return;
  await outputs.awaited.sendOne(undefined);
};
