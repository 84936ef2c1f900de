import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitWords } from './raw-command.js';

test('words are separated by spaces, tabs and newlines only', () => {
  assert.deepEqual(splitWords('  echo\ta\nb  '), ['echo', 'a', 'b']);
  assert.deepEqual(splitWords('a\rb'), ['a\rb']);
  assert.deepEqual(splitWords(''), []);
  assert.deepEqual(splitWords(' \t\n'), []);
});

test('operators, globs and variables stay literal words', () => {
  assert.deepEqual(splitWords('cd /w && cargo build | tee ${X} *.rs $HOME'), [
    'cd',
    '/w',
    '&&',
    'cargo',
    'build',
    '|',
    'tee',
    '${X}',
    '*.rs',
    '$HOME',
  ]);
});

test('backslash outside quotes takes the next character; backslash-newline disappears', () => {
  assert.deepEqual(splitWords('a\\ b c\\\\d \\"e'), ['a b', 'c\\d', '"e']);
  assert.deepEqual(splitWords('ab\\\ncd'), ['abcd']);
  assert.equal(splitWords('abc\\'), null);
});

test('single quotes keep everything literal', () => {
  assert.deepEqual(splitWords(`'a \\ "b" $c' x`), ['a \\ "b" $c', 'x']);
  assert.deepEqual(splitWords(`''`), ['']);
  assert.deepEqual(splitWords(`a'b c'd`), ['ab cd']);
  assert.equal(splitWords(`'open`), null);
});

test('double quotes: backslash escapes only $ ` " \\ and newline', () => {
  assert.deepEqual(splitWords('"a \\$ \\` \\" \\\\ \\n \\x"'), ['a $ ` " \\ \\n \\x']);
  assert.deepEqual(splitWords('"a\\\nb"'), ['ab']);
  assert.deepEqual(splitWords('"" x'), ['', 'x']);
  assert.equal(splitWords('"open'), null);
  assert.equal(splitWords('"open\\"'), null);
});

test('# starts a comment only where a word would start, up to the end of the line', () => {
  assert.deepEqual(splitWords('echo a #b c'), ['echo', 'a']);
  assert.deepEqual(splitWords('echo a#b'), ['echo', 'a#b']);
  assert.deepEqual(splitWords('# only'), []);
  assert.deepEqual(splitWords('a # note\nb'), ['a', 'b']);
  assert.deepEqual(splitWords('"#x" \\#y'), ['#x', '#y']);
});

test('non-ASCII text is kept', () => {
  assert.deepEqual(splitWords('échô "ç a" 😀'), ['échô', 'ç a', '😀']);
});
