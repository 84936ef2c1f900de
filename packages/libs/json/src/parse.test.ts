import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JsonSyntaxError, parseJson } from './parse.js';
import { JsonFloat, JsonObject, type JsonRaw } from './raw.js';
import { writeCompact } from './write.js';

/** The compact text of a successful parse. */
function text(t: string): string {
  const r = parseJson(t);
  assert.ok(!(r instanceof JsonSyntaxError), `${JSON.stringify(t)} failed: ${(r as JsonSyntaxError).message}`);
  return writeCompact(r);
}

function error(t: string): string {
  const r = parseJson(t);
  assert.ok(r instanceof JsonSyntaxError, `${JSON.stringify(t)} parsed`);
  return r.message;
}

describe('parseJson: values', () => {
  test('scalars, with surrounding whitespace', () => {
    assert.equal(parseJson(' null '), null);
    assert.equal(parseJson('\t\r\ntrue'), true);
    assert.equal(parseJson('false\n'), false);
    assert.equal(parseJson('"a"'), 'a');
    assert.equal(parseJson('0'), 0);
    assert.equal(parseJson('-12'), -12);
    assert.equal(parseJson('1.5'), 1.5);
  });

  test('integer literals stay integers, anything with fraction or exponent is a float', () => {
    assert.equal(parseJson('100'), 100);
    const f = parseJson('1e2');
    assert.ok(f instanceof JsonFloat);
    assert.equal(f.value, 100);
    assert.equal(text('1e2'), '100.0');
    assert.equal(text('1.0'), '1.0');
    assert.equal(text('1E+2'), '100.0');
    assert.equal(text('25e-1'), '2.5');
  });

  test('-0 is the float -0.0 (the reference turns a negative zero integer into a float)', () => {
    const r = parseJson('-0');
    assert.ok(r instanceof JsonFloat);
    assert.ok(Object.is(r.value, -0));
    assert.equal(text('-0'), '-0.0');
    assert.equal(text('-0.0'), '-0.0');
    assert.equal(text('0'), '0');
  });

  test('big integers stay exact up to u64 and down to i64', () => {
    assert.equal(parseJson('9007199254740991'), 9007199254740991);
    assert.equal(parseJson('9007199254740992'), 9007199254740992n);
    assert.equal(parseJson('18446744073709551615'), 18446744073709551615n);
    assert.equal(parseJson('-9223372036854775808'), -9223372036854775808n);
    assert.equal(parseJson('-9007199254740991'), -9007199254740991);
    assert.equal(text('12345678901234567890'), '12345678901234567890');
  });

  test('integers beyond u64 / i64 become floats; f64 overflow is an error', () => {
    assert.equal(text('18446744073709551616'), '1.8446744073709552e19');
    assert.equal(text('-9223372036854775809'), '-9.223372036854776e18');
    assert.equal(error('1e400'), 'number out of range at line 1 column 5');
    assert.equal(error('[-1.5E309]'), 'number out of range at line 1 column 9');
    assert.equal(error(`1${'0'.repeat(400)}`), 'number out of range at line 1 column 401');
    assert.equal(error('1e99999999999'), 'number out of range at line 1 column 12');
    // Underflow is not an error: the value rounds to zero.
    assert.equal(text('1e-400'), '0.0');
    assert.equal(text('0e99999999999'), '0.0');
    assert.equal(text('1.7976931348623157e308'), '1.7976931348623157e308');
  });

  test('floats read with correct rounding', () => {
    assert.equal(parseJson('0.1'), 0.1);
    assert.equal(parseJson('2.2250738585072014e-308'), 2.2250738585072014e-308);
    assert.equal(parseJson('123456789012345678901234567890.5') instanceof JsonFloat, true);
  });

  test('strings: escapes, surrogate pairs, characters as they are', () => {
    assert.equal(parseJson('"\\"\\\\\\/\\b\\f\\n\\r\\t"'), '"\\/\b\f\n\r\t');
    assert.equal(parseJson('"\\u00e9\\u00E9"'), 'éé');
    assert.equal(parseJson('"\\ud83d\\ude00"'), '😀');
    assert.equal(parseJson('"😀 \u2028 \u007f"'), '😀 \u2028 \u007f');
    assert.equal(parseJson('"\\uE000"'), '\ue000');
  });

  test('objects: keys sorted in code point order, the last duplicate wins', () => {
    const r = parseJson('{"b": 1, "a": 2, "b": 3}');
    assert.ok(r instanceof JsonObject);
    assert.deepEqual(r.keys, ['a', 'b']);
    assert.deepEqual(r.values, [2, 3]);
    // UTF-16 order would put U+1F600 (surrogates) before U+FFFF; code point order does not.
    assert.deepEqual((parseJson('{"😀": 1, "\\uffff": 2, "z": 3}') as JsonObject).keys, ['z', '\uffff', '😀']);
    assert.deepEqual((parseJson('{"10": 1, "9": 2, "": 3}') as JsonObject).keys, ['', '10', '9']);
    assert.equal(
      text('{ "zeta": 1, "alpha": [true, null, "x"], "mid": {"b": 2, "a": 1} }'),
      '{"alpha":[true,null,"x"],"mid":{"a":1,"b":2},"zeta":1}',
    );
  });

  test('a large unsorted object sorts and deduplicates', () => {
    const n = 2000;
    const members: string[] = [];
    for (let k = n - 1; k >= 0; k--) members.push(`"k${String(k).padStart(4, '0')}": ${k}`);
    members.push('"k0000": -1');
    const r = parseJson(`{${members.join(',')}}`) as JsonObject;
    assert.equal(r.size, n);
    assert.equal(r.keys[0], 'k0000');
    assert.equal(r.values[0], -1);
    assert.equal(r.get('k1999'), 1999);
    assert.equal(r.get('nope'), undefined);
  });

  test('nesting: 127 levels accepted, the 128th refused', () => {
    const ok = `${'['.repeat(127)}${']'.repeat(127)}`;
    assert.ok(!(parseJson(ok) instanceof JsonSyntaxError));
    assert.equal(error(`${'['.repeat(129)}`), 'recursion limit exceeded at line 1 column 128');
    assert.equal(error(`${'{"a":'.repeat(128)}1${'}'.repeat(128)}`), 'recursion limit exceeded at line 1 column 636');
    // Depth is counted per path: many siblings are fine.
    assert.ok(!(parseJson(`[${'[[]],'.repeat(1000)}1]`) instanceof JsonSyntaxError));
  });
});

describe('parseJson: errors (message and position as the reference)', () => {
  const cases: [string, string][] = [
    ['x', 'expected value at line 1 column 1'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['   ', 'EOF while parsing a value at line 1 column 3'],
    ['nope', 'expected ident at line 1 column 2'],
    ['nul', 'EOF while parsing a value at line 1 column 3'],
    ['tru e', 'expected ident at line 1 column 4'],
    ['true false', 'trailing characters at line 1 column 6'],
    ['{} x', 'trailing characters at line 1 column 4'],
    ['01', 'invalid number at line 1 column 2'],
    ['-', 'EOF while parsing a value at line 1 column 1'],
    ['-x', 'invalid number at line 1 column 2'],
    ['+1', 'expected value at line 1 column 1'],
    ['.5', 'expected value at line 1 column 1'],
    ['1.', 'EOF while parsing a value at line 1 column 2'],
    ['1.e5', 'invalid number at line 1 column 3'],
    ['1e', 'EOF while parsing a value at line 1 column 2'],
    ['1e+', 'EOF while parsing a value at line 1 column 3'],
    ['1ex', 'invalid number at line 1 column 3'],
    ['NaN', 'expected value at line 1 column 1'],
    ['Infinity', 'expected value at line 1 column 1'],
    ['"abc', 'EOF while parsing a string at line 1 column 4'],
    ['"a\tb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3'],
    ['"a\nb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0'],
    ['"\\x"', 'invalid escape at line 1 column 3'],
    ['"\\u12g4"', 'invalid escape at line 1 column 7'],
    ['"\\u12', 'EOF while parsing a string at line 1 column 5'],
    ['"\\', 'EOF while parsing a string at line 1 column 2'],
    ['"\\ud800"', 'unexpected end of hex escape at line 1 column 8'],
    ['"\\ud800\\n"', 'unexpected end of hex escape at line 1 column 9'],
    ['"\\ud800\\u0041"', 'lone leading surrogate in hex escape at line 1 column 13'],
    ['"\\udc00"', 'lone leading surrogate in hex escape at line 1 column 7'],
    ["'a'", 'expected value at line 1 column 1'],
    ['[', 'EOF while parsing a list at line 1 column 1'],
    ['[1', 'EOF while parsing a list at line 1 column 2'],
    ['[1,', 'EOF while parsing a value at line 1 column 3'],
    ['[1,]', 'trailing comma at line 1 column 4'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
    ['[,1]', 'expected value at line 1 column 2'],
    ['[1}', 'expected `,` or `]` at line 1 column 3'],
    ['{', 'EOF while parsing an object at line 1 column 1'],
    ['{"open": ', 'EOF while parsing a value at line 1 column 9'],
    ['{"a"', 'EOF while parsing an object at line 1 column 4'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
    ['{"a":1,}', 'trailing comma at line 1 column 8'],
    ['{"a":1,', 'EOF while parsing a value at line 1 column 7'],
    ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
    ['{"a":1,2:3}', 'key must be a string at line 1 column 8'],
    ['{a:1}', 'key must be a string at line 1 column 2'],
    ['{,}', 'key must be a string at line 1 column 2'],
    ['{"a":1]', 'expected `,` or `}` at line 1 column 7'],
  ];
  for (const [input, message] of cases) {
    test(`${JSON.stringify(input)} → ${message}`, () => assert.equal(error(input), message));
  }

  test('lines count newlines; columns count UTF-8 bytes', () => {
    assert.equal(error('{\n  "a": 1,\n  "b": x\n}'), 'expected value at line 3 column 8');
    assert.equal(error('"é" x'), 'trailing characters at line 1 column 6');
    assert.equal(error('["😀", é]'), 'expected value at line 1 column 10');
    assert.equal(error('[1,\n\n'), 'EOF while parsing a value at line 3 column 0');
  });
});

describe('parseJson agrees with JSON.parse on acceptance', () => {
  // Texts where the reference's extra limits (depth, lone surrogates, f64 overflow) do not apply.
  const pieces = ['{', '}', '[', ']', ',', ':', '"a"', '"\\n"', '1', '-2.5e3', 'true', 'null', ' ', '0', '"', '\\', 'x', '01', '1.', 'e'];
  test('on 20 000 random token sequences', () => {
    let seed = 42;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    let valid = 0;
    for (let t = 0; t < 20000; t++) {
      let s = '';
      const len = 1 + rand(8);
      for (let k = 0; k < len; k++) s += pieces[rand(pieces.length)];
      let expected = true;
      try {
        JSON.parse(s);
      } catch {
        expected = false;
      }
      const r = parseJson(s);
      assert.equal(!(r instanceof JsonSyntaxError), expected, s);
      if (expected) {
        valid++;
        // Round trip: the compact text parses to the same tree.
        assert.equal(writeCompact(parseJson(writeCompact(r as JsonRaw)) as JsonRaw), writeCompact(r as JsonRaw), s);
      }
    }
    assert.ok(valid > 500, `only ${valid} valid samples`);
  });
});
