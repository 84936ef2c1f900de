import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { displayValue, type TreatmentDescriptor, toStringValue } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { std } from '@tutti/lib-std';
import { jsonFromJs, jsonToJs } from './js-bridge.js';
import { JsonValue } from './json-value.js';

const JSON_TYPE = { kind: 'data', id: 'json::Json', name: 'Json' } as const;

function parsed(text: string): JsonValue {
  const v = JsonValue.parse(text);
  assert.ok(v, text);
  return v;
}

describe('JsonValue', () => {
  test('parse gives null on invalid text; parseOrError gives the message', () => {
    assert.equal(JsonValue.parse('{'), null);
    const e = JsonValue.parseOrError('x');
    assert.ok(!(e instanceof JsonValue));
    assert.equal(e.message, 'expected value at line 1 column 1');
  });

  test('kind tells integers from floats', () => {
    const kinds = ['null', 'true', '1', '1.0', '1.5', '"s"', '[]', '{}', '18446744073709551615'].map((t) => parsed(t).kind);
    assert.deepEqual(kinds, ['null', 'bool', 'int', 'float', 'float', 'string', 'array', 'object', 'int']);
  });

  test('toString is compact, display is pretty; core renderings use them', () => {
    const v = parsed('{"b": [1, 2.0], "a": "x"}');
    assert.equal(v.toString(), '{"a":"x","b":[1,2.0]}');
    assert.equal(v.display(), '{\n  "a": "x",\n  "b": [\n    1,\n    2.0\n  ]\n}');
    assert.equal(toStringValue(v, JSON_TYPE), '{"a":"x","b":[1,2.0]}');
    assert.equal(displayValue(v, JSON_TYPE), v.display());
  });

  test('tryToString / tryToBool: only JSON strings / booleans', () => {
    assert.equal(parsed('"plain text"').tryToString(), 'plain text');
    assert.equal(parsed('12345').tryToString(), null);
    assert.equal(parsed('null').tryToString(), null);
    assert.equal(parsed('true').tryToBool(), true);
    assert.equal(parsed('false').tryToBool(), false);
    assert.equal(parsed('1').tryToBool(), null);
    assert.equal(parsed('"true"').tryToBool(), null);
  });

  test('tryToI64 / tryToU64: integers in range only, exact', () => {
    const i64 = (t: string) => parsed(t).tryToI64();
    const u64 = (t: string) => parsed(t).tryToU64();
    assert.equal(i64('-1'), -1);
    assert.equal(i64('9223372036854775807'), 9223372036854775807n);
    assert.equal(i64('9223372036854775808'), null);
    assert.equal(i64('-9223372036854775808'), -9223372036854775808n);
    assert.equal(i64('1.0'), null);
    assert.equal(i64('1.5'), null);
    assert.equal(i64('"1"'), null);
    assert.equal(u64('18446744073709551615'), 18446744073709551615n);
    assert.equal(u64('0'), 0);
    assert.equal(u64('-1'), null);
    assert.equal(u64('-0'), null);
    assert.equal(u64('2e0'), null);
  });

  test('tryToF64: any number', () => {
    assert.equal(parsed('1').tryToF64(), 1);
    assert.equal(parsed('2.5').tryToF64(), 2.5);
    assert.equal(parsed('1e2').tryToF64(), 100);
    assert.equal(parsed('18446744073709551615').tryToF64(), 2 ** 64);
    assert.equal(parsed('null').tryToF64(), null);
    assert.equal(parsed('[1]').tryToF64(), null);
  });

  test('builders', () => {
    assert.equal(JsonValue.int(5).toString(), '5');
    assert.equal(JsonValue.int(-0).toString(), '0');
    assert.equal(JsonValue.int(2n ** 64n - 1n).toString(), '18446744073709551615');
    assert.equal(JsonValue.int(12n).raw, 12);
    assert.throws(() => JsonValue.int(2n ** 64n), RangeError);
    assert.equal(JsonValue.float(3)?.toString(), '3.0');
    assert.equal(JsonValue.float(Number.NaN), null);
    assert.equal(JsonValue.float(Number.NEGATIVE_INFINITY), null);
    assert.equal(JsonValue.string('a"').toString(), '"a\\""');
    assert.equal(JsonValue.bool(true), JsonValue.true);
    assert.equal(JsonValue.array([JsonValue.null, JsonValue.int(1)]).toString(), '[null,1]');
    assert.equal(
      JsonValue.object([
        ['b', JsonValue.int(1)],
        ['a', JsonValue.null],
        ['b', JsonValue.int(2)],
      ]).toString(),
      '{"a":null,"b":2}',
    );
  });

  test('navigation: get, at, children', () => {
    const v = parsed('{"a": [10, {"b": true}], "c": null}');
    assert.equal(v.get('a')?.at(1)?.get('b'), JsonValue.true);
    assert.equal(v.get('c'), JsonValue.null);
    assert.equal(v.get('z'), undefined);
    assert.equal(v.at(0), undefined);
    assert.deepEqual(
      [...v.children()].map(([k, c]) => [k, c.toString()]),
      [
        ['a', '[10,{"b":true}]'],
        ['c', 'null'],
      ],
    );
  });

  test('equals: structural, integers never equal floats', () => {
    assert.ok(parsed('{"a": [1, 2.5]}').equals(parsed('{ "a" : [1,2.5] }')));
    assert.ok(parsed('{"b":1,"a":2}').equals(parsed('{"a":2,"b":1}')));
    assert.ok(!parsed('1').equals(parsed('1.0')));
    assert.ok(parsed('1.0').equals(parsed('1e0')));
    assert.ok(parsed('18446744073709551615').equals(parsed('18446744073709551615')));
    assert.ok(!parsed('[1]').equals(parsed('[1,2]')));
    assert.ok(!parsed('{"a":1}').equals(parsed('{"b":1}')));
    assert.ok(!parsed('null').equals(null));
  });
});

describe('JavaScript bridge', () => {
  test('JSON → JS: plain values, members in key order, wide integers as numbers', () => {
    const js = jsonToJs(parsed('{"b": [1, 2.0, null], "a": 18446744073709551615, "__proto__": {"x": "y"}}')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(js), ['__proto__', 'a', 'b']);
    assert.deepEqual(js.b, [1, 2, null]);
    assert.equal(js.a, 2 ** 64);
    assert.equal(Object.getPrototypeOf(js), Object.prototype);
  });

  test('JS → JSON: integers below 2^53 as integers, other numbers as floats, stringify-like omissions', () => {
    const v = jsonFromJs({
      upper: 'X',
      n: 3,
      f: 2.5,
      big: 2 ** 60,
      nan: Number.NaN,
      neg0: -0,
      u: undefined,
      fn: () => 1,
      arr: [undefined, () => 1, 1],
    });
    assert.equal(v?.toString(), '{"arr":[null,null,1],"big":1.152921504606847e18,"f":2.5,"n":3,"nan":null,"neg0":-0.0,"upper":"X"}');
    assert.equal(jsonFromJs(undefined), null);
    assert.equal(jsonFromJs(1n), null);
    assert.equal(jsonFromJs([Symbol('s')]), null);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(jsonFromJs(cyclic), null);
    const shared = { a: 1 };
    assert.equal(jsonFromJs([shared, shared])?.toString(), '[{"a":1},{"a":1}]');
  });

  test('JS → JSON: non-enumerable own properties kept, accessors give null', () => {
    const o = Object.defineProperty({ a: 1 }, 'hidden', { value: true, enumerable: false });
    Object.defineProperty(o, 'got', { get: () => 5, enumerable: true });
    assert.equal(jsonFromJs(o)?.toString(), '{"a":1,"got":null,"hidden":true}');
  });
});

describe('std/conv on Json (the method names data-traits.ts calls)', () => {
  function conv(name: string): TreatmentDescriptor {
    const d = std.elements.find((e) => e.kind === 'treatment' && e.area === 'std/conv' && e.name === name);
    assert.ok(d, name);
    return d as TreatmentDescriptor;
  }
  const values = ['"plain text"', '12345', 'true', '-1', '18446744073709551615', '2.5'].map(parsed);
  const run = async (name: string) =>
    (await runTreatment(conv(name), { generics: { T: 'Json' }, dataTypes: { Json: 'json::Json' }, inputs: { value: values } })).outputs
      .into;

  test('toString, tryToString, tryToBool, tryToI64, tryToU64, tryToF64', async () => {
    assert.deepEqual(await run('toString'), ['"plain text"', '12345', 'true', '-1', '18446744073709551615', '2.5']);
    assert.deepEqual(await run('tryToString'), ['plain text', null, null, null, null, null]);
    assert.deepEqual(await run('tryToBool'), [null, null, true, null, null, null]);
    assert.deepEqual(await run('tryToI64'), [null, 12345, null, -1, null, null]);
    assert.deepEqual(await run('tryToU64'), [null, 12345, null, null, 18446744073709551615n, null]);
    assert.deepEqual(await run('tryToF64'), [null, 12345, null, -1, 2 ** 64, 2.5]);
  });

  test('the Json type prints with its own Display', () => {
    assert.equal(displayValue([parsed('[1]')], { kind: 'vec', of: JSON_TYPE }), '[[\n  1\n]]');
    assert.equal(toStringValue(parsed('1.0'), JSON_TYPE), '1.0');
  });
});
