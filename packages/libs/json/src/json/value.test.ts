import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Batch, coreType, type FunctionDescriptor, type TreatmentDescriptor, type Value } from '@tutti/core';
import { readsWithoutConsumers, runTreatment, typeOf } from '@tutti/engine/testing';
import { StringMapValue } from '@tutti/lib-std';
import { JsonValue } from '../json-value.js';
import { jsonValue } from './value.js';

/** Batches read from `input` (repeating `batch`) with every output unconnected (rule C probe). */
const readsOf = async (d: TreatmentDescriptor, input: string, batch: Batch, o: Parameters<typeof readsWithoutConsumers>[2] = {}) =>
  (await readsWithoutConsumers(d, { [input]: batch }, o))[input];

const DATA = { Json: 'json::Json', StringMap: 'std/data/string_map::StringMap' };

function fnOf(name: string): FunctionDescriptor {
  const d = jsonValue.find((e) => e.kind === 'function' && e.name === name);
  assert.ok(d && d.kind === 'function' && d.impl, `|${name}`);
  return d;
}

function treatmentOf(name: string): TreatmentDescriptor {
  const d = jsonValue.find((e) => e.kind === 'treatment' && e.name === name);
  assert.ok(d && d.kind === 'treatment' && d.run, name);
  return d;
}

/** Option<Json> as text (none as null), bools as they are. */
function show(v: Value): Value {
  return v instanceof JsonValue ? v.toString() : v;
}

const json = (text: string) => JsonValue.parse(text) as JsonValue;
const REPLACEMENT = json('"n/a"');

/**
 * One row: the function and its treatment twin on the same inputs, with the same expected
 * outputs (as compact text; none as null).
 */
interface Row {
  fn: string;
  treatment: string;
  port: string;
  generic?: [string, string];
  inputs: Value[];
  expected: Value[];
  replacement?: boolean;
}

const huge = 2n ** 64n - 1n;
const rows: Row[] = [
  { fn: 'from_bool', treatment: 'fromBool', port: 'json', generic: ['B', 'bool'], inputs: [true, false], expected: ['true', 'false'] },
  {
    fn: 'from_bool',
    treatment: 'fromBool',
    port: 'json',
    generic: ['B', 'i64'],
    inputs: [0, -3, 2n ** 60n],
    expected: ['false', 'true', 'true'],
  },
  { fn: 'from_bool', treatment: 'fromBool', port: 'json', generic: ['B', 'byte'], inputs: [0, 255], expected: ['false', 'true'] },
  {
    fn: 'from_number_i64',
    treatment: 'fromNumberI64',
    port: 'json',
    generic: ['I', 'i64'],
    inputs: [0, -1, -(2n ** 63n), 2n ** 63n - 1n],
    expected: ['0', '-1', '-9223372036854775808', '9223372036854775807'],
  },
  // 32-bit inputs work in the treatment too (the reference panics).
  {
    fn: 'from_number_i64',
    treatment: 'fromNumberI64',
    port: 'json',
    generic: ['I', 'u32'],
    inputs: [4294967295],
    expected: ['4294967295'],
  },
  { fn: 'from_number_i64', treatment: 'fromNumberI64', port: 'json', generic: ['I', 'i8'], inputs: [-128], expected: ['-128'] },
  {
    fn: 'from_number_u64',
    treatment: 'fromNumberU64',
    port: 'json',
    generic: ['U', 'u64'],
    inputs: [0, 7, huge],
    expected: ['0', '7', '18446744073709551615'],
  },
  {
    fn: 'from_number_u64',
    treatment: 'fromNumberU64',
    port: 'json',
    generic: ['U', 'u32'],
    inputs: [4294967295],
    expected: ['4294967295'],
  },
  {
    fn: 'try_from_number_f64',
    treatment: 'tryFromNumberF64',
    port: 'json',
    generic: ['F', 'f64'],
    inputs: [1.5, 3, -0, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    expected: ['1.5', '3.0', '-0.0', '1e300', null, null, null],
  },
  {
    fn: 'try_from_number_f64',
    treatment: 'tryFromNumberF64',
    port: 'json',
    generic: ['F', 'f32'],
    inputs: [Math.fround(0.1)],
    expected: ['0.10000000149011612'],
  },
  {
    fn: 'try_from_number_f64',
    treatment: 'tryFromNumberF64',
    port: 'json',
    generic: ['F', 'u64'],
    inputs: [5, huge],
    expected: ['5.0', '1.8446744073709552e19'],
  },
  {
    fn: 'from_number_f64',
    treatment: 'fromNumberF64',
    port: 'json',
    generic: ['F', 'f64'],
    inputs: [2.25, Number.NaN, Number.NEGATIVE_INFINITY],
    expected: ['2.25', '"n/a"', '"n/a"'],
    replacement: true,
  },
  { fn: 'from_string', treatment: 'fromString', port: 'json', generic: ['S', 'string'], inputs: ['a"b', ''], expected: ['"a\\"b"', '""'] },
  {
    fn: 'from_string',
    treatment: 'fromString',
    port: 'json',
    generic: ['S', 'f64'],
    inputs: [1, 0.5, Number.NaN],
    expected: ['"1"', '"0.5"', '"NaN"'],
  },
  { fn: 'from_string', treatment: 'fromString', port: 'json', generic: ['S', 'byte'], inputs: [10], expected: ['"0a"'] },
  { fn: 'from_string', treatment: 'fromString', port: 'json', generic: ['S', 'void'], inputs: [undefined], expected: ['""'] },
  {
    fn: 'from_string',
    treatment: 'fromString',
    port: 'json',
    generic: ['S', 'Json'],
    inputs: [json('{"a":[1.0]}')],
    expected: ['"{\\"a\\":[1.0]}"'],
  },
  {
    fn: 'from_string_map',
    treatment: 'fromStringMap',
    port: 'json',
    inputs: [StringMapValue.from({ z: '1', a: 'x"' }), StringMapValue.empty],
    expected: ['{"a":"x\\"","z":"1"}', '{}'],
  },
  {
    fn: 'from_option_bool',
    treatment: 'fromOptionBool',
    port: 'json',
    generic: ['B', 'u8'],
    inputs: [1, null, 0],
    expected: ['true', 'null', 'false'],
  },
  {
    fn: 'from_option_number_i64',
    treatment: 'fromOptionNumberI64',
    port: 'json',
    generic: ['I', 'i64'],
    inputs: [null, -5],
    expected: ['null', '-5'],
  },
  {
    fn: 'from_option_number_u64',
    treatment: 'fromOptionNumberU64',
    port: 'json',
    generic: ['U', 'u64'],
    inputs: [huge, null],
    expected: ['18446744073709551615', 'null'],
  },
  {
    fn: 'try_from_option_number_f64',
    treatment: 'tryFromOptionNumberF64',
    port: 'json',
    generic: ['F', 'f64'],
    inputs: [null, 4, Number.NaN],
    expected: ['null', '4.0', null],
  },
  {
    fn: 'from_option_number_f64',
    treatment: 'fromOptionNumberF64',
    port: 'json',
    generic: ['F', 'f32'],
    inputs: [null, 0.5, Number.POSITIVE_INFINITY],
    expected: ['null', '0.5', '"n/a"'],
    replacement: true,
  },
  {
    fn: 'from_option_string',
    treatment: 'fromOptionString',
    port: 'json',
    generic: ['S', 'char'],
    inputs: ['é', null],
    expected: ['"é"', 'null'],
  },
];

// Inspections, over one sample of every kind.
const samples = ['null', 'true', '"s"', '-3', '18446744073709551615', '9223372036854775808', '1.0', '2.5', '[]', '{}'];
const inspections: [string, string, string, boolean[]][] = [
  ['is_null', 'isNull', 'is_null', [true, false, false, false, false, false, false, false, false, false]],
  ['is_bool', 'isBool', 'is_bool', [false, true, false, false, false, false, false, false, false, false]],
  ['is_string', 'isString', 'is_string', [false, false, true, false, false, false, false, false, false, false]],
  ['is_number', 'isNumber', 'is_number', [false, false, false, true, true, true, true, true, false, false]],
  ['is_i64', 'isI64', 'is_i64', [false, false, false, true, false, false, false, false, false, false]],
  ['is_u64', 'isU64', 'is_u64', [false, false, false, false, true, true, false, false, false, false]],
  ['is_f64', 'isF64', 'is_f64', [false, false, false, false, false, false, true, true, false, false]],
  ['is_vec', 'isVector', 'is_vector', [false, false, false, false, false, false, false, false, true, false]],
  ['is_object', 'isObject', 'is_object', [false, false, false, false, false, false, false, false, false, true]],
];
for (const [f, tr, port, expected] of inspections) rows.push({ fn: f, treatment: tr, port, inputs: samples.map(json), expected });

describe('json/value functions and their treatment twins', () => {
  for (const row of rows) {
    const label = `|${row.fn} / ${row.treatment}${row.generic ? `<${row.generic[1]}>` : ''}`;
    test(`${label}: ${row.inputs.length} values`, async () => {
      const g = row.generic ? { [row.generic[0]]: typeOf(row.generic[1], DATA) } : {};
      const f = fnOf(row.fn);
      const got = row.inputs.map((v) =>
        show((f.impl as NonNullable<FunctionDescriptor['impl']>)(row.replacement ? [v, REPLACEMENT] : [v], g)),
      );
      assert.deepEqual(got, row.expected, `function |${row.fn}`);
      // The treatment, values split over two batches.
      const half = Math.ceil(row.inputs.length / 2);
      const r = await runTreatment(treatmentOf(row.treatment), {
        generics: row.generic ? { [row.generic[0]]: row.generic[1] } : {},
        dataTypes: DATA,
        params: row.replacement ? { replacement: REPLACEMENT } : {},
        inputs: { value: { batches: [row.inputs.slice(0, half), row.inputs.slice(half)].filter((b) => b.length > 0) } },
      });
      assert.equal(r.error, undefined);
      assert.deepEqual((r.outputs[row.port] ?? []).map(show), row.expected, `treatment ${row.treatment}`);
    });
  }

  test('every function and treatment is covered', () => {
    const fns = new Set(rows.map((r) => r.fn));
    const trs = new Set(rows.map((r) => r.treatment));
    for (const e of jsonValue) {
      if (e.name === 'null') continue;
      assert.ok(e.kind === 'function' ? fns.has(e.name) : trs.has(e.name), `${e.kind} ${e.name}`);
    }
  });

  test('replacement is the given value itself', () => {
    const r = fnOf('from_number_f64').impl?.([Number.NaN, REPLACEMENT], { F: coreType('f64') });
    assert.equal(r, REPLACEMENT);
  });
});

describe('|null and null', () => {
  test('the function gives JSON null', () => {
    assert.equal(show(fnOf('null').impl?.([], {})), 'null');
  });

  test('one null per tick, per batch', async () => {
    const r = await runTreatment(treatmentOf('null'), { inputs: { ticks: { batches: [[undefined, undefined], [undefined]] } } });
    assert.deepEqual(r.outputs.nulls?.map(show), ['null', 'null', 'null']);
    assert.deepEqual(
      r.batches.nulls?.map((b) => b.length),
      [2, 1],
    );
  });

  test('empty ticks: closes without values', async () => {
    const r = await runTreatment(treatmentOf('null'), { inputs: { ticks: [] } });
    assert.deepEqual(r.outputs.nulls, []);
    assert.deepEqual(r.closeOrder, ['nulls']);
  });
});

describe('rule C', () => {
  test('every treatment stops reading once its output has no consumer', async () => {
    const cases: [string, Value, Record<string, string>][] = [
      ['null', undefined, {}],
      ['fromBool', true, { B: 'bool' }],
      ['fromNumberI64', 1, { I: 'i64' }],
      ['fromNumberF64', 1, { F: 'f64' }],
      ['fromStringMap', StringMapValue.empty, {}],
      ['fromOptionString', null, { S: 'string' }],
      ['isObject', JsonValue.null, {}],
    ];
    for (const [name, value, generics] of cases) {
      const d = treatmentOf(name);
      const input = d.inputs[0]?.name as string;
      assert.equal(await readsOf(d, input, [value], { generics, params: { replacement: REPLACEMENT } }), 1, name);
    }
  });

  test('a consumer that takes one value ends the treatment', async () => {
    const r = await runTreatment(treatmentOf('fromString'), {
      generics: { S: 'string' },
      inputs: { value: { batches: [['a'], ['b'], ['c']] } },
      outputs: { json: { take: 1 } },
    });
    assert.deepEqual(r.outputs.json?.map(show), ['"a"']);
  });
});
