import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, Value } from '@tutti/core';
import { typeOf } from '@tutti/engine/testing';
import { types } from './types.js';

function call(area: string, name: string, generics: Record<string, string> = {}): Value {
  const d = types.find((e) => e.area === area && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `${area}::|${name} has an implementation`);
  const g = Object.fromEntries(Object.entries(generics).map(([k, t]) => [k, typeOf(t)]));
  return d.impl([], g);
}

const min = (t: string) => call('std/types', 'min', { B: t });
const max = (t: string) => call('std/types', 'max', { B: t });

test('|min and |max of integers, canonical', () => {
  assert.equal(min('i8'), -128);
  assert.equal(max('i8'), 127);
  assert.equal(min('u8'), 0);
  assert.equal(max('u8'), 255);
  assert.equal(min('i16'), -32768);
  assert.equal(max('u16'), 65535);
  assert.equal(min('i32'), -2147483648);
  assert.equal(max('u32'), 4294967295);
  assert.equal(min('i64'), -9223372036854775808n);
  assert.equal(max('i64'), 9223372036854775807n);
  assert.equal(min('u64'), 0);
  assert.equal(max('u64'), 18446744073709551615n);
  assert.equal(min('i128'), -(1n << 127n));
  assert.equal(max('i128'), (1n << 127n) - 1n);
  assert.equal(min('u128'), 0);
  assert.equal(max('u128'), (1n << 128n) - 1n);
});

test('|min and |max of floats are the finite extremes; byte is 0–255', () => {
  assert.equal(max('f32'), 3.4028234663852886e38);
  assert.equal(Math.fround(max('f32') as number), max('f32'));
  assert.equal(min('f32'), -3.4028234663852886e38);
  assert.equal(max('f64'), Number.MAX_VALUE);
  assert.equal(min('f64'), -Number.MAX_VALUE);
  assert.equal(min('byte'), 0);
  assert.equal(max('byte'), 255);
});

test('|min/|max reject types that are not Bounded', () => {
  for (const t of ['bool', 'char', 'string', 'void', 'Vec<u8>']) {
    assert.throws(() => min(t), /does not implement 'Bounded'/);
  }
});

test('float special values', () => {
  for (const t of ['f32', 'f64']) {
    assert.equal(call('std/types/float', 'infinity', { F: t }), Number.POSITIVE_INFINITY);
    assert.equal(call('std/types/float', 'neg_infinity', { F: t }), Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(call('std/types/float', 'nan', { F: t })));
  }
  assert.throws(() => call('std/types/float', 'nan', { F: 'i32' }), /does not implement 'Float'/);
});

test('|replacement_character', () => {
  assert.equal(call('std/types/char', 'replacement_character'), '\uFFFD');
});
