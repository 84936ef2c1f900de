import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asDefs, parseDotenv, readVariables, resolveVariables } from './variables.js';

test('layers: later wins; values expand recursively; expand: false stays raw; $$ escapes', () => {
  const out = resolveVariables([
    asDefs({ CI_COMMIT_BRANCH: 'main' }),
    readVariables(
      { A: 'a-$CI_COMMIT_BRANCH', B: '${A}-b', RAW: { value: '$A', expand: false }, D: 'cost $$5', E: '$UNKNOWN!' },
      'variables',
    ),
    readVariables({ A: 'job' }, 'job'),
  ]);
  assert.equal(out.A, 'job');
  assert.equal(out.B, 'job-b');
  assert.equal(out.RAW, '$A');
  assert.equal(out.D, 'cost $5');
  assert.equal(out.E, '!');
});

test('cycles are cut, not looped', () => {
  const out = resolveVariables([readVariables({ X: '$Y', Y: '$X' }, 'v')]);
  assert.equal(typeof out.X, 'string');
});

test('dotenv reports', () => {
  assert.deepEqual(parseDotenv('# c\nA=1\nexport B="two words"\n\nbad line\nC=\'x=y\'\n'), { A: '1', B: 'two words', C: 'x=y' });
});
