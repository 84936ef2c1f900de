import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { std } from '@tutti/lib-std';
import { sql } from './index.js';

test('sql descriptors are consistent with std', () => {
  assert.deepEqual(validatePackages([std, sql]), []);
});

test('sql declares its elements: SqlPool, its sources and query treatments', () => {
  const treatments = sql.elements.filter((e) => e.kind === 'treatment');
  const sources = treatments.filter((e) => e.source !== undefined);
  assert.equal(sql.elements.filter((e) => e.kind === 'model').length, 1);
  assert.equal(treatments.length - sources.length, 8);
  assert.deepEqual(sources.map((s) => s.name).sort(), ['closed', 'connected', 'failure']);
});
