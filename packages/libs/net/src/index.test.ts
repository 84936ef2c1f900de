import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { net } from './index.js';

test('net descriptors are consistent', () => {
  assert.deepEqual(validatePackages([net]), []);
});

test('net declares its elements: address types, constructors and conversions', () => {
  const count = (kind: string) => net.elements.filter((e) => e.kind === kind).length;
  assert.equal(count('data'), 3);
  assert.equal(count('function'), 14);
  assert.equal(count('treatment'), 8);
  assert.equal(net.elements.length, 25);
});
