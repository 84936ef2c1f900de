import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { distrib } from './index.js';

test('distrib descriptors are consistent', () => {
  assert.deepEqual(validatePackages([distrib]), []);
});
