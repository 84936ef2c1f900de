/** `json/value`: building and inspecting JSON values, each function with a streaming twin. */
import { type DataType, END, fn, type GenericArgs, treatment, type Value } from '@tutti/core';
import type { StringMapValue } from '@tutti/lib-std';
import { JsonValue } from '../json-value.js';
import { type JsonKind, JsonObject } from '../raw.js';
import { readBool, readF64, readInt, readString } from './inputs.js';

const area = 'json/value';

/** The conversion of one input value, chosen once per run from the generics (and `replacement`). */
type Make = (g: GenericArgs, replacement: JsonValue) => (v: Value) => Value;

/** A function `|name(value: input) -> output` and its treatment twin reading `value: Stream<input>`. */
function pair(
  fnName: string,
  treatmentName: string,
  o: { generics?: string; input: string; output: string; port: string; replacement?: boolean; doc: string; make: Make },
) {
  const replacement = o.replacement === true;
  const make = o.make;
  return [
    fn(area, fnName, {
      ...(o.generics === undefined ? {} : { generics: o.generics }),
      params: replacement ? `value: ${o.input}, replacement: Json` : `value: ${o.input}`,
      returns: o.output,
      doc: o.doc,
      impl: ([value, repl], g) => make(g, repl as JsonValue)(value),
    }),
    treatment(area, treatmentName, {
      ...(o.generics === undefined ? {} : { generics: o.generics }),
      ...(replacement ? { params: { replacement: 'var Json' } } : {}),
      inputs: { value: `Stream<${o.input}>` },
      outputs: { [o.port]: `Stream<${o.output}>` },
      doc: o.doc,
      async run({ inputs, outputs, generics, params }) {
        const convert = make(generics, (params as Record<string, Value>).replacement as JsonValue);
        const out = outputs[o.port];
        if (out === undefined) throw new Error(`Output '${o.port}' is missing`);
        for (;;) {
          const b = await inputs.value.recvMany();
          if (b === END) return;
          const values: Value[] = new Array(b.length);
          for (let i = 0; i < b.length; i++) values[i] = convert(b[i]);
          if (!(await out.sendMany(values))) return;
        }
      },
    }),
  ];
}

/** The argument of generic `name`. */
function arg(g: GenericArgs, name: string): DataType {
  const t = g[name];
  if (t === undefined) throw new Error(`Generic '${name}' has no argument`);
  return t;
}

/** `Option<X>` input: none gives JSON null, some goes through `some`. */
function orNull(some: (v: Value) => Value): (v: Value) => Value {
  return (v) => (v === null ? JsonValue.null : some(v));
}

const fromBool: Make = (g) => {
  const read = readBool(arg(g, 'B'));
  return (v) => JsonValue.bool(read(v));
};
// The treatments convert with 64 bits, as the functions do (the reference's use 16-bit
// conversions and panic on wider inputs).
const fromI64: Make = (g) => {
  const read = readInt(arg(g, 'I'), 'toI64');
  return (v) => JsonValue.int(read(v));
};
const fromU64: Make = (g) => {
  const read = readInt(arg(g, 'U'), 'toU64');
  return (v) => JsonValue.int(read(v));
};
/** Float; none for NaN/±∞. */
const tryFromF64: Make = (g) => {
  const read = readF64(arg(g, 'F'));
  return (v) => JsonValue.float(read(v));
};
/** Float; `replacement` for NaN/±∞. */
const fromF64: Make = (g, replacement) => {
  const read = readF64(arg(g, 'F'));
  return (v) => JsonValue.float(read(v)) ?? replacement;
};
const fromString: Make = (g) => {
  const read = readString(arg(g, 'S'));
  return (v) => JsonValue.string(read(v));
};
const fromStringMap: Make = () => (v) => {
  const keys: string[] = [];
  const values: string[] = [];
  for (const [k, s] of (v as StringMapValue).entries()) {
    keys.push(k);
    values.push(s);
  }
  return new JsonValue(JsonObject.from(keys, values));
};

/** An inspection `is…`: whether the value's kind is one of `kinds`, or passes `test`. */
function is(test: (j: JsonValue) => boolean): Make {
  return () => (v) => test(v as JsonValue);
}
/** The `Option<…>` form of a constructor: none gives JSON null. */
function optional(make: Make): Make {
  return (g, replacement) => orNull(make(g, replacement));
}

const kindIs =
  (...kinds: JsonKind[]) =>
  (j: JsonValue) =>
    kinds.includes(j.kind);

export const jsonValue = [
  fn(area, 'null', { returns: 'Json', doc: 'JSON null.', impl: () => JsonValue.null }),
  treatment(area, 'null', {
    inputs: { ticks: 'Stream<void>' },
    outputs: { nulls: 'Stream<Json>' },
    doc: 'One JSON null per tick.',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.ticks.recvMany();
        if (b === END) return;
        // One shared value: Json values are immutable.
        if (!(await outputs.nulls.sendMany(new Array<Value>(b.length).fill(JsonValue.null)))) return;
      }
    },
  }),
  ...pair('from_bool', 'fromBool', {
    generics: 'B: ToBool',
    input: 'B',
    output: 'Json',
    port: 'json',
    doc: 'JSON boolean.',
    make: fromBool,
  }),
  ...pair('from_number_i64', 'fromNumberI64', {
    generics: 'I: ToI64',
    input: 'I',
    output: 'Json',
    port: 'json',
    doc: 'JSON integer (i64).',
    make: fromI64,
  }),
  ...pair('from_number_u64', 'fromNumberU64', {
    generics: 'U: ToU64',
    input: 'U',
    output: 'Json',
    port: 'json',
    doc: 'JSON unsigned integer (u64).',
    make: fromU64,
  }),
  ...pair('try_from_number_f64', 'tryFromNumberF64', {
    generics: 'F: ToF64',
    input: 'F',
    output: 'Option<Json>',
    port: 'json',
    doc: 'JSON float; none for NaN or infinities.',
    make: tryFromF64,
  }),
  ...pair('from_number_f64', 'fromNumberF64', {
    generics: 'F: ToF64',
    input: 'F',
    output: 'Json',
    port: 'json',
    replacement: true,
    doc: 'JSON float; `replacement` for NaN or infinities.',
    make: fromF64,
  }),
  ...pair('from_string', 'fromString', {
    generics: 'S: ToString',
    input: 'S',
    output: 'Json',
    port: 'json',
    doc: 'JSON string of the text form of the value.',
    make: fromString,
  }),
  ...pair('from_string_map', 'fromStringMap', {
    input: 'StringMap',
    output: 'Json',
    port: 'json',
    doc: 'JSON object whose values are JSON strings.',
    make: fromStringMap,
  }),
  ...pair('from_option_bool', 'fromOptionBool', {
    generics: 'B: ToBool',
    input: 'Option<B>',
    output: 'Json',
    port: 'json',
    doc: 'JSON boolean; none gives null.',
    make: optional(fromBool),
  }),
  ...pair('from_option_number_i64', 'fromOptionNumberI64', {
    generics: 'I: ToI64',
    input: 'Option<I>',
    output: 'Json',
    port: 'json',
    doc: 'JSON integer (i64); none gives null.',
    make: optional(fromI64),
  }),
  ...pair('from_option_number_u64', 'fromOptionNumberU64', {
    generics: 'U: ToU64',
    input: 'Option<U>',
    output: 'Json',
    port: 'json',
    doc: 'JSON unsigned integer (u64); none gives null.',
    make: optional(fromU64),
  }),
  ...pair('try_from_option_number_f64', 'tryFromOptionNumberF64', {
    generics: 'F: ToF64',
    input: 'Option<F>',
    output: 'Option<Json>',
    port: 'json',
    doc: 'JSON float; none input gives some(null), NaN or infinities give none.',
    make: optional(tryFromF64),
  }),
  ...pair('from_option_number_f64', 'fromOptionNumberF64', {
    generics: 'F: ToF64',
    input: 'Option<F>',
    output: 'Json',
    port: 'json',
    replacement: true,
    doc: 'JSON float; none gives null, NaN or infinities give `replacement`.',
    make: optional(fromF64),
  }),
  ...pair('from_option_string', 'fromOptionString', {
    generics: 'S: ToString',
    input: 'Option<S>',
    output: 'Json',
    port: 'json',
    doc: 'JSON string of the text form of the value; none gives null.',
    make: optional(fromString),
  }),
  ...pair('is_null', 'isNull', {
    input: 'Json',
    output: 'bool',
    port: 'is_null',
    doc: 'Whether the value is null.',
    make: is(kindIs('null')),
  }),
  ...pair('is_bool', 'isBool', {
    input: 'Json',
    output: 'bool',
    port: 'is_bool',
    doc: 'Whether the value is a boolean.',
    make: is(kindIs('bool')),
  }),
  ...pair('is_string', 'isString', {
    input: 'Json',
    output: 'bool',
    port: 'is_string',
    doc: 'Whether the value is a string.',
    make: is(kindIs('string')),
  }),
  ...pair('is_number', 'isNumber', {
    input: 'Json',
    output: 'bool',
    port: 'is_number',
    doc: 'Whether the value is a number.',
    make: is(kindIs('int', 'float')),
  }),
  ...pair('is_i64', 'isI64', {
    input: 'Json',
    output: 'bool',
    port: 'is_i64',
    doc: 'Whether the value is an integer representable as i64.',
    make: is((j) => j.tryToI64() !== null),
  }),
  ...pair('is_u64', 'isU64', {
    input: 'Json',
    output: 'bool',
    port: 'is_u64',
    doc: 'Whether the value is a non-negative integer (u64).',
    make: is((j) => j.tryToU64() !== null),
  }),
  ...pair('is_f64', 'isF64', {
    input: 'Json',
    output: 'bool',
    port: 'is_f64',
    doc: 'Whether the value is a number stored as float (not an integer literal).',
    make: is(kindIs('float')),
  }),
  ...pair('is_vec', 'isVector', {
    input: 'Json',
    output: 'bool',
    port: 'is_vector',
    doc: 'Whether the value is an array.',
    make: is(kindIs('array')),
  }),
  ...pair('is_object', 'isObject', {
    input: 'Json',
    output: 'bool',
    port: 'is_object',
    doc: 'Whether the value is an object.',
    make: is(kindIs('object')),
  }),
];
