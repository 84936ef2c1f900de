/** `std/data/string_map` and `std/data/string_map/block` (libraries spec §3.15): the `StringMap` data type. */
import { dataType, fn, treatment } from '@tutti/core';

const area = 'std/data/string_map';
const block = 'std/data/string_map/block';

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
  }),
  fn(area, 'entry', { params: 'key: string, value: string', returns: 'StringMap', doc: 'One-entry map.' }),
  fn(area, 'get', {
    params: 'map: StringMap, key: string',
    returns: 'Option<string>',
    doc: 'Value for `key`, or none.',
  }),
  fn(area, 'insert', {
    params: 'map: StringMap, key: string, value: string',
    returns: 'StringMap',
    doc: 'Copy of `map` with `key` set to `value`.',
  }),
  treatment(area, 'entry', {
    params: { key: 'var string' },
    inputs: { value: 'Stream<string>' },
    outputs: { map: 'Stream<StringMap>' },
    doc: 'One single-entry map per value.',
  }),
  treatment(area, 'get', {
    params: { key: 'var string' },
    inputs: { map: 'Stream<StringMap>' },
    outputs: { value: 'Stream<Option<string>>' },
    doc: 'Value for `key` in each map, or none.',
  }),
  treatment(area, 'insert', {
    params: { key: 'var string' },
    inputs: { base: 'Stream<StringMap>', value: 'Stream<string>' },
    outputs: { map: 'Stream<StringMap>' },
    doc: 'Pairwise: each `base` map with `key` set to its value.',
  }),
  treatment(block, 'entry', {
    params: { key: 'var string' },
    inputs: { value: 'Block<string>' },
    outputs: { map: 'Block<StringMap>' },
    doc: 'A single-entry map of the value.',
  }),
  treatment(block, 'get', {
    params: { key: 'var string' },
    inputs: { map: 'Block<StringMap>' },
    outputs: { value: 'Block<Option<string>>' },
    doc: 'Value for `key` in the map, or none.',
  }),
  treatment(block, 'insert', {
    params: { key: 'var string' },
    inputs: { base: 'Block<StringMap>', value: 'Block<string>' },
    outputs: { map: 'Block<StringMap>' },
    doc: 'The `base` map with `key` set to the value.',
  }),
  treatment(block, 'merge', {
    inputs: { base: 'Block<StringMap>', entries: 'Block<StringMap>' },
    outputs: { merged: 'Block<StringMap>' },
    doc: '`base` overwritten by `entries`; `base` unchanged when `entries` closes empty.',
  }),
];
