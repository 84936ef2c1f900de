import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { encoding } from './index.js';

test('encoding descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, encoding]), []);
});

test('encoding declares its native elements: decode and encode', () => {
  assert.deepEqual(
    encoding.elements.map((e) => `${e.kind} ${e.area}::${e.name}`),
    ['treatment encoding::decode', 'treatment encoding::encode'],
  );
});
