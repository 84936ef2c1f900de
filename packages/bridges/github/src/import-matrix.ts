/**
 * `tutti github import` of matrix jobs. A matrix may be computed by an expression
 * (`matrix: ${{ fromJSON(needs.plan.outputs.m) }}`, or `include:`, `exclude:` or a dimension
 * given by one), so the number of legs is known only at run time, while the instances of a
 * Mélodium graph are fixed when the program starts. The legs are therefore tracks:
 * `cicd/services/github::githubMatrix` (Tutti's extension) evaluates the matrix in the job's
 * realm once its needs are in, expands it as GitHub does and has its `GithubMatrix` model open
 * one track of `githubLeg` per leg (within `max-parallel`; `fail-fast` cancelling the others
 * when a leg fails). Downstream of that source, in `legs_<job>`, the job's treatment runs once
 * per leg with the leg's realm (`prepareLegContexts`: the job's contexts with the leg's
 * `matrix` and `strategy`) and its name (`@GithubLeg[name]`), and `githubLegResult` hands the
 * leg's outputs back to be merged as GitHub merges them. A static matrix goes the same way,
 * so `fail-fast` and `max-parallel` hold for both.
 */
import type { Raw } from './workflow.js';

/** A Mélodium string literal. */
const str = (s: string) =>
  `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t')}"`;

const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));

/** `steps.<id>` as a leg's helpers record it: `steps["<id>" + strategy["job-index"]]`. */
const legSteps = (text: string) =>
  text.replace(/\bsteps\.([\w-]+)/g, (_m, sid: string) => `steps[${JSON.stringify(sid)} + strategy["job-index"]]`);

/**
 * The treatment running the legs of matrix job `id`: the source `githubLeg` opens a track per
 * leg, in which the job's treatment runs with the leg's realm and name, and its outputs go
 * back to the matrix. `v` is the job's treatment (`job_<id>`).
 */
export function legsTreatment(w: { readonly file: string }, id: string, job: Raw, v: string): string {
  const outputs = Object.entries((job.outputs ?? {}) as Raw).map(([k, x]) => `|entry(${str(k)}, ${str(legSteps(asText(x)))})`);
  return [
    '/**',
    `The legs of job \`${id}\` of ${w.file}: one track per leg of its matrix, opened at run time by \`githubLeg\`;`,
    "in each, the leg's realm is prepared (the job's contexts with the leg's `matrix` and `strategy`), the job's",
    "steps run under the leg's name, and its outputs go back to the matrix, which merges them.",
    '*/',
    `treatment legs_${v.slice(4)}[contexts: JavaScriptEngine, matrix: GithubMatrix]()`,
    '  require @GithubLeg',
    '{',
    '    leg: githubLeg[github_matrix = matrix]()',
    '    prepare: prepareLegContexts[contexts = contexts]()',
    `    job: ${v}[contexts = contexts](leg = @GithubLeg[name])`,
    `    result: githubLegResult[github_matrix = matrix, contexts = contexts](outputs = |map([${outputs.join(', ')}]))`,
    '',
    '    leg.github_contexts -> prepare.github_contexts,ready -> job.trigger',
    '    job.success -> result.success',
    '    job.failed -> result.failed',
    '}',
  ].join('\n');
}

/**
 * The instances of `main` for matrix job `id` (instance `v`, realm `js_<v>`, model
 * `matrix_<v>`): the `githubMatrix` that expands and runs the legs (its `success`, `failed`
 * and `result` are the job's) and the legs' treatment. `resultName`: the name of its result
 * (`{"<name>": …}`) when it is not `id` (a called job of a reusable workflow: its own id there);
 * `nameExpression`: its name as an expression (a called job in a leg of a matrix of calls).
 */
export function matrixInstances(id: string, job: Raw, v: string, resultName = id, nameExpression?: string): string[] {
  const strategy = (job.strategy ?? {}) as Raw;
  const json = (x: unknown) => str(JSON.stringify(x ?? null));
  const name = asText(job.name) || id;
  return [
    `    // the legs of ${id}: its matrix (${JSON.stringify(strategy.matrix).includes('${{') ? 'computed at run time' : 'static'}), fail-fast, max-parallel, continue-on-error`,
    `    ${v}: githubMatrix[github_matrix = matrix_${v}, contexts = js_${v}](job = ${str(resultName)}, name = ${nameExpression ?? str(name)}, matrix = ${json(strategy.matrix)}, fail_fast = ${json(strategy['fail-fast'] ?? true)}, max_parallel = ${json(strategy['max-parallel'])}${job['continue-on-error'] !== undefined ? `, continue_on_error = ${json(job['continue-on-error'])}` : ''})`,
    `    legs_${v.slice(4)}: legs_${v.slice(4)}[contexts = js_${v}, matrix = matrix_${v}]()`,
  ];
}
