import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { work } from '@tutti/lib-work';
import { distrib } from './index.js';

test('distrib descriptors are consistent', () => {
  assert.deepEqual(
    validatePackages([distrib, std, work]).filter((p) => p.startsWith('distrib')),
    [],
  );
});
