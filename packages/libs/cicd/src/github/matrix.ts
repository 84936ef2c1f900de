/**
 * `cicd/services/github`: matrices expanded at run time (Tutti's extension). A GitHub matrix
 * can be computed (`matrix: ${{ fromJSON(needs.plan.outputs.m) }}`), so the number of legs is
 * known only once the jobs before it ended; a graph whose instances are fixed when the program
 * starts cannot hold one instance per leg. The language's tracks can: `GithubMatrix` opens one
 * track per leg from its source `githubLeg` (the `@GithubLeg` context naming the leg), and the
 * part of the graph downstream of that source (the job's steps) is built anew for each leg.
 *
 * Why native: the reference's helpers have no way to open tracks, and the legs must be
 * scheduled as GitHub schedules them — at most `max-parallel` at once, and with `fail-fast` a
 * failed leg cancels the others (those not started never start; the running ones have their
 * step's process group stopped through the leg's cancel folder, see timeout.ts). Data cannot
 * cross tracks except through a model, so the leg's contexts go in through the source's output
 * and its result comes back to the model through `githubLegResult`.
 *
 * Each leg evaluates in a realm of its own: in a leg's track the helpers use a fork of their
 * engine model (legs.ts), prepared by `prepareLegContexts` with the job's contexts, `matrix`
 * and `strategy` (scalars as strings: the helpers keep only string results).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { context, END, type ModelContext, type ModelInstance, model, source, treatment } from '@tutti/core';
import type { JavaScriptEngine } from '@tutti/lib-javascript';
import { JsonValue } from '@tutti/lib-json';
import type { StringMapValue } from '@tutti/lib-std';
import { LEG_CONTEXT, legCancelDirs, legKey, legTolerated, releaseLeg } from './legs.js';
import { engineOf, evaluate, evaluateValue, prepareContexts } from './realm.js';
import { area } from './state.js';

export type Combo = Record<string, unknown>;

/**
 * `strategy.matrix` expanded as GitHub expands it: the product of the keys in their order,
 * minus `exclude` (partial matches), then each `include` entry added to every combination
 * whose original values it does not change, or appended as a combination of its own.
 * Throws an Error with GitHub's reason for a matrix that is not one.
 */
export function expandMatrix(matrix: unknown): Combo[] {
  if (matrix === undefined || matrix === null) return [];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) throw new Error('strategy.matrix must be a mapping');
  const m = matrix as Record<string, unknown>;
  const keys = Object.keys(m).filter((k) => k !== 'include' && k !== 'exclude');
  let combos: Combo[] = keys.length > 0 ? [{}] : [];
  for (const k of keys) {
    const vals = m[k];
    if (!Array.isArray(vals)) throw new Error(`strategy.matrix.${k} must be a sequence`);
    if (vals.length === 0) throw new Error(`strategy.matrix.${k} must not be empty`);
    combos = combos.flatMap((c) => vals.map((v) => ({ ...c, [k]: v })));
  }
  const excludes = (m.exclude ?? []) as Combo[];
  if (!Array.isArray(excludes)) throw new Error('strategy.matrix.exclude must be a sequence');
  combos = combos.filter((c) => !excludes.some((e) => Object.entries(e).every(([k, v]) => isDeepStrictEqual(c[k], v))));
  const base = combos.map((c) => ({ orig: { ...c }, c }));
  const includes = (m.include ?? []) as Combo[];
  if (!Array.isArray(includes)) throw new Error('strategy.matrix.include must be a sequence');
  for (const inc of includes) {
    let added = false;
    for (const b of base) {
      if (Object.entries(inc).every(([k, v]) => !(k in b.orig) || isDeepStrictEqual(b.orig[k], v))) {
        Object.assign(b.c, inc);
        added = true;
      }
    }
    if (!added) combos.push({ ...inc });
  }
  if (combos.length > 256) throw new Error(`a matrix may have at most 256 combinations, this one has ${combos.length}`);
  return combos;
}

/** GitHub's leg name: `job (v1, v2)` with the matrix values in order (objects as JSON). */
export function legName(job: string, combo: Combo | undefined): string {
  if (!combo || Object.keys(combo).length === 0) return job;
  const vals = Object.values(combo).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return `${job} (${vals.join(', ')})`;
}

/**
 * A GitHub expression as a script of the realm: `'…'` strings as JavaScript strings, member
 * names (`needs.my-job.outputs.m`) as `["my-job"]` outside strings, and GitHub's functions
 * (`fromJSON`, `toJSON`, `contains`, `startsWith`, `endsWith`, `format`, `join`) defined as
 * GitHub defines them, so the value is GitHub's (the reference's rewrite would also touch
 * string literals).
 */
export function githubScript(expression: string, bindings: Record<string, unknown> = {}): string {
  let js = '';
  for (let i = 0; i < expression.length; ) {
    const ch = expression[i]!;
    if (ch === "'") {
      let text = '';
      let j = i + 1;
      for (; j < expression.length; j++) {
        if (expression[j] === "'") {
          if (expression[j + 1] === "'") {
            text += "'";
            j++;
          } else break;
        } else text += expression[j];
      }
      js += JSON.stringify(text);
      i = j + 1;
      continue;
    }
    const member = /^\.([A-Za-z_][\w-]*)/.exec(expression.slice(i));
    if (member && /[\w\])]$/.test(js)) {
      js += `[${JSON.stringify(member[1])}]`;
      i += member[0].length;
      continue;
    }
    js += ch;
    i++;
  }
  const lower = 'String(a).toLowerCase()';
  return [
    '{ const fromJSON = (s) => JSON.parse(s); const toJSON = (v) => JSON.stringify(v, null, 2);',
    `const contains = (h, a) => Array.isArray(h) ? h.some((x) => String(x).toLowerCase() === ${lower}) : String(h).toLowerCase().includes(${lower});`,
    `const startsWith = (h, a) => String(h).toLowerCase().startsWith(${lower}); const endsWith = (h, a) => String(h).toLowerCase().endsWith(${lower});`,
    'const format = (f, ...a) => String(f).replace(/\\{(\\d+)\\}/g, (_m, n) => String(a[Number(n)] ?? ""));',
    'const join = (h, s) => Array.isArray(h) ? h.join(s ?? ",") : String(h);',
    ...Object.entries(bindings).map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`),
    `(${js}\n) }`,
  ].join('\n');
}

const WHOLE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;
const PLACEHOLDERS = /\$\{\{([\s\S]*?)\}\}/g;

/** GitHub's text of a value put in a string (`${{ }}` inside a text). */
const textOf = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A workflow value (parsed YAML) with its expressions evaluated in the realm, as GitHub
 * evaluates `strategy`: a string that is one `${{ }}` gives the expression's value (any
 * type), a string with placeholders inside a text gives the text.
 */
export async function evaluateTemplate(engine: JavaScriptEngine, value: unknown, bindings: Record<string, unknown> = {}): Promise<unknown> {
  const run = async (expression: string) => {
    const text = await evaluate(engine, 'null', githubScript(expression, bindings));
    if (text === undefined) throw new Error(`\${{ ${expression.trim()} }} could not be evaluated`);
    return JSON.parse(text) as unknown;
  };
  if (typeof value === 'string') {
    if (!value.includes('${{')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1]!.includes('}}')) return run(whole[1]!);
    let out = '';
    let last = 0;
    for (const m of value.matchAll(PLACEHOLDERS)) {
      out += value.slice(last, m.index) + textOf(await run(m[1]!));
      last = m.index + m[0].length;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await evaluateTemplate(engine, v, bindings));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluateTemplate(engine, v, bindings);
    return out;
  }
  return value;
}

/** A leg's result, as `githubLegResult` reports it (`coe`: the job's continue-on-error held for it). */
interface LegResult {
  readonly result: string;
  readonly outputs: Record<string, string>;
  readonly coe?: boolean;
}

/** One run of the legs of a matrix: cancelled as a whole on a failure with fail-fast. */
interface Legs {
  cancelled: boolean;
  /** The cancel folders of the legs running, and their names. */
  readonly running: Map<string, string>;
}

/** The live `GithubMatrix`: opens the legs' tracks and collects their results. */
export class GithubMatrix implements ModelInstance {
  private readonly results = new Map<string, LegResult>();

  /** The runs of legs going on (their running legs are cancelled if the engine stops first). */
  private readonly runs = new Set<Legs>();

  constructor(private readonly ctx: ModelContext) {}

  /** The engine stops: legs still running are cancelled (their process groups killed). */
  shutdown(): void {
    for (const legs of this.runs) this.cancel(legs);
  }

  /** Called by `githubLegResult` in leg `key`'s track. */
  report(key: string, result: LegResult): void {
    this.results.set(key, result);
  }

  /**
   * Runs the legs `combos` of job `name`, at most `maxParallel` at once; with `failFast`, the
   * first failed leg cancels the others. Resolves with each leg's result in the order they
   * ended (a cancelled leg: `cancelled`).
   */
  async run(
    name: (combo: Combo, strategy: Record<string, unknown>) => Promise<string>,
    continueOnError: (combo: Combo, strategy: Record<string, unknown>) => Promise<boolean>,
    combos: readonly Combo[],
    base: Record<string, unknown>,
    failFast: boolean,
    maxParallel: number,
    parent: number,
    log: (level: 'info' | 'warning' | 'error', label: string, message: string) => void,
    stepState: (name: string, state: 'cancelled') => void,
  ): Promise<LegResult[]> {
    const legs: Legs = { cancelled: false, running: new Map() };
    this.runs.add(legs);
    const ended: LegResult[] = [];
    // scalars as strings: the helpers keep only string results (`${{ matrix.n }}` would be "")
    const asStrings = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).map(([k, x]) => [k, typeof x === 'number' || typeof x === 'boolean' ? String(x) : x]));
    let next = 0;
    const worker = async () => {
      while (next < combos.length) {
        const index = next++;
        const combo = combos[index]!;
        const strategy = { 'fail-fast': failFast, 'job-index': index, 'job-total': combos.length, 'max-parallel': maxParallel };
        const leg = await name(combo, strategy);
        if (legs.cancelled) {
          ended.push({ result: 'cancelled', outputs: {} });
          stepState(leg, 'cancelled');
          log('warning', leg, `${leg} cancelled: another leg of its matrix failed (fail-fast)`);
          continue;
        }
        const contexts = JSON.stringify({ ...base, matrix: asStrings(combo), strategy: asStrings(strategy) });
        const coe = await continueOnError(combo, strategy);
        const r = { ...(await this.leg(leg, contexts, parent, legs, coe)), coe };
        ended.push(r);
        // a leg whose failure the job tolerates (continue-on-error) cancels nothing
        if (r.result === 'failure' && !coe && failFast && combos.length > 1 && !legs.cancelled)
          for (const other of this.cancel(legs)) log('warning', other, `${other} cancelled: another leg of its matrix failed (fail-fast)`);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(maxParallel, combos.length)) }, worker));
    } finally {
      this.runs.delete(legs);
    }
    return ended;
  }

  /** One leg: its track, its cancel folder, its realms freed once the track ended. */
  private async leg(name: string, contexts: string, parent: number, legs: Legs, coe = false): Promise<LegResult> {
    const key = randomUUID();
    const dir = mkdtempSync(join(tmpdir(), 'tutti-leg-'));
    legCancelDirs.set(key, dir);
    if (coe) legTolerated.add(key);
    legs.running.set(dir, name);
    try {
      const outcome = await this.ctx.createTrack('githubLeg', {
        contexts: new Map([[LEG_CONTEXT, { key, name }]]),
        parent,
        feed: async (outputs) => {
          await outputs.github_contexts?.sendOne(contexts);
        },
      });
      const r = this.results.get(key);
      this.results.delete(key);
      if (legs.cancelled && r?.result !== 'success') return { result: 'cancelled', outputs: r?.outputs ?? {} };
      return r ?? { result: outcome.ok ? 'success' : 'failure', outputs: {} };
    } finally {
      legs.running.delete(dir);
      legCancelDirs.delete(key);
      legTolerated.delete(key);
      rmSync(dir, { recursive: true, force: true });
      await releaseLeg(key);
    }
  }

  /**
   * Cancels the legs: the mark first, then the process groups listed (a step lists itself
   * before it reads the mark, so each one is either killed here or sees the mark).
   */
  private cancel(legs: Legs): string[] {
    legs.cancelled = true;
    for (const dir of legs.running.keys()) {
      try {
        writeFileSync(join(dir, 'cancelled'), '');
        for (const f of readdirSync(dir)) {
          if (!/^\d+$/.test(f)) continue;
          const pid = Number(readFileSync(join(dir, f), 'utf8').trim());
          if (pid <= 1) continue;
          // TERM: the step's wrapper says why and kills its group; a group still there a few
          // seconds later (a command that holds the wrapper) is killed outright
          const kill = (signal: NodeJS.Signals) => {
            try {
              process.kill(-pid, signal);
            } catch {
              // already ended
            }
          };
          kill('SIGTERM');
          setTimeout(() => {
            if (existsSync(join(dir, f))) kill('SIGKILL');
          }, 5000).unref();
        }
      } catch {
        // the leg ended meanwhile and its folder is gone
      }
    }
    return [...legs.running.values()];
  }
}

const models = { github_matrix: 'GithubMatrix', contexts: 'javascript::JavaScriptEngine' };

/** The matrix model of a treatment's slot. */
function matrixOf(m: Readonly<Record<string, unknown>>, treatmentName: string): GithubMatrix {
  const instance = m.github_matrix;
  if (!(instance instanceof GithubMatrix)) throw new Error(`${treatmentName}: its 'github_matrix' model is not a GithubMatrix instance`);
  return instance;
}

export const githubMatrixElements = [
  context(area, '@GithubLeg', {
    fields: { key: 'string', name: 'string' },
    doc: "The leg of a matrix a track runs (`GithubMatrix`): `name` is GitHub's leg name (`build (linux, 20)`), `key` identifies the leg.",
  }),
  model(area, 'GithubMatrix', {
    sources: ['githubLeg'],
    doc:
      "Tutti's extension: runs the legs of a GitHub Actions matrix job, one track of its source `githubLeg` per leg, " +
      'as `githubMatrix` asks (docs/github-actions.md, import).',
    create: (ctx) => new GithubMatrix(ctx),
  }),
  source(area, 'githubLeg', {
    model: 'GithubMatrix',
    outputs: { github_contexts: 'Block<string>' },
    contexts: ['@GithubLeg'],
    doc: "Opens one track per leg; sends the leg's contexts (JSON: the job's, with its `matrix` and `strategy`) on `github_contexts`.",
  }),
  treatment(area, 'prepareLegContexts', {
    models: { contexts: 'javascript::JavaScriptEngine' },
    inputs: { github_contexts: 'Block<string>' },
    outputs: { ready: 'Block<void>' },
    requires: ['@GithubLeg'],
    doc: "In a leg's track, prepares the leg's own realm (a fork of `contexts`) as `prepareContexts` does, from the JSON text received; then `ready`.",
    async run({ inputs, outputs, models: m, contexts: track, log, path }) {
      const text = await inputs.github_contexts.recvOne();
      if (text === END) return;
      if (!(await prepareContexts(engineOf(m, 'contexts', 'prepareLegContexts', track), text as string)))
        log('error', path, "the leg's contexts could not be installed");
      await outputs.ready.sendOne(undefined);
    },
  }),
  treatment(area, 'githubMatrix', {
    models,
    params: {
      job: 'var string',
      name: 'var string',
      matrix: 'var string',
      fail_fast: 'var string = "true"',
      max_parallel: 'var string = "null"',
      continue_on_error: 'var string = "false"',
    },
    inputs: { trigger: 'Block<void>' },
    outputs: { result: 'Block<Json>', success: 'Block<void>', failed: 'Block<void>' },
    doc:
      "Tutti's extension. On trigger, evaluates `matrix`, `fail_fast` and `max_parallel` (JSON texts of the workflow's " +
      'values, whose `${{ }}` are evaluated in `contexts` as GitHub evaluates them: `fromJSON`, `toJSON`, `contains`, ' +
      '`format`, `join`, `startsWith`, `endsWith`), expands the matrix as GitHub does (product, `exclude`, `include`) and ' +
      'runs its legs through `github_matrix`: one track of `githubLeg` per leg, at most `max_parallel` at once (`null`: ' +
      'all), with `fail_fast` the first failed leg cancelling the others. Each leg gets the contexts of `contexts` (`github`, ' +
      '`env`, `vars`, `secrets`, `runner`, `needs`, `inputs`) with its `matrix` and `strategy`, and is named `name (v1, v2)`. ' +
      'Then emits `result`, `{"<job>": {"result": …, "outputs": {…}}}` with the legs\' outputs merged as GitHub merges ' +
      'them (for each output, the last leg to end that set it non-empty) and the result `failure` when a leg failed, ' +
      "`cancelled` when one was cancelled, else `success`; and `success` or `failed`. `continue_on_error` (the job's, " +
      'evaluated for each leg with its `matrix`): a leg it holds for fails without cancelling the others or failing the job. A matrix that cannot be evaluated ' +
      'or expanded, or has no combination, fails the job with an error naming it.',
    async run({ inputs, outputs, params, models: m, contexts: track, track: parent, log, reportStep }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const job = params.job as string;
      const engine = engineOf(m, 'contexts', 'githubMatrix', track);
      const matrixModel = matrixOf(m, 'githubMatrix');
      let legs: LegResult[];
      try {
        const matrix = await evaluateTemplate(engine, JSON.parse(params.matrix as string));
        const combos = expandMatrix(matrix);
        if (combos.length === 0) throw new Error('the matrix has no combination');
        const failFast = await evaluateTemplate(engine, JSON.parse(params.fail_fast as string));
        const max = await evaluateTemplate(engine, JSON.parse(params.max_parallel as string));
        const maxParallel = max === null || max === undefined || max === '' ? combos.length : Number(max);
        if (!Number.isInteger(maxParallel) || maxParallel < 1)
          throw new Error(`strategy.max-parallel must be a positive number, not ${JSON.stringify(max)}`);
        const baseText = await evaluate(
          engine,
          'null',
          '({ github: github, env: env, vars: vars, secrets: secrets, runner: runner, needs: needs, inputs: inputs })',
        );
        const base = JSON.parse(baseText ?? '{}') as Record<string, unknown>;
        // GitHub's leg name: the job's name with its expressions evaluated with the leg's
        // matrix, else the name followed by the matrix values
        const jobName = params.name as string;
        const nameOf = async (combo: Combo, strategy: Record<string, unknown>) =>
          jobName.includes('${{')
            ? textOf(await evaluateTemplate(engine, jobName, { matrix: combo, strategy }).catch(() => legName(job, combo)))
            : legName(jobName, combo);
        const coeText = JSON.parse(params.continue_on_error as string) as unknown;
        const coeOf = async (combo: Combo, strategy: Record<string, unknown>) => {
          const v = await evaluateTemplate(engine, coeText, { matrix: combo, strategy });
          return v === true || v === 'true';
        };
        legs = await matrixModel.run(
          nameOf,
          coeOf,
          combos,
          base,
          failFast !== false && failFast !== 'false',
          maxParallel,
          parent,
          (level, label, message) => log(level, label, message),
          (name, state) => reportStep?.({ name, state }),
        );
      } catch (e) {
        log('error', job, `job ${job}: ${(e as Error).message}`);
        await outputs.result.sendOne(JsonValue.parse(JSON.stringify({ [job]: { result: 'failure', outputs: {} } })));
        await outputs.failed.sendOne(undefined);
        return;
      }
      const merged: Record<string, string> = {};
      for (const r of legs) for (const [k, v] of Object.entries(r.outputs)) if (v !== '' || !(k in merged)) merged[k] = v;
      const result = legs.some((r) => r.result === 'failure' && r.coe !== true)
        ? 'failure'
        : legs.some((r) => r.result === 'cancelled')
          ? 'cancelled'
          : 'success';
      await outputs.result.sendOne(JsonValue.parse(JSON.stringify({ [job]: { result, outputs: merged } })));
      await (result === 'success' ? outputs.success : outputs.failed).sendOne(undefined);
    },
  }),
  treatment(area, 'githubLegResult', {
    models,
    params: { outputs: 'var StringMap' },
    inputs: { success: 'Block<void>', failed: 'Block<void>' },
    requires: ['@GithubLeg'],
    doc:
      "In a leg's track, once the leg's job ended (`success` or `failed`), evaluates the job's `outputs` in the leg's " +
      'realm and hands them and `job.status` to `github_matrix`.',
    async run({ inputs, params, models: m, contexts: track }) {
      // the first of the two to deliver (the job ends one way)
      const [ok, failed] = await Promise.all([inputs.success.recvOne(), inputs.failed.recvOne()]);
      const key = legKey(track);
      if (key === undefined) return;
      const engine = engineOf(m, 'contexts', 'githubLegResult', track);
      const outs: Record<string, string> = {};
      for (const [k, v] of (params.outputs as StringMapValue).entries()) outs[k] = await evaluateValue(engine, v, false, 'null');
      const status = await evaluate(engine, 'null', 'job.status');
      const result = failed !== END || ok === END ? 'failure' : status === '"success"' ? 'success' : 'failure';
      matrixOf(m, 'githubLegResult').report(key, { result, outputs: outs });
    },
  }),
];
