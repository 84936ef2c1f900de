import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { readsWithoutConsumers, runTreatment } from '@tutti/engine/testing';
import { dataStringMap } from './string_map.js';
import { StringMapValue } from './string-map-value.js';

const stream = 'std/data/string_map';
const block = 'std/data/string_map/block';

function t(area: string, name: string): TreatmentDescriptor {
  const d = dataStringMap.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d, `${area}::${name}`);
  return d as TreatmentDescriptor;
}

function call(name: string, args: unknown[]): unknown {
  const d = dataStringMap.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `|${name}`);
  return d.impl(args, {});
}

/** The entries of a map, in order. */
function dump(m: unknown): [string, string][] {
  assert.ok(m instanceof StringMapValue);
  return [...m.entries()];
}

/** {@link dump} of every value an output received. */
function dumps(values: unknown[] | undefined) {
  return (values ?? []).map(dump);
}

describe('StringMapValue', () => {
  test('builds from records and entry lists; a repeated key keeps its place and its last value', () => {
    assert.deepEqual(dump(StringMapValue.from({ b: '1', a: '2' })), [
      ['b', '1'],
      ['a', '2'],
    ]);
    assert.deepEqual(
      dump(
        StringMapValue.from([
          ['x', '1'],
          ['y', '2'],
          ['x', '3'],
        ]),
      ),
      [
        ['x', '3'],
        ['y', '2'],
      ],
    );
    assert.equal(StringMapValue.from([]), StringMapValue.empty);
  });

  test('get, has, size, with and merge; values are immutable', () => {
    const m = StringMapValue.from({ a: 'x' });
    const n = m.with('b', 'y').with('a', 'z');
    assert.equal(m.get('a'), 'x');
    assert.equal(m.get('b'), undefined);
    assert.equal(m.has('b'), false);
    assert.deepEqual(dump(n), [
      ['a', 'z'],
      ['b', 'y'],
    ]);
    assert.equal(n.size, 2);
    const merged = m.merge(StringMapValue.from({ c: '1', a: '2' }));
    assert.deepEqual(dump(merged), [
      ['a', '2'],
      ['c', '1'],
    ]);
    assert.deepEqual(dump(m), [['a', 'x']]);
    assert.equal(m.merge(StringMapValue.empty), m);
  });

  test('toRecord gives own properties, even for __proto__', () => {
    const r = StringMapValue.from([['__proto__', 'p']]).toRecord();
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepEqual(Object.keys(r), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, 'p');
  });

  test('equals ignores order and compares every value', () => {
    const a = StringMapValue.from({ x: '1', y: '2' });
    assert.equal(a.equals(StringMapValue.from({ y: '2', x: '1' })), true);
    assert.equal(a.equals(StringMapValue.from({ x: '1', y: '3' })), false);
    assert.equal(a.equals(StringMapValue.from({ x: '1' })), false);
    assert.equal(a.equals(StringMapValue.from({ x: '1', z: '2' })), false);
    assert.equal(a.equals({ x: '1', y: '2' }), false);
  });

  test('display is a one-line dump with Display strings', () => {
    assert.equal(StringMapValue.from({ a: 'x', 'b"c': 'tab\there\u0001' }).display(), '{"a": "x", "b\\"c": "tab\\there\\u{1}"}');
    assert.equal(StringMapValue.from({ text: 'l1\nl2' }).display(), '{"text": "l1\\nl2"}');
    assert.equal(StringMapValue.empty.display(), '{}');
  });
});

describe('std/data/string_map functions', () => {
  test('|map merges left to right', () => {
    const m = call('map', [[StringMapValue.from({ a: '1', b: '2' }), StringMapValue.from({ a: '3' })]]);
    assert.deepEqual(dump(m), [
      ['a', '3'],
      ['b', '2'],
    ]);
    assert.equal((call('map', [[]]) as StringMapValue).size, 0);
  });

  test('|entry, |get and |insert', () => {
    const m = call('entry', ['k', 'v']);
    assert.deepEqual(dump(m), [['k', 'v']]);
    assert.equal(call('get', [m, 'k']), 'v');
    assert.equal(call('get', [m, 'other']), null);
    assert.equal(call('get', [StringMapValue.from({ e: '' }), 'e']), '');
    assert.deepEqual(dump(call('insert', [m, 'k', 'w'])), [['k', 'w']]);
    assert.deepEqual(dump(m), [['k', 'v']]);
  });
});

describe('std/data/string_map stream treatments', () => {
  test('entry makes one map per value', async () => {
    const r = await runTreatment(t(stream, 'entry'), { params: { key: 'k' }, inputs: { value: { batches: [['a'], ['b', '']] } } });
    assert.deepEqual(dumps(r.outputs.map), [[['k', 'a']], [['k', 'b']], [['k', '']]]);
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'entry'), { value: ['a'] }, { params: { key: 'k' } }), { value: 1 });
  });

  test('get looks each map up, none when absent', async () => {
    const maps = [StringMapValue.from({ k: '1' }), StringMapValue.empty, StringMapValue.from({ k: '' })];
    const r = await runTreatment(t(stream, 'get'), {
      params: { key: 'k' },
      inputs: { map: { batches: [maps.slice(0, 1), maps.slice(1)] } },
    });
    assert.deepEqual(r.outputs.value, ['1', null, '']);
    const taken = await runTreatment(t(stream, 'get'), {
      params: { key: 'k' },
      inputs: { map: { batches: [[maps[0]], [maps[1]]] } },
      outputs: { value: { take: 1 } },
    });
    assert.deepEqual(taken.outputs.value, ['1']);
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'get'), { map: [maps[0]] }, { params: { key: 'k' } }), { map: 1 });
  });

  test('insert is pairwise and ends with the shorter input (rule Z)', async () => {
    const d = t(stream, 'insert');
    const r = await runTreatment(d, {
      params: { key: 'k' },
      inputs: { base: { batches: [[StringMapValue.empty, StringMapValue.from({ a: 'x' })]] }, value: { batches: [['1'], ['2', '3']] } },
    });
    assert.deepEqual(dumps(r.outputs.map), [
      [['k', '1']],
      [
        ['a', 'x'],
        ['k', '2'],
      ],
    ]);
    const none = await runTreatment(d, { params: { key: 'k' }, inputs: { base: [StringMapValue.empty], value: 'closed' } });
    assert.deepEqual(none.outputs.map, []);
    assert.deepEqual(await readsWithoutConsumers(d, { base: [], value: ['1'] }, { params: { key: 'k' } }), { base: 0, value: 0 });
    assert.deepEqual(await readsWithoutConsumers(d, { base: [StringMapValue.empty], value: ['1'] }, { params: { key: 'k' } }), {
      base: 1,
      value: 1,
    });
  });
});

describe('std/data/string_map/block treatments', () => {
  test('entry, get and insert emit once, nothing on a missing block (rule B)', async () => {
    const o = { params: { key: 'k' } };
    assert.deepEqual(dumps((await runTreatment(t(block, 'entry'), { ...o, inputs: { value: ['v'] } })).outputs.map), [[['k', 'v']]]);
    assert.deepEqual((await runTreatment(t(block, 'entry'), { ...o, inputs: { value: 'closed' } })).outputs.map, []);
    const m = StringMapValue.from({ k: 'v' });
    assert.deepEqual((await runTreatment(t(block, 'get'), { ...o, inputs: { map: [m] } })).outputs.value, ['v']);
    assert.deepEqual((await runTreatment(t(block, 'get'), { params: { key: 'x' }, inputs: { map: [m] } })).outputs.value, [null]);
    assert.deepEqual((await runTreatment(t(block, 'get'), { ...o, inputs: { map: 'closed' } })).outputs.value, []);
    const ins = await runTreatment(t(block, 'insert'), { ...o, inputs: { base: [StringMapValue.from({ a: '1' })], value: ['w'] } });
    assert.deepEqual(dumps(ins.outputs.map), [
      [
        ['a', '1'],
        ['k', 'w'],
      ],
    ]);
    assert.deepEqual((await runTreatment(t(block, 'insert'), { ...o, inputs: { base: [m], value: 'closed' } })).outputs.map, []);
    assert.deepEqual((await runTreatment(t(block, 'insert'), { ...o, inputs: { base: 'closed', value: ['w'] } })).outputs.map, []);
  });

  test('merge overwrites base with entries', async () => {
    const r = await runTreatment(t(block, 'merge'), {
      inputs: { base: [StringMapValue.from({ a: '1', b: '2' })], entries: [StringMapValue.from({ b: '3', c: '4' })] },
    });
    assert.deepEqual(dumps(r.outputs.merged), [
      [
        ['a', '1'],
        ['b', '3'],
        ['c', '4'],
      ],
    ]);
  });

  test('merge emits base unchanged when entries close empty; nothing without base', async () => {
    const base = StringMapValue.from({ a: '1' });
    const noEntries = await runTreatment(t(block, 'merge'), { inputs: { base: [base], entries: 'closed' } });
    assert.equal(noEntries.outputs.merged?.length, 1);
    assert.equal(noEntries.outputs.merged?.[0], base);
    const noBase = await runTreatment(t(block, 'merge'), { inputs: { base: 'closed', entries: [base] } });
    assert.deepEqual(noBase.outputs.merged, []);
    assert.deepEqual(noBase.closeOrder, ['merged']);
  });
});
