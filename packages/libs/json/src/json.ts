/** `json` (libraries spec §7.1): the JSON value data type, parsing and validation. */
import { dataType, fn, treatment } from '@tutti/core';

const area = 'json';

export const jsonElements = [
  dataType(area, 'Json', {
    traits: 'ToString TryToString TryToBool TryToI64 TryToU64 TryToF64 Display Deserialize',
    doc: 'Any JSON value (integer and float numbers kept apart, object keys sorted).',
  }),
  fn(area, 'to_json', {
    params: 'text: string',
    returns: 'Option<Json>',
    doc: 'Strict JSON parse of one value; none on error.',
  }),
  treatment(area, 'toJson', {
    inputs: { text: 'Stream<string>' },
    outputs: { json: 'Stream<Option<Json>>', error: 'Stream<Option<string>>' },
    doc: 'Parses each string: one value on each output per input (the JSON, or none and the error message).',
  }),
  treatment(area, 'validate', {
    inputs: { text: 'Stream<string>' },
    outputs: { is_json: 'Stream<bool>' },
    doc: 'Whether each string is valid JSON.',
  }),
];
