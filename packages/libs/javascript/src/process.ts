/**
 * Behaviour of `javascript::process` (libraries spec §9): for each `Json` received, set the
 * global `value`, evaluate `code` in the engine's realm and send its completion value as
 * `Json`, or none. One output per input, in order.
 */
import { END, type TreatmentContext, type Value } from '@tutti/core';
import { JavaScriptEngine } from './engine.js';
import { jsonLike, jsonText } from './json-bridge.js';

/** The `run` of `process`. */
export async function runProcess({ inputs, outputs, params, models }: TreatmentContext<'value', 'result', 'code'>): Promise<void> {
  const engine = models.engine;
  if (!(engine instanceof JavaScriptEngine)) throw new Error('javascript::process: its model is not a JavaScriptEngine instance');
  const code = params.code as string;
  for (;;) {
    const batch = await inputs.value.recvMany();
    if (batch === END) return;
    const texts: string[] = [];
    for (let k = 0; k < batch.length; k++) texts.push(jsonText(batch[k]));
    let i = 0;
    while (i < batch.length) {
      const realm = await engine.current();
      if (realm === undefined) return;
      // The realm answers for a prefix of the values (a time slice), so results flow.
      const results = await realm.evaluate(i === 0 ? texts : texts.slice(i), code);
      const out: Value[] = [];
      for (const text of results) {
        const v = batch[i++];
        out.push(text === undefined ? null : jsonLike(v, text));
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
