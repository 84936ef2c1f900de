/**
 * `std/data/string_map` and `std/data/string_map/block`: the `StringMap` data type.
 *
 * Values are {@link StringMapValue}s; a missing key reads as none (`null`).
 */
import { dataType, END, fn, registerDataCodec, treatment, type Value } from '@tutti/core';
import { pairKernel, pairwise } from '../ops/op-streams.js';
import { StringMapValue } from './string-map-value.js';

const area = 'std/data/string_map';
const block = 'std/data/string_map/block';

/** `map[key]` as an `Option<string>` value. */
function lookup(map: Value, key: string): string | null {
  return (map as StringMapValue).get(key) ?? null;
}

// Serialize/Deserialize: the entries as [key, value, key, value, …].
registerDataCodec(`${area}::StringMap`, {
  encode: (v) => [...(v as StringMapValue).entries()].flat(),
  decode: (w) => {
    if (!Array.isArray(w) || w.length % 2 !== 0 || !w.every((x) => typeof x === 'string')) throw new Error('not a StringMap');
    const entries: [string, string][] = [];
    for (let i = 0; i < w.length; i += 2) entries.push([w[i] as string, w[i + 1] as string]);
    return StringMapValue.from(entries);
  },
});

export const dataStringMap = [
  // No `Display` trait: a `StringMap` cannot satisfy `D: Display`.
  dataType(area, 'StringMap', {
    traits: 'Serialize Deserialize PartialEquality Equality',
    doc: 'Map from `string` keys to `string` values.',
  }),
  fn(area, 'map', {
    params: 'entries: Vec<StringMap>',
    returns: 'StringMap',
    doc: 'Merges the given maps left to right (later keys overwrite).',
    impl: ([entries]) => {
      const maps = entries as readonly StringMapValue[];
      let merged = StringMapValue.empty;
      for (let i = 0; i < maps.length; i++) merged = merged.merge(maps[i] as StringMapValue);
      return merged;
    },
  }),
  fn(area, 'entry', {
    params: 'key: string, value: string',
    returns: 'StringMap',
    doc: 'One-entry map.',
    impl: ([key, value]) => StringMapValue.empty.with(key as string, value as string),
  }),
  fn(area, 'get', {
    params: 'map: StringMap, key: string',
    returns: 'Option<string>',
    doc: 'Value for `key`, or none.',
    impl: ([map, key]) => lookup(map, key as string),
  }),
  fn(area, 'insert', {
    params: 'map: StringMap, key: string, value: string',
    returns: 'StringMap',
    doc: 'Copy of `map` with `key` set to `value`.',
    impl: ([map, key, value]) => (map as StringMapValue).with(key as string, value as string),
  }),
  treatment(area, 'entry', {
    params: { key: 'var string' },
    inputs: { value: 'Stream<string>' },
    outputs: { map: 'Stream<StringMap>' },
    doc: 'One single-entry map per value.',
    async run({ inputs, outputs, params }) {
      const key = params.key as string;
      for (;;) {
        const b = await inputs.value.recvMany();
        if (b === END) return;
        const out: Value[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = StringMapValue.empty.with(key, b[i] as string);
        if (!(await outputs.map.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'get', {
    params: { key: 'var string' },
    inputs: { map: 'Stream<StringMap>' },
    outputs: { value: 'Stream<Option<string>>' },
    doc: 'Value for `key` in each map, or none.',
    async run({ inputs, outputs, params }) {
      const key = params.key as string;
      for (;;) {
        const b = await inputs.map.recvMany();
        if (b === END) return;
        const out: Value[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = lookup(b[i], key);
        if (!(await outputs.value.sendMany(out))) return;
      }
    },
  }),
  treatment(area, 'insert', {
    params: { key: 'var string' },
    inputs: { base: 'Stream<StringMap>', value: 'Stream<string>' },
    outputs: { map: 'Stream<StringMap>' },
    doc: 'Pairwise: each `base` map with `key` set to its value.',
    async run({ inputs, outputs, params }) {
      const key = params.key as string;
      await pairwise(
        inputs.base,
        inputs.value,
        outputs.map,
        pairKernel((base, value) => (base as StringMapValue).with(key, value as string)),
      );
    },
  }),
  treatment(block, 'entry', {
    params: { key: 'var string' },
    inputs: { value: 'Block<string>' },
    outputs: { map: 'Block<StringMap>' },
    doc: 'A single-entry map of the value.',
    async run({ inputs, outputs, params }) {
      const value = await inputs.value.recvOne();
      if (value === END) return;
      await outputs.map.sendOne(StringMapValue.empty.with(params.key as string, value as string));
    },
  }),
  treatment(block, 'get', {
    params: { key: 'var string' },
    inputs: { map: 'Block<StringMap>' },
    outputs: { value: 'Block<Option<string>>' },
    doc: 'Value for `key` in the map, or none.',
    async run({ inputs, outputs, params }) {
      const map = await inputs.map.recvOne();
      if (map === END) return;
      await outputs.value.sendOne(lookup(map, params.key as string));
    },
  }),
  treatment(block, 'insert', {
    params: { key: 'var string' },
    inputs: { base: 'Block<StringMap>', value: 'Block<string>' },
    outputs: { map: 'Block<StringMap>' },
    doc: 'The `base` map with `key` set to the value.',
    async run({ inputs, outputs, params }) {
      const base = await inputs.base.recvOne();
      if (base === END) return;
      const value = await inputs.value.recvOne();
      if (value === END) return;
      await outputs.map.sendOne((base as StringMapValue).with(params.key as string, value as string));
    },
  }),
  treatment(block, 'merge', {
    inputs: { base: 'Block<StringMap>', entries: 'Block<StringMap>' },
    outputs: { merged: 'Block<StringMap>' },
    doc: '`base` overwritten by `entries`; `base` unchanged when `entries` closes empty.',
    async run({ inputs, outputs }) {
      // Rule B on `base` only: `entries` may close empty (the map stays as it is).
      const base = await inputs.base.recvOne();
      if (base === END) return;
      const entries = await inputs.entries.recvOne();
      await outputs.merged.sendOne(entries === END ? base : (base as StringMapValue).merge(entries as StringMapValue));
    },
  }),
];
