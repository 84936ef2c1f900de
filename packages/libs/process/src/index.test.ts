import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { process } from './index.js';

test('process descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, process]), []);
});

test('process declares its native elements: data types, constructors and exec treatments', () => {
  const count = (kind: string) => process.elements.filter((e) => e.kind === kind).length;
  assert.equal(count('treatment'), 6);
  assert.equal(count('function'), 6);
  assert.equal(count('data'), 3);
});

test('process ships its .mel areas', () => {
  assert.ok(process.melRoot !== undefined);
  for (const file of ['exec.mel', 'local.mel']) assert.ok(existsSync(join(process.melRoot, file)), file);
});
