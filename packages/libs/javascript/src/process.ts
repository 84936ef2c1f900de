/**
 * Behaviour of `javascript::process` (libraries spec §9): for each `Json` received, set the
 * global `value`, evaluate `code` in the engine's realm and send its completion value as
 * `Json`, or none. One output per input, in order.
 */
import { END, type TreatmentContext, type Value } from '@tutti/core';
import { JsonValue } from '@tutti/lib-json';
import { JavaScriptEngine } from './engine.js';

// Evaluation is synchronous: a long batch is cut into slices of about this many
// milliseconds, so that results flow and other tasks (another `process` on the same
// engine, signals) get their turn between slices.
const SLICE_MS = 20;

/** The `run` of `process`. */
export async function runProcess({ inputs, outputs, params, models }: TreatmentContext<'value', 'result', 'code'>): Promise<void> {
  const engine = models.engine;
  if (!(engine instanceof JavaScriptEngine)) throw new Error('javascript::process: its model is not a JavaScriptEngine instance');
  const code = params.code as string;
  for (;;) {
    const batch = await inputs.value.recvMany();
    if (batch === END) return;
    let i = 0;
    while (i < batch.length) {
      const realm = await engine.current();
      if (realm === undefined) return;
      const out: Value[] = [];
      const until = performance.now() + SLICE_MS;
      do {
        const v = batch[i++];
        if (!(v instanceof JsonValue)) throw new Error('javascript::process: received a value that is not a json::Json');
        // The realm speaks JSON text: compact text in, strict parse (Json's limits) out.
        const text = realm.evaluate(v.toString(), code);
        out.push(text === undefined ? null : JsonValue.parse(text));
      } while (i < batch.length && !realm.broken && performance.now() < until);
      if (!(await outputs.result.sendMany(out))) return;
    }
  }
}
