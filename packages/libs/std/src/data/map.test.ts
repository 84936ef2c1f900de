import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coreType, type FunctionDescriptor, optionType, type TreatmentDescriptor, vecType } from '@tutti/core';
import { readsWithoutConsumers, runTreatment, typeOf } from '@tutti/engine/testing';
import { dataMap } from './map.js';
import { MapValue } from './map-value.js';
import { StringMapValue } from './string-map-value.js';

const stream = 'std/data/map';
const block = 'std/data/map/block';
const dataTypes = { Map: 'std/data/map::Map', StringMap: 'std/data/string_map::StringMap' };
const u8 = coreType('u8');
const str = coreType('string');

function t(area: string, name: string): TreatmentDescriptor {
  const d = dataMap.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d, `${area}::${name}`);
  return d as TreatmentDescriptor;
}

function call(name: string, args: unknown[], generic?: string): unknown {
  const d = dataMap.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `|${name}`);
  return d.impl(args, generic === undefined ? {} : { T: typeOf(generic, dataTypes) });
}

/** The entries of a map as [key, value, type text] triples, in order. */
function dump(m: unknown): [string, unknown, string][] {
  assert.ok(m instanceof MapValue);
  return [...m].map(([k, e]) => [k, e.value, e.type.kind === 'core' ? e.type.name : e.type.kind]);
}

/** {@link dump} of every value an output received. */
function dumps(values: unknown[] | undefined) {
  return (values ?? []).map(dump);
}

describe('MapValue', () => {
  test('keeps each value with its type, in insertion order', () => {
    const m = MapValue.entry('a', 1, u8).with('b', 'x', str).with('a', 2, coreType('i64'));
    assert.deepEqual(dump(m), [
      ['a', 2, 'i64'],
      ['b', 'x', 'string'],
    ]);
    assert.equal(m.size, 2);
    assert.equal(m.has('b'), true);
    assert.equal(m.get('c'), undefined);
  });

  test('is immutable: with and merge return copies', () => {
    const base = MapValue.entry('a', 1, u8);
    const next = base.with('b', 2, u8);
    assert.deepEqual(dump(base), [['a', 1, 'u8']]);
    assert.equal(next.size, 2);
    const merged = base.merge(MapValue.entry('a', 3, u8));
    assert.deepEqual(dump(base), [['a', 1, 'u8']]);
    assert.deepEqual(dump(merged), [['a', 3, 'u8']]);
  });

  test('getAs answers none on a type mismatch', () => {
    const m = MapValue.from([
      ['n', { value: 1, type: u8 }],
      ['v', { value: [1], type: vecType(u8) }],
      ['o', { value: null, type: optionType(u8) }],
    ]);
    assert.equal(m.getAs('n', u8), 1);
    assert.equal(m.getAs('n', coreType('u16')), null);
    assert.equal(m.getAs('n', coreType('byte')), null);
    assert.deepEqual(m.getAs('v', vecType(u8)), [1]);
    assert.equal(m.getAs('v', vecType(coreType('i8'))), null);
    assert.equal(m.getAs('missing', u8), null);
  });

  test('equals compares keys, types and values, not order', () => {
    const a = MapValue.entry('x', 1, u8).with('y', [1, 2], vecType(u8));
    const b = MapValue.entry('y', [1, 2], vecType(u8)).with('x', 1, u8);
    assert.equal(a.equals(b), true);
    assert.equal(a.equals(MapValue.entry('x', 1, u8)), false);
    assert.equal(MapValue.entry('x', 1, u8).equals(MapValue.entry('x', 1, coreType('u16'))), false);
    assert.equal(MapValue.entry('x', 1, u8).equals(MapValue.entry('x', 2, u8)), false);
    assert.equal(MapValue.entry('x', 1, u8).equals(MapValue.entry('z', 1, u8)), false);
    assert.equal(MapValue.entry('f', Number.NaN, coreType('f64')).equals(MapValue.entry('f', Number.NaN, coreType('f64'))), false);
    assert.equal(MapValue.empty.equals(MapValue.from([])), true);
    assert.equal(MapValue.empty.equals(StringMapValue.empty), false);
  });

  test('display dumps keys and values with their Display text', () => {
    const inner = StringMapValue.from({ k: 'v' });
    const m = MapValue.entry('n', 1, u8)
      .with('s', 'x "y"', str)
      .with('b', 42, coreType('byte'))
      .with('f', Math.fround(0.1), coreType('f32'))
      .with('o', [1, null], vecType(optionType(u8)))
      .with('c', 'c', coreType('char'))
      .with('m', inner, typeOf('StringMap', dataTypes))
      .with('e', MapValue.empty, typeOf('Map', dataTypes))
      .with('l\n', ['a\nb'], vecType(str));
    assert.equal(
      m.display(),
      '{"n": 1, "s": "x \\"y\\"", "b": 0x2a, "f": 0.1, "o": [1, _], "c": \'c\', "m": {"k": "v"}, "e": {}, "l\\n": ["a\\nb"]}',
    );
    assert.equal(MapValue.empty.display(), '{}');
  });
});

describe('std/data/map functions', () => {
  test('|map merges left to right, later keys overwrite', () => {
    const m = call('map', [[MapValue.entry('a', 1, u8), MapValue.entry('b', 'x', str), MapValue.entry('a', 2, u8)]]);
    assert.deepEqual(dump(m), [
      ['a', 2, 'u8'],
      ['b', 'x', 'string'],
    ]);
    assert.equal((call('map', [[]]) as MapValue).size, 0);
  });

  test('|entry, |get and |insert', () => {
    const m = call('entry', ['a', 5], 'u32') as MapValue;
    assert.deepEqual(dump(m), [['a', 5, 'u32']]);
    assert.equal(call('get', [m, 'a'], 'u32'), 5);
    assert.equal(call('get', [m, 'a'], 'u64'), null);
    assert.equal(call('get', [m, 'b'], 'u32'), null);
    const n = call('insert', [m, 'b', 'x'], 'string') as MapValue;
    assert.equal(call('get', [n, 'b'], 'string'), 'x');
    assert.equal(m.size, 1);
  });

  test('|get of a nested data type matches by identifier', () => {
    const inner = MapValue.entry('k', 1, u8);
    const m = call('entry', ['inner', inner], 'Map') as MapValue;
    assert.equal(call('get', [m, 'inner'], 'Map'), inner);
    assert.equal(call('get', [m, 'inner'], 'StringMap'), null);
  });
});

describe('std/data/map stream treatments', () => {
  test('entry makes one map per value, keeping the type', async () => {
    const r = await runTreatment(t(stream, 'entry'), {
      generics: { T: 'u8' },
      params: { key: 'k' },
      inputs: { value: { batches: [[1], [2, 3]] } },
    });
    assert.deepEqual(dumps(r.outputs.map), [[['k', 1, 'u8']], [['k', 2, 'u8']], [['k', 3, 'u8']]]);
    const bytes = await runTreatment(t(stream, 'entry'), {
      generics: { T: 'byte' },
      params: { key: 'b' },
      inputs: { value: new Uint8Array([9]) },
    });
    assert.deepEqual(dumps(bytes.outputs.map), [[['b', 9, 'byte']]]);
    assert.deepEqual(await readsWithoutConsumers(t(stream, 'entry'), { value: [1] }, { generics: { T: 'u8' }, params: { key: 'k' } }), {
      value: 1,
    });
  });

  test('get answers none for an absent key and for another type (the treatment checks the type too)', async () => {
    const maps = [MapValue.entry('k', 1, u8), MapValue.entry('k', 1, coreType('i32')), MapValue.empty, MapValue.entry('k', 7, u8)];
    const r = await runTreatment(t(stream, 'get'), {
      generics: { T: 'u8' },
      params: { key: 'k' },
      inputs: { map: { batches: [maps.slice(0, 2), maps.slice(2)] } },
    });
    assert.deepEqual(r.outputs.value, [1, null, null, 7]);
    const empty = await runTreatment(t(stream, 'get'), { generics: { T: 'u8' }, params: { key: 'k' }, inputs: { map: 'closed' } });
    assert.deepEqual(empty.outputs.value, []);
    assert.deepEqual(
      await readsWithoutConsumers(t(stream, 'get'), { map: [MapValue.empty] }, { generics: { T: 'u8' }, params: { key: 'k' } }),
      { map: 1 },
    );
  });

  test('insert is pairwise and ends with the shorter input (rule Z)', async () => {
    const d = t(stream, 'insert');
    const bases = [MapValue.empty, MapValue.entry('a', 'x', str)];
    const r = await runTreatment(d, {
      generics: { T: 'u8' },
      params: { key: 'k' },
      inputs: { base: { batches: [[bases[0]], [bases[1]]] }, value: [1, 2, 3] },
    });
    assert.deepEqual(dumps(r.outputs.map), [
      [['k', 1, 'u8']],
      [
        ['a', 'x', 'string'],
        ['k', 2, 'u8'],
      ],
    ]);
    const short = await runTreatment(d, { generics: { T: 'u8' }, params: { key: 'k' }, inputs: { base: bases, value: [1] } });
    assert.equal(short.outputs.map?.length, 1);
    assert.deepEqual(await readsWithoutConsumers(d, { base: [], value: [1] }, { generics: { T: 'u8' }, params: { key: 'k' } }), {
      base: 0,
      value: 0,
    });
    assert.deepEqual(
      await readsWithoutConsumers(d, { base: [MapValue.empty], value: [1] }, { generics: { T: 'u8' }, params: { key: 'k' } }),
      {
        base: 1,
        value: 1,
      },
    );
  });
});

describe('std/data/map/block treatments', () => {
  test('entry, get and insert emit once, nothing on a missing block (rule B)', async () => {
    const o = { generics: { T: 'string' }, params: { key: 'k' } };
    assert.deepEqual(dumps((await runTreatment(t(block, 'entry'), { ...o, inputs: { value: ['v'] } })).outputs.map), [
      [['k', 'v', 'string']],
    ]);
    assert.deepEqual((await runTreatment(t(block, 'entry'), { ...o, inputs: { value: 'closed' } })).outputs.map, []);
    const m = MapValue.entry('k', 'v', str);
    assert.deepEqual((await runTreatment(t(block, 'get'), { ...o, inputs: { map: [m] } })).outputs.value, ['v']);
    assert.deepEqual((await runTreatment(t(block, 'get'), { ...o, generics: { T: 'char' }, inputs: { map: [m] } })).outputs.value, [null]);
    assert.deepEqual((await runTreatment(t(block, 'get'), { ...o, inputs: { map: 'closed' } })).outputs.value, []);
    const ins = await runTreatment(t(block, 'insert'), { ...o, inputs: { base: [MapValue.entry('a', 1, u8)], value: ['w'] } });
    assert.deepEqual(dumps(ins.outputs.map), [
      [
        ['a', 1, 'u8'],
        ['k', 'w', 'string'],
      ],
    ]);
    assert.deepEqual((await runTreatment(t(block, 'insert'), { ...o, inputs: { base: [m], value: 'closed' } })).outputs.map, []);
    assert.deepEqual((await runTreatment(t(block, 'insert'), { ...o, inputs: { base: 'closed', value: ['w'] } })).outputs.map, []);
  });

  test('merge overwrites base with entries', async () => {
    const base = MapValue.entry('a', 1, u8).with('b', 2, u8);
    const r = await runTreatment(t(block, 'merge'), {
      inputs: { base: [base], entries: [MapValue.entry('b', 'x', str).with('c', 3, u8)] },
    });
    assert.deepEqual(dumps(r.outputs.merged), [
      [
        ['a', 1, 'u8'],
        ['b', 'x', 'string'],
        ['c', 3, 'u8'],
      ],
    ]);
  });

  test('merge emits base unchanged when entries close empty; nothing without base', async () => {
    const base = MapValue.entry('a', 1, u8);
    const noEntries = await runTreatment(t(block, 'merge'), { inputs: { base: [base], entries: 'closed' } });
    assert.deepEqual(noEntries.outputs.merged, [base]);
    assert.equal(noEntries.outputs.merged?.[0], base);
    const noBase = await runTreatment(t(block, 'merge'), { inputs: { base: 'closed', entries: [base] } });
    assert.deepEqual(noBase.outputs.merged, []);
    assert.deepEqual(noBase.closeOrder, ['merged']);
  });
});
