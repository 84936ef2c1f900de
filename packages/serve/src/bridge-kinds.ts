/**
 * The `github` and `gitlab` pipeline kinds: a workflow file or a `.gitlab-ci.yml` of the
 * repository, run through the bridges' library APIs in this process (`openWorkflow`,
 * `plan` + `runJobs`), one job at a time as the run queue asks.
 *
 * The bridges are loaded when a run of their kind is prepared, never before: from their own
 * bundles next to the packages (`packages/bridges/<name>/dist/<name>.bundle.mjs`, as `tutti
 * github` / `tutti gitlab` load them), else as workspace packages (development). Only types
 * are imported here, so the serve module (and its bundle) holds neither bridge.
 *
 * What a job hands to the jobs after it persists in the run's folder (`runs/<id>/github` or
 * `runs/<id>/gitlab`): GitHub job outputs and results (`outputs/<job>.json`), uploaded
 * artifacts, GitLab artifacts and dotenv reports. A retry re-runs the chosen job alone in
 * the same folder, so the jobs that passed are not run again and what they produced is
 * still there.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LogLevel } from '@tutti/core';
import type * as Github from '@tutti/github';
import type * as Gitlab from '@tutti/gitlab';
import type { PipelineConfig } from './config.js';
import type { GraphNode } from './graph.js';
import type { DiagnosticInfo, JobContext, PipelineKind, PreparedJob } from './kinds.js';

async function loadBridge<T>(name: 'github' | 'gitlab'): Promise<T> {
  const bundle = new URL(`../../bridges/${name}/dist/${name}.bundle.mjs`, import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as T;
  const pkg = `@tutti/${name}`; // a variable: a bundle of serve must not inline the bridge
  return (await import(pkg)) as T;
}

/** Parameters every run has (not manual inputs or pipeline variables). */
const RUN_PARAMS = new Set(['sha', 'workspace', 'ref', 'event', 'run', 'branch']);

const manualParams = (params: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).filter(([k]) => !RUN_PARAMS.has(k)));

/** The branch of a run: its `branch` parameter (webhooks), else its `refs/heads/…` ref. */
const branchOf = (params: Readonly<Record<string, string>>): string | undefined =>
  params.branch !== undefined && params.branch !== ''
    ? params.branch
    : params.ref?.startsWith('refs/heads/')
      ? params.ref.slice('refs/heads/'.length)
      : undefined;

/** `file:line:col: [error: ]message` lines as diagnostics. */
function diagnostics(text: string, code: string, fallbackFile: string): DiagnosticInfo[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const m = /^(.+?):(\d+):(\d+): (?:error: )?([\s\S]*)$/.exec(line);
      return m === null
        ? { code, severity: 'error', message: line.replace(/^error: /, ''), file: fallbackFile, line: null, column: null, text: line }
        : { code, severity: 'error', message: m[4] as string, file: m[1] as string, line: Number(m[2]), column: Number(m[3]), text: line };
    });
}

/** A graph of steps in a chain (one node per step, in order). */
function stepGraph(steps: readonly { name: string; sub: string }[]): { nodes: GraphNode[]; edges: [number, number][]; ids: string[] } {
  const seen = new Map<string, number>();
  const ids: string[] = [];
  const nodes = steps.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    const id = n === 1 ? s.name : `${s.name} (${n})`;
    ids.push(id);
    return { id, label: id, sub: s.sub, x: 0, y: 0, w: Math.min(260, Math.max(90, 8 * Math.max(id.length, 10))), h: 32 };
  });
  const edges = nodes.slice(1).map((_, i) => [i, i + 1] as [number, number]);
  return { nodes, edges, ids };
}

const logLevel = (line: string): LogLevel => (line.startsWith('##[error]') ? 'error' : line.startsWith('##[warning]') ? 'warning' : 'info');

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value));
}

/** GitHub's event for a run's trigger. */
const GITHUB_EVENT: Readonly<Record<string, string>> = {
  push: 'push',
  pull_request: 'pull_request',
  merge_request: 'pull_request',
  schedule: 'schedule',
  manual: 'workflow_dispatch',
  check: 'push',
};

/** A job condition that may run after a failed or skipped need (`always()`, `failure()`, `cancelled()`). */
const runsAfterFailure = (cond: unknown): boolean => typeof cond === 'string' && /\b(always|failure|cancelled)\s*\(/.test(cond);

/**
 * The `github` kind: the jobs of one workflow, triggered by the run's event (push,
 * pull_request, schedule, workflow_dispatch for a manual run, its parameters as inputs).
 */
export const githubKind: PipelineKind = {
  kind: 'github',
  async prepare(pipeline, workspace, params) {
    const def = pipeline.github as NonNullable<PipelineConfig['github']>;
    const gh = await loadBridge<typeof Github>('github');
    const state = join(dirname(workspace), 'github');
    const event = GITHUB_EVENT[params.event ?? ''] ?? 'push';
    const branch = branchOf(params);
    let session: Github.WorkflowSession;
    try {
      session = await gh.openWorkflow({
        cwd: workspace,
        workflow: def.workflow,
        event,
        ...(params.ref?.startsWith('refs/') ? { ref: params.ref } : branch === undefined ? {} : { ref: `refs/heads/${branch}` }),
        inputs: manualParams(params),
        secrets: { ...def.secrets },
        vars: { ...def.vars },
        platforms: { ...def.platforms },
        stateDir: state,
      });
    } catch (e) {
      if (!(e instanceof gh.WorkflowError)) throw e;
      return [{ name: 'workflow', needs: [], diagnostics: diagnostics(e.message, 'E_WORKFLOW', def.workflow) }];
    }
    const notTriggered = session.triggered
      ? undefined
      : `${def.workflow} is not triggered by '${event}'${branch === undefined ? '' : ` on ${branch}`} (its on: says when it runs)`;
    return session.jobs.map((job): PreparedJob => {
      const raw = session.workflow.jobs[job.id] ?? {};
      const steps = ((raw.steps ?? []) as Record<string, unknown>[]).map((s, i) => ({
        name: job.steps[i] as string,
        sub: typeof s.uses === 'string' ? s.uses : 'run',
      }));
      const graph = stepGraph(steps);
      const byName = new Map(job.steps.map((n, i) => [n, graph.ids[i] as string]));
      return {
        name: job.id,
        needs: job.needs,
        ...(runsAfterFailure(raw.if) ? { when: 'always' as const } : {}),
        graph: { nodes: graph.nodes, edges: graph.edges },
        diagnostics: [],
        // A matrix leg reports `leg › step`: its node is the step's.
        nodeOfStep: (name) => byName.get(name) ?? byName.get(name.slice(name.indexOf(' › ') + 3)),
        run: async (ctx: JobContext) => {
          if (notTriggered !== undefined) return { ok: false, skipped: true, detail: notTriggered };
          const needs: Record<string, Github.NeedResult> = {};
          for (const n of job.needs)
            needs[n] = (await readJson<Github.NeedResult>(join(state, 'outputs', `${n}.json`))) ?? { result: 'skipped', outputs: {} };
          const stepName = (group: string | undefined, name: string) =>
            group === undefined ? name : job.matrix ? `${group} › ${name}` : name;
          let r: Github.JobRunResult;
          try {
            r = await session.runJob(job.id, {
              needs,
              signal: ctx.signal,
              onStep: (e) => {
                // A leg without a group is the job itself unless the job has a matrix.
                if (e.group === undefined && !job.matrix) return;
                ctx.step({
                  name: stepName(e.group, e.name),
                  state: e.state,
                  time: e.time,
                  ...(e.detail === undefined ? {} : { detail: e.detail }),
                });
              },
              onLog: (group, step, line) =>
                ctx.log({
                  time: new Date(),
                  level: logLevel(line),
                  label: stepName(group, step),
                  message: line.replace(/^##\[(error|warning)\]/, ''),
                }),
              onNote: (text) =>
                ctx.log({ time: new Date(), level: /\berror\b/.test(text) ? 'error' : 'warning', label: job.id, message: text.trimEnd() }),
            });
          } catch (e) {
            // An action that is not in the cache and cannot be fetched, an input that is missing.
            if (!(e instanceof gh.WorkflowError)) throw e;
            for (const line of e.message.split('\n')) ctx.log({ time: new Date(), level: 'error', label: job.id, message: line });
            return { ok: false, detail: e.message.split('\n')[0] as string };
          }
          await writeJson(join(state, 'outputs', `${job.id}.json`), { result: r.result, outputs: r.outputs });
          if (r.result === 'success') return { ok: true };
          if (r.result === 'skipped') return { ok: false, skipped: true, ...(r.detail === undefined ? {} : { detail: r.detail }) };
          if (r.result === 'cancelled') return { ok: false, cancelled: true, detail: r.detail ?? 'cancelled' };
          return { ok: false, detail: r.detail ?? 'the job failed' };
        },
      };
    });
  },
};

/** A GitLab job name as a serve job name (letters, digits, `.`, `_`, `-`): other characters become `-`. */
function jobNames(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of names) {
    const base =
      n
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 60) || 'job';
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    out.set(n, name);
  }
  return out;
}

/** GitLab's pipeline source for a run's trigger. */
const GITLAB_SOURCE: Readonly<Record<string, string>> = {
  push: 'push',
  pull_request: 'merge_request_event',
  merge_request: 'merge_request_event',
  schedule: 'schedule',
  manual: 'web',
  check: 'push',
};

/**
 * The `gitlab` kind: the pipeline a push of the run's commit would create (rules evaluated
 * with the run's branch, commit and source), jobs with their needs or stage order.
 */
export const gitlabKind: PipelineKind = {
  kind: 'gitlab',
  async prepare(pipeline, workspace, params) {
    const def = pipeline.gitlab as NonNullable<PipelineConfig['gitlab']>;
    const gl = await loadBridge<typeof Gitlab>('gitlab');
    const state = join(dirname(workspace), 'gitlab');
    const file = join(workspace, def.file);
    if (!existsSync(file))
      return [
        {
          name: 'pipeline',
          needs: [],
          diagnostics: diagnostics(`${def.file}: no such file in the repository at this commit`, 'E_GITLAB', def.file),
        },
      ];
    let planned: Gitlab.Plan;
    try {
      const repo0 = await gl.readRepo(workspace);
      const branch = branchOf(params);
      const tag = params.ref?.startsWith('refs/tags/') ? params.ref.slice('refs/tags/'.length) : undefined;
      const repo: Gitlab.RepoInfo = {
        ...repo0,
        ...(tag !== undefined
          ? { tag, branch: undefined, refName: tag }
          : branch !== undefined
            ? { branch, tag: undefined, refName: branch }
            : {}),
      };
      const predefined = gl.pipelineVariables(repo, def.file);
      predefined.CI_PIPELINE_SOURCE = GITLAB_SOURCE[params.event ?? ''] ?? 'push';
      if (params.run !== undefined && params.run !== '0') predefined.CI_PIPELINE_ID = params.run;
      const pipelineVariables = { ...def.variables, ...manualParams(params) };
      // include: rules see the predefined, project and pipeline variables, as on GitLab.
      const config = gl.loadConfig({
        root: workspace,
        file,
        projectPath: repo.projectPath,
        variables: { ...predefined, ...pipelineVariables },
      });
      planned = gl.plan(config, { repo, predefined, pipelineVariables });
    } catch (e) {
      if (!(e instanceof gl.GitlabConfigError)) throw e;
      return [{ name: 'pipeline', needs: [], diagnostics: diagnostics(e.render(), 'E_GITLAB', def.file) }];
    }
    if (planned.filteredOut) {
      const why = `${def.file}: workflow:rules create no pipeline for this ${params.event ?? 'push'}`;
      return [{ name: 'pipeline', needs: [], diagnostics: [], run: async () => ({ ok: false, skipped: true, detail: why }) }];
    }
    const mask = gl.projectMask(def.masked.map((n) => def.variables[n] as string));
    const names = jobNames(planned.jobs.map((j) => j.name));
    const nameOf = (n: string) => names.get(n) as string;
    return planned.jobs.map((j): PreparedJob => {
      const needs = (
        j.needs === undefined ? planned.jobs.filter((o) => o.stageIndex < j.stageIndex).map((o) => o.name) : j.needs.map((n) => n.job)
      )
        .filter((n) => names.has(n))
        .map(nameOf);
      const sections = [
        ...(j.dependencies.length > 0 ? [{ name: 'download_artifacts', sub: 'artifacts' }] : []),
        { name: 'step_script', sub: j.image?.name ?? 'shell' },
        ...(j.afterScript.length > 0 ? [{ name: 'after_script', sub: 'shell' }] : []),
        ...(j.artifacts !== undefined ? [{ name: 'upload_artifacts', sub: 'artifacts' }] : []),
      ];
      const graph = stepGraph(sections);
      return {
        name: nameOf(j.name),
        needs,
        ...(j.when === 'always' ? { when: 'always' as const } : j.when === 'on_failure' ? { when: 'on_failure' as const } : {}),
        graph: { nodes: graph.nodes, edges: graph.edges },
        diagnostics: [],
        nodeOfStep: (name) => name,
        run: async (ctx: JobContext) => {
          if (j.when === 'manual') return { ok: false, skipped: true, detail: 'a manual job (not played by tutti serve)' };
          const dotenv: Record<string, Record<string, string>> = {};
          for (const d of j.dependencies) {
            const env = await readJson<Record<string, string>>(join(state, 'dotenv', `${nameOf(d) ?? 'job'}.json`));
            if (env !== undefined) dotenv[d] = env;
          }
          const label = j.name;
          let section = 'job';
          let scriptEnded = false;
          const sectionName = (s: string) => (s.startsWith('upload_artifacts') ? 'upload_artifacts' : s);
          const result = await gl.runJobs({
            root: workspace,
            // The queue decided that it runs (its needs, its when): the bridge runs it as on_success.
            jobs: [{ ...j, when: 'on_success' }],
            allJobs: planned.jobs,
            predefined: planned.predefined,
            pipelineVariables: planned.pipelineVariables,
            manual: new Set(),
            stateDir: state,
            logsDir: undefined,
            signal: ctx.signal,
            dotenv,
            // The project's masked variables, as --masked does: [MASKED] in every line.
            ...(mask === undefined ? {} : { mask }),
            events: {
              line: (_job, text) => {
                const mark = gl.sectionMark(text);
                if (mark?.kind === 'start') {
                  section = sectionName(mark.name);
                  ctx.step({ name: section, state: 'running', time: new Date() });
                }
                const clean = gl.viewLine(text, true);
                if (clean !== undefined && clean.trim() !== '')
                  ctx.log({
                    time: new Date(),
                    level: /^(ERROR|FATAL)\b/.test(clean) ? 'error' : /^WARNING\b/.test(clean) ? 'warning' : 'info',
                    label: section === 'job' ? label : section,
                    message: clean,
                  });
                if (mark?.kind === 'end') {
                  const ended = sectionName(mark.name);
                  // The script's state is known once the job's result is.
                  if (ended === 'step_script') scriptEnded = true;
                  else ctx.step({ name: ended, state: 'passed', time: new Date() });
                  section = 'job';
                }
              },
            },
          });
          const record = result.jobs[0];
          const ok = record !== undefined && (record.status === 'success' || record.status === 'warning');
          if (scriptEnded) ctx.step({ name: 'step_script', state: ok ? 'passed' : 'failed', time: new Date() });
          const env = result.dotenv[j.name];
          if (env !== undefined) await writeJson(join(state, 'dotenv', `${nameOf(j.name)}.json`), env);
          if (record === undefined) return { ok: false, detail: 'the job did not run' };
          if (record.status === 'success') return { ok: true };
          if (record.status === 'warning') return { ok: true, detail: `failed (allowed): ${record.reason ?? ''}`.trim() };
          if (record.status === 'canceled') return { ok: false, cancelled: true, detail: record.reason ?? 'canceled' };
          if (record.status === 'skipped' || record.status === 'manual')
            return { ok: false, skipped: true, ...(record.reason === undefined ? {} : { detail: record.reason }) };
          return { ok: false, detail: record.reason ?? 'the job failed' };
        },
      };
    });
  },
};
