import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { regex } from './index.js';

test('regex descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, regex]), []);
});

test('regex declares its native elements: four treatments, four functions', () => {
  const count = (kind: string) => regex.elements.filter((e) => e.kind === kind).length;
  assert.equal(count('treatment'), 4);
  assert.equal(count('function'), 4);
});
