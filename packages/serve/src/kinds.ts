/**
 * Pipeline kinds: how a pipeline's definition becomes jobs and how a job runs. A kind
 * prepares every job before any runs (so the run's graph, and every check problem, is
 * known from the start) and runs one job at a time on request; the run queue owns the
 * order (needs), cancellation and history.
 *
 * `mel` is built in: each job is one entrypoint of a Mélodium program in the repository,
 * checked and launched through the driver (`checkPath`, `launch`) and run by `runDesign` in
 * this process. `github` (a workflow file) and `gitlab` (a `.gitlab-ci.yml`) run through the
 * bridges, loaded on a run's first need of them (bridge-kinds.ts). Other kinds plug in
 * through {@link registerPipelineKind}.
 */
import { join } from 'node:path';
import type { Diagnostic } from '@tutti/core';
import { checkPath, launch, programSource, RequestError, renderHuman, runDesign, toJson } from '@tutti/driver';
import type { EngineEvent, LogRecord, StepRecord } from '@tutti/engine';
import { githubKind, gitlabKind } from './bridge-kinds.js';
import type { PipelineConfig } from './config.js';
import { designGraph, type GraphNode } from './graph.js';

/** A diagnostic as the API and the studio show it. */
export interface DiagnosticInfo {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number | null;
  readonly column?: number | null;
  /** The whole rendering, excerpt included. */
  readonly text: string;
}

/** What a job receives while it runs. */
export interface JobContext {
  readonly signal: AbortSignal;
  readonly log: (r: LogRecord) => void;
  readonly step: (r: StepRecord) => void;
  readonly event: (e: EngineEvent) => void;
}

/** How a job ended. */
export interface JobOutcome {
  readonly ok: boolean;
  readonly cancelled?: boolean;
  /** It did not run (a condition of its own said no): the job ends `skipped`. */
  readonly skipped?: boolean;
  readonly detail?: string;
}

/** One job ready to run. */
export interface PreparedJob {
  readonly name: string;
  readonly needs: readonly string[];
  /** Its graph (not laid out), when it could be built. */
  readonly graph?: { nodes: GraphNode[]; edges: [number, number][] };
  readonly diagnostics: readonly DiagnosticInfo[];
  /** Undefined when the job cannot run (its diagnostics say why). */
  readonly run?: (ctx: JobContext) => Promise<JobOutcome>;
  /**
   * When it starts: `on_success` (default) once every need passed (skipped when one did
   * not); `always` once every need ended, whatever their states; `on_failure` once every
   * need ended and one failed (skipped otherwise).
   */
  readonly when?: 'on_success' | 'always' | 'on_failure';
  /**
   * For a graph of steps (not of treatments): the node id of a step the job reports, so a
   * step's state is its node's. Absent: nodes follow the engine's treatment events.
   */
  readonly nodeOfStep?: (step: string) => string | undefined;
}

/** A pipeline kind. */
export interface PipelineKind {
  readonly kind: string;
  /** Prepares the jobs of `pipeline` in `workspace` with the run's `params` (substitutions). */
  prepare(pipeline: PipelineConfig, workspace: string, params: Readonly<Record<string, string>>): Promise<PreparedJob[]>;
}

const kinds = new Map<string, PipelineKind>();

/** Makes a pipeline kind available to every server of this process. */
export function registerPipelineKind(k: PipelineKind): void {
  kinds.set(k.kind, k);
}

/** The kind named `kind`, or undefined. */
export function pipelineKind(kind: string): PipelineKind | undefined {
  return kinds.get(kind);
}

/** Replaces `${name}` by `params[name]`; unknown names are left as written. */
export function substitute(text: string, params: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z0-9_.-]+)\}/g, (all, name: string) => params[name] ?? all);
}

/** A diagnostic with its file relative to the workspace (the studio shows repository paths). */
function info(d: Diagnostic, file: string, workspace: string): DiagnosticInfo {
  const j = toJson(d, file) as { file?: string; line?: number | null; column?: number | null };
  const rel = (p: string) => (p.startsWith(`${workspace}/`) ? p.slice(workspace.length + 1) : p);
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(j.file === undefined ? {} : { file: rel(j.file) }),
    line: j.line ?? null,
    column: j.column ?? null,
    text: renderHuman(d, { color: false, defaultFile: file }).split(`${workspace}/`).join(''),
  };
}

/**
 * The `mel` kind. A job fails when the engine run fails (a treatment failed, a deadlock),
 * when a step it reports ends `failed`, or when the program logs at error level (the
 * Mélodium way of saying a command failed: `spawnCommands` logs "Commands failed").
 */
export const melKind: PipelineKind = {
  kind: 'mel',
  async prepare(pipeline, workspace, params) {
    const jobs: PreparedJob[] = [];
    for (const [name, job] of Object.entries(pipeline.jobs)) {
      const file = join(workspace, job.program);
      const diagnostics: DiagnosticInfo[] = [];
      try {
        const checked = await checkPath(file, job.command === undefined ? {} : { command: job.command });
        const design = launch(checked, { args: job.args.map((a) => substitute(a, params)) });
        for (const d of checked.sink.items) diagnostics.push(info(d, file, workspace));
        if (design === undefined || checked.loaded === undefined) {
          jobs.push({ name, needs: job.needs, diagnostics });
          continue;
        }
        const source = programSource(file, checked.loaded);
        jobs.push({
          name,
          needs: job.needs,
          graph: designGraph(design, (o) => (o.startsWith(`${workspace}/`) ? o.slice(workspace.length + 1) : o)),
          diagnostics,
          run: async (ctx) => {
            let failedStep: string | undefined;
            let errorLog: string | undefined;
            const result = await runDesign(design, {
              log: (r) => {
                if (r.level === 'error' && errorLog === undefined) errorLog = `${r.label}: ${r.message}`;
                ctx.log(r);
              },
              event: ctx.event,
              step: (s) => {
                if (s.state === 'failed' && failedStep === undefined) failedStep = s.name;
                ctx.step(s);
              },
              signal: ctx.signal,
              program: source,
            });
            if (result.stopped !== undefined) return { ok: false, cancelled: true, detail: result.stopped };
            if (!result.ok) return { ok: false, detail: 'the run failed' };
            if (failedStep !== undefined) return { ok: false, detail: `step '${failedStep}' failed` };
            if (errorLog !== undefined) return { ok: false, detail: `error logged: ${errorLog}` };
            return { ok: true };
          },
        });
      } catch (e) {
        if (!(e instanceof RequestError)) throw e;
        diagnostics.push({ code: 'E_REQUEST', severity: 'error', message: e.message, text: e.message });
        jobs.push({ name, needs: job.needs, diagnostics });
      }
    }
    return jobs;
  },
};

registerPipelineKind(melKind);
registerPipelineKind(githubKind);
registerPipelineKind(gitlabKind);
