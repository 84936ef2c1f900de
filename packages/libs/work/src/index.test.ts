import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { work } from './index.js';

test('work descriptors are consistent', () => {
  assert.deepEqual(validatePackages([work]), []);
});
