import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJson } from './parse.js';
import { JsonFloat, JsonObject, type JsonRaw } from './raw.js';
import { floatJson, quoteJson, writeCompact, writePretty } from './write.js';

describe('floatJson (ryu form)', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [100, '100.0'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [0.00001, '0.00001'],
    [0.000012345, '0.000012345'],
    [0.000001, '1e-6'],
    [1.5e-7, '1.5e-7'],
    [9999999999999998, '9999999999999998.0'],
    [1e16, '1e16'],
    [1.5e16, '1.5e16'],
    [123456789e20, '1.23456789e28'],
    [1e21, '1e21'],
    [-1e300, '-1e300'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    [2 ** 64, '1.8446744073709552e19'],
  ];
  for (const [x, s] of cases) test(`${x} → ${s}`, () => assert.equal(floatJson(x), s));
});

describe('quoteJson', () => {
  test('escapes only the quote, the backslash and C0 controls', () => {
    assert.equal(quoteJson('plain / \u007f \u2028 é 😀'), '"plain / \u007f \u2028 é 😀"');
    assert.equal(quoteJson('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quoteJson('\b\f\n\r\t'), '"\\b\\f\\n\\r\\t"');
    assert.equal(quoteJson('\u0000\u0001\u001f\u000b'), '"\\u0000\\u0001\\u001f\\u000b"');
    assert.equal(quoteJson(''), '""');
  });
});

describe('writeCompact / writePretty', () => {
  const tree: JsonRaw = new JsonObject(
    ['a', 'b', 'c', 'd'],
    [[1, 2.5, new JsonFloat(3), 18446744073709551615n, null, true, 'x'], [], JsonObject.empty, new JsonObject(['e'], [[[]]])],
  );

  test('compact: no spaces', () => {
    assert.equal(writeCompact(tree), '{"a":[1,2.5,3.0,18446744073709551615,null,true,"x"],"b":[],"c":{},"d":{"e":[[]]}}');
    assert.equal(writeCompact(-7), '-7');
    assert.equal(writeCompact(-9223372036854775808n), '-9223372036854775808');
  });

  test('pretty: two-space indentation, ": " after keys, empty containers inline', () => {
    assert.equal(
      writePretty(tree),
      [
        '{',
        '  "a": [',
        '    1,',
        '    2.5,',
        '    3.0,',
        '    18446744073709551615,',
        '    null,',
        '    true,',
        '    "x"',
        '  ],',
        '  "b": [],',
        '  "c": {},',
        '  "d": {',
        '    "e": [',
        '      []',
        '    ]',
        '  }',
        '}',
      ].join('\n'),
    );
    assert.equal(writePretty('a\nb'), '"a\\nb"');
    assert.equal(writePretty([]), '[]');
  });

  test('round trip: text → tree → compact text → same tree', () => {
    const texts = [
      '{"a":[1,-2,3.25,1e300,-0.0,"\\u0001é"],"b":{"c":null}}',
      '[18446744073709551615,-9223372036854775808,9007199254740993]',
      '"\\ud83d\\ude00"',
      '123.0',
    ];
    for (const t of texts) {
      const once = writeCompact(parseJson(t) as JsonRaw);
      assert.equal(writeCompact(parseJson(once) as JsonRaw), once);
      assert.equal(writeCompact(parseJson(writePretty(parseJson(t) as JsonRaw)) as JsonRaw), once);
    }
    assert.equal(writeCompact(parseJson('[1e300, -0.0, 1E2, 9007199254740993]') as JsonRaw), '[1e300,-0.0,100.0,9007199254740993]');
  });

  test('every finite double survives text and back', () => {
    let seed = 7;
    const buf = new DataView(new ArrayBuffer(8));
    for (let k = 0; k < 5000; k++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      buf.setUint32(0, seed * 2654435761);
      buf.setUint32(4, seed ^ 0x5bd1e995);
      const x = buf.getFloat64(0);
      if (!Number.isFinite(x)) continue;
      const r = parseJson(floatJson(x));
      const back = r instanceof JsonFloat ? r.value : r;
      assert.ok(Object.is(back, x), `${x} → ${floatJson(x)}`);
    }
  });
});
