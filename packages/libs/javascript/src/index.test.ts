import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { json } from '@tutti/lib-json';
import { std } from '@tutti/lib-std';
import { javascript } from './index.js';

test('javascript descriptors are consistent with std and json', () => {
  assert.deepEqual(validatePackages([std, json, javascript]), []);
});

test('javascript declares its native elements: JavaScriptEngine and process', () => {
  assert.deepEqual(
    javascript.elements.map((e) => `${e.kind} ${e.area}::${e.name}`),
    ['model javascript::JavaScriptEngine', 'treatment javascript::process'],
  );
});
