import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { readsWithoutConsumers, runTreatment, typeOf } from '@tutti/engine/testing';
import { opsOption } from './option.js';

const stream = 'std/ops/option';
const block = 'std/ops/option/block';

function t(area: string, name: string): TreatmentDescriptor {
  const d = opsOption.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d, `${area}::${name}`);
  return d as TreatmentDescriptor;
}

function call(name: string, args: unknown[], generic: string): unknown {
  const d = opsOption.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `|${name}`);
  return d.impl(args, { T: typeOf(generic) });
}

describe('std/ops/option functions', () => {
  test('|unwrap_or gives the inner value, or the default on none only', () => {
    assert.equal(call('unwrap_or', [3, 9], 'u8'), 3);
    assert.equal(call('unwrap_or', [null, 9], 'u8'), 9);
    // Falsy inner values are some, not none.
    assert.equal(call('unwrap_or', [0, 9], 'u8'), 0);
    assert.equal(call('unwrap_or', [false, true], 'bool'), false);
    assert.equal(call('unwrap_or', ['', 'x'], 'string'), '');
    assert.equal(call('unwrap_or', [undefined, undefined], 'void'), undefined);
    assert.equal(call('unwrap_or', [2n ** 64n, 0], 'u128'), 2n ** 64n);
  });

  test('|wrap gives some(value)', () => {
    assert.equal(call('wrap', [7], 'u8'), 7);
    assert.deepEqual(call('wrap', [[1, 2]], 'Vec<u8>'), [1, 2]);
    // some(void) is not none.
    assert.notEqual(call('wrap', [undefined], 'void'), null);
  });
});

describe('std/ops/option stream treatments', () => {
  test('unwrap drops nones and keeps order', async () => {
    const r = await runTreatment(t(stream, 'unwrap'), {
      generics: { T: 'u8' },
      inputs: { option: { batches: [[1, null, 0], [null], [null, 2]] } },
    });
    assert.deepEqual(r.outputs.value, [1, 0, 2]);
    assert.equal(r.error, undefined);
  });

  test('unwrap sends nothing for batches of nones, and handles an empty stream', async () => {
    const nones = await runTreatment(t(stream, 'unwrap'), { generics: { T: 'string' }, inputs: { option: [null, null] } });
    assert.deepEqual(nones.outputs.value, []);
    assert.deepEqual(nones.batches.value, []);
    const empty = await runTreatment(t(stream, 'unwrap'), { generics: { T: 'string' }, inputs: { option: 'closed' } });
    assert.deepEqual(empty.outputs.value, []);
    assert.deepEqual(empty.closeOrder, ['value']);
  });

  test('unwrap keeps some(void) values', async () => {
    const r = await runTreatment(t(stream, 'unwrap'), { generics: { T: 'void' }, inputs: { option: [undefined, null, undefined] } });
    assert.deepEqual(r.outputs.value, [undefined, undefined]);
  });

  test('unwrap stops when its consumer is gone, even on a batch of nones (rule C)', async () => {
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'unwrap'), { option: [1] }, { generics: { T: 'u8' } }), { option: 1 });
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'unwrap'), { option: [null] }, { generics: { T: 'u8' } }), { option: 1 });
    const r = await runTreatment(t(stream, 'unwrap'), {
      generics: { T: 'u8' },
      inputs: { option: { batches: [[1], [2], [3]] } },
      outputs: { value: { take: 1 } },
    });
    assert.deepEqual(r.outputs.value, [1]);
    assert.equal(r.error, undefined);
  });

  test('unwrapOr replaces nones by the default', async () => {
    const r = await runTreatment(t(stream, 'unwrapOr'), {
      generics: { T: 'string' },
      params: { default: 'd' },
      inputs: {
        option: {
          batches: [
            ['a', null],
            [null, 'b'],
          ],
        },
      },
    });
    assert.deepEqual(r.outputs.value, ['a', 'd', 'd', 'b']);
    const empty = await runTreatment(t(stream, 'unwrapOr'), { generics: { T: 'u8' }, params: { default: 1 }, inputs: { option: [] } });
    assert.deepEqual(empty.outputs.value, []);
    assert.deepEqual(
      await readsWithoutConsumers(t(stream, 'unwrapOr'), { option: [null] }, { generics: { T: 'u8' }, params: { default: 1 } }),
      {
        option: 1,
      },
    );
  });

  test('fuse forwards until the first none, then ends', async () => {
    const r = await runTreatment(t(stream, 'fuse'), { generics: { T: 'u8' }, inputs: { option: { batches: [[1], [2, null, 3], [4]] } } });
    assert.deepEqual(r.outputs.value, [1, 2]);
    const first = await runTreatment(t(stream, 'fuse'), { generics: { T: 'u8' }, inputs: { option: [null, 1] } });
    assert.deepEqual(first.outputs.value, []);
    const all = await runTreatment(t(stream, 'fuse'), { generics: { T: 'u8' }, inputs: { option: { batches: [[1, 2], [3]] } } });
    assert.deepEqual(all.outputs.value, [1, 2, 3]);
  });

  test('fuse stops reading at the none and when its consumer is gone', async () => {
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'fuse'), { option: [1, null] }, { generics: { T: 'u8' } }), { option: 1 });
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'fuse'), { option: [1] }, { generics: { T: 'u8' } }), { option: 1 });
  });

  test('wrap forwards every value as some, bytes as a plain array', async () => {
    const r = await runTreatment(t(stream, 'wrap'), { generics: { T: 'u8' }, inputs: { value: { batches: [[1], [2, 3]] } } });
    assert.deepEqual(r.outputs.option, [1, 2, 3]);
    const bytes = await runTreatment(t(stream, 'wrap'), { generics: { T: 'byte' }, inputs: { value: new Uint8Array([7, 8]) } });
    assert.deepEqual(bytes.outputs.option, [7, 8]);
    assert.ok((bytes.batches.option ?? []).every((b) => Array.isArray(b)));
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'wrap'), { value: [1] }, { generics: { T: 'u8' } }), { value: 1 });
  });
});

describe('std/ops/option/block treatments', () => {
  test('unwrap emits some, closes empty on none and on a missing block (rule B)', async () => {
    const d = t(block, 'unwrap');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: [5] } })).outputs.value, [5]);
    const none = await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: [null] } });
    assert.deepEqual(none.outputs.value, []);
    assert.deepEqual(none.closeOrder, ['value']);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: 'closed' } })).outputs.value, []);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'void' }, inputs: { option: [undefined] } })).outputs.value, [undefined]);
  });

  test('unwrapOr emits the default on none, nothing on a missing block', async () => {
    const d = t(block, 'unwrapOr');
    const o = { generics: { T: 'i64' }, params: { default: -1 } };
    assert.deepEqual((await runTreatment(d, { ...o, inputs: { option: [2n ** 62n] } })).outputs.value, [2n ** 62n]);
    assert.deepEqual((await runTreatment(d, { ...o, inputs: { option: [null] } })).outputs.value, [-1]);
    assert.deepEqual((await runTreatment(d, { ...o, inputs: { option: 'closed' } })).outputs.value, []);
  });

  test('wrap emits some(value), nothing on a missing block', async () => {
    const d = t(block, 'wrap');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'string' }, inputs: { value: ['x'] } })).outputs.option, ['x']);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'string' }, inputs: { value: 'closed' } })).outputs.option, []);
  });

  test('map splits some to value and none to the none signal', async () => {
    const d = t(block, 'map');
    const some = await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: [0] } });
    assert.deepEqual(some.outputs, { none: [], value: [0] });
    const none = await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: [null] } });
    assert.deepEqual(none.outputs, { none: [undefined], value: [] });
    const missing = await runTreatment(d, { generics: { T: 'u8' }, inputs: { option: 'closed' } });
    assert.deepEqual(missing.outputs, { none: [], value: [] });
    assert.deepEqual(missing.closeOrder.sort(), ['none', 'value']);
  });

  test('reduce: a value gives some, a none signal gives none', async () => {
    const d = t(block, 'reduce');
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: [4], none: 'closed' } })).outputs.option, [4]);
    assert.deepEqual((await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: 'closed', none: [undefined] } })).outputs.option, [
      null,
    ]);
    // some(void) stays distinct from none.
    assert.deepEqual((await runTreatment(d, { generics: { T: 'void' }, inputs: { value: [undefined], none: 'closed' } })).outputs.option, [
      undefined,
    ]);
  });

  test('reduce takes whichever arrives first, without waiting for the other input', async () => {
    const d = t(block, 'reduce');
    const none = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: 'open', none: [undefined] } });
    assert.deepEqual(none.outputs.option, [null]);
    const value = await runTreatment(d, { generics: { T: 'u8' }, inputs: { value: [9], none: 'open' } });
    assert.deepEqual(value.outputs.option, [9]);
  });

  test('reduce closes empty when both inputs close empty', async () => {
    const r = await runTreatment(t(block, 'reduce'), { generics: { T: 'u8' }, inputs: { value: 'closed', none: 'closed' } });
    assert.deepEqual(r.outputs.option, []);
    assert.deepEqual(r.closeOrder, ['option']);
    assert.equal(r.error, undefined);
  });
});
