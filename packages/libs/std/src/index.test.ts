import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from './index.js';

test('std descriptors are consistent', () => {
  assert.deepEqual(validatePackages([std]), []);
});
