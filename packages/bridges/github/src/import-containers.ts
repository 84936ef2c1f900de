/**
 * `tutti github import` of jobs with `container:` and/or `services:`: the generated job
 * treatment calls the bridge's job environment (job-env.ts, `tutti github job up|step|down`),
 * which starts and removes the very containers `tutti github run` starts.
 *
 * - First a step `Initialize containers` (`job up`): the services on a network of the job's own,
 *   the job container with GitHub's paths mounted; `job.container` and `job.services` (with the
 *   published ports) then set in the job's realm, so `${{ job.services.db.ports['5432'] }}`
 *   evaluates in later steps. When it fails, no step runs and the job fails (as on GitHub).
 * - In a job container, each `run:` step and each action step (other than the artifact and
 *   cache actions, which stay on the host as in `tutti github run`, and a plain checkout) is a
 *   bash step calling `job step`: its script, shell and working directory as `TUTTI_STEP_*`
 *   variables (evaluated by the helpers like any env value), run in the container by the
 *   runner's own step code. A job on the host with services keeps its steps as they are.
 * - Last a step `Stop containers` (`job down`) once the job ended, succeeded or failed. An
 *   interrupted or killed `tutti run` is covered by the watcher `job up` starts.
 */
import { basename } from 'node:path';
import type { Raw } from './workflow.js';

/** A job's environment as the generated code calls it. */
export interface JobEnvironmentPlan {
  /** The job's key in the run: the workflow file's area and the job treatment. */
  readonly key: string;
  /**
   * The key as the commands give it, when it differs: a matrix job's legs run one treatment,
   * each leg's environment is `<key>-<job-index>` (an expression the helpers evaluate).
   */
  readonly commandKey?: string;
  /** `TUTTI_JOB_CONTAINER`, `TUTTI_JOB_SERVICES` and `TUTTI_JOB_VALUE_<n>` (expression values). */
  readonly env: [string, string][];
  /** Whether the steps run in a job container. */
  readonly container: boolean;
  /** The names of the workflow's and the job's env (the job's variables in the container). */
  readonly jobEnvNames: string[];
  readonly jobId: string;
  readonly workflow: string;
  readonly defaults: Raw;
}

const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));

/**
 * JSON of a `container:`/`services:` value where each text holding an expression is
 * `{"tutti_value": n}`, its text in `values[n - 1]` (evaluated by the helpers as an env value).
 */
function specJson(v: unknown, values: string[]): string {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string' && x.includes('${{')) {
      values.push(x);
      return { tutti_value: values.length };
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return JSON.stringify(walk(v));
}

/** A text as a JavaScript string literal the helpers' realm keeps as it is (its rewrite of `.name` spares no literal). */
export const jsText = (t: string) => JSON.stringify(t).replaceAll('.', '\\u002e');

/** GitHub's `fromJSON` and `toJSON` around a JavaScript expression (the realm has neither). */
export const withJsonFunctions = (e: string) => `((fromJSON, toJSON) => ${e})((t) => JSON.parse(t), (v) => JSON.stringify(v, null, 2))`;

/**
 * JSON of a job's `container:`: as {@link specJson}, but a `container:` that is one expression
 * (`${{ fromJSON(needs.plan.outputs.c) }}`, `${{ matrix.container }}`), which may give a mapping,
 * is `{"tutti_json": n}`, the JSON of what it gives in `values[n - 1]` (the realm keeps only
 * texts).
 */
function containerJson(v: unknown, values: string[]): string {
  if (typeof v !== 'string' || !/^\s*\$\{\{[\s\S]*\}\}\s*$/.test(v)) return specJson(v, values);
  const e = v.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1').trim();
  values.push(`\${{ ${withJsonFunctions(`JSON.stringify((${e})) ?? "null"`)} }}`);
  return JSON.stringify({ tutti_json: values.length });
}

/** The job environment of a job with `container:` or `services:`; undefined for others. */
export function jobEnvironmentPlan(
  w: { readonly file: string; readonly name: string; readonly env?: Raw | undefined; readonly defaults?: Raw | undefined },
  id: string,
  job: Raw,
  treatment: string,
  area: (s: string) => string,
): JobEnvironmentPlan | undefined {
  const hasServices = job.services !== undefined && job.services !== null && Object.keys(job.services as Raw).length > 0;
  if ((job.container === undefined || job.container === null || job.container === '') && !hasServices) return undefined;
  const values: string[] = [];
  const env: [string, string][] = [];
  if (job.container !== undefined && job.container !== null) env.push(['TUTTI_JOB_CONTAINER', containerJson(job.container, values)]);
  if (hasServices) env.push(['TUTTI_JOB_SERVICES', specJson(job.services, values)]);
  values.forEach((v, k) => {
    env.push([`TUTTI_JOB_VALUE_${k + 1}`, v]);
  });
  return {
    key: `${area(basename(w.file).replace(/\.ya?ml$/, ''))}.${treatment}`,
    env,
    // an expression may give no image (no container): the steps go through the job
    // environment all the same, which runs them on the host then
    container: job.container !== undefined && job.container !== null && job.container !== '',
    jobEnvNames: [...Object.keys(w.env ?? {}), ...Object.keys((job.env ?? {}) as Raw)],
    jobId: id,
    workflow: w.name,
    defaults: { ...((w.defaults?.run ?? {}) as Raw), ...(((job.defaults as Raw | undefined)?.run ?? {}) as Raw) },
  };
}

/** A bash script calling `tutti github job WHAT KEY` with the Tutti that runs the program. */
export function jobCommand(what: 'up' | 'step' | 'down', key: string, comment: string): string {
  const q = `'${key.replaceAll("'", "'\\''")}'`;
  return [
    `# ${comment}`,
    '{ set +x; } 2>/dev/null',
    `if [ -n "\${TUTTI_CLI:-}" ]; then exec "\${TUTTI_NODE:-node}" "$TUTTI_CLI" github job ${what} ${q}; else exec tutti github job ${what} ${q}; fi`,
  ].join('\n');
}

/** Whether a step runs in the job container: `run:` steps and actions but the ones run on the host. */
export function inJobContainer(s: Raw): boolean {
  if (s.run !== undefined) return true;
  const uses = asText(s.uses).trim().replace(/@.*$/, '');
  return !['actions/checkout', 'actions/cache', 'actions/cache/restore', 'actions/cache/save'].includes(uses);
}

/**
 * A step of a job container as the bash step calling `job step` (`action`: the step as
 * `tutti github action` would run it on the host, its `with:` as `INPUT_*` already).
 */
export function jobContainerStep(s: Raw, plan: JobEnvironmentPlan, runId: string, action?: Raw): Raw {
  const own = Object.keys((s.env ?? {}) as Raw);
  const env: Raw = {
    ...((action?.env ?? s.env ?? {}) as Raw),
    TUTTI_RUN_ID: runId,
    GITHUB_JOB: plan.jobId,
    GITHUB_WORKFLOW: plan.workflow,
    TUTTI_JOB_ENV: JSON.stringify(plan.jobEnvNames),
    TUTTI_STEP_ENV: JSON.stringify(own),
  };
  let comment: string;
  if (action) {
    env.TUTTI_STEP_USES = asText(s.uses).trim();
    comment = `${asText(s.uses).trim()}, run in the job container by Tutti's GitHub runner (tutti github job step)`;
  } else {
    env.TUTTI_STEP_RUN = asText(s.run);
    const shell = s.shell ?? plan.defaults.shell;
    if (shell !== undefined) env.TUTTI_STEP_SHELL = asText(shell);
    const wd = s['working-directory'] ?? plan.defaults['working-directory'];
    if (wd !== undefined) env.TUTTI_STEP_WORKING_DIRECTORY = asText(wd);
    comment = "the step's script, run in the job container by Tutti's GitHub runner (tutti github job step)";
  }
  const { with: _with, uses: _uses, shell: _shell, ...rest } = s;
  return {
    ...rest,
    // labelled with the step's own text
    name: s.name ?? (s.run !== undefined ? `Run ${asText(s.run).trim().split('\n')[0]}` : `Run ${asText(s.uses).trim()}`),
    run: jobCommand('step', plan.commandKey ?? plan.key, comment),
    shell: 'bash',
    'working-directory': '.',
    env,
  };
}

/**
 * The step ids of the job environment's own steps in the job's realm, after the job's key:
 * the helpers keep a step's outputs in a file named after the workflow and the step id, which
 * two jobs of a workflow running at once would otherwise share.
 */
export const upStep = (plan: JobEnvironmentPlan) => `__tutti_up_${plan.key.replace(/[^A-Za-z0-9_]/g, '_')}`;
export const downStep = (plan: JobEnvironmentPlan) => `__tutti_down_${plan.key.replace(/[^A-Za-z0-9_]/g, '_')}`;

/**
 * The code setting `job.container` and `job.services` in the job's realm from what `job up`
 * handed back (no braces: the realm's placeholders end at the first `}`).
 */
export function jobContextExpression(plan: JobEnvironmentPlan, leg: boolean): string {
  const id = JSON.stringify(upStep(plan));
  const steps = leg ? `steps[${id} + strategy["job-index"]]` : `steps[${id}]`;
  return `\${{ ((j) => (job.container = j.container, job.services = j.services, "up"))(JSON.parse(${steps}["outputs"]["job"])) }}`;
}
