/**
 * The one loop shared by the library treatments that turn each received value into one sent
 * value: one promise per batch, an index loop because a batch may be a
 * `Uint8Array`, and a stop as soon as the output has no consumer left (rule C).
 */
import type { InputPort, OutputPort } from './executive.js';
import { END, type Value } from './values.js';

/**
 * Sends `f(v)` for every value `v` of `input`, batch by batch, until the input ends or
 * `output` has no consumer.
 *
 * @example
 * ```ts
 * await mapEach(inputs.text, outputs.trimmed, (v) => trimWhiteSpace(v as string));
 * ```
 */
export async function mapEach(input: InputPort, output: OutputPort, f: (value: Value) => Value): Promise<void> {
  for (;;) {
    const batch = await input.recvMany();
    if (batch === END) return;
    const out: Value[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = f(batch[i]);
    if (!(await output.sendMany(out))) return;
  }
}
