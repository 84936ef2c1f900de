import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { encoding } from './index.js';

test('encoding descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, encoding]), []);
});

test('encoding declares the native elements of libraries spec §6', () => {
  assert.deepEqual(
    encoding.elements.map((e) => `${e.kind} ${e.area}::${e.name}`),
    ['treatment encoding::decode', 'treatment encoding::encode'],
  );
});
