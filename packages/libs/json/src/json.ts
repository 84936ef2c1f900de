/** `json`: the JSON value data type, parsing and validation. */
import { dataType, END, fn, treatment, type Value } from '@tutti/core';
import { isSyntaxError, JsonValue } from './json-value.js';
import { parseJson } from './parse.js';

const area = 'json';

/** Most values parsed before sending them (see `toJson`). */
const SLICE = 512;

export const jsonElements = [
  dataType(area, 'Json', {
    traits: 'ToString TryToString TryToBool TryToI64 TryToU64 TryToF64 Display Deserialize',
    doc: 'Any JSON value (integer and float numbers kept apart, object keys sorted).',
  }),
  fn(area, 'to_json', {
    params: 'text: string',
    returns: 'Option<Json>',
    doc: 'Strict JSON parse of one value; none on error.',
    impl: ([text]) => JsonValue.parse(text as string),
  }),
  treatment(area, 'toJson', {
    inputs: { text: 'Stream<string>' },
    outputs: { json: 'Stream<Option<Json>>', error: 'Stream<Option<string>>' },
    doc: 'Parses each string: one value on each output per input (the JSON, or none and the error message).',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.text.recvMany();
        if (b === END) return;
        // Slices of a large batch go out one by one: the trees of a slice can then die
        // young downstream, where a whole 32 768-value batch (std's `generate` chunk)
        // outlives the young generation and garbage collection dominates: about 4×
        // slower in bench/json.mjs (c).
        for (let from = 0; from < b.length; from += SLICE) {
          const to = Math.min(b.length, from + SLICE);
          const json: Value[] = new Array(to - from);
          const error: Value[] = new Array(to - from);
          for (let i = from; i < to; i++) {
            const r = parseJson(b[i] as string);
            if (isSyntaxError(r)) {
              json[i - from] = null;
              error[i - from] = r.message;
            } else {
              json[i - from] = JsonValue.of(r);
              error[i - from] = null;
            }
          }
          // Both at once, as the reference: a consumer of one output may wait for the other.
          const [a, c] = await Promise.all([outputs.json.sendMany(json), outputs.error.sendMany(error)]);
          if (!a && !c) return;
        }
      }
    },
  }),
  treatment(area, 'validate', {
    inputs: { text: 'Stream<string>' },
    outputs: { is_json: 'Stream<bool>' },
    doc: 'Whether each string is valid JSON.',
    async run({ inputs, outputs }) {
      for (;;) {
        const b = await inputs.text.recvMany();
        if (b === END) return;
        const out: boolean[] = new Array(b.length);
        // Same rules and limits as `|to_json`, so the same parser.
        for (let i = 0; i < b.length; i++) out[i] = !isSyntaxError(parseJson(b[i] as string));
        if (!(await outputs.is_json.sendMany(out))) return;
      }
    },
  }),
];
