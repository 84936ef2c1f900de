import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, formatDuration, pad } from './format.js';

test('durations read as people say them', () => {
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(45.4), '45 ms');
  assert.equal(formatDuration(3210), '3.2 s');
  assert.equal(formatDuration(42_400), '42 s');
  assert.equal(formatDuration(125_000), '2 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
  assert.equal(formatDuration(-5), '0 ms');
});

test('fit and pad count code points', () => {
  assert.equal(fit('héllo wörld', 6), 'héllo…');
  assert.equal(pad('ü', 3), 'ü  ');
});
