/**
 * `tutti github run`: the selected workflows' jobs as one graph per workflow (the shared
 * scheduler of `@tutti/pipeline`: a job starts the moment its needs are done, its workspace
 * prepared while it waits), matrix legs within a job (`max-parallel`, `fail-fast`), reusable
 * workflows as nested graphs, and at the end a summary, the step summaries, the report.
 */
import { setMaxListeners } from 'node:events';
import { createWriteStream, existsSync, realpathSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { defaultPayload, defaultStepEnv, githubContextOf, runnerContextOf } from '@tutti/lib-cicd';
import { ArtifactStore, CacheStore, graphCriticalPath, type JobOutcome, runGraph } from '@tutti/pipeline';
import { runBuiltin } from './builtins.js';
import { Masker } from './commands.js';
import { ConcurrencyGroups, concurrencyOf, defaultConcurrencyDir } from './concurrency.js';
import { ContainerProblem, type ContainerSpec, containerPaths, containerSpec, JobContainers, jobMounts } from './containers.js';
import { asString, condition, ExpressionProblem, evalMap, evalValue, type Scope, truthy } from './expressions.js';
import { changedFiles, type RepoFacts, repoFacts } from './git.js';
import { expandMatrix, legName, MatrixError } from './matrix.js';
import { type ActionRef, parseUses, resolveActions } from './remote.js';
import {
  BUILTINS,
  evalInFrame,
  type Frame,
  type Leg,
  type LegHost,
  type Raw,
  runPosts,
  runPres,
  runSteps,
  StepFailure,
  type StepTiming,
} from './steps.js';
import { formatMs, GithubView, type StepEvent } from './view.js';
import { findWorkflows, loadWorkflow, matchesEvent, resolveInputs, runsOnLabels, type Workflow, WorkflowError } from './workflow.js';

export interface GithubRunOptions {
  /** Repository root (default: the current directory). */
  readonly cwd: string;
  readonly workflows?: string;
  readonly event: string;
  readonly eventPath?: string;
  readonly job?: string;
  readonly secrets: Record<string, string>;
  readonly env: Record<string, string>;
  readonly vars: Record<string, string>;
  readonly inputs: Record<string, string>;
  readonly platforms: Record<string, string>;
  readonly list?: boolean;
  readonly graph?: boolean;
  readonly dryRun?: boolean;
  readonly logs?: string;
  readonly report?: string;
  readonly actionCache?: string;
  readonly cacheDir?: string;
  /** The lock directory of `concurrency:` groups, shared by the runs of the machine (default: {@link defaultConcurrencyDir}). */
  readonly concurrencyDir?: string;
  readonly concurrency?: number;
  readonly out: Writable;
  /** How progress shows (default auto: a live board on a TTY, plain lines otherwise). */
  readonly progress?: 'auto' | 'tty' | 'plain' | 'grouped';
  readonly signal?: AbortSignal;
  readonly onStep?: (e: StepEvent) => void;
}

export interface StepReportEntry {
  readonly name: string;
  readonly outcome: string;
  readonly conclusion: string;
  readonly durationMs: number;
  readonly log?: string;
}
export interface LegReport {
  readonly workflow: string;
  readonly job: string;
  readonly name: string;
  readonly matrix?: Record<string, unknown>;
  readonly result: string;
  readonly outputs: Record<string, string>;
  readonly durationMs: number;
  readonly steps: StepReportEntry[];
}
export interface RunReport {
  readonly event: string;
  readonly result: 'success' | 'failure';
  readonly durationMs: number;
  /** From the first job's start to the last one's end (the wall time of the job graphs). */
  readonly graphMs: number;
  readonly criticalPath: { readonly jobs: string[]; readonly durationMs: number };
  readonly jobs: LegReport[];
  readonly annotations: { level: string; message: string; file?: string; line?: string }[];
}

export interface JobValue {
  readonly outputs: Record<string, string>;
}

/** Where the action cache is by default: under the user's cache folder. */
export function defaultCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tutti', 'github');
}

/** Everything the legs of a run share. */
export class RunState {
  readonly legs: LegReport[] = [];
  readonly annotations: RunReport['annotations'] = [];
  readonly summaries: { name: string; text: string }[] = [];
  private concurrencyGroups: ConcurrencyGroups | undefined;
  /** Workflows a later one of their concurrency group cancelled before they ran. */
  cancelledWorkflows = 0;
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly logPaths = new Map<string, string>();
  private logSeq = 0;
  constructor(
    readonly opts: GithubRunOptions,
    readonly repo: RepoFacts,
    readonly view: GithubView,
    readonly runDir: string,
    readonly artifacts: ArtifactStore,
    readonly cache: CacheStore,
    readonly actions: Map<string, ActionRef>,
    readonly eventPayload: Raw,
    readonly eventPath: string,
    readonly masker: Masker,
    readonly actionCache: string,
  ) {}

  /** Ends the concurrency groups' use (their folder of this run's own, if any, removed). */
  disposeGroups(): void {
    this.concurrencyGroups?.dispose();
  }

  /** `concurrency:` groups of workflows and jobs, shared with the other runs of this repository folder. */
  get groups(): ConcurrencyGroups {
    this.concurrencyGroups ??= new ConcurrencyGroups(
      this.opts.concurrencyDir ?? defaultConcurrencyDir(),
      realpathSync(this.opts.cwd),
      (m) => this.view.write(m),
    );
    return this.concurrencyGroups;
  }

  /** The repository's name (`/__w/<name>/<name>` in job containers). */
  get repoName(): string {
    return this.repo.repository.split('/').pop() || basename(this.opts.cwd) || 'repo';
  }

  /** The mounts of a job container whose workspace and temp are these. */
  mounts(workspace: string, temp: string) {
    return jobMounts({ workspace, temp, repo: this.repoName, eventPath: this.eventPath, actionCache: this.actionCache });
  }

  logLine(group: string, step: string, line: string): void {
    this.view.log(group, step, line);
    if (!this.opts.logs) return;
    const key = `${group}\0${step}`;
    let f = this.logFiles.get(key);
    if (!f) {
      const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
      const p = join(this.opts.logs, safe(group), `${String(++this.logSeq).padStart(3, '0')}-${safe(step)}.log`);
      if (!existsSync(dirname(p))) require_mkdir(dirname(p));
      f = createWriteStream(p, { flags: 'a' });
      this.logFiles.set(key, f);
      this.logPaths.set(key, p);
    }
    f.write(`${line}\n`);
  }

  logPath(group: string, step: string): string | undefined {
    return this.logPaths.get(`${group}\0${step}`);
  }

  async closeLogs(): Promise<void> {
    await Promise.all([...this.logFiles.values()].map((f) => new Promise<void>((r) => f.end(r))));
  }
}

import { mkdirSync } from 'node:fs';

function require_mkdir(d: string): void {
  mkdirSync(d, { recursive: true });
}

/** Loads, validates and selects the workflows; WorkflowError for any problem (exit status 2). */
export async function selectWorkflows(opts: GithubRunOptions, repo: RepoFacts, payload: Raw): Promise<Workflow[]> {
  const path = resolve(opts.cwd, opts.workflows ?? '.github/workflows');
  const files = await findWorkflows(path);
  if (files.length === 0) throw new WorkflowError(`${path}: no workflow files (*.yml, *.yaml)`);
  const all: Workflow[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      all.push(await loadWorkflow(f, opts.cwd));
    } catch (e) {
      if (e instanceof WorkflowError) errors.push(e.message);
      else throw e;
    }
  }
  if (errors.length > 0) throw new WorkflowError(errors.join('\n'));
  const ref = typeof payload.ref === 'string' ? payload.ref : repo.ref;
  const needChanged = all.some((w) => {
    const f = w.on[opts.event];
    return f && typeof f === 'object' && ('paths' in f || 'paths-ignore' in f);
  });
  const changed = needChanged ? await changedFiles(opts.cwd, typeof payload.before === 'string' ? payload.before : repo.before) : undefined;
  const facts = {
    event: opts.event,
    ref: opts.event.startsWith('pull_request')
      ? `refs/heads/${String((payload.pull_request as Raw | undefined)?.base && ((payload.pull_request as Raw).base as Raw).ref) || repo.defaultBranch}`
      : ref,
    changed,
    ...(typeof payload.action === 'string' ? { action: payload.action } : {}),
  };
  const selected = all.filter((w) => matchesEvent(w, facts));
  if (opts.job !== undefined) {
    const withJob = selected.filter((w) => opts.job! in w.jobs);
    if (withJob.length === 0) throw new WorkflowError(`no workflow triggered by '${opts.event}' has a job '${opts.job}'`);
    return withJob;
  }
  return selected;
}

export const needsOf = (j: Raw): string[] =>
  j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs.map(String) : [String(j.needs)];

/** The jobs to run: all, or `-j JOB` and what it needs (transitively). */
function jobsToRun(w: Workflow, only: string | undefined): { id: string; needs: string[]; def: Raw }[] {
  const all = Object.entries(w.jobs).map(([id, def]) => ({ id, needs: needsOf(def), def }));
  if (only === undefined) return all;
  const keep = new Set<string>();
  const add = (id: string) => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const n of needsOf(w.jobs[id] ?? {})) add(n);
  };
  add(only);
  return all.filter((j) => keep.has(j.id));
}

/** `--list`: the jobs of each workflow, with their needs. */
export function listJobs(ws: readonly Workflow[], only?: string): string {
  const rows: string[] = [];
  for (const w of ws)
    for (const j of jobsToRun(w, only)) rows.push(`${w.file}\t${j.id}\t${String(j.def.name ?? j.id)}\t${j.needs.join(',') || '-'}`);
  return `workflow\tjob\tname\tneeds\n${rows.join('\n')}\n`;
}

/** `--graph`: each workflow's jobs by stage (a job's stage is one more than its deepest need). */
export function graphJobs(ws: readonly Workflow[], only?: string): string {
  let s = '';
  for (const w of ws) {
    const jobs = jobsToRun(w, only);
    const depth = new Map<string, number>();
    const d = (id: string): number => {
      const k = depth.get(id);
      if (k !== undefined) return k;
      const v = Math.max(-1, ...needsOf(w.jobs[id] ?? {}).map(d)) + 1;
      depth.set(id, v);
      return v;
    };
    const stages: string[][] = [];
    for (const j of jobs) (stages[d(j.id)] ??= []).push(j.id);
    s += `${w.file} (${w.name})\n`;
    stages.forEach((st, i) => {
      s += `  stage ${i + 1}: ${st.join(', ')}\n`;
    });
    for (const j of jobs) if (j.needs.length > 0) s += `  ${j.needs.join(', ')} → ${j.id}\n`;
  }
  return s;
}

/** The github context of a run (cicd's `githubContextOf`, shared with imported programs). */
export function githubContext(st: RunState, w: Workflow): Raw {
  return githubContextOf(st.repo, {
    event: st.opts.event,
    payload: st.eventPayload,
    eventPath: st.eventPath,
    workflow: w.name,
    workflowFile: w.file,
    token: st.opts.secrets.GITHUB_TOKEN ?? '',
    runId: String(process.pid),
  });
}

/** The default environment of a step (cicd's `defaultStepEnv`). */
export function defaultEnv(gh: Raw, leg: { workspace: string; temp: string; name: string }): Record<string, string> {
  return defaultStepEnv(gh, leg);
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);

export interface Ctx {
  readonly st: RunState;
  readonly w: Workflow;
  readonly inputs: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  /** Prefix of names for nested (reusable) workflows: `caller / `. */
  readonly prefix: string;
  /**
   * The checkout holding the workflow's file when it comes from another repository (its
   * `owner/repo@ref` folder in the action cache): its `./…` reusable workflows are read there.
   */
  readonly home?: string;
  /** The workflow the run started from: a called workflow's `github` context is its caller's, as on GitHub. */
  readonly top?: Workflow;
}

/** The expression scope of a job (before its matrix): the run's contexts and its needs' results and outputs. */
export function jobScope(
  ctx: Ctx,
  gh: Raw,
  needs: ReadonlyMap<string, { readonly result: string; readonly value?: JobValue | undefined }>,
  needIds: readonly string[],
  aborted: boolean,
): Scope {
  return {
    contexts: {
      github: gh,
      vars: ctx.st.opts.vars,
      inputs: ctx.inputs,
      secrets: ctx.secrets,
      env: {},
      needs: Object.fromEntries(
        needIds.map((n) => [n, { result: needs.get(n)?.result ?? 'skipped', outputs: needs.get(n)?.value?.outputs ?? {} }]),
      ),
    },
    status: {
      success: needIds.every((n) => needs.get(n)?.result === 'success'),
      cancelled: aborted,
    },
  };
}

/** Runs one workflow's job graph; resolves with each job's outcome. */
async function runWorkflowGraph(ctx: Ctx, signal: AbortSignal): Promise<Map<string, JobOutcome<JobValue>>> {
  const { st, w } = ctx;
  const jobs = jobsToRun(w, ctx.prefix === '' ? st.opts.job : undefined);
  const gh = githubContext(st, ctx.top ?? w);
  const baseScope = (needs: ReadonlyMap<string, JobOutcome<JobValue>>, needIds: readonly string[]): Scope =>
    jobScope(ctx, gh, needs, needIds, signal.aborted);
  return runGraph<{ id: string; needs: string[]; def: Raw }, Prepared, JobValue>({
    jobs,
    // while a job waits for its needs, the images of its container and services are pulled
    // While a job waits for its needs, its runner is prepared: the images of its container,
    // services and -P platform pulled and, for a job without a matrix whose container and
    // services name no expression, its workspace made and its containers started.
    prepare: async (j): Promise<Prepared> => {
      if (st.opts.dryRun || typeof j.def.uses === 'string') return {};
      const images = staticImages(j.def, st.opts.platforms);
      if (images.length === 0) return {};
      const log = (l: string) => st.view.write(`${ctx.prefix}${j.id}: ${l}`);
      const c = new JobContainers(log);
      try {
        await Promise.all(images.map((i) => c.ensureImage(i, signal)));
      } catch (e) {
        // the job reports it when it starts (Initialize containers failed), as any start failure
        if (e instanceof ContainerProblem) return { error: e.message };
        throw e;
      }
      const dynamic = JSON.stringify([j.def.container ?? null, j.def.services ?? null, j.def['runs-on'] ?? null]).includes('${{');
      if (j.def.strategy !== undefined || dynamic) return {};
      const spec = staticSpecs(j.def, st.opts.platforms);
      const dir = join(st.runDir, `${slug(ctx.prefix)}${slug(j.id)}-0`);
      await mkdir(join(dir, 'workspace'), { recursive: true });
      await mkdir(join(dir, 'temp'), { recursive: true });
      try {
        await c.start(spec.container, spec.services, await st.mounts(join(dir, 'workspace'), join(dir, 'temp')), signal);
      } catch (e) {
        await c.stop();
        if (e instanceof ContainerProblem) return { dir, error: e.message };
        throw e;
      }
      return { dir, containers: c };
    },
    release: async (_j, p) => {
      await p.containers?.stop();
      if (p.dir) await rm(p.dir, { recursive: true, force: true }).catch(() => {});
    },
    ...(st.opts.concurrency !== undefined ? { concurrency: st.opts.concurrency } : {}),
    signal,
    decide: (j, needs) => {
      const scope = baseScope(needs, j.needs);
      try {
        return condition(j.def.if, scope) ? 'run' : 'skip';
      } catch (e) {
        st.view.write(`${w.where(j.id)}: error: ${(e as Error).message}\n`);
        return 'skip';
      }
    },
    onState: (j, state) => {
      if (state === 'skipped') st.view.step({ name: `${ctx.prefix}${j.id}`, state, time: new Date(), needs: j.needs });
    },
    run: async (j, rc) => {
      const scope = baseScope(rc.needs, j.needs);
      const go = (s: AbortSignal) =>
        typeof j.def.uses === 'string' ? runReusable(ctx, j, scope, s) : runJob(ctx, j, scope, gh, s, rc.prepared);
      const name = `${ctx.prefix}${j.id}`;
      let c: ReturnType<typeof concurrencyOf>;
      try {
        c = concurrencyOf(j.def.concurrency, scope);
      } catch (e) {
        st.view.step({ name, state: 'failed', time: new Date(), detail: `${w.where(j.id)}: concurrency: ${(e as Error).message}` });
        st.legs.push({ workflow: w.file, job: j.id, name, result: 'failure', outputs: {}, durationMs: 0, steps: [] });
        return { result: 'failure' as const, value: { outputs: {} } };
      }
      if (!c) return go(rc.signal);
      const group = c.group;
      return st.groups.run(
        group,
        {
          cancelInProgress: c.cancelInProgress,
          name,
          onWait: (holder) => st.view.write(`${name}: waiting for concurrency group '${group}' (held by ${holder})`),
          onCancelled: (by) => st.view.write(`${name}: cancelled by ${by} (concurrency group '${group}', cancel-in-progress)`),
        },
        (s) => go(AbortSignal.any([rc.signal, s])),
        () => {
          st.view.step({
            name,
            state: 'cancelled',
            time: new Date(),
            detail: `a later job of concurrency group '${group}' took its place`,
          });
          st.legs.push({ workflow: w.file, job: j.id, name, result: 'cancelled', outputs: {}, durationMs: 0, steps: [] });
          return { result: 'cancelled' as const, value: { outputs: {} } };
        },
      );
    },
  });
}

/** What `prepare` readied for a job: its folder and started containers, or why they failed. */
interface Prepared {
  readonly dir?: string;
  readonly containers?: JobContainers;
  readonly error?: string;
}

/** The container and services of a job whose specs hold no expression. */
function staticSpecs(
  def: Raw,
  platforms: Record<string, string>,
): { container: ContainerSpec | undefined; services: Record<string, ContainerSpec> } {
  let container = containerSpec(def.container, 'container');
  const labels = runsOnLabels(def['runs-on'] ?? 'ubuntu-latest');
  if (!container)
    for (const l of labels) if (platforms[l] !== undefined && platforms[l] !== 'host') container = containerSpec(platforms[l], `-P ${l}`);
  const services: Record<string, ContainerSpec> = {};
  for (const [id, sv] of Object.entries((def.services ?? {}) as Raw)) {
    const sp = containerSpec(sv, `services.${id}`);
    if (sp) services[id] = sp;
  }
  return { container, services };
}

/** Images a job names without expressions (its container, services, -P images of its labels). */
function staticImages(def: Raw, platforms: Record<string, string>): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    const img = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Raw).image : undefined;
    if (typeof img === 'string' && img !== '' && !img.includes('${{')) out.add(img);
  };
  add(def.container);
  for (const s of Object.values((def.services ?? {}) as Raw)) add(s);
  const labels = runsOnLabels(def['runs-on'] ?? 'ubuntu-latest');
  if (def.container === undefined) for (const l of labels) if (platforms[l] !== undefined && platforms[l] !== 'host') add(platforms[l]);
  return [...out];
}

/** A job: its matrix legs within `max-parallel`, `fail-fast` cancelling the others on a failure. */
export async function runJob(
  ctx: Ctx,
  j: { id: string; needs: string[]; def: Raw },
  scope: Scope,
  gh: Raw,
  signal: AbortSignal,
  prepared?: Prepared,
): Promise<{ result: 'success' | 'failure' | 'cancelled'; value: JobValue }> {
  const { st } = ctx;
  const strategy = (j.def.strategy ?? {}) as Raw;
  let combos: (Record<string, unknown> | undefined)[];
  try {
    const m = strategy.matrix !== undefined ? evalValue(strategy.matrix, scope) : undefined;
    const expanded = expandMatrix(m);
    combos = m === undefined ? [undefined] : expanded;
    if (m !== undefined && combos.length === 0) throw new MatrixError('the matrix has no combination');
  } catch (e) {
    if (!(e instanceof MatrixError || e instanceof ExpressionProblem)) throw e;
    st.view.step({ name: `${ctx.prefix}${j.id}`, state: 'failed', time: new Date(), detail: `${ctx.w.where(j.id)}: ${e.message}` });
    st.legs.push({ workflow: ctx.w.file, job: j.id, name: j.id, result: 'failure', outputs: {}, durationMs: 0, steps: [] });
    return { result: 'failure', value: { outputs: {} } };
  }
  const failFast = strategy['fail-fast'] === undefined ? true : truthy(evalValue(strategy['fail-fast'], scope));
  const maxParallel = strategy['max-parallel'] !== undefined ? Number(evalValue(strategy['max-parallel'], scope)) : combos.length;
  const legAbort = new AbortController();
  setMaxListeners(0, legAbort.signal);
  const onAbort = () => legAbort.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const results: { result: 'success' | 'failure' | 'cancelled'; outputs: Record<string, string>; coe: boolean }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < combos.length) {
      const i = next++;
      const combo = combos[i];
      if (legAbort.signal.aborted) {
        results.push({ result: 'cancelled', outputs: {}, coe: false });
        st.view.step({ name: `${ctx.prefix}${legName(j.id, combo)}`, state: 'cancelled', time: new Date() });
        continue;
      }
      const prep = combos.length === 1 && combo === undefined && prepared?.dir !== undefined ? prepared : undefined;
      const r = await runLeg(ctx, j, combo, i, combos.length, strategy, failFast, maxParallel, scope, gh, legAbort.signal, signal, prep);
      results.push(r);
      if (r.result === 'failure' && !r.coe && failFast && combos.length > 1) legAbort.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(maxParallel || 1, combos.length)) }, worker));
  signal.removeEventListener('abort', onAbort);
  // outputs of matrix legs: for each output, the last leg (in completion order) that set it non-empty
  const outputs: Record<string, string> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.outputs)) if (v !== '' || !(k in outputs)) outputs[k] = v;
  const failed = results.some((r) => r.result === 'failure' && !r.coe);
  const cancelled = results.some((r) => r.result === 'cancelled');
  return { result: failed ? 'failure' : cancelled ? 'cancelled' : 'success', value: { outputs } };
}

async function runLeg(
  ctx: Ctx,
  j: { id: string; needs: string[]; def: Raw },
  combo: Record<string, unknown> | undefined,
  index: number,
  total: number,
  _strategy: Raw,
  failFast: boolean,
  maxParallel: number,
  scope0: Scope,
  gh0: Raw,
  legSignal: AbortSignal,
  runSignal: AbortSignal,
  prepared?: Prepared,
): Promise<{ result: 'success' | 'failure' | 'cancelled'; outputs: Record<string, string>; coe: boolean }> {
  const { st, w } = ctx;
  const t0 = performance.now();
  const contexts0 = {
    ...scope0.contexts,
    matrix: combo ?? {},
    strategy: { 'fail-fast': failFast, 'job-index': index, 'job-total': total, 'max-parallel': maxParallel },
  };
  let name = legName(j.id, combo);
  if (typeof j.def.name === 'string') {
    try {
      name = asString(evalValue(j.def.name, { ...scope0, contexts: contexts0 }));
      if (combo && !j.def.name.includes('${{')) name = legName(name, combo);
    } catch {
      // keep the default name
    }
  }
  const group = `${ctx.prefix}${name}`;
  const dir = prepared?.dir ?? join(st.runDir, `${slug(ctx.prefix)}${slug(j.id)}-${index}`);
  const workspace = join(dir, 'workspace');
  const temp = join(dir, 'temp');
  await mkdir(workspace, { recursive: true });
  await mkdir(temp, { recursive: true });
  const gh = { ...gh0, job: j.id, workspace };
  const runner = runnerContextOf(temp);
  const contexts: Record<string, unknown> = { ...contexts0, github: gh, runner, job: { status: 'success', services: {} } };
  const sc: Scope = { contexts, status: { success: true, cancelled: false } };
  const timings: StepTiming[] = [];
  const finish = (result: 'success' | 'failure' | 'cancelled', outputs: Record<string, string>, coe: boolean, detail?: string) => {
    st.view.step({
      name: group,
      state: result === 'success' ? 'passed' : result === 'failure' ? 'failed' : 'cancelled',
      time: new Date(),
      ...(detail ? { detail } : {}),
    });
    st.legs.push({
      workflow: w.file,
      job: j.id,
      name: group,
      ...(combo ? { matrix: combo } : {}),
      result,
      outputs,
      durationMs: Math.round(performance.now() - t0),
      steps: timings.map((t) => ({
        name: t.name,
        outcome: t.outcome,
        conclusion: t.conclusion,
        durationMs: Math.round(t.ms),
        ...(st.logPath(group, t.name) ? { log: st.logPath(group, t.name)! } : {}),
      })),
    });
    return { result, outputs, coe };
  };
  st.view.step({ name: group, state: 'running', time: new Date(), needs: j.needs });
  let baseEnv: Record<string, string>;
  let machineEnv: Record<string, string>;
  let containerDef: ContainerSpec | undefined;
  const serviceDefs: Record<string, ContainerSpec> = {};
  let coe = false;
  let timeoutMs = 360 * 60_000;
  const defaults = { ...((w.defaults?.run ?? {}) as Raw), ...(((j.def.defaults as Raw | undefined)?.run ?? {}) as Raw) };
  try {
    const wfEnv = evalMap(w.env, { ...sc, contexts: { ...contexts, env: {} } });
    const jobEnv = evalMap(j.def.env, { ...sc, contexts: { ...contexts, env: wfEnv } });
    coe = j.def['continue-on-error'] !== undefined && truthy(evalValue(j.def['continue-on-error'], sc));
    if (j.def['timeout-minutes'] !== undefined) timeoutMs = Number(evalValue(j.def['timeout-minutes'], sc)) * 60_000;
    // the job container: `container:`, else an image that -P maps one of its runs-on labels to
    const runsOn = evalValue(j.def['runs-on'] ?? 'ubuntu-latest', sc);
    const labels = runsOnLabels(runsOn);
    containerDef = containerSpec(evalValue(j.def.container, sc), 'container');
    if (!containerDef)
      for (const l of labels) {
        const p = st.opts.platforms[l];
        if (p !== undefined && p !== 'host') containerDef = containerSpec(p, `-P ${l}`);
      }
    for (const [id, sv] of Object.entries((evalValue(j.def.services ?? {}, sc) ?? {}) as Raw)) {
      const spec = containerSpec(sv, `services.${id}`);
      if (spec) serviceDefs[id] = spec;
    }
    // a job on the host inherits the machine's environment; one in a container does not
    machineEnv = { ...(containerDef ? {} : (process.env as Record<string, string>)), ...defaultEnv(gh, { workspace, temp, name }) };
    if (containerDef) {
      // GitHub's paths in a job container (the `github`/`runner` contexts keep the host paths, as GitHub's)
      const p = containerPaths(st.repoName);
      Object.assign(machineEnv, { GITHUB_WORKSPACE: p.workspace, RUNNER_TEMP: p.temp, HOME: p.home, GITHUB_EVENT_PATH: p.eventPath });
    }
    baseEnv = { ...st.opts.env, ...wfEnv, ...jobEnv };
  } catch (e) {
    if (!(e instanceof ExpressionProblem || e instanceof ContainerProblem)) throw e;
    return finish('failure', {}, false, `${w.where(j.id)}: ${e.message}`);
  }
  let containers: JobContainers | undefined;
  if ((containerDef || Object.keys(serviceDefs).length > 0) && !st.opts.dryRun) {
    const setup = 'Initialize containers';
    st.view.step({ name: setup, state: 'running', time: new Date(), group });
    try {
      if (prepared?.error !== undefined) throw new ContainerProblem(prepared.error);
      if (prepared?.containers) {
        // started while the job waited for its needs
        containers = prepared.containers;
        st.logLine(group, setup, `Containers started ahead (network ${containers.network})`);
      } else {
        containers = new JobContainers((l) => st.logLine(group, setup, l));
        await containers.start(containerDef, serviceDefs, await st.mounts(workspace, temp), runSignal);
      }
      contexts.job = {
        status: 'success',
        container: { id: containers.containerId ?? '', network: containers.network },
        services: containers.services,
      };
      st.view.step({ name: setup, state: 'passed', time: new Date(), group });
    } catch (e) {
      if (!(e instanceof ContainerProblem)) throw e;
      await containers?.stop();
      st.view.step({ name: setup, state: 'failed', time: new Date(), group, detail: e.message });
      return finish('failure', {}, false, e.message);
    }
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([legSignal, runSignal, timeout.signal]);
  const host: LegHost = {
    report: (sname, state, detail) => st.view.step({ name: sname, state, time: new Date(), group, ...(detail ? { detail } : {}) }),
    log: (sname, line) => st.logLine(group, sname, line),
    builtin: (bname, call) =>
      runBuiltin({ repoRoot: st.opts.cwd, repository: st.repo.repository, artifacts: st.artifacts, cache: st.cache }, bname, call),
    resolveRemote: (uses) => {
      const a = st.actions.get(uses);
      if (a) return a.dir;
      // an action named inside a composite action: from the cache if it is there
      const p = parseUses(uses);
      const root = p ? join(st.actionCache, p.owner, `${p.repo}@${p.ref}`) : undefined;
      if (p && root && existsSync(root)) return p.path ? join(root, p.path) : root;
      throw new StepFailure(
        `action '${uses}' is not in the action cache${root ? ` (${root}); cache it with: git clone --depth 1 --branch ${p!.ref} https://github.com/${p!.owner}/${p!.repo} ${root}` : ''}`,
      );
    },
    dryRun: st.opts.dryRun ?? false,
  };
  const leg: Leg = {
    name: group,
    host,
    workspace,
    temp,
    masker: st.masker,
    machineEnv,
    baseEnv,
    setEnv: {},
    paths: [],
    summaries: [],
    posts: [],
    signal,
    cancelled: false,
    contexts,
    hashes: new Map(),
    annotations: st.annotations,
    seq: 0,
    preState: new Map(),
    ...(containers?.containerId ? { container: containers } : {}),
  };
  const onCancel = () => {
    leg.cancelled = true;
  };
  timeout.signal.addEventListener('abort', onCancel, { once: true });
  if (legSignal.aborted || runSignal.aborted) leg.cancelled = true;
  legSignal.addEventListener('abort', onCancel, { once: true });
  runSignal.addEventListener('abort', onCancel, { once: true });
  const frame: Frame = {
    leg,
    steps: {},
    failed: false,
    defaults: {
      ...(defaults.shell !== undefined ? { shell: String(defaults.shell) } : {}),
      ...(defaults['working-directory'] !== undefined ? { workingDirectory: String(defaults['working-directory']) } : {}),
    },
    prefix: '',
    timings,
  };
  let detail: string | undefined;
  try {
    await runPres(frame, (j.def.steps ?? []) as Raw[]);
    await runSteps(frame, (j.def.steps ?? []) as Raw[]);
    await runPosts(leg);
  } catch (e) {
    frame.failed = true;
    detail = (e as Error).message;
  } finally {
    clearTimeout(timer);
    if (containers) await containers.stop();
    legSignal.removeEventListener('abort', onCancel);
    runSignal.removeEventListener('abort', onCancel);
  }
  if (timeout.signal.aborted) {
    frame.failed = true;
    detail = `The job running on runner tutti has exceeded the maximum execution time of ${timeoutMs / 60_000} minutes.`;
  }
  for (const s of leg.summaries) st.summaries.push({ name: group, text: s });
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries((j.def.outputs ?? {}) as Raw)) {
    try {
      outputs[k] = evalInFrame(frame, v);
    } catch (e) {
      st.view.write(`${group}: warning: output '${k}': ${(e as Error).message}`);
      outputs[k] = '';
    }
  }
  const result = leg.cancelled && !timeout.signal.aborted ? 'cancelled' : frame.failed ? 'failure' : 'success';
  const r = finish(result, outputs, coe, detail);
  await rm(dir, { recursive: true, force: true }).catch(() => {});
  return r;
}

/**
 * A job that calls a reusable workflow (`uses: ./.github/workflows/x.yml`): its jobs as a nested
 * graph. With a matrix, one call per combination (`call (v1, v2)`, its `with:` and `secrets:`
 * evaluated with that `matrix`), within `max-parallel`, `fail-fast` cancelling the other calls;
 * the outputs merged as for a matrix job (for each output, the last call to finish that set it
 * non-empty).
 */
export async function runReusable(
  ctx: Ctx,
  j: { id: string; needs: string[]; def: Raw },
  scope: Scope,
  signal: AbortSignal,
): Promise<{ result: 'success' | 'failure' | 'cancelled'; value: JobValue }> {
  if (j.def.strategy === undefined) return runCall(ctx, j, scope, ctx.prefix + j.id, signal);
  const { st } = ctx;
  const strategy = (j.def.strategy ?? {}) as Raw;
  let combos: Record<string, unknown>[];
  let failFast: boolean;
  let maxParallel: number;
  try {
    const m = evalValue(strategy.matrix, scope);
    combos = m === undefined ? [{}] : expandMatrix(m);
    if (combos.length === 0) throw new MatrixError('the matrix has no combination');
    failFast = strategy['fail-fast'] === undefined ? true : truthy(evalValue(strategy['fail-fast'], scope));
    maxParallel = strategy['max-parallel'] !== undefined ? Number(evalValue(strategy['max-parallel'], scope)) : combos.length;
  } catch (e) {
    if (!(e instanceof MatrixError || e instanceof ExpressionProblem)) throw e;
    const group = `${ctx.prefix}${j.id}`;
    st.view.step({ name: group, state: 'failed', time: new Date(), detail: `${ctx.w.where(j.id)}: ${e.message}` });
    st.legs.push({ workflow: ctx.w.file, job: j.id, name: group, result: 'failure', outputs: {}, durationMs: 0, steps: [] });
    return { result: 'failure', value: { outputs: {} } };
  }
  const legAbort = new AbortController();
  setMaxListeners(0, legAbort.signal);
  const legSignal = AbortSignal.any([signal, legAbort.signal]);
  const results: { result: 'success' | 'failure' | 'cancelled'; outputs: Record<string, string> }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < combos.length) {
      const i = next++;
      const combo = combos[i]!;
      const group = `${ctx.prefix}${legName(j.id, combo)}`;
      if (legSignal.aborted) {
        results.push({ result: 'cancelled', outputs: {} });
        st.view.step({ name: group, state: 'cancelled', time: new Date() });
        continue;
      }
      const legScope: Scope = {
        ...scope,
        contexts: {
          ...scope.contexts,
          matrix: combo,
          strategy: { 'fail-fast': failFast, 'job-index': i, 'job-total': combos.length, 'max-parallel': maxParallel },
        },
      };
      const r = await runCall(ctx, j, legScope, group, legSignal, combo);
      results.push({ result: r.result, outputs: r.value.outputs });
      if (r.result === 'failure' && failFast && combos.length > 1) legAbort.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(maxParallel || 1, combos.length)) }, worker));
  const outputs: Record<string, string> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.outputs)) if (v !== '' || !(k in outputs)) outputs[k] = v;
  const failed = results.some((r) => r.result === 'failure');
  const cancelled = results.some((r) => r.result === 'cancelled');
  return { result: failed ? 'failure' : cancelled ? 'cancelled' : 'success', value: { outputs } };
}

/** One call of a reusable workflow, shown as `group` (its jobs as `group / job`). */
async function runCall(
  ctx: Ctx,
  j: { id: string; needs: string[]; def: Raw },
  scope: Scope,
  group: string,
  signal: AbortSignal,
  combo?: Record<string, unknown>,
): Promise<{ result: 'success' | 'failure' | 'cancelled'; value: JobValue }> {
  const { st } = ctx;
  const uses = String(j.def.uses);
  const fail = (msg: string) => {
    st.view.step({ name: group, state: 'failed', time: new Date(), detail: `${ctx.w.where(j.id)}: ${msg}` });
    st.legs.push({
      workflow: ctx.w.file,
      job: j.id,
      name: group,
      ...(combo ? { matrix: combo } : {}),
      result: 'failure',
      outputs: {},
      durationMs: 0,
      steps: [],
    });
    return { result: 'failure' as const, value: { outputs: {} } };
  };
  const target = workflowTarget(uses, ctx.home ?? st.opts.cwd, st.opts.cwd, st.repo.repository);
  let file: string;
  let home: string | undefined;
  if ('local' in target) {
    file = target.local;
    home = ctx.home !== undefined && file.startsWith(`${ctx.home}/`) ? ctx.home : undefined;
  } else {
    const a = st.actions.get(uses);
    if (!a) return fail(`reusable workflow '${uses}' is not in the action cache (${st.actionCache})`);
    file = a.dir;
    home = a.root;
  }
  let called: Workflow;
  try {
    called = await loadWorkflow(file, st.opts.cwd);
  } catch (e) {
    return fail((e as Error).message);
  }
  const call = called.on.workflow_call;
  if (!('workflow_call' in called.on)) return fail(`${called.file} is not a reusable workflow (no 'on: workflow_call')`);
  let inputs: Record<string, unknown>;
  let secrets: Record<string, string>;
  try {
    const withs = (evalValue(j.def.with ?? {}, scope) ?? {}) as Record<string, unknown>;
    inputs = resolveInputs((call?.inputs ?? {}) as Record<string, never>, withs, ctx.w.where(j.id));
    if (j.def.secrets === 'inherit') secrets = ctx.secrets;
    else secrets = evalMap(j.def.secrets ?? {}, scope);
  } catch (e) {
    return fail((e as Error).message);
  }
  st.view.step({ name: group, state: 'running', time: new Date(), needs: j.needs });
  const t0 = performance.now();
  const out = await runWorkflowGraph(
    { st, w: called, top: ctx.top ?? ctx.w, inputs, secrets, prefix: `${group} / `, ...(home !== undefined ? { home } : {}) },
    signal,
  );
  const jobsCtx = Object.fromEntries([...out].map(([id, o]) => [id, { result: o.result, outputs: o.value?.outputs ?? {} }]));
  const failed = [...out.values()].some((o) => o.result === 'failure' || o.result === 'cancelled');
  const cancelled = failed && signal.aborted;
  const outputs: Record<string, string> = {};
  for (const [k, spec] of Object.entries((call?.outputs ?? {}) as Record<string, Raw>)) {
    try {
      outputs[k] = asString(
        evalValue(spec?.value, { contexts: { github: scope.contexts.github, inputs, vars: st.opts.vars, jobs: jobsCtx } }),
      );
    } catch (e) {
      st.view.write(`${group}: warning: output '${k}': ${(e as Error).message}`);
    }
  }
  const result = cancelled ? 'cancelled' : failed ? 'failure' : 'success';
  st.view.step({ name: group, state: cancelled ? 'cancelled' : failed ? 'failed' : 'passed', time: new Date() });
  st.legs.push({
    workflow: ctx.w.file,
    job: j.id,
    name: group,
    ...(combo ? { matrix: combo } : {}),
    result,
    outputs,
    durationMs: Math.round(performance.now() - t0),
    steps: [],
  });
  return { result, value: { outputs } };
}

/**
 * Where a job's `uses:` points: a workflow file of the repository `home` holds (`./…`, `$/…`),
 * of this repository (`owner/repo/…@ref` naming it: read from the working tree, whatever the ref),
 * or a workflow of another repository (`owner/repo/path@ref`, from the action cache).
 */
export function workflowTarget(uses: string, home: string, cwd: string, repository: string): { local: string } | { remote: string } {
  const u = uses.trim();
  if (u.startsWith('./')) return { local: resolve(home, u) };
  if (u.startsWith('$/')) return { local: resolve(home, u.slice(2)) };
  if (u.startsWith(`${repository}/`)) return { local: resolve(cwd, u.slice(repository.length + 1).replace(/@.*$/, '')) };
  return { remote: u };
}

/** The remote actions a workflow's steps name (local composite actions are read at run time: they may come from a checkout). */
function stepUses(w: Workflow, into: Set<string>): void {
  for (const j of Object.values(w.jobs))
    for (const s of ((j.steps ?? []) as Raw[]) ?? []) {
      const u = typeof s.uses === 'string' ? s.uses.trim() : '';
      if (u === '' || u.startsWith('./') || u.startsWith('docker://') || BUILTINS.has(u.replace(/@.*$/, ''))) continue;
      into.add(u);
    }
}

/** Every `uses:` of steps of these workflows. */
export function usesOf(ws: readonly Workflow[]): string[] {
  const out = new Set<string>();
  for (const w of ws) stepUses(w, out);
  return [...out];
}

/**
 * Finds (or clones) the remote actions and reusable workflows of other repositories that the
 * workflows name, following reusable workflows (local and remote) to the actions and workflows
 * they name in turn; WorkflowError (before anything runs) naming those that cannot be had.
 */
export async function resolveRemotes(
  ws: readonly Workflow[],
  cwd: string,
  repository: string,
  actionCache: string,
): Promise<Map<string, ActionRef>> {
  const found = new Map<string, ActionRef>();
  const seen = new Set<string>(ws.map((w) => w.path));
  let level: { w: Workflow; home: string }[] = ws.map((w) => ({ w, home: cwd }));
  while (level.length > 0) {
    const actions = new Set<string>();
    const workflows = new Set<string>();
    const locals: { path: string; home: string }[] = [];
    for (const { w, home } of level) {
      stepUses(w, actions);
      for (const j of Object.values(w.jobs)) {
        if (typeof j.uses !== 'string') continue;
        const t = workflowTarget(j.uses, home, cwd, repository);
        if ('remote' in t) workflows.add(t.remote);
        else locals.push({ path: t.local, home: t.local.startsWith(`${home}/`) ? home : cwd });
      }
    }
    const wanted = [...actions, ...workflows].filter((u) => !found.has(u));
    const got = await resolveActions(wanted, actionCache, undefined, workflows);
    for (const [u, a] of got) found.set(u, a);
    const next: { w: Workflow; home: string }[] = [];
    const visit = async (path: string, home: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      // a workflow that does not load fails its calling job when it runs, with the reason
      const w = await loadWorkflow(path, cwd).catch(() => undefined);
      if (w) next.push({ w, home });
    };
    for (const l of locals) await visit(l.path, l.home);
    for (const u of workflows) {
      const a = found.get(u);
      if (a) await visit(a.dir, a.root);
    }
    level = next;
  }
  return found;
}

/** Runs the workflows; returns the exit status (0 all ran jobs succeeded, 1 one failed). */
export async function githubRun(opts: GithubRunOptions): Promise<{ status: 0 | 1; report?: RunReport }> {
  const t0 = performance.now();
  const repo = await repoFacts(opts.cwd, basename(opts.cwd));
  let payload: Raw = {};
  if (opts.eventPath !== undefined) {
    try {
      payload = JSON.parse(await readFile(resolve(opts.cwd, opts.eventPath), 'utf8')) as Raw;
    } catch (e) {
      throw new WorkflowError(`--event-path ${opts.eventPath}: ${(e as Error).message}`);
    }
  }
  if (opts.eventPath === undefined) payload = defaultPayload(opts.event, repo);
  const ws = await selectWorkflows(opts, repo, payload);
  if (opts.list) {
    opts.out.write(listJobs(ws, opts.job));
    return { status: 0 };
  }
  if (opts.graph) {
    opts.out.write(graphJobs(ws, opts.job));
    return { status: 0 };
  }
  if (ws.length === 0) {
    opts.out.write(`No workflow is triggered by '${opts.event}'.\n`);
    return { status: 0 };
  }
  // inputs of workflow_dispatch, checked before anything runs
  const inputsOf = new Map<Workflow, Record<string, unknown>>();
  for (const w of ws) {
    const spec = (w.on[opts.event] as Raw | null)?.inputs as Record<string, never> | undefined;
    const given: Record<string, unknown> = { ...((payload.inputs as Raw | undefined) ?? {}), ...opts.inputs };
    inputsOf.set(w, opts.event === 'workflow_dispatch' || opts.event === 'workflow_call' ? resolveInputs(spec, given, w.file) : {});
  }
  if (opts.event === 'workflow_dispatch' && payload.inputs === undefined)
    payload = {
      ...payload,
      inputs: Object.fromEntries([...inputsOf.values()].flatMap((i) => Object.entries(i).map(([k, v]) => [k, asString(v)]))),
    };
  const cacheRoot = opts.cacheDir ?? defaultCacheRoot();
  const actionCache = opts.actionCache ?? join(cacheRoot, 'actions');
  const actions = await resolveRemotes(ws, opts.cwd, repo.repository, actionCache);
  const runDir = await mkdtemp(join(tmpdir(), 'tutti-github-'));
  const eventPath = join(runDir, 'event.json');
  await writeFile(eventPath, JSON.stringify(payload));
  const masker = new Masker();
  for (const v of Object.values(opts.secrets)) masker.add(v);
  const view = new GithubView(opts.out, opts.progress ?? 'auto', (t) => masker.mask(t), opts.onStep);
  const st = new RunState(
    opts,
    repo,
    view,
    runDir,
    await ArtifactStore.open(join(runDir, 'artifacts')),
    await CacheStore.open(join(cacheRoot, 'cache')),
    actions,
    payload,
    eventPath,
    masker,
    actionCache,
  );
  const signal = opts.signal ?? new AbortController().signal;
  // every leg listens to the run's signal: as many listeners as legs run at once
  setMaxListeners(0, signal);
  const allOutcomes: { w: Workflow; out: Map<string, JobOutcome<JobValue>> }[] = [];
  const g0 = performance.now();
  let graphMs = 0;
  try {
    await Promise.all(
      ws.map(async (w) => {
        const ctx: Ctx = { st, w, inputs: inputsOf.get(w) ?? {}, secrets: { GITHUB_TOKEN: '', ...opts.secrets }, prefix: '' };
        // workflow-level concurrency: among the workflows of this run, in the order they are listed
        let c: ReturnType<typeof concurrencyOf>;
        try {
          c = concurrencyOf(w.concurrency, { contexts: { github: githubContext(st, w), inputs: ctx.inputs, vars: opts.vars } });
        } catch (e) {
          view.write(`${w.where()}: warning: concurrency: ${(e as Error).message} (ignored)`);
        }
        const out = !c
          ? await runWorkflowGraph(ctx, signal)
          : await st.groups.run(
              c.group,
              {
                cancelInProgress: c.cancelInProgress,
                name: w.file,
                onWait: (holder) => view.write(`${w.file}: waiting for concurrency group '${c.group}' (held by ${holder})`),
                onCancelled: (by) => view.write(`${w.file}: cancelled by ${by} (concurrency group '${c.group}', cancel-in-progress)`),
              },
              (s) => runWorkflowGraph(ctx, AbortSignal.any([signal, s])),
              () => {
                view.write(`${w.file}: cancelled: a later workflow of concurrency group '${c.group}' took its place`);
                st.cancelledWorkflows++;
                return new Map<string, JobOutcome<JobValue>>();
              },
            );
        allOutcomes.push({ w, out });
      }),
    );
    graphMs = Math.round(performance.now() - g0);
  } finally {
    view.close();
    st.disposeGroups();
    await st.closeLogs();
    await rm(runDir, { recursive: true, force: true }).catch(() => {});
  }
  const failed =
    st.cancelledWorkflows > 0 ||
    allOutcomes.some(({ out }) => [...out.values()].some((o) => o.result === 'failure' || o.result === 'cancelled'));
  const durationMs = Math.round(performance.now() - t0);
  // summary
  let cp: { ids: string[]; ms: number } = { ids: [], ms: 0 };
  for (const { w, out } of allOutcomes) {
    const c = graphCriticalPath(jobsToRun(w, opts.job), out);
    if (c.ms > cp.ms) cp = { ids: c.ids.map((id) => (ws.length > 1 ? `${w.file}:${id}` : id)), ms: c.ms };
  }
  let s = '\nSummary\n';
  for (const l of st.legs)
    s += `  ${l.result === 'success' ? '✓' : l.result === 'failure' ? '✗' : l.result === 'skipped' ? '-' : '⊘'} ${l.name}  ${l.result}  ${formatMs(l.durationMs)}\n`;
  for (const { out } of allOutcomes) for (const o of out.values()) if (o.result === 'skipped') s += `  - ${o.id}  skipped\n`;
  s += `  critical path: ${cp.ids.join(' → ') || '-'} (${formatMs(cp.ms)}), wall ${formatMs(durationMs)}\n`;
  for (const sm of st.summaries) s += `\nStep summary of ${sm.name}:\n${sm.text.trimEnd()}\n`;
  s += failed ? '\nRun failed.\n' : '\nRun succeeded.\n';
  view.close();
  opts.out.write(masker.mask(s));
  const skipped: LegReport[] = allOutcomes.flatMap(({ w, out }) =>
    [...out.values()]
      .filter((o) => o.result === 'skipped')
      .map((o) => ({ workflow: w.file, job: o.id, name: o.id, result: 'skipped', outputs: {}, durationMs: 0, steps: [] })),
  );
  const report: RunReport = {
    event: opts.event,
    result: failed ? 'failure' : 'success',
    durationMs,
    graphMs,
    criticalPath: { jobs: cp.ids, durationMs: Math.round(cp.ms) },
    jobs: [...st.legs, ...skipped],
    annotations: st.annotations,
  };
  if (opts.report) await writeReport(opts.report, report);
  return { status: failed ? 1 : 0, report };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JSON, or JUnit XML when the name ends in `.xml` (one suite per job leg, one case per step). */
export async function writeReport(file: string, r: RunReport): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true });
  if (!file.endsWith('.xml')) {
    await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  let s = '<?xml version="1.0" encoding="UTF-8"?>\n';
  const steps = r.jobs.reduce((n, j) => n + Math.max(1, j.steps.length), 0);
  const fails = r.jobs.reduce(
    (n, j) => n + (j.steps.length === 0 ? (j.result === 'failure' ? 1 : 0) : j.steps.filter((x) => x.conclusion === 'failure').length),
    0,
  );
  s += `<testsuites name="tutti github run" tests="${steps}" failures="${fails}" time="${(r.durationMs / 1000).toFixed(3)}">\n`;
  for (const j of r.jobs) {
    const cases = j.steps.length > 0 ? j.steps : [{ name: j.name, outcome: j.result, conclusion: j.result, durationMs: j.durationMs }];
    const f = cases.filter((c) => c.conclusion === 'failure').length;
    const sk = cases.filter((c) => c.conclusion === 'skipped').length;
    s += `  <testsuite name="${xml(`${j.workflow} / ${j.name}`)}" tests="${cases.length}" failures="${f}" skipped="${sk}" time="${(j.durationMs / 1000).toFixed(3)}">\n`;
    for (const c of cases) {
      s += `    <testcase classname="${xml(`${j.workflow}.${j.job}`)}" name="${xml(c.name)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
      if (c.conclusion === 'failure') s += `>\n      <failure message="${xml(`${c.name} failed`)}"/>\n    </testcase>\n`;
      else if (c.conclusion === 'skipped') s += `>\n      <skipped/>\n    </testcase>\n`;
      else s += '/>\n';
    }
    s += '  </testsuite>\n';
  }
  s += '</testsuites>\n';
  await writeFile(file, s);
}
