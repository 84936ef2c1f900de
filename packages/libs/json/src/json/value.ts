/** `json/value` (libraries spec §7.2): building and inspecting JSON values, each function with a streaming twin. */
import { fn, treatment } from '@tutti/core';

const area = 'json/value';

/** A function `|name(value: input) -> output` and its treatment twin reading `value: Stream<input>`. */
function pair(
  fnName: string,
  treatmentName: string,
  o: { generics?: string; input: string; output: string; port: string; replacement?: boolean; doc: string },
) {
  const replacement = o.replacement === true;
  return [
    fn(area, fnName, {
      ...(o.generics === undefined ? {} : { generics: o.generics }),
      params: replacement ? `value: ${o.input}, replacement: Json` : `value: ${o.input}`,
      returns: o.output,
      doc: o.doc,
    }),
    treatment(area, treatmentName, {
      ...(o.generics === undefined ? {} : { generics: o.generics }),
      ...(replacement ? { params: { replacement: 'var Json' } } : {}),
      inputs: { value: `Stream<${o.input}>` },
      outputs: { [o.port]: `Stream<${o.output}>` },
      doc: o.doc,
    }),
  ];
}

export const jsonValue = [
  fn(area, 'null', { returns: 'Json', doc: 'JSON null.' }),
  treatment(area, 'null', {
    inputs: { ticks: 'Stream<void>' },
    outputs: { nulls: 'Stream<Json>' },
    doc: 'One JSON null per tick.',
  }),
  ...pair('from_bool', 'fromBool', {
    generics: 'B: ToBool',
    input: 'B',
    output: 'Json',
    port: 'json',
    doc: 'JSON boolean.',
  }),
  ...pair('from_number_i64', 'fromNumberI64', {
    generics: 'I: ToI64',
    input: 'I',
    output: 'Json',
    port: 'json',
    doc: 'JSON integer (i64).',
  }),
  ...pair('from_number_u64', 'fromNumberU64', {
    generics: 'U: ToU64',
    input: 'U',
    output: 'Json',
    port: 'json',
    doc: 'JSON unsigned integer (u64).',
  }),
  ...pair('try_from_number_f64', 'tryFromNumberF64', {
    generics: 'F: ToF64',
    input: 'F',
    output: 'Option<Json>',
    port: 'json',
    doc: 'JSON float; none for NaN or infinities.',
  }),
  ...pair('from_number_f64', 'fromNumberF64', {
    generics: 'F: ToF64',
    input: 'F',
    output: 'Json',
    port: 'json',
    replacement: true,
    doc: 'JSON float; `replacement` for NaN or infinities.',
  }),
  ...pair('from_string', 'fromString', {
    generics: 'S: ToString',
    input: 'S',
    output: 'Json',
    port: 'json',
    doc: 'JSON string of the text form of the value.',
  }),
  ...pair('from_string_map', 'fromStringMap', {
    input: 'StringMap',
    output: 'Json',
    port: 'json',
    doc: 'JSON object whose values are JSON strings.',
  }),
  ...pair('from_option_bool', 'fromOptionBool', {
    generics: 'B: ToBool',
    input: 'Option<B>',
    output: 'Json',
    port: 'json',
    doc: 'JSON boolean; none gives null.',
  }),
  ...pair('from_option_number_i64', 'fromOptionNumberI64', {
    generics: 'I: ToI64',
    input: 'Option<I>',
    output: 'Json',
    port: 'json',
    doc: 'JSON integer (i64); none gives null.',
  }),
  ...pair('from_option_number_u64', 'fromOptionNumberU64', {
    generics: 'U: ToU64',
    input: 'Option<U>',
    output: 'Json',
    port: 'json',
    doc: 'JSON unsigned integer (u64); none gives null.',
  }),
  ...pair('try_from_option_number_f64', 'tryFromOptionNumberF64', {
    generics: 'F: ToF64',
    input: 'Option<F>',
    output: 'Option<Json>',
    port: 'json',
    doc: 'JSON float; none input gives some(null), NaN or infinities give none.',
  }),
  ...pair('from_option_number_f64', 'fromOptionNumberF64', {
    generics: 'F: ToF64',
    input: 'Option<F>',
    output: 'Json',
    port: 'json',
    replacement: true,
    doc: 'JSON float; none gives null, NaN or infinities give `replacement`.',
  }),
  ...pair('from_option_string', 'fromOptionString', {
    generics: 'S: ToString',
    input: 'Option<S>',
    output: 'Json',
    port: 'json',
    doc: 'JSON string of the text form of the value; none gives null.',
  }),
  ...pair('is_null', 'isNull', {
    input: 'Json',
    output: 'bool',
    port: 'is_null',
    doc: 'Whether the value is null.',
  }),
  ...pair('is_bool', 'isBool', {
    input: 'Json',
    output: 'bool',
    port: 'is_bool',
    doc: 'Whether the value is a boolean.',
  }),
  ...pair('is_string', 'isString', {
    input: 'Json',
    output: 'bool',
    port: 'is_string',
    doc: 'Whether the value is a string.',
  }),
  ...pair('is_number', 'isNumber', {
    input: 'Json',
    output: 'bool',
    port: 'is_number',
    doc: 'Whether the value is a number.',
  }),
  ...pair('is_i64', 'isI64', {
    input: 'Json',
    output: 'bool',
    port: 'is_i64',
    doc: 'Whether the value is an integer representable as i64.',
  }),
  ...pair('is_u64', 'isU64', {
    input: 'Json',
    output: 'bool',
    port: 'is_u64',
    doc: 'Whether the value is a non-negative integer (u64).',
  }),
  ...pair('is_f64', 'isF64', {
    input: 'Json',
    output: 'bool',
    port: 'is_f64',
    doc: 'Whether the value is a number stored as float (not an integer literal).',
  }),
  ...pair('is_vec', 'isVector', {
    input: 'Json',
    output: 'bool',
    port: 'is_vector',
    doc: 'Whether the value is an array.',
  }),
  ...pair('is_object', 'isObject', {
    input: 'Json',
    output: 'bool',
    port: 'is_object',
    doc: 'Whether the value is an object.',
  }),
];
