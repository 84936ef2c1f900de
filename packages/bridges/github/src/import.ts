/**
 * `tutti github import`: workflows as a readable Mélodium project. Compo.toml names one
 * entrypoint per workflow (and `main`, the first); each workflow is an area `<workflow>.mel`
 * with one treatment per job (`job_<id>`, named after the job, a comment with its display
 * name) whose `run:` steps are `cicd/services/github::runAction` calls chained in order (each
 * carrying the step's name, shell, working directory, env of the workflow, job and step,
 * continue-on-error), and a `main` that prepares the GitHub contexts and starts each job once
 * the jobs it needs have succeeded.
 *
 * Steps run on two rails: while no step has failed, and after a failure. A step with `if:`
 * is gated by that condition evaluated in the helpers' realm (`githubStringEval`, with the
 * expression asked to give the string "true": the reference's rule keeps only strings, so a
 * boolean condition would never hold), with GitHub's implicit `success() &&` and the status
 * functions replaced by what they give on each rail; a skipped step passes the chain on. A
 * matrix job (static or computed) runs its treatment once per leg, each leg a track opened at
 * run time with a realm of its own holding its `matrix` and `strategy` (import-matrix.ts).
 *
 * Each job (each leg) has an expression realm of its own; a job that another needs ends with
 * `githubJobResult` and the needing jobs `includeNeeds` it (`needs.<id>.result`, outputs). Job
 * `if:` is evaluated there, status functions from the needs' results. `timeout-minutes` of
 * steps and jobs go to `runAction`'s `timeout_minutes` and `job_deadline`.
 *
 * `uses:` steps other than a plain checkout and the artifact actions are bash steps calling
 * `tutti github action USES` (the bridge's own action runner, action-step.ts) with the step's
 * `with:` as `INPUT_*`; `actions/cache` is split as GitHub splits it, `actions/cache/restore`
 * at its place and `actions/cache/save` as the job's last step.
 *
 * A job with `container:`/`services:` starts, uses and removes its containers through the
 * bridge's job environment (import-containers.ts, job-env.ts); so does a job whose `runs-on`
 * label `-P LABEL=IMAGE` maps to an image (`onPlatform`; a `group:`/`labels:` mapping too;
 * labels given by expressions: the image
 * chosen when the job starts).
 *
 * A job calling a reusable workflow (of this repository, or of another from the action cache)
 * has the called jobs imported inside the caller's graph (import-reusable.ts), a called matrix
 * job as any matrix job, a call from a called workflow level after level, and the called jobs
 * of a matrix of calls in a treatment running its legs (started by the outer legs' treatment
 * for a matrix of calls inside a leg of another). Each job instance's step files are its own
 * (`filesOf`).
 *
 * Every expression of the workflow is first compiled (compile.ts, `faithfulWorkflow`) to
 * JavaScript over GitHub's functions and operators, which each realm gets as its engine's
 * code (`|github_expressions()`), so the helpers give GitHub's results; the importer's own
 * placeholders stay JavaScript around them (a condition tested with `__gh_truthy`). With
 * `referenceExpressions` the texts stay as written, for the reference helpers' rules.
 *
 * What the generated program does not cover (reported as warnings, and as comments at the
 * place in the code): calls deeper than ten levels of workflows. A matrix job's outputs are its legs' outputs merged by its `githubMatrix`,
 * as GitHub merges them.
 * `bash` runs with `-x` (the helpers' shell table).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { deferred, faithfulWorkflow } from './compile.js';
import {
  downStep,
  inJobContainer,
  jobCommand,
  jobContainerStep,
  jobContextExpression,
  jobEnvironmentPlan,
  jsText,
  upStep,
  withJsonFunctions,
} from './import-containers.js';
import { legsTreatment, matrixInstances } from './import-matrix.js';
import {
  CALL_STATUS,
  type CallsOf,
  callLegsTreatment,
  callOutput,
  callTreatment,
  INSTALL_ARGS,
  inCallLeg,
  resolveCalls,
  withCalledJobs,
} from './import-reusable.js';
import { defaultCacheRoot } from './run.js';
import { findWorkflows, loadWorkflow, type Raw, runsOnLabels, type Workflow, WorkflowError } from './workflow.js';

export interface ImportResult {
  readonly dir: string;
  readonly files: string[];
  readonly warnings: string[];
}

/** A Mélodium string literal. */
const str = (s: string) =>
  `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t')}"`;

/** A Mélodium identifier from a YAML key (`build-linux` → `build_linux`). */
export function ident(s: string, prefix = ''): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(id)) id = `x${id}`;
  return prefix + id.toLowerCase();
}

const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));

/** An env value that is the run's identifier (`|run_id()`), not a text. */
const RUN_ID = '\u0000run_id';

const stringMap = (entries: [string, string][]) =>
  entries.length === 0
    ? undefined
    : `|wrap<StringMap>(|map([${entries.map(([k, v]) => `|entry(${str(k)}, ${v === RUN_ID ? '|run_id()' : str(v)})`).join(', ')}]))`;

/** The random key a job's (a leg's) realm draws when first asked, and keeps. */
const REALM_KEY = '${{ job.tutti_files ?? (job.tutti_files = Math.random().toString(36).slice(2, 10)) }}';

/**
 * The key of a job instance's step files (GITHUB_OUTPUT, GITHUB_ENV), `runAction`'s `files`:
 * a folder of the run's own under the temporary directory, `tutti-github-<run id>`, holding
 * the files of job treatment `tname` under a random suffix its realm draws at its first step
 * and keeps (`job.tutti_files`): each realm is one job instance (a leg of a matrix, a called
 * job in a leg of a matrix of calls: a realm of its own), so that two jobs, two calls of one
 * reusable workflow or two runs never read each other's outputs; removed by
 * `githubRemoveFiles` once the run's jobs ended.
 */
const filesOf = (tname: string) =>
  `files = |wrap<string>(|format(${str(`tutti-github-{run}/${tname}-${REALM_KEY.replaceAll('{', '{{').replaceAll('}', '}}')}`)}, |entry("run", |run_id())))`;

/** The run's folder of step files (see {@link filesOf}). */
const RUN_FILES = 'files = |format("tutti-github-{run}", |entry("run", |run_id()))';
/**
 * The contexts of job `job` (of workflow file `file`) as GitHub's runner fills them at run time
 * (sha, ref, actor, event payload, runner…): cicd's `|github_run_contexts`, its files in the run's folder.
 */
const runContexts = (job: string, file: string) =>
  `|github_run_contexts(contexts, ${str(job)}, ${str(file)}, |format("tutti-github-{run}", |entry("run", |run_id())))`;

/**
 * `actions/upload-artifact`: the files of `path` (lines, globs, `!` excludes) copied into this
 * run's artifact store, relative to the search paths' common folder as GitHub stores them.
 */
const UPLOAD_ARTIFACT = `# actions/upload-artifact, imported: the files into this run's artifact store
{ set +x; } 2>/dev/null; set -euo pipefail; shopt -s globstar nullglob dotglob
name="\${INPUT_NAME:-artifact}"; dest="\${TMPDIR:-/tmp}/tutti-artifacts-$TUTTI_RUN_ID/$name"
if [ -e "$dest" ] && [ "\${INPUT_OVERWRITE:-false}" != true ]; then echo "Error: an artifact named '$name' was already uploaded in this run" >&2; exit 1; fi
inc=(); exc=(); files=(); roots=()
while IFS= read -r l; do l="$(printf '%s' "$l" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')"; [ -z "$l" ] && continue; if [ "\${l#!}" != "$l" ]; then exc+=("\${l#!}"); else inc+=("$l"); fi; done <<< "\${INPUT_PATH:-}"
add() { if [ -d "$1" ]; then while IFS= read -r g; do files+=("$g"); done < <(find "$1" -type f); elif [ -f "$1" ]; then files+=("$1"); fi; }
for p in "\${inc[@]}"; do
  p="\${p#./}"
  if [[ $p == *[*?[]* ]]; then pre="\${p%%[*?[]*}"; r="\${pre%/*}"; [ "$r" = "$pre" ] && r=.; roots+=("\${r:-/}"); for f in $p; do add "$f"; done
  else p="\${p%/}"; if [ -d "$p" ]; then roots+=("$p"); else roots+=("$(dirname "$p")"); fi; add "$p"; fi
done
lca="\${roots[0]:-.}"
for r in "\${roots[@]}"; do while [ "$lca" != . ] && [ "$lca" != / ] && [ "$r" != "$lca" ] && [ "\${r#"$lca"/}" = "$r" ]; do lca="$(dirname "$lca")"; done; done
n=0; bytes=0
for f in "\${files[@]}"; do
  f="\${f#./}"; skip=; for x in "\${exc[@]}"; do x="\${x#./}"; [[ $f == $x ]] && skip=1; done; [ -n "$skip" ] && continue
  if [ "$lca" = . ]; then rel="$f"; else rel="\${f#"$lca"/}"; fi
  mkdir -p "$dest/$(dirname "$rel")"; cp -p "$f" "$dest/$rel"; n=$((n + 1)); bytes=$((bytes + $(wc -c < "$f")))
done
if [ "$n" -eq 0 ]; then
  case "\${INPUT_IF_NO_FILES_FOUND:-warn}" in
    error) echo "Error: No files were found with the provided path: \${INPUT_PATH:-}. No artifacts will be uploaded." >&2; exit 1 ;;
    ignore) exit 0 ;;
    *) echo "Warning: No files were found with the provided path: \${INPUT_PATH:-}. No artifacts will be uploaded."; exit 0 ;;
  esac
fi
echo "Artifact '$name' uploaded: $n files, $bytes bytes"`;

/** `actions/download-artifact`: one artifact (`name`) into `path`, or every one (matching `pattern`) into `path/<name>`. */
const DOWNLOAD_ARTIFACT = `# actions/download-artifact, imported: from this run's artifact store
{ set +x; } 2>/dev/null; set -euo pipefail
store="\${TMPDIR:-/tmp}/tutti-artifacts-$TUTTI_RUN_ID"; to="\${INPUT_PATH:-.}"
if [ -n "\${INPUT_NAME:-}" ]; then
  [ -d "$store/$INPUT_NAME" ] || { echo "Error: Artifact not found: $INPUT_NAME" >&2; exit 1; }
  mkdir -p "$to"; cp -pR "$store/$INPUT_NAME/." "$to/"; echo "Artifact '$INPUT_NAME' downloaded to $(cd "$to" && pwd)"
else
  count=0; mkdir -p "$to"
  for d in "$store"/*/; do
    [ -d "$d" ] || continue; n="$(basename "$d")"
    if [ -n "\${INPUT_PATTERN:-}" ] && [[ $n != $INPUT_PATTERN ]]; then continue; fi
    if [ "\${INPUT_MERGE_MULTIPLE:-false}" = true ]; then t="$to"; else t="$to/$n"; fi
    mkdir -p "$t"; cp -pR "$d." "$t/"; count=$((count + 1))
  done
  echo "$count artifact(s) downloaded to $(cd "$to" 2>/dev/null && pwd || echo "$to")"
fi
echo "download-path=$(cd "$to" 2>/dev/null && pwd || echo "$to")" >> "$GITHUB_OUTPUT"`;

/** The inputs of the artifact actions the imported scripts honour. */
const ARTIFACT_INPUTS: Record<string, readonly string[]> = {
  'actions/upload-artifact': ['name', 'path', 'if-no-files-found', 'overwrite'],
  'actions/download-artifact': ['name', 'path', 'pattern', 'merge-multiple'],
};

/** An artifact action step as the `run:` step of its script (inputs as `INPUT_*`); undefined for other steps. */
function artifactStep(s: Raw, warnInput: (key: string, action: string) => void): Raw | undefined {
  const action = asText(s.uses).trim().replace(/@.*$/, '');
  const known = ARTIFACT_INPUTS[action];
  if (!known) return undefined;
  const env: Raw = { ...((s.env ?? {}) as Raw), TUTTI_RUN_ID: RUN_ID };
  for (const [k, v] of Object.entries((s.with ?? {}) as Raw)) {
    if (!known.includes(k)) warnInput(k, action);
    // GitHub's INPUT_IF-NO-FILES-FOUND is no shell variable name: `-` becomes `_`
    else env[`INPUT_${k.replace(/[ -]/g, '_').toUpperCase()}`] = asText(v);
  }
  const { with: _with, uses: _uses, ...rest } = s;
  return {
    ...rest,
    name: s.name ?? `Run ${asText(s.uses).trim()}`,
    run: action === 'actions/upload-artifact' ? UPLOAD_ARTIFACT : DOWNLOAD_ARTIFACT,
    shell: 'bash',
    'working-directory': '.',
    env,
  };
}

/**
 * Any other action step (local composite or JavaScript action, remote action from the action
 * cache, `docker://`, `actions/cache`): a bash step that has `tutti github action` run it, the
 * Tutti running the program (`$TUTTI_NODE $TUTTI_CLI`, set by the CLI for the commands it
 * starts; `tutti` on the PATH otherwise). Its `with:` become `INPUT_<NAME>` variables evaluated
 * as the step's env; its outputs, env and path come back through the step's file commands.
 */
function actionStep(s: Raw): Raw {
  const uses = asText(s.uses).trim();
  const env: Raw = { ...((s.env ?? {}) as Raw) };
  for (const [k, v] of Object.entries((s.with ?? {}) as Raw)) {
    const text = asText(v);
    const name = k.replace(/ /g, '_').toUpperCase();
    // expressions over what the helpers' realm lacks (hashFiles, runner) and nothing it alone
    // has: evaluated by the action runner instead, written `%{{ }}` so the realm leaves them
    if (deferred(text)) env[`TUTTI_EXPR_INPUT_${name}`] = text.replaceAll('${{', '%{{');
    else env[`INPUT_${name}`] = text;
  }
  const q = `'${uses.replaceAll("'", "'\\''")}'`;
  const { with: _with, uses: _uses, ...rest } = s;
  return {
    ...rest,
    name: s.name ?? `Run ${uses}`,
    run: [
      `# ${uses}, run by Tutti's GitHub action runner (tutti github action)`,
      '{ set +x; } 2>/dev/null',
      `if [ -n "\${TUTTI_CLI:-}" ]; then exec "\${TUTTI_NODE:-node}" "$TUTTI_CLI" github action ${q}; else exec tutti github action ${q}; fi`,
    ].join('\n'),
    shell: 'bash',
    // an action runs in the workspace whatever defaults.run says
    'working-directory': '.',
    env,
  };
}

/**
 * `actions/cache` restores at its step and saves its key at the end of the job when it was not an exact hit (GitHub's
 * post step): the imported job gets that step last, `actions/cache/save` under the key the
 * restore computed. Gives the steps with such post steps appended (ids given where missing).
 */
function withCachePosts(steps: Raw[]): Raw[] {
  const posts: Raw[] = [];
  const out = steps.map((s, i) => {
    if (asText(s.uses).trim().replace(/@.*$/, '') !== 'actions/cache') return s;
    const id = typeof s.id === 'string' ? s.id : `cache${i + 1}`;
    const w = (s.with ?? {}) as Raw;
    const out = (k: string) => `steps[${JSON.stringify(id)}]["outputs"][${JSON.stringify(k)}]`;
    const own = s.if !== undefined ? ` && (${bare(s.if)})` : '';
    posts.unshift({
      name: `Post ${asText(s.name) || `Run ${asText(s.uses).trim()}`}`,
      if: `success()${own} && ${out('cache-hit')} != "true" && ${out('cache-primary-key')} != ""`,
      uses: 'actions/cache/save@v4',
      with: {
        key: `\${{ ${out('cache-primary-key')} }}`,
        path: w.path,
        ...(w.enableCrossOsArchive !== undefined ? { enableCrossOsArchive: w.enableCrossOsArchive } : {}),
      },
    });
    // GitHub's own split of actions/cache: its restore now, its save as the post step
    return {
      ...s,
      id,
      name: s.name ?? `Run ${asText(s.uses).trim()}`,
      uses: asText(s.uses)
        .trim()
        .replace(/^actions\/cache@/, 'actions/cache/restore@'),
    };
  });
  return [...out, ...posts];
}

/** `steps.<id>` as a matrix leg's helpers record it: `steps["<id>" + strategy["job-index"]]`. */
const legSteps = (expression: string) =>
  expression.replace(/\bsteps\.([\w-]+)/g, (_m, sid: string) => `steps[${JSON.stringify(sid)} + strategy["job-index"]]`);

/** The same in the placeholders of a text. */
const legStepsIn = (text: string) => text.replace(/\$\{\{([^}]*)\}\}/g, (_m, e: string) => `\${{${legSteps(e)}}}`);

/** A step of a matrix leg with its references to other steps as the leg's helpers record them. */
function legStepRefs(s: Raw): Raw {
  const out: Raw = { ...s };
  if (typeof s.run === 'string') {
    out.run = legStepsIn(s.run);
    // labelled with the step's own text
    out.name ??= `Run ${s.run.trim().split('\n')[0]}`;
  }
  if (s.env !== undefined && s.env !== null && typeof s.env === 'object')
    out.env = Object.fromEntries(Object.entries(s.env as Raw).map(([k, v]) => [k, typeof v === 'string' ? legStepsIn(v) : v]));
  if (typeof s.if === 'string') out.if = s.if.includes('${{') ? legStepsIn(s.if) : legSteps(s.if);
  if (typeof s['continue-on-error'] === 'string') out['continue-on-error'] = legStepsIn(s['continue-on-error']);
  if (typeof s['timeout-minutes'] === 'string') out['timeout-minutes'] = legStepsIn(s['timeout-minutes']);
  return out;
}

/**
 * A condition's JavaScript as the test of a `? :` in the realm: with compiled expressions
 * (`faithful`), GitHub's truthiness; else the reference's (JavaScript's).
 */
const test = (cond: string, faithful: boolean) => (faithful ? `__gh_truthy(${cond})` : `(${cond})`);

/** The text of an `if:` without its `${{ }}`. */
const bare = (v: unknown) =>
  asText(v)
    .replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1')
    .trim();

const STATUS = /\b(success|failure|always|cancelled)\s*\(\s*\)/gi;

/**
 * A step condition for one rail of the chain (`failed`: a step before it failed), GitHub's rules:
 * without a status function `success() && (if)`; the status functions replaced by what they give
 * on that rail. 'true'/'false' when constant, else an expression.
 */
function railCondition(ifText: string | undefined, failed: boolean): string {
  if (ifText === undefined || ifText === '') return failed ? 'false' : 'true';
  STATUS.lastIndex = 0;
  if (!STATUS.test(ifText)) return failed ? 'false' : ifText;
  const e = ifText.replace(STATUS, (_m, f: string) => {
    const fn = f.toLowerCase();
    return String(fn === 'always' || (fn === 'success' && !failed) || (fn === 'failure' && failed));
  });
  return /^\s*\(?\s*(true|false)\s*\)?\s*$/.test(e) ? e.replace(/[\s()]/g, '') : e;
}

/** Whether a condition runs its step in a leg cancelled by fail-fast: it calls always() or cancelled(). */
const runsWhenCancelled = (ifText: string | undefined) => ifText !== undefined && /\b(always|cancelled)\s*\(\s*\)/i.test(ifText);

/**
 * A condition after a failure in a matrix leg that may have been cancelled: `cancelled()` is
 * the leg's cancellation (`job.tutti_cancelled`, set by githubLegState), `failure()` its
 * absence (the step that ended the rail failed; a cancelled one concludes `cancelled`),
 * `always()` true and `success()` false.
 */
function cancelledCondition(ifText: string): string {
  return ifText.replace(STATUS, (_m, f: string) => {
    const fn = f.toLowerCase();
    if (fn === 'always') return 'true';
    if (fn === 'success') return 'false';
    return fn === 'cancelled' ? '(job.tutti_cancelled === true)' : '(job.tutti_cancelled !== true)';
  });
}

/** `timeout-minutes` as a number of minutes (a number, or a text holding one); undefined otherwise. */
function minutesOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The job's deadline (seconds since the epoch), set in the job's realm by the first step that
 * evaluates it and read by the later ones: the helpers evaluate `${{ }}` as JavaScript there.
 */
const deadlineExpression = (minutes: number | string) =>
  typeof minutes === 'number'
    ? `\${{ job.tutti_deadline || (job.tutti_deadline = String(Math.floor(Date.now() / 1000) + ${Math.ceil(minutes * 60)})) }}`
    : // an expression (`${{ needs.plan.outputs.minutes }}`, `${{ matrix.minutes }}`), evaluated in the
      // job's (the leg's) realm by its first step; no deadline when it gives no positive number
      `\${{ job.tutti_deadline ?? (job.tutti_deadline = ((m) => (m > 0 ? String(Math.floor(Date.now() / 1000) + Math.ceil(m * 60)) : ""))(Number(${minutes}))) }}`;

/**
 * A step's `timeout-minutes` given by an expression (`${{ matrix.t }}`, `${{ fromJSON(needs.a.outputs.t) }}`):
 * env entries telling the watchdog of `runAction` (githubTimeout, with `job_deadline`) the step's
 * limit, evaluated in the job's (the leg's) realm as the step starts, as `tutti github run`
 * evaluates it: `TUTTI_STEP_TIMEOUT` `<seconds> <minutes>` (`invalid` when it gives no positive
 * number: the step fails), `TUTTI_STEP_NAME` for GitHub's message. Undefined for other values.
 */
function stepTimeoutEnv(v: unknown, display: string): [string, string][] | undefined {
  if (typeof v !== 'string' || !/^\s*\$\{\{[\s\S]*\}\}\s*$/.test(v)) return undefined;
  // (no braces: the realm's placeholders end at the first `}`; fromJSON as GitHub's)
  const limit = `((fromJSON) => ((m) => (m > 0 ? String(Math.max(1, Math.ceil(m * 60))) + " " + String(m) : "invalid"))(Number(${bare(v)})))((t) => JSON.parse(t))`;
  return [
    ['TUTTI_STEP_TIMEOUT', `\${{ ${limit} }}`],
    ['TUTTI_STEP_NAME', display],
  ];
}

/**
 * A job's `continue-on-error` as a JavaScript condition for the helpers' realm (GitHub's
 * truthiness is JavaScript's): a constant as `true`/`false`, an expression as itself; undefined
 * when the job has none (or `false`).
 */
export function jobContinueOnError(v: unknown): string | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v === 'string' && /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(v)) return `(${bare(v)})`;
  return v === '' || v === 0 ? undefined : 'true';
}

/** One job as a treatment: its steps on two rails, the job ok so far, or failed so far. */
function jobTreatment(
  w: Workflow,
  id: string,
  job: Raw,
  warn: (m: string) => void,
  matrix = false,
  treatmentName?: string,
  // (named when it runs: a leg of a matrix, a called job in a leg of a matrix of calls)
  named = matrix,
  // the workflow's expressions compiled for GitHub's functions (compile.ts)
  faithful = false,
): string {
  const lines: string[] = [];
  // (a called job of a reusable workflow: `id` its id there, its treatment `<call> / <id>`'s)
  const tname = treatmentName ?? ident(id, 'job_');
  const wires: string[] = [];
  // a job with `container:`/`services:` (or a runs-on label -P maps to an image): its
  // environment started first, removed last, its steps in the job container (import-containers.ts)
  const plan = jobEnvironmentPlan(w, id, job, tname, ident);
  // every leg of a matrix job runs the one treatment: its environment is told apart by the
  // leg's index, filled in by the helpers when the step's commands are evaluated (the step ids
  // of the environment's own steps are the leg's already: `<id><job-index>`)
  // (so is each leg of a matrix of calls' called job: by its realm's key)
  const jobEnv =
    plan === undefined || !named
      ? plan
      : { ...plan, commandKey: matrix ? `${plan.key}-\${{ strategy["job-index"] }}` : `${plan.key}-${REALM_KEY}` };
  // artifact actions become the run: steps of their scripts
  // other actions become bash steps calling Tutti's action runner
  const imported = withCachePosts((job.steps ?? []) as Raw[]).map((s, i) => {
    const a = artifactStep(s, (key, action) =>
      warn(`${w.where(id, i, 'with')}: job '${id}', step ${i + 1}: 'with: ${key}' of ${action} is not imported (ignored)`),
    );
    if (a) return a;
    const checkout = (u: unknown) =>
      typeof u === 'string' &&
      /^actions\/checkout@/.test(u.trim()) &&
      s.if === undefined &&
      (s.with === undefined || Object.keys(s.with as Raw).length === 0);
    if (jobEnv?.container && inJobContainer(s) && !checkout(s.uses))
      return jobContainerStep(s, jobEnv, RUN_ID, typeof s.uses === 'string' && s.run === undefined ? actionStep(s) : undefined);
    if (typeof s.uses !== 'string' || s.run !== undefined) return s;
    if (checkout(s.uses)) return s;
    return actionStep(s);
  });
  // in a leg of a matrix, the helpers record a step as `<id><job-index>`: `steps.<id>` read so
  const steps = matrix ? imported.map(legStepRefs) : imported;
  const name = asText(job.name) || id;
  const defaults = { ...((w.defaults?.run ?? {}) as Raw), ...(((job.defaults as Raw | undefined)?.run ?? {}) as Raw) };
  const baseEnv: [string, string][] = [...Object.entries(w.env ?? {}), ...Object.entries((job.env ?? {}) as Raw)].map(([k, v]) => [
    k,
    asText(v),
  ]);
  if (job.uses !== undefined) warn(`${w.where(id)}: job '${id}': 'uses' is not imported`);
  // (a matrix job's continue-on-error is evaluated by its githubMatrix for each leg, with the
  // leg's matrix: the leg's realm is told by githubLegState as the leg starts)
  const legCoe = matrix && jobContinueOnError(job['continue-on-error']) !== undefined;
  const jobCoe = legCoe ? '(job.tutti_continue_on_error === true)' : matrix ? undefined : jobContinueOnError(job['continue-on-error']);
  // the job's timeout: a deadline set in its realm when its first step starts, which every step
  // on the way while no step failed honours (`job_deadline`); the steps after a failure run
  // without it (on GitHub, `always()` steps still run after a job timeout)
  // (given by an expression: evaluated by the first step, in a matrix leg's realm for a leg)
  const jobTimeout = job['timeout-minutes'];
  const jobMinutes: number | string | undefined =
    minutesOf(jobTimeout) ??
    (typeof jobTimeout === 'string' && /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(jobTimeout) ? `(${bare(jobTimeout)})` : undefined);
  if (jobTimeout !== undefined && jobMinutes === undefined)
    warn(`${w.where(id)}: job '${id}': 'timeout-minutes: ${asText(job['timeout-minutes'])}' (not a number) is not imported`);
  lines.push(
    '/**',
    `Job \`${id}\`${name !== id ? ` ("${name}")` : ''} of ${w.file}${matrix ? ", run once per leg of its matrix (`leg`: the leg's name, as `job (v1, v2)`)" : ''}: its steps in order.`,
    '*/',
  );
  lines.push(`treatment ${tname}[contexts: JavaScriptEngine](${named ? 'leg: string' : ''})`);
  lines.push('  input trigger: Block<void>', '  output success: Block<void>', '  output failed: Block<void>', '{');
  const used = new Set<string>();
  const fresh = (base: string) => {
    let v = base;
    while (used.has(v)) v = `${v}_`;
    used.add(v);
    return v;
  };
  /** One output from several (one<void> takes two inputs: a chain of them). */
  const merge = (sources: string[]): string | undefined => {
    if (sources.length <= 1) return sources[0];
    let prev = sources[0]!;
    for (const src of sources.slice(1)) {
      const o = fresh('either');
      lines.push(`    ${o}: one<void>()`);
      wires.push(`    ${prev} -> ${o}.a`, `    ${src} -> ${o}.b`);
      prev = `${o}.value`;
    }
    return prev;
  };
  // ok: the outputs after which the job has not failed; failed: those after which it has
  // a step labelled as `tutti github run` labels it: `job › step`; in a matrix leg, the leg's
  // name is known when the leg runs: `{leg}` in a format (braces of the text doubled)
  const displayName = (display: string) =>
    named
      ? `|wrap<string>(|format(${str(`{leg} › ${display.replaceAll('{', '{{').replaceAll('}', '}}')}`)}, |entry("leg", leg)))`
      : `|wrap<string>(${str(`${name} › ${display}`)})`;
  let ok: string[] = ['Self.trigger'];
  if (legCoe) {
    lines.push("    // what the leg's githubMatrix knows: whether the job's continue-on-error holds for it");
    lines.push('    leg_state: githubLegState[contexts = contexts]()');
    used.add('leg_state');
    wires.push('    Self.trigger -> leg_state.trigger');
    ok = ['leg_state.done'];
  }
  let failed: string[] = [];
  // (the job's environment failing to start: no step runs, the job fails)
  const envFailed: string[] = [];
  if (jobEnv) {
    const runner = (step: string, what: 'up' | 'down', display: string, comment: string) =>
      `runAction[contexts = contexts](name = ${str(step)}, display_name = ${displayName(display)}, ${filesOf(tname)}, shell = |wrap<string>("bash"), env = ${stringMap([['TUTTI_RUN_ID', RUN_ID], ...jobEnv.env])}, commands = ${str(jobCommand(what, jobEnv.commandKey ?? jobEnv.key, comment))})`;
    lines.push(
      `    // Initialize containers: the job's ${jobEnv.container ? 'container and ' : ''}services (tutti github job up)`,
      `    job_up: ${runner(upStep(jobEnv), 'up', 'Initialize containers', "the job's containers, started as tutti github run starts them")}`,
      `    job_context: emit<string>(value = ${str(jobContextExpression(jobEnv, matrix))})`,
      '    job_context_value: githubStringEval[contexts = contexts](local_context = |null())',
      '    job_ready: waitBlock<string>()',
    );
    for (const v of ['job_up', 'job_context', 'job_context_value', 'job_ready', 'job_down']) used.add(v);
    wires.push(
      `    ${ok[0]} -> job_up.trigger`,
      '    job_up.continue -> job_context.trigger,emit -> job_context_value.value',
      '    job_context_value.evaluated -> job_ready.a',
      '    job_context_value.evaluated -> job_ready.b',
    );
    ok = ['job_ready.awaited'];
    envFailed.push('job_up.failed');
  }
  steps.forEach((s, i) => {
    const display = asText(s.name) || (typeof s.run === 'string' ? `Run ${s.run.trim().split('\n')[0]}` : `Run ${asText(s.uses)}`);
    const uses = asText(s.uses).trim();
    if (/^actions\/checkout@/.test(uses) && s.if === undefined && (s.with === undefined || Object.keys(s.with as Raw).length === 0)) {
      // the imported steps run in the working tree itself: what a checkout of this repository gives
      lines.push(`    // ${display.replaceAll('\n', ' ')}: the steps run in the working tree (what checking out this repository gives)`);
      return;
    }
    if (typeof s.run !== 'string' && typeof s.run !== 'number' && typeof s.run !== 'boolean') {
      warn(`${w.where(id, i, 'uses')}: job '${id}', step ${i + 1} ('${display}'): 'uses: ${asText(s.uses)}' is not imported`);
      lines.push(`    // not imported: step ${i + 1} '${display.replaceAll('\n', ' ')}' (uses: ${asText(s.uses)})`);
      return;
    }
    const ifText = s.if === undefined ? undefined : bare(s.if);
    const stepMinutes = minutesOf(s['timeout-minutes']);
    // (given by an expression: evaluated as the step starts)
    const stepLimit = stepMinutes === undefined ? stepTimeoutEnv(s['timeout-minutes'], display) : undefined;
    if (s['timeout-minutes'] !== undefined && stepMinutes === undefined && stepLimit === undefined)
      warn(
        `${w.where(id, i, 'timeout-minutes')}: job '${id}', step ${i + 1}: 'timeout-minutes: ${asText(s['timeout-minutes'])}' (not a number) is not imported`,
      );
    const stepName = typeof s.id === 'string' ? s.id : `step${i + 1}`;
    const coe = s['continue-on-error'] !== undefined && s['continue-on-error'] !== false;
    const params: string[] = [`name = ${str(stepName)}`];
    // labelled as `tutti github run` labels it: `job › step`
    params.push(`display_name = ${displayName(display)}`);
    // the job instance's own step files
    params.push(filesOf(tname));
    const shell = s.shell ?? defaults.shell;
    if (shell !== undefined) params.push(`shell = |wrap<string>(${str(asText(shell))})`);
    const wd = s['working-directory'] ?? defaults['working-directory'];
    if (wd !== undefined) params.push(`working_directory = |wrap<string>(${str(asText(wd))})`);
    const envEntries = [
      ...baseEnv,
      ...Object.entries((s.env ?? {}) as Raw).map(([k, x]): [string, string] => [k, asText(x)]),
      ...(stepLimit ?? []),
    ];
    if (coe) {
      const c = s['continue-on-error'];
      // (compiled: its value, GitHub's truthiness giving the "true" the helpers ask for)
      params.push(
        `continue_on_error = |wrap<string>(${str(faithful ? `${test(c === true ? 'true' : bare(c), true)} ? "true" : "false"` : c === true ? "'true'" : bare(c))})`,
      );
    }
    if (jobCoe !== undefined) {
      // the job's continue-on-error: a failing step still fails the job, but not the run
      const c = s['continue-on-error'];
      const own = !coe
        ? ''
        : faithful
          ? `${test(c === true ? 'true' : bare(c), true)} || `
          : `(${c === true ? "'true'" : bare(c)}) === "true" || `;
      params.push(`allow_failure = |wrap<string>(${str(`${test(`${own}${jobCoe}`, faithful)} ? "true" : "false"`)})`);
    }
    if (stepMinutes !== undefined) params.push(`timeout_minutes = |wrap<f64>(${stepMinutes})`);
    params.push('github_environment = true');
    params.push(`commands = ${str(asText(s.run))}`);
    /** The parameters on one rail: env, and on the first rail the job's deadline. */
    const paramsOn = (failedRail: boolean) => {
      const deadline = jobMinutes !== undefined && !failedRail;
      const head = params.slice(0, -1);
      // (job_deadline: the watchdog reads the limits the env gives, the job's and the step's)
      const limits = deadline || stepLimit !== undefined;
      // (after a failure in a matrix leg, a step that runs when the leg was cancelled runs to its end)
      const whenCancelled = named && failedRail && runsWhenCancelled(ifText);
      const env = stringMap([
        ...envEntries,
        ...(deadline ? [['TUTTI_JOB_DEADLINE', deadlineExpression(jobMinutes)] as [string, string]] : []),
        ...(whenCancelled ? [['TUTTI_RUNS_WHEN_CANCELLED', 'true'] as [string, string]] : []),
      ]);
      return [...head, ...(env ? [`env = ${env}`] : []), ...(limits ? ['job_deadline = true'] : []), params.at(-1)!].join(', ');
    };
    const nextOk: string[] = [];
    const nextFailed: string[] = [];
    for (const rail of ['ok', 'failed'] as const) {
      const sources = rail === 'ok' ? ok : failed;
      const passOn = rail === 'ok' ? nextOk : nextFailed;
      if (sources.length === 0) continue;
      // after a failure in a matrix leg, cancelled() and failure() tell a leg cancelled by
      // fail-fast (githubLegState) from a step that failed, as GitHub tells them
      const legCancel = named && rail === 'failed' && ifText !== undefined && /\b(cancelled|failure)\s*\(\s*\)/i.test(ifText);
      const cond = legCancel ? cancelledCondition(ifText) : railCondition(ifText, rail === 'failed');
      if (cond === 'false') {
        passOn.push(...sources);
        continue;
      }
      const from = merge(sources)!;
      const v = fresh(ident(stepName) + (rail === 'failed' ? '_after_failure' : ''));
      lines.push(`    // ${display.replaceAll('\n', ' ')}${rail === 'failed' ? ' (when a step before failed)' : ''}`);
      lines.push(`    ${v}: runAction[contexts = contexts](${paramsOn(rail === 'failed')})`);
      if (cond === 'true') wires.push(`    ${from} -> ${v}.trigger`);
      else {
        // GitHub's result of the condition: the helpers' realm evaluates it and a boolean
        // counts (the reference's rule keeps only strings, so `"true"` is asked for)
        const g = fresh(`${v}_if`);
        let start = from;
        if (legCancel) {
          lines.push(`    ${g}_leg: githubLegState[contexts = contexts]()`);
          wires.push(`    ${from} -> ${g}_leg.trigger`);
          start = `${g}_leg.done`;
        }
        lines.push(
          `    ${g}: emit<string>(value = ${str(`\${{ ${test(cond, faithful)} ? "true" : "false" }}`)})`,
          `    ${g}_value: githubStringEval[contexts = contexts](local_context = |null())`,
          `    ${g}_true: equalTo<string>(value = "true")`,
          `    ${g}_gate: filterBlock<void>()`,
        );
        wires.push(
          `    ${start} -> ${g}.trigger,emit -> ${g}_value.value,evaluated -> ${g}_true.data,result -> ${g}_gate.select`,
          `    ${from} -> ${g}_gate.value`,
          `    ${g}_gate.accepted -> ${v}.trigger`,
        );
        passOn.push(`${g}_gate.rejected`);
      }
      if (rail === 'ok') {
        nextOk.push(`${v}.continue`);
        if (!coe) nextFailed.push(`${v}.failed`);
      } else nextFailed.push(`${v}.completed`, `${v}.failed`);
    }
    ok = nextOk;
    failed = nextFailed;
  });
  const okEnd = merge(ok);
  const failedEnd = merge([...failed, ...envFailed]);
  if (!jobEnv) {
    if (okEnd) wires.push(`    ${okEnd} -> Self.success`);
    if (failedEnd) wires.push(`    ${failedEnd} -> Self.failed`);
  }
  if (jobEnv) {
    // whatever happened, once the job ended (an interrupted run: the watcher of `job up`)
    lines.push(
      "    // Stop containers: the job's containers and network removed (tutti github job down)",
      `    job_down: runAction[contexts = contexts](name = ${str(downStep(jobEnv))}, display_name = ${displayName('Stop containers')}, ${filesOf(tname)}, shell = |wrap<string>("bash"), env = ${stringMap([['TUTTI_RUN_ID', RUN_ID]])}, commands = ${str(jobCommand('down', jobEnv.commandKey ?? jobEnv.key, "the job's containers removed"))})`,
    );
    const ended = merge([okEnd, failedEnd].filter((x): x is string => x !== undefined));
    if (ended) wires.push(`    ${ended} -> job_down.trigger`);
    // the job ends once its containers are down (then the run's files may go: nothing writes there any more)
    const down = merge(['job_down.completed', 'job_down.failed']);
    for (const [end, out] of [
      [okEnd, 'success'],
      [failedEnd, 'failed'],
    ] as const) {
      if (end === undefined) continue;
      lines.push(`    job_down_${out}: waitBlock<void>()`);
      wires.push(`    ${end} -> job_down_${out}.a`, `    ${down} -> job_down_${out}.b`, `    job_down_${out}.awaited -> Self.${out}`);
    }
  }
  lines.push('', ...wires, '}');
  return lines.join('\n');
}

/** The area of one workflow: its jobs and a `main` starting them as their needs succeed. */
function workflowArea(
  w: Workflow,
  repository: string,
  warn: (m: string) => void,
  callsOf: CallsOf = new Map(),
  platforms: Readonly<Record<string, string>> = {},
  faithful = false,
): string {
  // each realm has GitHub's functions for the compiled expressions (compile.ts)
  const engine = faithful ? 'JavaScriptEngine(code = |github_expressions())' : 'JavaScriptEngine()';
  // a call of a reusable workflow: followed by the called jobs, `<call> / <job>` (import-reusable.ts)
  const flat = withCalledJobs(Object.entries(w.jobs), callsOf, warn, w);
  // `-P LABEL=IMAGE`: a job without `container:` whose runs-on has that label is a container job
  const jobs = flat.jobs.map(([id, job]): [string, Raw] => [id, onPlatform(job, platforms)]);
  const jobById = new Map(jobs);
  /** The name a job's result has in the realms that include it: a called job's own id. */
  const resultName = (id: string) => flat.called.get(id)?.local ?? id;
  // the run's artifact store, when a step uploads or downloads one: removed once every job ended
  const artifacts = jobs.some(([, job]) =>
    ((job.steps ?? []) as Raw[]).some((s) => ARTIFACT_INPUTS[asText(s.uses).trim().replace(/@.*$/, '')] !== undefined),
  );
  const out: string[] = [];
  out.push(
    'use cicd/services/github::@GithubLeg',
    'use cicd/services/github::GithubMatrix',
    'use cicd/services/github::githubJobResult',
    'use cicd/services/github::githubLeg',
    'use cicd/services/github::githubLegState',
    'use cicd/services/github::githubLegResult',
    'use cicd/services/github::githubMatrix',
    'use cicd/services/github::githubRemoveFiles',
    'use cicd/services/github::githubStringEval',
    'use cicd/services/github::|github_expressions',
    'use cicd/services/github::|github_run_contexts',
    'use cicd/services/github::includeNeeds',
    'use cicd/services/github::prepareContexts',
    'use cicd/services/github::prepareLegContexts',
    'use cicd/services/github::runAction',
    'use javascript::JavaScriptEngine',
    ...(flat.calls.size > 0 ? ['use json::Json'] : []),
    'use json/value::|null',
    'use std/data/string_map::StringMap',
    'use std/data/string_map::|entry',
    'use std/data/string_map::|map',
    'use std/engine::|run_id',
    'use std/engine/log::logErrorMessage',
    'use std/engine/log::logInfoMessage',
    'use std/engine/util::startup',
    'use std/flow::emit',
    'use std/flow::closeBlock',
    'use std/flow::filterBlock',
    'use std/flow::flock',
    'use std/flow::one',
    'use std/flow::trigger',
    'use std/flow::waitBlock',
    'use std/ops/block::equalTo',
    'use std/ops/option::|wrap',
    'use std/text/compose::|format',
    '',
  );
  // a job with a matrix (static or computed) runs once per leg, each leg a track opened at run
  // time (import-matrix.ts): one treatment for its steps, one for its legs
  // (a called job's matrix too: its legs are tracks of its own githubMatrix)
  const matrixJob = (id: string) =>
    !flat.calls.has(id) && ((jobById.get(id)?.strategy ?? undefined) as Raw | undefined)?.matrix !== undefined;
  /** The matrix of calls whose legs run called job `id` (import-reusable.ts, callLegsTreatment). */
  const callLegsOf = (id: string) => {
    // (the nearest matrix of calls among the calls it is in)
    for (let c = flat.called.get(id)?.call; c !== undefined; c = flat.called.get(c)?.call)
      if (flat.calls.get(c)?.matrix) return flat.calls.get(c);
    return undefined;
  };
  /** A name under a matrix of calls, without the call's id: `<call leg> / <this>` when it runs. */
  const legRelative = (id: string, name = id) => name.slice(callLegsOf(id)!.id.length + 3);
  const inCallLegs = (id: string) => callLegsOf(id) !== undefined;
  for (const [id, job] of jobs) {
    const call = flat.calls.get(id);
    if (call) {
      out.push(callTreatment(call, ident(id, 'job_'), str, warn), '');
      continue;
    }
    // a called job: the messages point into the called workflow
    const inner = flat.called.get(id);
    const jw = inner?.w ?? w;
    const local = inner?.local ?? id;
    out.push(jobTreatment(jw, local, job, warn, matrixJob(id), ident(id, 'job_'), matrixJob(id) || inCallLegs(id), faithful), '');
    if (matrixJob(id)) out.push(legsTreatment(jw, id, job, ident(id, 'job_')), '');
  }
  const github = { workflow: w.name, repository, event_name: 'push' };
  const contexts = JSON.stringify({ github });
  out.push(
    '/**',
    `Workflow "${w.name}" (${w.file}): each job starts once the jobs it needs have succeeded;`,
    'each job (each leg of a matrix job) runs with an expression realm of its own (its `steps`,',
    'its `needs` with their results and outputs, a leg its `matrix` and `strategy`).',
    '`contexts` is the JSON of the GitHub contexts (`github`, `env`, `vars`…) of the jobs without matrix.',
    '*/',
    `treatment main(const contexts: string = ${str(contexts)})`,
  );
  let head: string[] = ['{', '    startup()'];
  let body: string[] = [];
  // the lines of the called jobs of a matrix of calls (and of the call's result) go to the
  // treatment running its legs, `legs_<call>`, where the leg's start stands for `startup`
  const main = { head, body };
  const legLines = new Map<string, { head: string[]; body: string[] }>();
  /** Where the lines of job `id` (of call `id`'s result, with `result`) go from now on. */
  const linesOf = (id: string, result = false) => {
    // (a matrix of calls' result: in its own legs, even when it runs in a leg of another)
    const c = result && flat.calls.get(id)?.matrix ? flat.calls.get(id) : callLegsOf(id);
    let l = c === undefined ? main : legLines.get(c.id);
    if (!l) legLines.set(c!.id, (l = { head: [], body: [] }));
    ({ head, body } = l);
    return c === undefined ? 'startup.trigger' : 'prepare_leg.ready';
  };
  /** The label of job `id`'s messages: in a leg of a matrix of calls, named after the leg. */
  const labelOf = (id: string) => (inCallLegs(id) ? inCallLeg(legRelative(id)) : str(id));
  const messageOf = (id: string, what: string) =>
    inCallLegs(id) ? inCallLeg(`${legRelative(id)} ${what}`, 'job ') : str(`job ${id} ${what}`);
  /** The status of each matrix of calls' leg, once its called jobs ended (callResult). */
  const legStatus = new Map<string, string>();
  let waits = 0;
  /** A block emitted once both are: a chain of waitBlock<void>. */
  const both = (sources: string[]): string => {
    let source = sources[0]!;
    for (const n of sources.slice(1)) {
      const wname = `needs${++waits}`;
      head.push(`    ${wname}: waitBlock<void>()`);
      body.push(`    ${source} -> ${wname}.a`, `    ${n} -> ${wname}.b`);
      source = `${wname}.awaited`;
    }
    return source;
  };
  let anys = 0;
  const either = (sources: string[]): string => {
    let source = sources[0]!;
    for (const n of sources.slice(1)) {
      const o = `anyFailure${++anys}`;
      head.push(`    ${o}: one<void>()`);
      body.push(`    ${source} -> ${o}.a`, `    ${n} -> ${o}.b`);
      source = `${o}.value`;
    }
    return source;
  };
  /**
   * A job without a matrix whose `continue-on-error` (`coe`, a condition) holds when it failed:
   * its result is `success` for the jobs that need it and the run, as `tutti github run` (and
   * GitHub) gives it. Evaluated in the job's realm once it failed, setting `job.status` there
   * (read by its githubJobResult); gives the blocks telling it went on or failed.
   */
  const tolerated = (id: string, v: string, coe: string, ok: string, failed: string): { ok: string; failed: string } => {
    const g = `${v}Tolerated`;
    head.push(
      `    ${g}: emit<string>(value = ${str(`\${{ ${test(coe, faithful)} ? (job.status = "success", "true") : "false" }}`)})`,
      `    ${g}Value: githubStringEval[contexts = js_${v}](local_context = |null())`,
      `    ${g}True: equalTo<string>(value = "true")`,
      `    ${g}Gate: filterBlock<void>()`,
      `    ${g}Log: logInfoMessage(label = ${str(id)}, message = ${str(`job ${id}: its failure does not fail the run (continue-on-error)`)})`,
    );
    body.push(
      `    ${failed} -> ${g}.trigger,emit -> ${g}Value.value,evaluated -> ${g}True.data,result -> ${g}Gate.select`,
      `    ${failed} -> ${g}Gate.value`,
      `    ${g}Gate.accepted -> ${g}Log.trigger`,
    );
    return { ok: either([ok, `${g}Gate.accepted`]), failed: `${g}Gate.rejected` };
  };
  /**
   * Installs the `args` of the call `callInst` (its inputs and secrets) in `realm` once `ready`;
   * gives the block telling it is done.
   */
  const installArgs = (realm: string, ready: string, callInst: string, name: string): string => {
    const inc = `args_${name}`;
    head.push(
      `    ${inc}: includeNeeds[contexts = ${realm}](from = "tutti:call")`,
      `    ${inc}_set: emit<string>(value = ${str(INSTALL_ARGS)})`,
      `    ${inc}_setd: githubStringEval[contexts = ${realm}](local_context = |null())`,
      `    ${inc}_done: waitBlock<string>()`,
    );
    body.push(
      `    ${ready} -> ${inc}.trigger`,
      `    ${callInst}.args -> ${inc}.needs`,
      `    ${inc}.ready -> ${inc}_set.trigger,emit -> ${inc}_setd.value`,
      `    ${inc}_setd.evaluated -> ${inc}_done.a`,
      `    ${inc}_setd.evaluated -> ${inc}_done.b`,
    );
    return `${inc}_done.awaited`;
  };
  /**
   * The result of the call `id` (instance `v`), `result_<v>`, in a realm of its own: the called
   * jobs' results included once the call started, and once each of them ended or will never
   * run (closed), its status and its `workflow_call` outputs.
   */
  const callResult = (id: string, v: string): { ok: string; failed: string } => {
    const call = flat.calls.get(id)!;
    const realm = `js_${v}_out`;
    out.push(`  model ${realm}: ${engine}`);
    // (a matrix of calls: in its legs' treatment, once per leg)
    const start = linesOf(id, true);
    head.push(`    prepare_${v}_out: prepareContexts[contexts = ${realm}](github_contexts = ${runContexts(id, w.file)})`);
    body.push(`    ${start} -> prepare_${v}_out.trigger`);
    const started = installArgs(realm, `prepare_${v}_out.ready`, v, `${v}_out`);
    const closed: string[] = [];
    for (const [innerId, inner] of flat.called) {
      if (inner.call !== id) continue;
      // (a matrix job's result: its legs' merged by its githubMatrix)
      const inc = `${v}_out_${ident(innerId, 'job_')}`;
      head.push(`    ${inc}: includeNeeds[contexts = ${realm}](from = ${str(inner.local)})`);
      body.push(`    ${started} -> ${inc}.trigger`, `    ${resultOf(innerId)} -> ${inc}.needs`);
      closed.push(`${inc}.ready`);
    }
    // every called job's result included, or closed without one (a job that did not run)
    if (closed.length === 1) {
      head.push(`    ${v}_none: closeBlock<void>()`);
      body.push(`    ${start} -> ${v}_none.trigger`);
      closed.push(`${v}_none.closed`);
    }
    let all = closed[0];
    closed.slice(1).forEach((c, k) => {
      head.push(`    ${v}_ended${k + 1}: flock<void>()`, `    ${v}_endedAll${k + 1}: trigger<void>()`);
      body.push(
        `    ${all} -> ${v}_ended${k + 1}.a`,
        `    ${c} -> ${v}_ended${k + 1}.b`,
        `    ${v}_ended${k + 1}.stream -> ${v}_endedAll${k + 1}.stream`,
      );
      all = `${v}_endedAll${k + 1}.end`;
    });
    const status = `${v}_status`;
    head.push(
      `    ${status}: emit<string>(value = ${str(CALL_STATUS)})`,
      `    ${status}Value: githubStringEval[contexts = ${realm}](local_context = |null())`,
      `    ${status}Done: waitBlock<string>()`,
    );
    body.push(
      `    ${both(all === undefined ? [started] : [all, started])} -> ${status}.trigger,emit -> ${status}Value.value`,
      `    ${status}Value.evaluated -> ${status}Done.a`,
      `    ${status}Value.evaluated -> ${status}Done.b`,
    );
    if (call.matrix) {
      // (the leg's status and outputs go back to its matrix: callLegsTreatment)
      legStatus.set(id, `${status}Done.awaited`);
      linesOf(id);
      return { ok: `${v}.success`, failed: `${v}.failed` };
    }
    const spec = (((call.called.on.workflow_call ?? {}) as Raw).outputs ?? {}) as Record<string, Raw | null>;
    const outputs = Object.entries(spec).map(([k, o]) => `|entry(${str(k)}, ${str(callOutput(o?.value))})`);
    head.push(
      `    result_${v}: githubJobResult[contexts = ${realm}](name = ${str(resultName(id))}, outputs = |map([${outputs.join(', ')}]), local_context = |null())`,
    );
    body.push(`    ${status}Done.awaited -> result_${v}.trigger_release`);
    // (githubJobResult evaluates when its trigger closes too: a call that did not start neither succeeds nor fails)
    return { ok: both([`result_${v}.success`, `${status}Done.awaited`]), failed: both([`result_${v}.failure`, `${status}Done.awaited`]) };
  };
  // the jobs whose result (`needs.<id>`: result and outputs) another job reads
  const needsOf = (job: Raw) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)]);
  const needed = new Set(jobs.flatMap(([, job]) => needsOf(job)));
  // (a call's result is made of its called jobs' results)
  for (const inner of flat.called.keys()) needed.add(inner);
  // first each job and the block telling it succeeded, then the wiring
  interface Leg {
    readonly inst: string;
    readonly realm: string;
    /** The block telling the job's realm is ready (its needs included). */
    ready: string;
  }
  const plans: { id: string; needs: string[]; legs: Leg[]; ok: string; end: string; afterEnds: boolean; if?: string }[] = [];
  /** The output giving job `id`'s result (`needs.<id>`) to the jobs that need it. */
  const resultOf = (id: string) =>
    matrixJob(id) || flat.calls.get(id)?.matrix ? `${ident(id, 'job_')}.result` : `result_${ident(id, 'job_')}.result`;
  for (const [id, job] of jobs) {
    const v = ident(id, 'job_');
    const needs = needsOf(job);
    // (a called job's `github` is the caller's, as on GitHub: its step files are its own, filesOf)
    // each job has an expression realm of its own: its steps, job status, needs (each leg of
    // a matrix job, a fork of it)
    out.push(`  model js_${v}: ${engine}`);
    const start = linesOf(id);
    // (a called job's github.job is its id in the called workflow, as on GitHub)
    head.push(
      `    prepare_${v}: prepareContexts[contexts = js_${v}](github_contexts = ${runContexts(flat.called.get(id)?.local ?? id, w.file)})`,
    );
    body.push(`    ${start} -> prepare_${v}.trigger`);
    const call = flat.calls.get(id);
    // (a called job in a leg of a matrix of calls: named after the leg)
    const named = inCallLegs(id) ? inCallLeg(legRelative(id, asText(job.name))) : undefined;
    if (call?.matrix) {
      // a matrix of calls: its githubMatrix here, its legs in legs_<call> (callLegsTreatment), named as the call
      out.push(`  model matrix_${v}: GithubMatrix()`);
      // (inside a leg of another matrix of calls: its result named as the called workflow names
      // it, its legs after the outer leg, as for a called matrix job)
      head.push(...matrixInstances(id, { ...job, name: undefined }, v, resultName(id), named).slice(0, 2));
    } else if (call) head.push(`    ${v}: ${v}[contexts = js_${v}]()`);
    else if (matrixJob(id)) {
      out.push(`  model matrix_${v}: GithubMatrix()`);
      // (its result named as the realms that include it read it: a called job's own id)
      head.push(...matrixInstances(id, job, v, resultName(id), named));
    } else head.push(`    ${v}: ${v}[contexts = js_${v}](${named ? `leg = ${named}` : ''})`);
    const legs: Leg[] = [{ inst: v, realm: `js_${v}`, ready: `prepare_${v}.ready` }];
    // the job succeeded once every leg did; it failed when one did (a call: once its called
    // jobs ended, from their results)
    const callEnd = call ? callResult(id, v) : undefined;
    let ok = callEnd?.ok ?? both(legs.map((l) => `${l.inst}.success`));
    head.push(`    ${v}Done: logInfoMessage(label = ${labelOf(id)}, message = ${messageOf(id, 'succeeded')})`);
    body.push(`    ${ok} -> ${v}Done.trigger`);
    head.push(`    ${v}Failed: logErrorMessage(label = ${labelOf(id)}, message = ${messageOf(id, 'failed')})`);
    let failed = callEnd?.failed ?? either(legs.map((l) => `${l.inst}.failed`));
    body.push(`    ${failed} -> ${v}Failed.trigger`);
    const coe = call || matrixJob(id) ? undefined : jobContinueOnError(job['continue-on-error']);
    if (coe !== undefined) ({ ok, failed } = tolerated(id, v, coe, ok, failed));
    // the job ended, succeeded or failed (a skipped job never ends)
    const end = either([ok, failed]);
    // what the jobs that need this one see: `needs.<id>.result` (its job.status) and its
    // outputs, evaluated in its realm once it ended (of a matrix job: each leg's, in the leg's
    // realm, merged by its githubMatrix)
    if (needed.has(id) && !call) {
      const outputs = Object.entries((job.outputs ?? {}) as Raw).map(([k, x]) => `|entry(${str(k)}, ${str(asText(x))})`);
      if (!matrixJob(id)) {
        head.push(
          `    result_${v}: githubJobResult[contexts = js_${v}](name = ${str(resultName(id))}, outputs = |map([${outputs.join(', ')}]), local_context = |null())`,
        );
        body.push(`    ${end} -> result_${v}.trigger_release`);
      }
    }
    // job `if:` over the run's contexts and its needs' results and outputs: GitHub's implicit
    // `success()` is the needs having succeeded, which is when the job starts; with a status
    // function the job starts once its needs ended, the functions read from `needs`; evaluated
    // before a matrix is expanded, as GitHub does
    let cond: string | undefined;
    let afterEnds = false;
    if (job.if !== undefined) {
      cond = bare(job.if);
      STATUS.lastIndex = 0;
      const status = STATUS.test(cond);
      if (status) {
        afterEnds = true;
        const result = (n: string) => `needs[${JSON.stringify(resultName(n))}]["result"]`;
        cond = cond.replace(STATUS, (_m, f: string) => {
          const fn = f.toLowerCase();
          if (fn === 'always') return 'true';
          if (fn === 'cancelled') return 'false';
          if (fn === 'success') return `(${needs.map((n) => `${result(n)} == "success"`).join(' && ') || 'true'})`;
          return `(${needs.map((n) => `${result(n)} == "failure"`).join(' || ') || 'false'})`;
        });
      }
    }
    plans.push({ id, needs, legs, ok, end, afterEnds, ...(cond !== undefined ? { if: cond } : {}) });
  }
  linesOf('');
  const byId = new Map(plans.map((p) => [p.id, p]));
  // a called job's realm gets the call's inputs and secrets first (and waits for the call to
  // start); a matrix's legs fork that realm, so they have them too
  for (const p of plans) {
    const inner = flat.called.get(p.id);
    linesOf(p.id);
    if (inner) for (const l of p.legs) l.ready = installArgs(l.realm, l.ready, ident(inner.call, 'job_'), l.inst);
  }
  // the needs' results go into the realm of each job that needs them (a matrix job: its
  // legs' outputs merged by its githubMatrix)
  for (const p of plans)
    for (const l of p.legs) {
      linesOf(p.id);
      const includes: string[] = [];
      for (const n of p.needs) {
        const inc = `needs_${l.inst}_${ident(n)}`;
        head.push(`    ${inc}: includeNeeds[contexts = ${l.realm}](from = ${str(resultName(n))})`);
        body.push(`    ${l.ready} -> ${inc}.trigger`, `    ${resultOf(n)} -> ${inc}.needs`);
        includes.push(`${inc}.ready`);
      }
      if (includes.length > 0) l.ready = both(includes);
    }
  for (const p of plans) {
    // with a status function in its `if:`, the job waits for its needs to end, else to succeed
    const needsOk = p.needs.map((n) => (p.afterEnds ? byId.get(n)!.end : byId.get(n)!.ok));
    linesOf(p.id);
    for (const l of p.legs) {
      let start = both([...needsOk, l.ready]);
      if (p.if !== undefined) {
        // evaluated in the leg's own realm: the run's contexts and the needs' results
        const g = `${l.inst}If`;
        head.push(
          `    ${g}: emit<string>(value = ${str(`\${{ ${test(p.if, faithful)} ? "true" : "false" }}`)})`,
          `    ${g}Value: githubStringEval[contexts = ${l.realm}](local_context = |null())`,
          `    ${g}True: equalTo<string>(value = "true")`,
          `    ${g}Gate: filterBlock<void>()`,
          `    ${g}Skipped: logInfoMessage(label = ${labelOf(p.id)}, message = ${messageOf(p.id, 'skipped')})`,
        );
        body.push(
          `    ${start} -> ${g}.trigger,emit -> ${g}Value.value,evaluated -> ${g}True.data,result -> ${g}Gate.select`,
          `    ${start} -> ${g}Gate.value`,
          `    ${g}Gate.rejected -> ${g}Skipped.trigger`,
        );
        start = `${g}Gate.accepted`;
      }
      body.push(`    ${start} -> ${l.inst}.trigger`);
    }
  }
  linesOf('');
  // (the called jobs of a matrix of calls end in its legs: the call's end stands for them)
  const top = plans.filter((p) => !inCallLegs(p.id));
  if (top.length > 0) {
    // once every job ended (or will never run: its end closes), the run's step files go, and its
    // artifact store
    let ended = top[0]!.end;
    top.slice(1).forEach((p, k) => {
      head.push(`    ended${k + 1}: flock<void>()`, `    endedAll${k + 1}: trigger<void>()`);
      body.push(
        `    ${ended} -> ended${k + 1}.a`,
        `    ${p.end} -> ended${k + 1}.b`,
        `    ended${k + 1}.stream -> endedAll${k + 1}.stream`,
      );
      ended = `endedAll${k + 1}.end`;
    });
    if (top.length === 1) {
      head.push('    ended1: flock<void>()', '    endedAll1: trigger<void>()', '    ended1Never: closeBlock<void>()');
      body.push(
        `    ${ended} -> ended1.a`,
        '    startup.trigger -> ended1Never.trigger,closed -> ended1.b',
        '    ended1.stream -> endedAll1.stream',
      );
      ended = 'endedAll1.end';
    }
    head.push(`    removeFiles: githubRemoveFiles(${RUN_FILES})`);
    if (artifacts) {
      head.push(
        `    removeArtifacts: runAction[contexts = ${top[0]!.legs[0]!.realm}](name = "artifacts", display_name = |wrap<string>("Remove the run's artifacts"), ${filesOf('artifacts')}, github_environment = true, env = ${stringMap([['TUTTI_RUN_ID', RUN_ID]])}, commands = ${str('rm -rf "${TMPDIR:-/tmp}/tutti-artifacts-$TUTTI_RUN_ID"')})`,
        '    removedArtifacts: one<void>()',
      );
      // (its own step files in the run's folder: removed after it)
      body.push(
        `    ${ended} -> removeArtifacts.trigger`,
        '    removeArtifacts.completed -> removedArtifacts.a',
        '    removeArtifacts.failed -> removedArtifacts.b',
        '    removedArtifacts.value -> removeFiles.trigger',
      );
    } else body.push(`    ${ended} -> removeFiles.trigger`);
  }
  // the legs of each matrix of calls: a treatment of their own, given the realms their lines use
  // (those of the legs of a matrix of calls inside its legs too), started by main or, for a
  // matrix of calls inside a leg of another, by the outer legs' treatment
  /** Whether `id` runs in the legs of the matrix of calls `outer`, at any depth. */
  const inLegsOf = (id: string, outer: string) => {
    for (let c = flat.called.get(id)?.call; c !== undefined; c = flat.called.get(c)?.call) if (c === outer) return true;
    return false;
  };
  const legModels = new Map<string, [string, string][]>();
  for (const id of legLines.keys()) {
    const v = ident(id, 'job_');
    const models: [string, string][] = [
      [`js_${v}`, 'JavaScriptEngine'],
      [`js_${v}_out`, 'JavaScriptEngine'],
      ...[...flat.called.keys()]
        .filter((innerId) => inLegsOf(innerId, id))
        .flatMap((innerId): [string, string][] => [
          [`js_${ident(innerId, 'job_')}`, 'JavaScriptEngine'],
          ...(matrixJob(innerId) || flat.calls.get(innerId)?.matrix
            ? [[`matrix_${ident(innerId, 'job_')}`, 'GithubMatrix'] as [string, string]]
            : []),
          // (a call in the call: its second realm)
          ...(flat.calls.has(innerId) ? [[`js_${ident(innerId, 'job_')}_out`, 'JavaScriptEngine'] as [string, string]] : []),
        ]),
    ];
    legModels.set(id, models);
    const outer = callLegsOf(id);
    (outer ? legLines.get(outer.id)!.head : main.head).push(
      `    legs_${v.slice(4)}: legs_${v.slice(4)}[${[...models.map(([m]) => `${m} = ${m}`), `matrix = matrix_${v}`].join(', ')}](contexts = contexts)`,
    );
  }
  const legsOfCalls: string[] = [];
  for (const [id, l] of legLines) {
    const v = ident(id, 'job_');
    legsOfCalls.push('', callLegsTreatment(flat.calls.get(id)!, v, legModels.get(id)!, l, legStatus.get(id)!));
  }
  // only the uses the code needs (the checker warns about the others)
  const lines = [...out, ...main.head, '', ...main.body, '}', ...legsOfCalls, ''];
  const code = lines.filter((l) => !l.startsWith('use ')).join('\n');
  return lines
    .filter((l) => {
      if (!l.startsWith('use ')) return true;
      const name = l.slice(l.lastIndexOf('::') + 2);
      return new RegExp(`(^|[^\\w|])${name.replace(/[|]/g, '\\|')}\\b`).test(code);
    })
    .join('\n');
}

/**
 * A job as `-P LABEL=host|IMAGE` places it: a job of a call stays as it is, and so does one with
 * `container:`; otherwise its `runs-on` labels (a label, a list, a `group:`/`labels:` mapping:
 * runsOnLabels) mapped to an image (`host`: none; the last one mapped, as `tutti github run`
 * takes it) give its job container; given by expressions, a container chosen when the job
 * starts (runsOnContainer).
 */
export function onPlatform(job: Raw, platforms: Readonly<Record<string, string>>): Raw {
  if (Object.keys(platforms).length === 0 || typeof job.uses === 'string') return job;
  if (job.container !== undefined && job.container !== null && job.container !== '') return job;
  const runsOn = job['runs-on'] ?? 'ubuntu-latest';
  if (JSON.stringify(runsOn).includes('${{')) {
    // labels known at run time: the image chosen then (import-containers.ts, runsOnContainer)
    const container = runsOnContainer(runsOn, platforms);
    return container === undefined ? job : { ...job, container };
  }
  let image: string | undefined;
  for (const l of runsOnLabels(runsOn)) if (platforms[l] !== undefined && platforms[l] !== 'host') image = platforms[l];
  return image === undefined ? job : { ...job, container: image };
}

/**
 * A `runs-on` given by expressions (`${{ matrix.os }}`, `[self-hosted, "${{ inputs.runner }}"]`,
 * `{group: "${{ inputs.group }}", labels: [linux, "${{ matrix.size }}"]}`) as the job's
 * `container:`: one expression that, evaluated in the job's (the leg's) realm when the job
 * starts, gives the image `-P` maps the last of its labels to (`""`, no container: the host,
 * for a label mapped to `host` or not mapped), as `tutti github run -P` chooses: the labels
 * as runsOnLabels reads them, an expression's value included (a list or a mapping from
 * `fromJSON`). Undefined when no label is mapped to an image (the host in any case).
 */
export function runsOnContainer(runsOn: unknown, platforms: Readonly<Record<string, string>>): string | undefined {
  const images = Object.entries(platforms).filter(([, p]) => p !== 'host');
  if (images.length === 0) return undefined;
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/;
  /** A text with placeholders as JavaScript: its literal parts and expressions concatenated. */
  const textJs = (t: string): string => {
    const m = whole.exec(t);
    if (m && !m[1]!.includes('}}')) return `(${m[1]!.trim()})`;
    const parts = t.split(/\$\{\{([\s\S]*?)\}\}/).map((x, i) => (i % 2 === 1 ? `String(${x.trim()})` : jsText(x)));
    return `(${parts.join(' + ')})`;
  };
  /** A runs-on value (as the workflow gives it) as JavaScript: a mapping as [group, labels]. */
  const valueJs = (v: unknown): string => {
    if (typeof v === 'string') return textJs(v);
    if (Array.isArray(v)) return `[${v.map(valueJs).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `[${valueJs((v as Raw).group)}, ${valueJs((v as Raw).labels)}]`;
    return v === null || v === undefined ? 'null' : jsText(String(v));
  };
  const map = `[${Object.entries(platforms)
    .map(([l, p]) => `[${jsText(l)}, ${jsText(p)}]`)
    .join(', ')}]`;
  // runsOnLabels in the realm (for what an expression gives, a list or a mapping too), without
  // braces (the realm's placeholders end at the first) nor a name (recursion by self-application)
  const labels = (v: string) =>
    `((f) => f(f, ${v}))((f, x) => x === null || x === undefined || x === "" ? [] : Array.isArray(x) ? x.flatMap((y) => f(f, y)) : ` +
    'typeof x === "object" ? f(f, x["group"]).concat(f(f, x["labels"])) : [String(x)])';
  const pick = `${labels(valueJs(runsOn))}.map((l) => (map.find((p) => p[0] === l) ?? ["", "host"])[1]).filter((i) => i !== "host").pop() ?? ""`;
  return `\${{ ${withJsonFunctions(`((map) => ${pick})(${map})`)} }}`;
}

/** Writes the project; WorkflowError for workflows that do not parse. */
export async function githubImport(
  cwd: string,
  workflows: string | undefined,
  outDir: string,
  repository: string,
  options: {
    readonly platforms?: Readonly<Record<string, string>>;
    /** Other repositories' reusable workflows, laid out `owner/repo@ref` (default as for run). */
    readonly actionCache?: string;
    /**
     * Expressions left as the reference's helpers evaluate them (JavaScript, libraries.md
     * §15.8.7); by default they are compiled to GitHub's rules (compile.ts).
     */
    readonly referenceExpressions?: boolean;
  } = {},
): Promise<ImportResult> {
  const files = await findWorkflows(resolve(cwd, workflows ?? '.github/workflows'));
  if (files.length === 0) throw new WorkflowError(`${workflows ?? '.github/workflows'}: no workflow files (*.yml, *.yaml)`);
  const warnings: string[] = [];
  const faithful = options.referenceExpressions !== true;
  // GitHub's results for every expression: compiled before the importer reads the workflow
  const prepare = (w: Workflow) => (faithful ? faithfulWorkflow(w, (m) => warnings.push(m)) : w);
  const loaded: Workflow[] = [];
  for (const f of files) loaded.push(prepare(await loadWorkflow(f, cwd)));
  const callable = loaded.filter((w) => !(Object.keys(w.on).length === 1 && 'workflow_call' in w.on));
  // the reusable workflows each imported workflow calls, by calling job, and those they call
  // in turn (of another repository: from the action cache, as tutti github run has them)
  const { callsOf, called } = await resolveCalls(
    callable,
    loaded,
    cwd,
    repository,
    options.actionCache ?? join(defaultCacheRoot(), 'actions'),
    (m) => warnings.push(m),
    prepare,
  );
  const written: string[] = [];
  await mkdir(outDir, { recursive: true });
  const areas = new Set<string>();
  const entries: string[] = [];
  for (const w of callable) {
    let area = ident(basename(w.file).replace(/\.ya?ml$/, ''));
    while (areas.has(area)) area = `${area}_`;
    areas.add(area);
    await writeFile(
      join(outDir, `${area}.mel`),
      workflowArea(w, repository, (m) => warnings.push(m), callsOf, options.platforms, faithful),
    );
    written.push(`${area}.mel`);
    entries.push(`${area} = "workflows/${area}::main"`);
  }
  const first = [...areas][0];
  const toml = [
    '# Generated by `tutti github import` from the GitHub Actions workflows.',
    'name = "workflows"',
    'version = "0.1.0"',
    '',
    '[dependencies]',
    'std = "0.10.2"',
    'cicd = "0.10.2"',
    'javascript = "0.10.2"',
    'json = "0.10.2"',
    '',
    '[entrypoints]',
    ...(first ? [`main = "workflows/${first}::main"`] : []),
    ...entries,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'Compo.toml'), toml);
  written.unshift('Compo.toml');
  for (const w of loaded)
    if (!callable.includes(w) && !called.has(w.path))
      warnings.push(`${w.file}: a reusable workflow (on: workflow_call only) that no imported workflow calls is not imported`);
  return { dir: outDir, files: written, warnings };
}
