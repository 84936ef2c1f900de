/**
 * Step and job results of the GitHub Actions bridge:
 * `githubSetOutputs` records a step in the realm's `steps` and `job.status`;
 * `githubJobResult` builds the job's result for the jobs that need it.
 */
import { END, type InputPort, treatment } from '@tutti/core';
import { JsonValue } from '@tutti/lib-json';
import type { StringMapValue } from '@tutti/lib-std';
import { envPaths, readEntries } from './env-files.js';
import { engineOf, evaluate, evaluateValue } from './realm.js';
import { area } from './state.js';

/** Which of two void inputs delivered first; `none` when both closed empty. */
async function firstOf(a: InputPort, b: InputPort): Promise<'a' | 'b' | 'none'> {
  return new Promise((resolve) => {
    let ended = 0;
    const watch = (port: InputPort, which: 'a' | 'b') =>
      port.recvOne().then((v) => {
        if (v !== END) resolve(which);
        else if (++ended === 2) resolve('none');
      });
    void watch(a, 'a');
    void watch(b, 'b');
  });
}

/**
 * The recording script. The reference declares `let identifier` at top level, so a second
 * recording in the same realm throws a redeclaration error and only the first step is
 * recorded (⚑); this uses a block instead, so every step is recorded.
 */
export function recordStepScript(stepId: string): string {
  return `{ let identifier = ${JSON.stringify(stepId)};
steps[identifier] = { ...(steps[identifier] ?? {}), conclusion: value["conclusion"], outcome: value["outcome"], outputs: value["outputs"] };
if (value["env"]) Object.assign(env, value["env"]);
if (value["outcome"] == "failure") { job.status = "failure"; }
true }`;
}

export const githubResults = [
  treatment(area, 'githubSetOutputs', {
    models: { contexts: 'javascript::JavaScriptEngine' },
    inputs: {
      workflow_id: 'Block<string>',
      step_id: 'Block<string>',
      continue_on_error: 'Block<bool>',
      spawn_completed: 'Block<void>',
      spawn_failed: 'Block<void>',
    },
    outputs: { step_completed: 'Block<void>', step_failed: 'Block<void>', step_continue: 'Block<void>' },
    doc:
      'Records the step in the realm as `steps[step_id] = {...previous, conclusion, outcome, outputs}`: ' +
      'completed → both `"success"` with the `KEY=VALUE` entries of `<tmp>/<workflow_id>-<step_id>.output` as ' +
      '`outputs`; failed → outcome `"failure"`, conclusion `"success"` with `continue_on_error` else ' +
      '`"failure"`, no outputs; neither → both `"skipped"`. A failure sets `job.status = "failure"` (⚑ even ' +
      'with `continue_on_error`). Then emits `step_completed` and `step_continue` on success, `step_failed` ' +
      "(and `step_continue` with `continue_on_error`) on failure. Tutti's extension, as GitHub: after a step " +
      "that ran, the entries of the GITHUB_ENV file (`<tmp>/<workflow_id>.env`) are set in the realm's `env`, so the " +
      "later steps' expressions read them (`${{ env.VERSION }}` after `echo VERSION=1 >> $GITHUB_ENV`).",
    async run({ inputs, outputs, models, contexts: track }) {
      const [workflow, step, continueOnError, outcome] = await Promise.all([
        inputs.workflow_id.recvOne(),
        inputs.step_id.recvOne(),
        inputs.continue_on_error.recvOne(),
        firstOf(inputs.spawn_completed, inputs.spawn_failed),
      ]);
      if (workflow === END || step === END || continueOnError === END) return;
      // what the step wrote to GITHUB_ENV is in the `env` context of the later steps' expressions, as on GitHub
      const written = outcome === 'none' ? {} : await readEntries(envPaths(workflow as string).env);
      const base =
        outcome === 'a'
          ? {
              conclusion: 'success',
              outcome: 'success',
              outputs: await readEntries(envPaths(workflow as string, step as string).output),
            }
          : outcome === 'b'
            ? { conclusion: continueOnError === true ? 'success' : 'failure', outcome: 'failure', outputs: {} }
            : { conclusion: 'skipped', outcome: 'skipped', outputs: {} };
      const record = Object.keys(written).length > 0 ? { ...base, env: written } : base;
      await evaluate(engineOf(models, 'contexts', 'githubSetOutputs', track), JSON.stringify(record), recordStepScript(step as string));
      if (outcome === 'a') {
        await outputs.step_completed.sendOne(undefined);
        await outputs.step_continue.sendOne(undefined);
      } else if (outcome === 'b') {
        await outputs.step_failed.sendOne(undefined);
        if (continueOnError === true) await outputs.step_continue.sendOne(undefined);
      }
    },
  }),
  treatment(area, 'githubJobResult', {
    models: { contexts: 'javascript::JavaScriptEngine' },
    params: { name: 'var string', outputs: 'var StringMap', local_context: 'var Json' },
    inputs: { trigger_release: 'Block<void>' },
    outputs: { result: 'Block<Json>', success: 'Block<void>', failure: 'Block<void>', finished: 'Block<void>' },
    doc:
      'Once `trigger_release` delivered or closed, evaluates the `outputs` expressions and builds ' +
      '`{"<name>": {"result": job.status, "outputs": {…}}}` in the realm; emits `success` when `job.status` is ' +
      '`"success"`, `failure` when it is `"failure"`, then `result`; `finished` always. (The reference evaluates ' +
      'that text as a script, a syntax error; it is evaluated as an object literal here.)',
    async run({ inputs, outputs, params, models, contexts: track }) {
      await inputs.trigger_release.recvOne();
      const engine = engineOf(models, 'contexts', 'githubJobResult', track);
      const local = String(params.local_context);
      const evaluated: Record<string, string> = {};
      for (const [k, v] of (params.outputs as StringMapValue).entries()) evaluated[k] = await evaluateValue(engine, v, false, local);
      const code = `({ ${JSON.stringify(params.name as string)}: { result: job.status, outputs: value } })`;
      const text = await evaluate(engine, JSON.stringify(evaluated), code);
      const result = text === undefined ? null : JsonValue.parse(text);
      if (result !== null) {
        const status = await evaluate(engine, 'null', 'job.status');
        if (status === '"success"') await outputs.success.sendOne(undefined);
        else if (status === '"failure"') await outputs.failure.sendOne(undefined);
        await outputs.result.sendOne(result);
      }
      await outputs.finished.sendOne(undefined);
    },
  }),
];
