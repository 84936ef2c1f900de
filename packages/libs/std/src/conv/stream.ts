/**
 * The one loop every `std/conv` treatment runs: receive a batch on `value`, convert each
 * element, send the batch on the output, stop when the input ends or nobody listens any
 * more (rule C). The converter is chosen once per run from the generic `T`.
 */
import { type Batch, type DataType, END, type TreatmentRun, type Value } from '@tutti/core';
import { identity } from './converters.js';
import type { Converter } from './data-traits.js';

/** The generic argument `T` of a conversion. */
export function typeArgument(generics: Readonly<Record<string, DataType>>): DataType {
  const t = generics.T;
  if (t === undefined) throw new Error("Generic 'T' of a conversion has no argument");
  return t;
}

/**
 * A treatment body converting each value of `value` onto `output`; `byteOutput` makes
 * batches `Uint8Array`s, the preferred form of `byte` flows.
 */
export function convertStream(
  output: string,
  pick: (from: DataType) => Converter,
  byteOutput = false,
): TreatmentRun<'value', string, never> {
  return async ({ inputs, outputs, generics }) => {
    const convert = pick(typeArgument(generics));
    const out = outputs[output];
    if (out === undefined) throw new Error(`Conversion output '${output}' is missing`);
    for (;;) {
      const batch = await inputs.value.recvMany();
      if (batch === END) return;
      if (!(await out.sendMany(convertBatch(batch, convert, byteOutput)))) return;
    }
  };
}

function convertBatch(batch: Batch, convert: Converter, byteOutput: boolean): Batch {
  if (convert === identity) return byteOutput || !(batch instanceof Uint8Array) ? batch : Array.from(batch);
  const n = batch.length;
  if (byteOutput) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = convert(batch[i]) as number;
    return bytes;
  }
  const values: Value[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = convert(batch[i]);
  return values;
}
