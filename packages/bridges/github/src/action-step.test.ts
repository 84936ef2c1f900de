// The entries handed back to the helpers' file commands read back, through dotenv (what the
// cicd helpers read GITHUB_OUTPUT and GITHUB_ENV with), as the values written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'dotenv';
import { dotenvEntry } from './action-step.js';

test('dotenvEntry: each value reads back through dotenv as written; one holding every quote has none', () => {
  for (const v of ['plain', ' spaced ', 'a # b', "it's", 'two\nlines', 'q"uote', 'back`tick', 'x\\ny', '', '{"a":"b"}', 'ends\\', 'a=b'])
    assert.equal(parse(dotenvEntry('K', v)!).K, v, JSON.stringify(v));
  assert.equal(dotenvEntry('K', 'all\'"`three'), undefined);
});
