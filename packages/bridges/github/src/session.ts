/**
 * One workflow as a host (`tutti serve`) runs it: planned once (its jobs, their needs and
 * steps), then each job run on request, alone, with the results and outputs of the jobs it
 * needs given by the host. The host owns the order, retries and history; this module owns how
 * a job runs, exactly as `tutti github run` runs it (matrix legs, containers, actions, steps).
 *
 * What persists between jobs lives under `stateDir`: the artifacts `actions/upload-artifact`
 * stores (so a job run later, or again, still downloads them) and the event payload.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { defaultPayload } from '@tutti/lib-cicd';
import { ArtifactStore, CacheStore } from '@tutti/pipeline';
import { Masker } from './commands.js';
import { condition } from './expressions.js';
import { repoFacts } from './git.js';
import { resolveActions } from './remote.js';
import {
  type Ctx,
  defaultCacheRoot,
  githubContext,
  type JobValue,
  jobScope,
  needsOf,
  RunState,
  runJob,
  runReusable,
  usesOf,
} from './run.js';
import { stepDisplayName } from './steps.js';
import { GithubView, type StepEvent } from './view.js';
import { loadWorkflow, matchesEvent, type Raw, resolveInputs, type Workflow, WorkflowError } from './workflow.js';

export interface WorkflowSessionOptions {
  /** The repository, checked out at the run's commit. */
  readonly cwd: string;
  /** The workflow file, relative to `cwd`. */
  readonly workflow: string;
  /** GitHub's event name: push, pull_request, schedule, workflow_dispatch. */
  readonly event: string;
  /** The ref the event is for (`refs/heads/main`); the checkout's when absent. */
  readonly ref?: string;
  /** workflow_dispatch inputs (only those the workflow declares are passed). */
  readonly inputs?: Record<string, string>;
  readonly secrets?: Record<string, string>;
  readonly vars?: Record<string, string>;
  readonly env?: Record<string, string>;
  /** runs-on label → container image (`tutti github run -P`); unmapped labels run on the host. */
  readonly platforms?: Record<string, string>;
  /** Where artifacts and the event payload persist between the jobs (and their retries). */
  readonly stateDir: string;
  readonly actionCache?: string;
  readonly cacheDir?: string;
}

/** A job of the workflow as planned: its id, display name, needs and the names of its steps. */
export interface WorkflowJobPlan {
  readonly id: string;
  readonly name: string;
  readonly needs: readonly string[];
  /** Step display names, in order (`name:`, else `Run <command>` or `Run <action>`). */
  readonly steps: readonly string[];
  /** True when the job has a matrix (its legs are reported as `leg › step`). */
  readonly matrix: boolean;
  /** `file:line:col` of the job. */
  readonly where: string;
}

/** What a need gave: its result (success, failure, cancelled, skipped) and outputs. */
export interface NeedResult {
  readonly result: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface JobRunOptions {
  readonly needs: Readonly<Record<string, NeedResult>>;
  readonly signal: AbortSignal;
  /** Steps (and, for a matrix, legs) as they change; names as the bridge shows them. */
  readonly onStep: (e: StepEvent) => void;
  /** A line of output of step `step` of leg `group`. */
  readonly onLog: (group: string, step: string, line: string) => void;
  /** A message that belongs to no step (an expression problem, a warning about an output). */
  readonly onNote: (text: string) => void;
}

export interface JobRunResult {
  readonly result: 'success' | 'failure' | 'cancelled' | 'skipped';
  readonly outputs: Record<string, string>;
  readonly detail?: string;
}

export interface WorkflowSession {
  readonly workflow: Workflow;
  /** Whether the event (and its ref) triggers the workflow (`on:` with its filters). */
  readonly triggered: boolean;
  readonly jobs: readonly WorkflowJobPlan[];
  /** Runs one job (every leg of its matrix) with the given needs. */
  runJob(id: string, o: JobRunOptions): Promise<JobRunResult>;
}

/** A view that sends everything to the job's callbacks (no board, no terminal). */
class HostView extends GithubView {
  constructor(private readonly hooks: JobRunOptions) {
    super(new Writable({ write: (_c, _e, cb) => cb() }), 'plain');
  }
  override step(e: StepEvent): void {
    this.hooks.onStep(e);
  }
  override log(group: string, step: string, line: string): void {
    this.hooks.onLog(group, step, line);
  }
  override write(text: string): void {
    this.hooks.onNote(text);
  }
  override close(): void {}
}

/**
 * Loads and checks a workflow (WorkflowError, with file, line and column, when it does not
 * parse or validate) and plans its jobs for the event.
 */
export async function openWorkflow(o: WorkflowSessionOptions): Promise<WorkflowSession> {
  const w = await loadWorkflow(resolve(o.cwd, o.workflow), o.cwd);
  const facts = await repoFacts(o.cwd, basename(o.cwd));
  const repo = { ...facts, ref: o.ref !== undefined && o.ref !== '' ? o.ref : facts.ref };
  let payload: Raw = defaultPayload(o.event, repo);
  if (o.event.startsWith('pull_request'))
    payload = {
      ...payload,
      pull_request: { base: { ref: repo.defaultBranch }, head: { ref: repo.ref.replace(/^refs\/heads\//, ''), sha: repo.sha } },
    };
  const isPr = o.event.startsWith('pull_request');
  const triggered = matchesEvent(w, {
    event: o.event,
    ref: isPr ? `refs/heads/${repo.defaultBranch}` : repo.ref,
    changed: undefined,
  });
  let inputs: Record<string, unknown> = {};
  if (o.event === 'workflow_dispatch' && triggered) {
    const spec = ((w.on.workflow_dispatch as Raw | null)?.inputs ?? {}) as Record<string, never>;
    const given = Object.fromEntries(Object.entries(o.inputs ?? {}).filter(([k]) => k in spec));
    inputs = resolveInputs(spec, given, w.file);
    payload = { ...payload, inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])) };
  }
  const eventPath = join(o.stateDir, 'event.json');
  const cacheRoot = o.cacheDir ?? defaultCacheRoot();
  const actionCache = o.actionCache ?? join(cacheRoot, 'actions');
  const jobs: WorkflowJobPlan[] = Object.entries(w.jobs).map(([id, def]) => ({
    id,
    name: typeof def.name === 'string' && !def.name.includes('${{') ? def.name : id,
    needs: needsOf(def),
    steps: ((def.steps ?? []) as Raw[]).map((s) => stepDisplayName(s)),
    matrix: (def.strategy as Raw | undefined)?.matrix !== undefined,
    where: w.where(id),
  }));
  let actions: Awaited<ReturnType<typeof resolveActions>> | undefined;
  return {
    workflow: w,
    triggered,
    jobs,
    async runJob(id, h) {
      const def = w.jobs[id];
      if (def === undefined) throw new WorkflowError(`${w.file}: no job '${id}'`);
      // Actions are fetched into the cache once, when the first job needs them; nothing is
      // written before a job runs (a plan alone leaves no files).
      actions ??= await resolveActions(usesOf([w]), actionCache);
      await mkdir(o.stateDir, { recursive: true });
      await writeFile(eventPath, JSON.stringify(payload));
      const masker = new Masker();
      for (const v of Object.values(o.secrets ?? {})) masker.add(v);
      let detail: string | undefined;
      const view = new HostView({
        ...h,
        onStep: (e) => {
          if (e.state === 'failed' && detail === undefined) detail = e.detail ?? `${e.group === undefined ? '' : `${e.group} › `}${e.name}`;
          h.onStep(e);
        },
      });
      const opts = {
        cwd: o.cwd,
        event: o.event,
        secrets: o.secrets ?? {},
        env: o.env ?? {},
        vars: o.vars ?? {},
        inputs: o.inputs ?? {},
        platforms: o.platforms ?? {},
        actionCache,
        cacheDir: cacheRoot,
        out: new Writable({ write: (_c, _e, cb) => cb() }),
        signal: h.signal,
      };
      const legs = await mkdtemp(join(o.stateDir, 'legs-'));
      const st = new RunState(
        opts,
        repo,
        view,
        legs,
        await ArtifactStore.open(join(o.stateDir, 'artifacts')),
        await CacheStore.open(join(cacheRoot, 'cache')),
        actions,
        payload,
        eventPath,
        masker,
        actionCache,
      );
      const ctx: Ctx = { st, w, inputs, secrets: { GITHUB_TOKEN: '', ...(o.secrets ?? {}) }, prefix: '' };
      const gh = githubContext(st, w);
      const needIds = needsOf(def);
      const needs = new Map<string, { result: string; value: JobValue }>(
        needIds.map((n) => [n, { result: h.needs[n]?.result ?? 'skipped', value: { outputs: { ...(h.needs[n]?.outputs ?? {}) } } }]),
      );
      const scope = jobScope(ctx, gh, needs, needIds, h.signal.aborted);
      try {
        let run: boolean;
        try {
          run = condition(def.if, scope);
        } catch (e) {
          return { result: 'failure', outputs: {}, detail: `${w.where(id)}: ${(e as Error).message}` };
        }
        if (!run) return { result: 'skipped', outputs: {}, detail: `${w.where(id)}: its if: condition is false` };
        const j = { id, needs: needIds, def };
        const r = typeof def.uses === 'string' ? await runReusable(ctx, j, scope, h.signal) : await runJob(ctx, j, scope, gh, h.signal);
        return { result: r.result, outputs: r.value.outputs, ...(r.result === 'success' || detail === undefined ? {} : { detail }) };
      } finally {
        await st.closeLogs();
        await rm(legs, { recursive: true, force: true }).catch(() => {});
      }
    },
  };
}
