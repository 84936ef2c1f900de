/**
 * Behaviour of `javascript::process`: for each `Json` received, set the
 * global `value`, evaluate `code` in the engine's realm and send its completion value as
 * `Json`, or none. One output per input, in order.
 */
import { END, type TreatmentContext, type Value } from '@tutti/core';
import { JsonValue } from '@tutti/lib-json';
import { JavaScriptEngine } from './engine.js';

/** The `run` of `process`. */
export async function runProcess({ inputs, outputs, params, models }: TreatmentContext<'value', 'result', 'code'>): Promise<void> {
  const engine = models.engine;
  if (!(engine instanceof JavaScriptEngine)) throw new Error('javascript::process: its model is not a JavaScriptEngine instance');
  const code = params.code as string;
  for (;;) {
    const batch = await inputs.value.recvMany();
    if (batch === END) return;
    const texts: string[] = [];
    for (let k = 0; k < batch.length; k++) {
      const v = batch[k];
      if (!(v instanceof JsonValue)) throw new Error('javascript::process: received a value that is not a json::Json');
      texts.push(v.toString());
    }
    let i = 0;
    while (i < batch.length) {
      const realm = await engine.current();
      if (realm === undefined) return;
      // The realm answers for a prefix of the values (a time slice), so results flow.
      const results = await realm.evaluate(i === 0 ? texts : texts.slice(i), code);
      const out: Value[] = [];
      for (const text of results) {
        i++;
        // The realm speaks JSON text: compact text in, strict parse (Json's limits) out.
        out.push(text === undefined ? null : JsonValue.parse(text));
      }
      // A realm lost under a value (its worker died) answers nothing: that value gets none.
      if (results.length === 0) {
        out.push(null);
        i++;
      }
      if (!(await outputs.result.sendMany(out))) return;
    }
  }
}
