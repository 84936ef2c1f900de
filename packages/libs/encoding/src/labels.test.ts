import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodingForLabel, resolveEncoding } from './labels.js';

test('labels match ASCII case-insensitively, ignoring surrounding ASCII whitespace', () => {
  assert.equal(encodingForLabel(' Latin1\n'), 'windows-1252');
  assert.equal(encodingForLabel('ISO-8859-1'), 'windows-1252');
  assert.equal(encodingForLabel('ascii'), 'windows-1252');
  assert.equal(encodingForLabel('UTF8'), 'utf-8');
  assert.equal(encodingForLabel('\u00a0utf-8'), undefined);
});

test('the standard’s aliases, including the ones Node refuses', () => {
  assert.equal(encodingForLabel('utf-16'), 'utf-16le');
  assert.equal(encodingForLabel('unicodefffe'), 'utf-16be');
  assert.equal(encodingForLabel('iso-8859-16'), 'iso-8859-16');
  assert.equal(encodingForLabel('x-user-defined'), 'x-user-defined');
  assert.equal(encodingForLabel('iso-2022-kr'), 'replacement');
  assert.equal(encodingForLabel('hz-gb-2312'), 'replacement');
  assert.equal(encodingForLabel('gb2312'), 'gbk');
  assert.equal(encodingForLabel('windows-31j'), 'shift_jis');
  assert.equal(encodingForLabel('windows-949'), 'euc-kr');
  assert.equal(encodingForLabel('koi8-ru'), 'koi8-u');
  assert.equal(encodingForLabel('dos-874'), 'windows-874');
});

test('an unknown label falls back to UTF-8', () => {
  assert.equal(encodingForLabel('klingon'), undefined);
  assert.equal(resolveEncoding('klingon'), 'utf-8');
  assert.equal(resolveEncoding(''), 'utf-8');
  assert.equal(resolveEncoding('big5'), 'big5');
});
