import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { json } from './index.js';

test('json descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, json]), []);
});

test('json declares its native elements in json and json/value', () => {
  const count = (kind: string, area: string) => json.elements.filter((e) => e.kind === kind && e.area === area).length;
  assert.equal(count('data', 'json'), 1);
  assert.equal(count('function', 'json'), 1);
  assert.equal(count('treatment', 'json'), 2);
  assert.equal(count('function', 'json/value'), 23);
  assert.equal(count('treatment', 'json/value'), 23);
});
