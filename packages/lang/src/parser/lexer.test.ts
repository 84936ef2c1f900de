import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSink, SourceFile } from '@tutti/core';
import { decodeEscapes, lex } from './lexer.js';

function tokens(text: string): string[] {
  const sink = new DiagnosticSink();
  const r = lex(new SourceFile('t.mel', text), sink);
  return [...r.tokens.slice(0, -1).map((t) => `${t.kind}:${t.text}`), ...sink.items.map((d) => d.code)];
}

test('token recognition order: arrows, signed numbers, bytes, sigils', () => {
  assert.deepEqual(tokens('a.out-->b.in'), ['name:a', 'punct:.', 'name:out', 'arrow:-->', 'name:b', 'punct:.', 'name:in']);
  assert.deepEqual(tokens('-12'), ['number:-12']);
  assert.deepEqual(tokens('.5'), ['punct:.', 'number:5']);
  assert.deepEqual(tokens('-.5'), ['number:-.5']);
  assert.deepEqual(tokens('1e3'), ['number:1', 'name:e3']);
  assert.deepEqual(tokens('0x7F'), ['byte:0x7F']);
  assert.deepEqual(tokens('0x7f'), ['byte:0x7f', 'E_LEX']);
  assert.deepEqual(tokens('@Req |zip'), ['context:@Req', 'function:|zip']);
  assert.deepEqual(tokens('| zip'), ['error:|', 'name:zip', 'E_LEX']);
  assert.deepEqual(tokens('_x'), ['punct:_', 'name:x']);
  assert.deepEqual(tokens('1.'), ['number:1', 'punct:.']);
});

test('comments, annotations and doc comments', () => {
  assert.deepEqual(tokens('a // b\n# c d\nx /* y */ z /*/ still */ w'), ['name:a', 'name:x', 'name:z', 'name:w']);
  const sink = new DiagnosticSink();
  const r = lex(new SourceFile('t', '/**\n  Doc\n  text\n*/\ntreatment\n/// one\n/// two\nmodel'), sink);
  assert.equal(r.tokens[0]?.doc, 'Doc\ntext');
  assert.equal(r.tokens[1]?.doc, 'one\ntwo');
  assert.deepEqual(tokens('/* open'), ['E_LEX']);
});

test('strings: escapes, raw strings, errors', () => {
  assert.deepEqual(tokens('"a\\tb"'), ['string:a\tb']);
  assert.deepEqual(tokens('${{ if (x) { y } }}'), ['string: if (x) { y } ']);
  assert.equal(decodeEscapes('\\u{1F600}\\x41\\101\\0').value, '😀AA\0');
  assert.match(decodeEscapes('\\q').error ?? '', /unknown escape/);
  assert.match(decodeEscapes('\\uD800').error ?? '', /not a Unicode scalar value/);
  assert.deepEqual(tokens('"never closed'), ['E_LEX']);
  assert.deepEqual(
    tokens('"a\\\nb"').filter((t) => t.startsWith('E_')),
    ['E_LEX'],
  );
});

test('characters', () => {
  assert.deepEqual(tokens("'z' '\\n' 'é'"), ['char:z', 'char:\n', 'char:é']);
  assert.deepEqual(tokens("''"), ['char:', 'E_INVALID_LITERAL']);
  assert.deepEqual(tokens("'ab'"), ['char:', 'E_INVALID_LITERAL']);
});

test('a run of unknown characters is one problem', () => {
  assert.deepEqual(tokens('a \0\0\0\0 b'), ['name:a', 'error:\0\0\0\0', 'name:b', 'E_LEX']);
});
