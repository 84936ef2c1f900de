/**
 * The GitHub Actions expression realm: scripts run in a
 * `javascript::JavaScriptEngine`'s realm, which keeps the GitHub contexts (`github`, `env`,
 * `steps`, `job`, …) as global lexical variables between evaluations.
 *
 * Every evaluation goes through the realm's `evaluate` (global `value` set from JSON text,
 * script completion value back as JSON text), the primitive `javascript::process` uses, so
 * these treatments share the realm, its limits and its serialisation with `process`.
 */
import type { Value } from '@tutti/core';
import { JavaScriptEngine } from '@tutti/lib-javascript';
import { hashFiles } from './hash-files.js';
import { legKey, legRealms } from './legs.js';

/**
 * The engine of model slot `slot`, or an internal error naming the treatment. In a leg's
 * track (`track`: the treatment's contexts), the leg's own fork of it.
 */
export function engineOf(
  models: Readonly<Record<string, unknown>>,
  slot: string,
  treatment: string,
  track?: ReadonlyMap<string, Readonly<Record<string, Value>>>,
): JavaScriptEngine {
  const engine = models[slot];
  if (!(engine instanceof JavaScriptEngine)) throw new Error(`${treatment}: its '${slot}' model is not a JavaScriptEngine instance`);
  const key = legKey(track);
  if (key === undefined) return engine;
  let realms = legRealms.get(key);
  if (!realms) legRealms.set(key, (realms = new Map()));
  let fork = realms.get(engine);
  if (!fork) realms.set(engine, (fork = engine.fork()));
  return fork;
}

/**
 * Evaluates `code` with the global `value` set from `valueJson` (JSON text) and returns the
 * JSON text of its completion value, or undefined (exception, undefined, non-JSON result, or
 * an engine that is gone).
 */
export async function evaluate(engine: JavaScriptEngine, valueJson: string, code: string): Promise<string | undefined> {
  const realm = await engine.current();
  if (realm === undefined) return undefined;
  const [result] = await realm.evaluate([valueJson], code);
  return result;
}

/**
 * The script of `prepareContexts`: global lexical contexts from the members of `value`,
 * `job.status`, the status functions, then `value` removed. ⚑ Reproduced from the reference:
 * `job` comes from the `vars` member, and `always()` has no `return` (it yields undefined).
 */
export const PREPARE_CONTEXTS = `let github = value["github"] ?? {};
let env = value["env"] ?? {};
let vars = value["vars"] ?? {};
let job = value["vars"] ?? {};
let jobs = value["jobs"] ?? {};
let steps = value["steps"] ?? {};
let runner = value["runner"] ?? {};
let secrets = value["secrets"] ?? {};
let strategy = value["strategy"] ?? {};
let matrix = value["matrix"] ?? {};
let needs = value["needs"] ?? {};
let inputs = value["inputs"] ?? {};
if (job.status === undefined) job.status = "success";
function always() { true; }
function success() { return job.status == "success"; }
function failure() { return job.status == "failure"; }
function cancelled() { return job.status == "cancelled"; }
delete globalThis.value;
true`;

/** Runs {@link PREPARE_CONTEXTS} on the contexts JSON text; false if it failed. */
export async function prepareContexts(engine: JavaScriptEngine, contextsJson: string): Promise<boolean> {
  return (await evaluate(engine, contextsJson, PREPARE_CONTEXTS)) === 'true';
}

const PLACEHOLDER = /\$\{\{([^}]*)\}\}/g;

/**
 * The reference's rewrite before evaluation: every `.name` (word characters and `-`) becomes `["name"]`, so
 * `strategy.job-index` is a member access. ⚑ As in the reference, string literals and
 * decimals are rewritten too (`1.5` → `1["5"]`).
 */
export function rewriteMembers(expression: string): string {
  return expression.replace(/\.([\w-]+)/g, '["$1"]');
}

/**
 * Rule 3: the expression runs in a block where `env` is the realm's `env` overlaid with
 * `local_context.env`, with the global `value` being `local_context`. The parentheses make
 * the content an expression (an object literal stays one) and the line break keeps a
 * trailing `//` comment from swallowing them.
 */
export function expressionScript(expression: string): string {
  return `{ const __tutti_env = { ...env, ...((value ?? {})["env"] ?? {}) }; { let env = __tutti_env; (${rewriteMembers(expression)}\n) } }`;
}

/** Rule 4: a JS string is used, anything else (number, boolean, null, undefined, exception) is `""`. */
async function evaluateExpression(engine: JavaScriptEngine, expression: string, localContext: string): Promise<string> {
  const result = await evaluate(engine, localContext, expressionScript(expression));
  if (result === undefined || !result.startsWith('"')) return '';
  return JSON.parse(result) as string;
}

/**
 * Evaluates one value with the reference's rules: each `${{ … }}` placeholder is replaced by
 * its evaluation; with `assume`, a value holding no placeholder is evaluated as a whole.
 *
 * @param localContext JSON text of `local_context`
 */
export async function evaluateValue(engine: JavaScriptEngine, value: string, assume: boolean, localContext: string): Promise<string> {
  // GitHub's hashFiles() of compiled expressions (|github_expressions): the realm says which it
  // wants (each placeholder evaluated once, its requests read in the same script: evaluations of
  // the realm may interleave), they are computed here (the workspace: github.workspace, else this
  // folder), then the value is evaluated with them
  if (value.includes('__gh_hashFiles(')) await prepareHashFiles(engine, value, assume, localContext);
  return evaluatePlain(engine, value, assume, localContext);
}

async function prepareHashFiles(engine: JavaScriptEngine, value: string, assume: boolean, localContext: string): Promise<void> {
  const matches = [...value.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  const expressions = matches.length === 0 && assume ? [value] : matches.filter((e) => e.includes('__gh_hashFiles('));
  const keys = new Set<string>();
  for (const e of expressions) {
    const got = await evaluate(
      engine,
      localContext,
      `{ __gh_hashes_wanted.length = 0; ${expressionScript(e)} __gh_hashes_wanted.splice(0) }`,
    );
    for (const k of (got === undefined ? [] : JSON.parse(got)) as string[]) keys.add(k);
  }
  if (keys.size === 0) return;
  const workspace = await evaluate(engine, 'null', 'github["workspace"] ?? null');
  const root =
    workspace !== undefined && workspace.startsWith('"') && workspace !== '""' ? (JSON.parse(workspace) as string) : process.cwd();
  const hashes: Record<string, string> = {};
  for (const k of keys) hashes[k] = await hashFiles(root, JSON.parse(k) as string[]);
  await evaluate(engine, JSON.stringify(hashes), 'Object.assign(__gh_hashes, value); true');
}

async function evaluatePlain(engine: JavaScriptEngine, value: string, assume: boolean, localContext: string): Promise<string> {
  const matches = [...value.matchAll(PLACEHOLDER)];
  if (matches.length === 0) return assume ? evaluateExpression(engine, value, localContext) : value;
  let out = '';
  let last = 0;
  for (const m of matches) {
    out += value.slice(last, m.index);
    out += await evaluateExpression(engine, m[1] as string, localContext);
    last = m.index + m[0].length;
  }
  return out + value.slice(last);
}
