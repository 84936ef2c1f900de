import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import defaultExport, { testkit } from './index.js';

test('testkit descriptors are consistent', () => {
  assert.equal(defaultExport, testkit);
  assert.deepEqual(validatePackages([testkit]), []);
  const turns = testkit.elements.find((e) => e.name === 'turns');
  assert.ok(turns?.kind === 'treatment');
  assert.deepEqual(turns.models, [{ name: 'counter', model: 'testkit::Counter' }]);
  assert.deepEqual(turns.source?.contexts, ['testkit::@Turn']);
});
