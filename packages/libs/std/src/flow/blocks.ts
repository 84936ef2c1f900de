/**
 * Behaviours of the `std/flow` treatments built on Block inputs. They
 * handle at most a few values, so they use `recvOne`/`sendOne`; rule B (a block input
 * closing empty ends the treatment silently) is the common thread.
 */
import { END, NOT_YET, type TreatmentRun, type Value } from '@tutti/core';
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

/**
 * `emit`: `value` on trigger. When the trigger is there as the treatment starts (a track's
 * source sends it first), it ends without waiting a turn: a track per HTTP request runs
 * several of these, and their awaits were a third of its CPU (see `tryRecvOne`).
 */
export const emit: TreatmentRun<'trigger', 'emit', 'value'> = (ctx) => {
  const input = ctx.inputs.trigger;
  // (Not `?.() ?? NOT_YET`: a trigger's value is `undefined`.)
  const trigger = input.tryRecvOne === undefined ? NOT_YET : input.tryRecvOne();
  if (trigger === NOT_YET) return emitLater(ctx);
  return trigger === END ? undefined : ctx.outputs.emit.sendOne(ctx.params.value);
};

const emitLater: TreatmentRun<'trigger', 'emit', 'value'> = async ({ inputs, outputs, params }) => {
  if ((await inputs.trigger.recvOne()) === END) return;
  await outputs.emit.sendOne(params.value);
};

/** `stream`: the block value as a one-element stream (at once when it is there, as `emit`). */
export const stream: TreatmentRun<'block', 'stream', never> = (ctx) => {
  const input = ctx.inputs.block;
  const v = input.tryRecvOne === undefined ? NOT_YET : input.tryRecvOne();
  if (v === NOT_YET) return streamLater(ctx);
  return v === END ? undefined : ctx.outputs.stream.sendOne(v);
};

const streamLater: TreatmentRun<'block', 'stream', never> = async ({ inputs, outputs }) => {
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
