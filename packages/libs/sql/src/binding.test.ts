import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeOf } from '@tutti/engine/testing';
import { MapValue } from '@tutti/lib-std';
import { type Bound, bindRow, bindValue } from './binding.js';

const b = (v: unknown, t: string, d: 'postgres' | 'mysql' | 'sqlite' = 'postgres') => bindValue(v, typeOf(t), d);

test('core values bind as the reference binds them; void, vectors and none are NULL', () => {
  assert.equal(b(-3, 'i8'), -3);
  assert.equal(b(70000, 'u32'), 70000);
  assert.equal(b(1.5, 'f32'), 1.5);
  assert.equal(b('é', 'string'), 'é');
  assert.equal(b('x', 'char'), 'x');
  assert.equal(b(true, 'bool'), true);
  assert.equal(b(true, 'bool', 'sqlite'), 1);
  assert.deepEqual(b(7, 'byte'), Buffer.of(7));
  assert.equal(b(undefined, 'void'), null);
  assert.equal(b([1, 2], 'Vec<u8>'), null);
  assert.equal(b(null, 'Option<i32>'), null);
  assert.equal(b(5, 'Option<i32>'), 5);
});

test('u64, i128 and u128 stay exact where the driver allows (the reference binds them as DOUBLE: fixed, documented)', () => {
  const big = (1n << 64n) - 1n;
  assert.equal(b(big, 'u64'), '18446744073709551615');
  assert.equal(b(big, 'u64', 'mysql'), '18446744073709551615');
  assert.equal(b((1n << 60n) + 1n, 'u128', 'sqlite'), (1n << 60n) + 1n);
  // Outside SQLite's 64-bit integers: a double, as the reference does for every driver.
  assert.equal(b(big, 'u64', 'sqlite'), 2 ** 64);
});

test('data values bind their ToString text, or NULL without that trait', () => {
  const withText = { toString: () => 'text form' };
  assert.equal(bindValue(withText, { kind: 'data', id: 'json::Json', name: 'Json' }, 'mysql'), 'text form');
  assert.equal(bindValue({ display: () => 'x' }, { kind: 'data', id: 'x::Y', name: 'Y' }, 'postgres'), null);
});

test('a row binds the named keys in order, missing keys as NULL', () => {
  const m = MapValue.from([
    ['a', { value: 1, type: typeOf('i32') }],
    ['b', { value: 'x', type: typeOf('string') }],
  ]);
  const out: Bound[] = [];
  bindRow(m, ['b', 'missing', 'a'], 'mysql', out);
  assert.deepEqual(out, ['x', null, 1]);
});
