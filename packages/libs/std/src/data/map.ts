/**
 * `std/data/map` and `std/data/map/block`: the heterogeneous `Map` data type.
 *
 * Values are {@link MapValue}s; each entry stores the generic argument `T` it was inserted
 * with, and every `get` (function and treatments alike; the reference's treatments do not
 * check) answers none when the stored type is not the requested `T`.
 */
import { type DataType, dataType, END, fn, type GenericArgs, treatment, type Value } from '@tutti/core';
import { pairKernel, pairwise } from '../ops/op-streams.js';
import { MapValue } from './map-value.js';

const area = 'std/data/map';
const block = 'std/data/map/block';

/** The generic argument `T` (always given at run time: its absence is an engine bug). */
function typeArg(g: GenericArgs): DataType {
  const t = g.T;
  if (t === undefined) throw new Error('Generic argument "T" is missing');
  return t;
}

export const dataMap = [
  dataType(area, 'Map', {
    traits: 'PartialEquality Serialize Display',
    doc: 'Map from `string` keys to values of any type (each value keeps its own type).',
  }),
  fn(area, 'map', {
    params: 'entries: Vec<Map>',
    returns: 'Map',
    doc: 'Merges the given maps left to right (later keys overwrite).',
    impl: ([entries]) => {
      const maps = entries as readonly MapValue[];
      let merged = MapValue.empty;
      for (let i = 0; i < maps.length; i++) merged = merged.merge(maps[i] as MapValue);
      return merged;
    },
  }),
  fn(area, 'entry', {
    generics: 'T',
    params: 'key: string, value: T',
    returns: 'Map',
    doc: 'One-entry map.',
    impl: ([key, value], g) => MapValue.entry(key as string, value, typeArg(g)),
  }),
  fn(area, 'get', {
    generics: 'T',
    params: 'map: Map, key: string',
    returns: 'Option<T>',
    doc: 'Value for `key` if present and of type `T`, else none.',
    impl: ([map, key], g) => (map as MapValue).getAs(key as string, typeArg(g)),
  }),
  fn(area, 'insert', {
    generics: 'T',
    params: 'map: Map, key: string, value: T',
    returns: 'Map',
    doc: 'Copy of `map` with `key` set to `value`.',
    impl: ([map, key, value], g) => (map as MapValue).with(key as string, value, typeArg(g)),
  }),
  treatment(area, 'entry', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { value: 'Stream<T>' },
    outputs: { map: 'Stream<Map>' },
    doc: 'One single-entry map per value.',
    async run({ inputs, outputs, params, generics }) {
      const key = params.key as string;
      const type = typeArg(generics);
      for (;;) {
        const b = await inputs.value.recvMany();
        if (b === END) return;
        const out: Value[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = MapValue.entry(key, b[i], type);
        if (!(await outputs.map.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'get', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { map: 'Stream<Map>' },
    outputs: { value: 'Stream<Option<T>>' },
    doc: 'Value for `key` in each map (none when absent or of another type).',
    async run({ inputs, outputs, params, generics }) {
      const key = params.key as string;
      const type = typeArg(generics);
      for (;;) {
        const b = await inputs.map.recvMany();
        if (b === END) return;
        const out: Value[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = (b[i] as MapValue).getAs(key, type);
        if (!(await outputs.value.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'insert', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { base: 'Stream<Map>', value: 'Stream<T>' },
    outputs: { map: 'Stream<Map>' },
    doc: 'Pairwise: each `base` map with `key` set to its value.',
    async run({ inputs, outputs, params, generics }) {
      const key = params.key as string;
      const type = typeArg(generics);
      await pairwise(
        inputs.base,
        inputs.value,
        outputs.map,
        pairKernel((base, value) => (base as MapValue).with(key, value, type)),
      );
    },
  }),
  treatment(block, 'entry', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { value: 'Block<T>' },
    outputs: { map: 'Block<Map>' },
    doc: 'A single-entry map of the value.',
    async run({ inputs, outputs, params, generics }) {
      const value = await inputs.value.recvOne();
      if (value === END) return;
      await outputs.map.sendOne(MapValue.entry(params.key as string, value, typeArg(generics)));
    },
  }),
  treatment(block, 'get', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { map: 'Block<Map>' },
    outputs: { value: 'Block<Option<T>>' },
    doc: 'Value for `key` in the map (none when absent or of another type).',
    async run({ inputs, outputs, params, generics }) {
      const map = await inputs.map.recvOne();
      if (map === END) return;
      await outputs.value.sendOne((map as MapValue).getAs(params.key as string, typeArg(generics)));
    },
  }),
  treatment(block, 'insert', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { base: 'Block<Map>', value: 'Block<T>' },
    outputs: { map: 'Block<Map>' },
    doc: 'The `base` map with `key` set to the value.',
    async run({ inputs, outputs, params, generics }) {
      const base = await inputs.base.recvOne();
      if (base === END) return;
      const value = await inputs.value.recvOne();
      if (value === END) return;
      await outputs.map.sendOne((base as MapValue).with(params.key as string, value, typeArg(generics)));
    },
  }),
  treatment(block, 'merge', {
    inputs: { base: 'Block<Map>', entries: 'Block<Map>' },
    outputs: { merged: 'Block<Map>' },
    doc: '`base` overwritten by `entries`; `base` unchanged when `entries` closes empty.',
    async run({ inputs, outputs }) {
      // Rule B on `base` only: `entries` may close empty (the map stays as it is).
      const base = await inputs.base.recvOne();
      if (base === END) return;
      const entries = await inputs.entries.recvOne();
      await outputs.merged.sendOne(entries === END ? base : (base as MapValue).merge(entries as MapValue));
    },
  }),
];
