import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coreType, displayValue, dumpValue, quoteString } from '@tutti/core';
import { typeOf } from '@tutti/engine/testing';

const displayString = (s: string) => displayValue(s, coreType('string'));

const show = (v: unknown, type: string) => displayValue(v, typeOf(type, { Json: 'json::Json', Map: 'std/data/map::Map' }));

test('integers, bool and void render as Display shows them', () => {
  assert.equal(show(-12, 'i8'), '-12');
  assert.equal(show(2n ** 64n, 'u128'), '18446744073709551616');
  assert.equal(show(true, 'bool'), 'true');
  assert.equal(show(undefined, 'void'), '_');
});

test('f64 renders the shortest round-trip digits, never with an exponent', () => {
  assert.equal(show(2, 'f64'), '2');
  assert.equal(show(0.1, 'f64'), '0.1');
  assert.equal(show(-1.25, 'f64'), '-1.25');
  assert.equal(show(1e21, 'f64'), '1000000000000000000000');
  assert.equal(show(1.5e22, 'f64'), '15000000000000000000000');
  assert.equal(show(1e-7, 'f64'), '0.0000001');
  assert.equal(show(-2.5e-8, 'f64'), '-0.000000025');
  assert.equal(show(-0, 'f64'), '-0');
  assert.equal(show(Number.NaN, 'f64'), 'NaN');
  assert.equal(show(Number.POSITIVE_INFINITY, 'f64'), 'inf');
  assert.equal(show(Number.NEGATIVE_INFINITY, 'f64'), '-inf');
});

test('f32 renders the shortest digits that round-trip in binary32', () => {
  assert.equal(show(Math.fround(0.1), 'f32'), '0.1');
  assert.equal(show(Math.fround(1 / 3), 'f32'), '0.33333334');
  assert.equal(show(Math.fround(16777216), 'f32'), '16777216');
  assert.equal(show(Math.fround(3e38), 'f32'), '300000000000000000000000000000000000000');
  assert.equal(show(Math.fround(1e-45), 'f32'), `0.${'0'.repeat(44)}1`);
});

test('byte and char', () => {
  assert.equal(show(0x2a, 'byte'), '0x2a');
  assert.equal(show(7, 'byte'), '0x07');
  assert.equal(show('c', 'char'), "'c'");
  assert.equal(show('\n', 'char'), "'\\n'");
  assert.equal(show("'", 'char'), "'\\''");
  assert.equal(show('"', 'char'), `'"'`);
  assert.equal(show('\u001b', 'char'), "'\\u{1b}'");
  assert.equal(show('😀', 'char'), "'😀'");
});

test('strings: escaped form, or raw form for multi-line text', () => {
  assert.equal(displayString('hello'), '"hello"');
  assert.equal(displayString('say "hi"\\'), '"say \\"hi\\"\\\\"');
  assert.equal(displayString('a\0b\u0085'), '"a\\0b\\u{85}"');
  assert.equal(displayString('a\nb'), '${a\nb}');
  assert.equal(displayString('x{{y}\tz'), '${{{x{{y}\tz}}}');
  // Raw form impossible: leading brace, or another control character.
  assert.equal(displayString('{a\nb'), '"{a\\nb"');
  assert.equal(displayString('a\nb}'), '"a\\nb}"');
  assert.equal(displayString('a\n\u0001'), '"a\\n\\u{1}"');
});

test('vectors, options and data types', () => {
  assert.equal(show([1, null, 3], 'Vec<Option<u8>>'), '[1, _, 3]');
  assert.equal(show(null, 'Option<string>'), '_');
  assert.equal(show('x', 'Option<string>'), '"x"');
  assert.equal(show(new Uint8Array([1, 255]), 'Vec<byte>'), '[0x01, 0xff]');
  assert.equal(show([], 'Vec<u8>'), '[]');
  assert.equal(show({}, 'Json'), '/* Json */');
  assert.equal(show({ display: () => '{}' }, 'Map'), '{}');
});

test('dumps quote every string, also inside vectors and options', () => {
  const type = typeOf('Vec<Option<string>>');
  assert.equal(displayValue(['a\nb', null], type), '[${a\nb}, _]');
  assert.equal(dumpValue(['a\nb', null], type), '["a\\nb", _]');
  assert.equal(quoteString('a\nb'), '"a\\nb"');
  assert.equal(dumpValue(0x0f, typeOf('byte')), '0x0f');
});
