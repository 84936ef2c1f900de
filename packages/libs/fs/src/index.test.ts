import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { fs } from './index.js';

test('fs descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, fs]), []);
});

test('fs declares its native elements: treatments, functions and the FileSystem type', () => {
  const count = (kind: string) => fs.elements.filter((e) => e.kind === kind).length;
  assert.equal(count('treatment'), 7);
  assert.equal(count('function'), 5);
  assert.equal(count('data'), 1);
});

test('fs ships its .mel areas', () => {
  assert.ok(fs.melRoot !== undefined);
  for (const file of ['local.mel', 'text.mel']) assert.ok(existsSync(join(fs.melRoot, file)), file);
});
