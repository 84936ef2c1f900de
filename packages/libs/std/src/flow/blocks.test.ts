import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, NOT_YET, type TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { flow } from '../flow.js';

const d = (name: string): TreatmentDescriptor => {
  const found = flow.find((e) => e.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};
const T = { T: 'string' };

test('check emits when the value arrives, not when it closes empty', async () => {
  const r = await runTreatment(d('check'), { generics: T, inputs: { value: ['a'] } });
  assert.deepEqual(r.outputs.check, [undefined]);
  const e = await runTreatment(d('check'), { generics: T, inputs: { value: [] } });
  assert.deepEqual(e.outputs.check, []);
});

test('uncheck emits only when the value closes empty', async () => {
  const r = await runTreatment(d('uncheck'), { generics: T, inputs: { value: ['a'] } });
  assert.deepEqual(r.outputs.uncheck, []);
  const e = await runTreatment(d('uncheck'), { generics: T, inputs: { value: [] } });
  assert.deepEqual(e.outputs.uncheck, [undefined]);
});

test('emit sends its value on trigger (rule B otherwise)', async () => {
  const r = await runTreatment(d('emit'), { generics: { T: 'u64' }, params: { value: 2n ** 64n - 1n }, inputs: { trigger: [undefined] } });
  assert.deepEqual(r.outputs.emit, [2n ** 64n - 1n]);
  const e = await runTreatment(d('emit'), { generics: T, params: { value: 'x' }, inputs: { trigger: [] } });
  assert.deepEqual(e.outputs.emit, []);
});

test('emit and stream give the same whether their input is there when they start or comes later', async () => {
  // Ports as the engine's behave: `tryRecvOne` gives a value already there (the path
  // without waiting), NOT_YET before it comes (the waiting path through `recvOne`).
  for (const [name, input, output, value] of [
    ['emit', 'trigger', 'emit', undefined],
    ['stream', 'block', 'stream', 'v'],
  ] as const) {
    for (const early of [true, false]) {
      for (const closes of [false, true]) {
        const queue: unknown[] = closes ? [] : [value];
        let there = early;
        let arrive = () => {};
        const arrived = new Promise<void>((r) => {
          arrive = r;
        });
        const take = () => (queue.length > 0 ? queue.shift() : END);
        const port = {
          name: input,
          tryRecvOne: () => (there ? take() : NOT_YET),
          recvOne: async () => {
            await arrived;
            return take();
          },
        };
        const got: unknown[] = [];
        const out = { name: output, sendOne: async (v: unknown) => got.push(v) > 0 };
        const ctx = { inputs: { [input]: port }, outputs: { [output]: out }, params: { value: 'x' } } as unknown as Parameters<
          NonNullable<TreatmentDescriptor['run']>
        >[0];
        const running = Promise.resolve(d(name).run?.(ctx));
        there = true;
        arrive();
        await running;
        const expected = closes ? [] : [name === 'emit' ? 'x' : 'v'];
        assert.deepEqual(got, expected, `${name}, input ${early ? 'there first' : 'later'}${closes ? ', closed empty' : ''}`);
      }
    }
  }
});

test('stream re-emits the block value as a stream', async () => {
  const r = await runTreatment(d('stream'), { generics: T, inputs: { block: ['v'] } });
  assert.deepEqual(r.outputs.stream, ['v']);
  const e = await runTreatment(d('stream'), { generics: T, inputs: { block: [] } });
  assert.deepEqual(e.outputs.stream, []);
});

test('filterBlock routes once both arrived', async () => {
  const a = await runTreatment(d('filterBlock'), { generics: T, inputs: { value: ['v'], select: [true] } });
  assert.deepEqual([a.outputs.accepted, a.outputs.rejected], [['v'], []]);
  const r = await runTreatment(d('filterBlock'), { generics: T, inputs: { value: ['v'], select: [false] } });
  assert.deepEqual([r.outputs.accepted, r.outputs.rejected], [[], ['v']]);
});

test('filterBlock ends as soon as either block closes empty (rule B)', async () => {
  const a = await runTreatment(d('filterBlock'), { generics: T, inputs: { value: [], select: 'open' } });
  assert.deepEqual([a.outputs.accepted, a.outputs.rejected], [[], []]);
  const b = await runTreatment(d('filterBlock'), { generics: T, inputs: { value: 'open', select: [] } });
  assert.deepEqual([b.outputs.accepted, b.outputs.rejected], [[], []]);
});

test('flock emits 0, 1 or 2 values', async () => {
  const r = await runTreatment(d('flock'), { generics: T, inputs: { a: ['a'], b: ['b'] } });
  assert.deepEqual([...(r.outputs.stream as string[])].sort(), ['a', 'b']);
  const one = await runTreatment(d('flock'), { generics: T, inputs: { a: [], b: ['b'] } });
  assert.deepEqual(one.outputs.stream, ['b']);
  const none = await runTreatment(d('flock'), { generics: T, inputs: { a: [], b: [] } });
  assert.deepEqual(none.outputs.stream, []);
});

test('one emits the first value to arrive', async () => {
  const a = await runTreatment(d('one'), { generics: T, inputs: { a: ['a'], b: 'open' } });
  assert.deepEqual(a.outputs.value, ['a']);
  const b = await runTreatment(d('one'), { generics: T, inputs: { a: 'open', b: ['b'] } });
  assert.deepEqual(b.outputs.value, ['b']);
  const both = await runTreatment(d('one'), { generics: T, inputs: { a: ['a'], b: ['b'] } });
  assert.equal(both.outputs.value?.length, 1);
});

test('one waits for the other input when one closes empty, and closes empty if both do', async () => {
  const r = await runTreatment(d('one'), { generics: T, inputs: { a: [], b: ['b'] } });
  assert.deepEqual(r.outputs.value, ['b']);
  const s = await runTreatment(d('one'), { generics: T, inputs: { a: ['a'], b: [] } });
  assert.deepEqual(s.outputs.value, ['a']);
  const e = await runTreatment(d('one'), { generics: T, inputs: { a: [], b: [] } });
  assert.deepEqual(e.outputs.value, []);
});

test('close and closeBlock close at once without waiting for trigger', async () => {
  for (const name of ['close', 'closeBlock']) {
    const r = await runTreatment(d(name), { generics: T, inputs: { trigger: 'open' } });
    assert.deepEqual(r.outputs.closed, [], name);
    assert.deepEqual(r.closeOrder, ['closed'], name);
  }
});

test('passBlock forwards when cond, closes at once otherwise', async () => {
  const r = await runTreatment(d('passBlock'), { generics: T, params: { cond: true }, inputs: { block: ['v'] } });
  assert.deepEqual(r.outputs.passed, ['v']);
  const f = await runTreatment(d('passBlock'), { generics: T, params: { cond: false }, inputs: { block: 'open' } });
  assert.deepEqual(f.outputs.passed, []);
  const e = await runTreatment(d('passBlock'), { generics: T, params: { cond: true }, inputs: { block: [] } });
  assert.deepEqual(e.outputs.passed, []);
});

test('releaseBlock forwards data after leverage', async () => {
  const r = await runTreatment(d('releaseBlock'), { generics: T, inputs: { leverage: [undefined], data: ['v'] } });
  assert.deepEqual(r.outputs.released, ['v']);
  const e = await runTreatment(d('releaseBlock'), { generics: T, inputs: { leverage: [], data: 'open' } });
  assert.deepEqual(e.outputs.released, []);
  const n = await runTreatment(d('releaseBlock'), { generics: T, inputs: { leverage: [undefined], data: [] } });
  assert.deepEqual(n.outputs.released, []);
});

test('waitBlock emits once both delivered, never if either closes empty', async () => {
  const r = await runTreatment(d('waitBlock'), { generics: T, inputs: { a: ['a'], b: ['b'] } });
  assert.deepEqual(r.outputs.awaited, [undefined]);
  const e = await runTreatment(d('waitBlock'), { generics: T, inputs: { a: [], b: 'open' } });
  assert.deepEqual(e.outputs.awaited, []);
  const f = await runTreatment(d('waitBlock'), { generics: T, inputs: { a: 'open', b: [] } });
  assert.deepEqual(f.outputs.awaited, []);
});

test('block treatments end quietly when their output is unconnected', async () => {
  const r = await runTreatment(d('emit'), {
    generics: T,
    params: { value: 'x' },
    inputs: { trigger: [undefined] },
    outputs: { emit: { unconnected: true } },
  });
  assert.equal(r.error, undefined);
  const s = await runTreatment(d('one'), { generics: T, inputs: { a: ['a'], b: 'open' }, outputs: { value: { unconnected: true } } });
  assert.equal(s.error, undefined);
});
