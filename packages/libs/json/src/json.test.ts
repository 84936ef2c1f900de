import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Batch, FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { readsWithoutConsumers, runTreatment } from '@tutti/engine/testing';
import { jsonElements } from './json.js';
import type { JsonValue } from './json-value.js';

/** Batches read from `input` (repeating `batch`) with every output unconnected (rule C probe). */
const readsOf = async (d: TreatmentDescriptor, input: string, batch: Batch, o: Parameters<typeof readsWithoutConsumers>[2] = {}) =>
  (await readsWithoutConsumers(d, { [input]: batch }, o))[input];

function t(name: string): TreatmentDescriptor {
  const d = jsonElements.find((e) => e.kind === 'treatment' && e.name === name);
  assert.ok(d, name);
  return d as TreatmentDescriptor;
}

/** Compact texts of Option<Json> values (none as null). */
function texts(values: unknown[] | undefined): (string | null)[] {
  return (values ?? []).map((v) => (v === null ? null : (v as JsonValue).toString()));
}

describe('|to_json', () => {
  const toJson = jsonElements.find((e) => e.kind === 'function' && e.name === 'to_json') as FunctionDescriptor;
  test('some(Json) or none', () => {
    assert.ok(toJson.impl);
    assert.equal((toJson.impl([' {"b":1,"a":[1.0]} '], {}) as JsonValue).toString(), '{"a":[1.0],"b":1}');
    assert.equal(toJson.impl(['{"open": '], {}), null);
    assert.equal(toJson.impl(['"\\ud800"'], {}), null);
    assert.equal(toJson.impl(['1e400'], {}), null);
    assert.equal(toJson.impl([`${'['.repeat(128)}${']'.repeat(128)}`], {}), null);
  });
});

describe('toJson', () => {
  test('one value on each output per input, in order, across batches', async () => {
    const r = await runTreatment(t('toJson'), { inputs: { text: { batches: [['{}', 'x'], ['[1, 2.0]'], ['', '18446744073709551616']] } } });
    assert.deepEqual(texts(r.outputs.json), ['{}', null, '[1,2.0]', null, '1.8446744073709552e19']);
    assert.deepEqual(r.outputs.error, [
      null,
      'expected value at line 1 column 1',
      null,
      'EOF while parsing a value at line 1 column 0',
      null,
    ]);
    assert.equal(r.error, undefined);
  });

  test('output batches follow input batches', async () => {
    const r = await runTreatment(t('toJson'), { inputs: { text: { batches: [['1', '2'], ['3']] } } });
    assert.deepEqual(
      r.batches.json?.map((b) => b.length),
      [2, 1],
    );
  });

  test('a large batch goes out in slices of at most 512, in order', async () => {
    const input = Array.from({ length: 1300 }, (_, k) => (k % 100 === 99 ? '{' : String(k)));
    const r = await runTreatment(t('toJson'), { inputs: { text: input } });
    assert.deepEqual(
      r.batches.json?.map((b) => b.length),
      [512, 512, 276],
    );
    assert.deepEqual(
      r.batches.error?.map((b) => b.length),
      [512, 512, 276],
    );
    assert.deepEqual(
      texts(r.outputs.json),
      input.map((s) => (s === '{' ? null : s)),
    );
    assert.equal(r.outputs.error?.filter((e) => e !== null).length, 13);
  });

  test('empty stream: both outputs close without values', async () => {
    const r = await runTreatment(t('toJson'), { inputs: { text: [] } });
    assert.deepEqual(r.outputs.json, []);
    assert.deepEqual(r.outputs.error, []);
    assert.deepEqual([...r.closeOrder].sort(), ['error', 'json']);
  });

  test('rule C: keeps going while one output is used, stops when both are gone', async () => {
    const onlyErrors = await runTreatment(t('toJson'), {
      inputs: { text: { batches: [['x'], ['1'], ['y']] } },
      outputs: { json: { unconnected: true } },
    });
    assert.deepEqual(onlyErrors.outputs.error, ['expected value at line 1 column 1', null, 'expected value at line 1 column 1']);
    assert.equal(await readsOf(t('toJson'), 'text', ['1', 'x']), 1);
  });

  test('rule C: a consumer that takes one value ends the other output too once both are gone', async () => {
    const r = await runTreatment(t('toJson'), {
      inputs: { text: { batches: [['1'], ['2'], ['3']] } },
      outputs: { json: { take: 1 }, error: { take: 1 } },
    });
    assert.deepEqual(texts(r.outputs.json), ['1']);
    assert.deepEqual(r.outputs.error, [null]);
  });
});

describe('validate', () => {
  test('whether each string is JSON, with the same limits as |to_json', async () => {
    const inputs = [
      '{}',
      'nope',
      '[1, 2]',
      '{"open": ',
      '"\\udc00"',
      '1e400',
      '1e-400',
      ' null ',
      `${'['.repeat(127)}${']'.repeat(127)}`,
      `${'['.repeat(128)}${']'.repeat(128)}`,
    ];
    const r = await runTreatment(t('validate'), { inputs: { text: { batches: [inputs.slice(0, 4), inputs.slice(4)] } } });
    assert.deepEqual(r.outputs.is_json, [true, false, true, false, false, false, true, true, true, false]);
  });

  test('rule C: stops when nobody listens', async () => {
    assert.equal(await readsOf(t('validate'), 'text', ['1']), 1);
    const one = await runTreatment(t('validate'), {
      inputs: { text: { batches: [['1'], ['x'], ['2']] } },
      outputs: { is_json: { take: 1 } },
    });
    assert.deepEqual(one.outputs.is_json, [true]);
  });
});
