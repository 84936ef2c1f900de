/** `std/data/map` and `std/data/map/block` (libraries spec §3.14): the heterogeneous `Map` data type. */
import { dataType, fn, treatment } from '@tutti/core';

const area = 'std/data/map';
const block = 'std/data/map/block';

export const dataMap = [
  dataType(area, 'Map', {
    traits: 'PartialEquality Serialize Display',
    doc: 'Map from `string` keys to values of any type (each value keeps its own type).',
  }),
  fn(area, 'map', {
    params: 'entries: Vec<Map>',
    returns: 'Map',
    doc: 'Merges the given maps left to right (later keys overwrite).',
  }),
  fn(area, 'entry', { generics: 'T', params: 'key: string, value: T', returns: 'Map', doc: 'One-entry map.' }),
  fn(area, 'get', {
    generics: 'T',
    params: 'map: Map, key: string',
    returns: 'Option<T>',
    doc: 'Value for `key` if present and of type `T`, else none.',
  }),
  fn(area, 'insert', {
    generics: 'T',
    params: 'map: Map, key: string, value: T',
    returns: 'Map',
    doc: 'Copy of `map` with `key` set to `value`.',
  }),
  treatment(area, 'entry', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { value: 'Stream<T>' },
    outputs: { map: 'Stream<Map>' },
    doc: 'One single-entry map per value.',
  }),
  treatment(area, 'get', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { map: 'Stream<Map>' },
    outputs: { value: 'Stream<Option<T>>' },
    doc: 'Value for `key` in each map (none when absent or of another type).',
  }),
  treatment(area, 'insert', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { base: 'Stream<Map>', value: 'Stream<T>' },
    outputs: { map: 'Stream<Map>' },
    doc: 'Pairwise: each `base` map with `key` set to its value.',
  }),
  treatment(block, 'entry', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { value: 'Block<T>' },
    outputs: { map: 'Block<Map>' },
    doc: 'A single-entry map of the value.',
  }),
  treatment(block, 'get', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { map: 'Block<Map>' },
    outputs: { value: 'Block<Option<T>>' },
    doc: 'Value for `key` in the map (none when absent or of another type).',
  }),
  treatment(block, 'insert', {
    generics: 'T',
    params: { key: 'var string' },
    inputs: { base: 'Block<Map>', value: 'Block<T>' },
    outputs: { map: 'Block<Map>' },
    doc: 'The `base` map with `key` set to the value.',
  }),
  treatment(block, 'merge', {
    inputs: { base: 'Block<Map>', entries: 'Block<Map>' },
    outputs: { merged: 'Block<Map>' },
    doc: '`base` overwritten by `entries`; `base` unchanged when `entries` closes empty.',
  }),
];
