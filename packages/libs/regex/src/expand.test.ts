import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRegex } from './compile.js';
import { parseReplacement, replaceFirst } from './expand.js';

function replace(text: string, pattern: string, replacer: string): string {
  const r = compileRegex(pattern);
  if (!r.ok) throw new Error(r.error.message);
  return replaceFirst(text, r.value, parseReplacement(replacer));
}

test('numbered and named references, braced and bare', () => {
  assert.equal(replace('2024-05', '(\\d+)-(\\d+)', '$2/$1'), '05/2024');
  assert.equal(replace('2024-05', '(?P<y>\\d+)-(?<m>\\d+)', '$m/${y}'), '05/2024');
  assert.equal(replace('ab', 'a', '[$0]'), '[a]b');
  assert.equal(replace('ab', '(?P<a.b>a)', '${a.b}!'), 'a!b');
});

test('$name takes the longest run of letters, digits and _, unlike JavaScript', () => {
  assert.equal(replace('ab', '(a)', '$1a'), 'b');
  assert.equal(replace('ab', '(a)', '${1}a'), 'aab');
  assert.equal(replace('ab', '(?P<x>a)', '$x_y'), 'b');
});

test('$$ is a dollar; a $ starting no reference stays literal', () => {
  assert.equal(replace('ab', 'a', '$$1'), '$1b');
  assert.equal(replace('ab', 'a', '$'), '$b');
  assert.equal(replace('ab', 'a', '$-'), '$-b');
  assert.equal(replace('ab', 'a', '${x'), '${xb');
  assert.equal(replace('ab', 'a', 'x$'), 'x$b');
});

test('unknown or non-participating groups expand to nothing', () => {
  assert.equal(replace('ab', 'a', '<$7>'), '<>b');
  assert.equal(replace('ab', 'a', '<$nope>'), '<>b');
  assert.equal(replace('ab', '(x)?a', '<$1>'), '<>b');
  assert.equal(replace('ab', '(a)', '${+1}'), 'ab');
  assert.equal(replace('ab', '(a)', '${99999999999999999999}'), 'b');
});

test('only the first match is replaced; no match leaves the text', () => {
  assert.equal(replace('aaa', 'a', 'b'), 'baa');
  assert.equal(replace('xyz', 'a', 'b'), 'xyz');
  assert.equal(replace('abc', 'x*', '-'), '-abc');
});

test('the template splits once', () => {
  assert.deepEqual(parseReplacement('$1-${name}$$'), [{ group: 1 }, '-', { name: 'name' }, '$']);
  assert.deepEqual(parseReplacement('plain'), ['plain']);
  assert.deepEqual(parseReplacement(''), []);
});
