import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coreType, type DataType, optionType, vecType } from '../types.js';
import { displayValue, floatText, toStringValue } from './display.js';

const T = (name: Parameters<typeof coreType>[0]): DataType => coreType(name);
const json: DataType = { kind: 'data', id: 'json::Json', name: 'Json' };

test('f64 floats: shortest round-trip digits, never an exponent', () => {
  const cases: [number, string][] = [
    [2, '2'],
    [0.5, '0.5'],
    [-1.25, '-1.25'],
    [0.1, '0.1'],
    [100, '100'],
    [1.5, '1.5'],
    [0.000001, '0.000001'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [123456789012345680000, '123456789012345680000'],
    [2 ** 53 + 2, '9007199254740994'],
    [1e300, `1${'0'.repeat(300)}`],
    [5e-324, `0.${'0'.repeat(323)}5`],
    [Number.MAX_VALUE, `17976931348623157${'0'.repeat(292)}`],
    [-0, '-0'],
    [0, '0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [x, s] of cases) {
    assert.equal(floatText(x, 'f64'), s, `f64 ${x}`);
    assert.equal(displayValue(x, T('f64')), s, `display f64 ${x}`);
  }
});

test('f32 floats: shortest digits that round-trip in binary32', () => {
  const cases: [number, string][] = [
    [0.1, '0.1'],
    [1 / 3, '0.33333334'],
    [-2.5, '-2.5'],
    [16777216, '16777216'],
    [16777217, '16777216'], // rounds to the even neighbour when made an f32
    [1e10, '10000000000'],
    [3.4028234663852886e38, '340282350000000000000000000000000000000'],
    [1.401298464324817e-45, `0.${'0'.repeat(44)}1`],
    // Exact ties between two 8-digit decimals: the even digit, as Rust prints.
    [3061734.25, '3061734.2'],
    [346688.625, '346688.62'],
    // Powers of two, where only the far neighbour of the nearest decimal reads back.
    [2 ** -96, '0.000000000000000000000000000012621775'],
    [2 ** 87, '154742510000000000000000000'],
    [2 ** 90, '1237940100000000000000000000'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [x, s] of cases) {
    const f = Math.fround(x);
    assert.equal(floatText(f, 'f32'), s, `f32 ${x}`);
    assert.equal(displayValue(f, T('f32')), s, `display f32 ${x}`);
  }
  // The binary64 digits of the same value would be longer.
  assert.equal(String(Math.fround(0.1)), '0.10000000149011612');
});

test('integers, bools, void and bytes', () => {
  assert.equal(displayValue(-12, T('i8')), '-12');
  assert.equal(displayValue(340, T('u16')), '340');
  assert.equal(displayValue((1n << 128n) - 1n, T('u128')), '340282366920938463463374607431768211455');
  assert.equal(displayValue(-(1n << 127n), T('i128')), '-170141183460469231731687303715884105728');
  assert.equal(displayValue(true, T('bool')), 'true');
  assert.equal(displayValue(false, T('bool')), 'false');
  assert.equal(displayValue(undefined, T('void')), '_');
  assert.equal(displayValue(0x2a, T('byte')), '0x2a');
  assert.equal(displayValue(0, T('byte')), '0x00');
  assert.equal(displayValue(255, T('byte')), '0xff');
});

test('chars are quoted with escapes', () => {
  const cases: [string, string][] = [
    ['c', "'c'"],
    ['\n', "'\\n'"],
    ['\r', "'\\r'"],
    ['\t', "'\\t'"],
    ['\\', "'\\\\'"],
    ['\0', "'\\0'"],
    ["'", "'\\''"],
    ['"', `'"'`],
    ['\x1b', "'\\u{1b}'"],
    ['\x7f', "'\\u{7f}'"],
    ['\u0085', "'\\u{85}'"],
    ['é', "'é'"],
    ['😀', "'😀'"],
  ];
  for (const [c, s] of cases) assert.equal(displayValue(c, T('char')), s, JSON.stringify(c));
});

test('strings: escaped form, or raw form for multi-line text', () => {
  const cases: [string, string][] = [
    ['hello', '"hello"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ["it's", `"it's"`],
    ['a\\b', '"a\\\\b"'],
    ['nul\0', '"nul\\0"'],
    ['esc\x1b', '"esc\\u{1b}"'],
    ['a\nb', '${a\nb}'],
    ['tab\there', '${tab\there}'],
    ['cr\r', '${cr\r}'],
    ['a\\b\n', '${a\\b\n}'],
    ['x{y}\nz', '${{x{y}\nz}}'],
    ['a{{{b}}\n', '${{{{a{{{b}}\n}}}}'],
    // Not raw: starts with `{`, ends with `}`, or holds another control character.
    ['{a\nb', '"{a\\nb"'],
    ['a\nb}', '"a\\nb}"'],
    ['a\n\x1b', '"a\\n\\u{1b}"'],
  ];
  for (const [v, s] of cases) assert.equal(displayValue(v, T('string')), s, JSON.stringify(v));
});

test('options and vectors', () => {
  assert.equal(displayValue(null, optionType(T('u8'))), '_');
  assert.equal(displayValue(5, optionType(T('u8'))), '5');
  assert.equal(displayValue('x', optionType(T('string'))), '"x"');
  assert.equal(displayValue([1, null, 3], vecType(optionType(T('u8')))), '[1, _, 3]');
  assert.equal(displayValue([], vecType(T('u8'))), '[]');
  assert.equal(displayValue(new Uint8Array([1, 255]), vecType(T('byte'))), '[0x01, 0xff]');
  assert.equal(displayValue(['a', 'b'], vecType(T('string'))), '["a", "b"]');
  assert.equal(displayValue([[1], [2, 3]], vecType(vecType(T('i32')))), '[[1], [2, 3]]');
  assert.equal(displayValue([Math.fround(0.1)], vecType(T('f32'))), '[0.1]');
});

test('data objects: their own Display, else the placeholder', () => {
  assert.equal(displayValue({ display: () => '{"a": 1}' }, json), '{"a": 1}');
  assert.equal(displayValue({}, json), '/* Json */');
  assert.equal(displayValue([{}], vecType(json)), '[/* Json */]');
  assert.equal(displayValue(null, optionType(json)), '_');
  assert.equal(displayValue({}, optionType(json)), '/* Json */');
});

test('ToString rendering', () => {
  assert.equal(toStringValue(undefined, T('void')), '');
  assert.equal(toStringValue(0x0a, T('byte')), '0a');
  assert.equal(toStringValue(0xff, T('byte')), 'ff');
  assert.equal(toStringValue('c', T('char')), 'c');
  assert.equal(toStringValue('\n', T('char')), '\n');
  assert.equal(toStringValue('a\n"b"', T('string')), 'a\n"b"');
  assert.equal(toStringValue(Math.fround(0.1), T('f32')), '0.1');
  assert.equal(toStringValue(1, T('f64')), '1');
  assert.equal(toStringValue(-0, T('f64')), '-0');
  assert.equal(toStringValue(1e300, T('f64')), `1${'0'.repeat(300)}`);
  assert.equal(toStringValue(Number.NaN, T('f32')), 'NaN');
  assert.equal(toStringValue(-7, T('i32')), '-7');
  assert.equal(toStringValue(2n ** 64n - 1n, T('u64')), '18446744073709551615');
  assert.equal(toStringValue(true, T('bool')), 'true');
  class Ip {
    toString(): string {
      return '127.0.0.1';
    }
    display(): string {
      return 'Ip(127.0.0.1)';
    }
  }
  const ip: DataType = { kind: 'data', id: 'net/ip::Ip', name: 'Ip' };
  assert.equal(toStringValue(new Ip(), ip), '127.0.0.1');
  assert.equal(toStringValue({ display: () => 'shown' }, ip), 'shown');
  assert.equal(toStringValue({}, ip), '/* Ip */');
});
