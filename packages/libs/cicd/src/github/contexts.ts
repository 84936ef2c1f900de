/**
 * `cicd/services/github`: the treatments that fill the
 * expression realm and evaluate expressions in it. `prepareContexts`, `includeNeeds`,
 * `includeInputs` and `replicateContextsWithInputs` are `.mel` in the reference (wrappers
 * over `javascript::process`); here they are native over the same realm primitive, which
 * keeps the scripts in one place (realm.ts) beside the evaluation rules they rely on.
 */
import { END, treatment } from '@tutti/core';
import { JsonValue } from '@tutti/lib-json';
import { StringMapValue } from '@tutti/lib-std';
import { engineOf, evaluate, evaluateValue, prepareContexts } from './realm.js';
import { area } from './state.js';

const contexts = { contexts: 'javascript::JavaScriptEngine' };

/** JSON text of a received `Json` (its compact form). */
const jsonText = (v: unknown): string => String(v);

export const githubContexts = [
  treatment(area, 'prepareContexts', {
    models: contexts,
    params: { github_contexts: 'const string' },
    inputs: { trigger: 'Block<void>' },
    outputs: { ready: 'Block<void>' },
    doc:
      'On trigger, initialises the expression realm from the JSON object text `github_contexts`: global ' +
      '`github`, `env`, `vars`, `job` (⚑ from the `vars` member, as the reference), `jobs`, `steps`, `runner`, ' +
      '`secrets`, `strategy`, `matrix`, `needs` and `inputs` (each `{}` when absent), `job.status` ' +
      '(`"success"` when absent) and `always()`, `success()`, `failure()`, `cancelled()`. `ready` when done. ' +
      'Call once per engine.',
    async run({ inputs, outputs, params, models, log, path, contexts: track }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const text = params.github_contexts as string;
      if (!(await prepareContexts(engineOf(models, 'contexts', 'prepareContexts', track), text))) {
        // Not JSON, or the realm was already prepared (its `let` declarations exist): later
        // expressions then see no contexts, so say why here.
        const what = JsonValue.parse(text) === null ? 'is not JSON text' : 'could not be installed (prepareContexts runs once per engine)';
        log('error', path, `'github_contexts' ${what}`);
      }
      await outputs.ready.sendOne(undefined);
    },
  }),
  treatment(area, 'includeNeeds', {
    models: contexts,
    params: { from: 'const string' },
    inputs: { trigger: 'Block<void>', needs: 'Block<Json>' },
    outputs: { ready: 'Block<void>' },
    doc:
      'After `trigger`, sets `needs["<from>"]` to the received job result in the realm; then `ready`. A result as ' +
      '`githubJobResult` gives it, `{"<from>": {"result": …, "outputs": …}}`, is unwrapped, so that `needs.<from>.result` ' +
      'and `needs.<from>.outputs.<k>` hold as the typical job wiring means (Tutti: the reference sets the whole object).',
    async run({ inputs, outputs, params, models, contexts: track }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const needs = await inputs.needs.recvOne();
      if (needs === END) return;
      const from = JSON.stringify(params.from as string);
      // githubJobResult's `{"<from>": result}`: its member (an object with that one key)
      const code = `needs[${from}] = value !== null && typeof value === "object" && Object.keys(value).length === 1 && ${from} in value ? value[${from}] : value; true`;
      await evaluate(engineOf(models, 'contexts', 'includeNeeds', track), jsonText(needs), code);
      await outputs.ready.sendOne(undefined);
    },
  }),
  treatment(area, 'includeInputs', {
    models: contexts,
    inputs: { trigger: 'Block<void>', inputs: 'Block<Json>' },
    outputs: { ready: 'Block<void>' },
    doc: 'After `trigger`, sets `inputs` to the received value in the realm; then `ready`.',
    async run({ inputs, outputs, models, contexts: track }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const value = await inputs.inputs.recvOne();
      if (value === END) return;
      await evaluate(engineOf(models, 'contexts', 'includeInputs', track), jsonText(value), 'inputs = value; true');
      await outputs.ready.sendOne(undefined);
    },
  }),
  treatment(area, 'replicateContextsWithInputs', {
    models: { main_contexts: 'javascript::JavaScriptEngine', action_contexts: 'javascript::JavaScriptEngine' },
    params: { inputs: 'const StringMap' },
    inputs: { trigger: 'Block<void>' },
    outputs: { ready: 'Block<void>' },
    doc:
      'On trigger, prepares `action_contexts` with empty contexts, copies `github` and `runner` from ' +
      '`main_contexts`, evaluates the values of `inputs` in `main_contexts` and installs them (an object of ' +
      'strings) as `inputs` of `action_contexts` (composite actions). `ready` when done.',
    async run({ inputs, outputs, params, models, contexts: track }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const main = engineOf(models, 'main_contexts', 'replicateContextsWithInputs', track);
      const action = engineOf(models, 'action_contexts', 'replicateContextsWithInputs', track);
      await prepareContexts(action, '{}');
      const copied = (await evaluate(main, 'null', '({ github: github, runner: runner })')) ?? '{}';
      await evaluate(action, copied, 'github = value["github"] ?? {}; runner = value["runner"] ?? {}; true');
      const evaluated: Record<string, string> = {};
      for (const [k, v] of (params.inputs as StringMapValue).entries()) evaluated[k] = await evaluateValue(main, v, false, 'null');
      await evaluate(action, JSON.stringify(evaluated), 'inputs = value; true');
      await outputs.ready.sendOne(undefined);
    },
  }),
  treatment(area, 'githubMapEval', {
    models: contexts,
    params: { assume: 'var bool = false', local_context: 'var Json' },
    inputs: { map: 'Block<StringMap>' },
    outputs: { evaluated: 'Block<StringMap>' },
    doc:
      'Evaluates every value of `map` in the realm: each `${{ … }}` is replaced by its result when ' +
      'that is a string and by `""` otherwise (⚑ booleans and numbers too); with `assume`, a value without ' +
      'placeholder is evaluated whole. `env` is overlaid with `local_context.env`, `value` is `local_context`.',
    async run({ inputs, outputs, params, models, contexts: track }) {
      const map = await inputs.map.recvOne();
      if (map === END) return;
      const engine = engineOf(models, 'contexts', 'githubMapEval', track);
      const local = jsonText(params.local_context);
      const out: [string, string][] = [];
      for (const [k, v] of (map as StringMapValue).entries()) out.push([k, await evaluateValue(engine, v, params.assume === true, local)]);
      await outputs.evaluated.sendOne(StringMapValue.from(out));
    },
  }),
  treatment(area, 'githubStringEval', {
    models: contexts,
    params: { assume: 'var bool = false', local_context: 'var Json' },
    inputs: { value: 'Block<string>' },
    outputs: { evaluated: 'Block<string>' },
    doc: 'Evaluates one string with the rules of `githubMapEval`.',
    async run({ inputs, outputs, params, models, contexts: track }) {
      const value = await inputs.value.recvOne();
      if (value === END) return;
      const engine = engineOf(models, 'contexts', 'githubStringEval', track);
      await outputs.evaluated.sendOne(await evaluateValue(engine, value as string, params.assume === true, jsonText(params.local_context)));
    },
  }),
];
