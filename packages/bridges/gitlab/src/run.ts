/**
 * Runs a plan as a graph on the shared job scheduler (`@tutti/pipeline`): a job starts the
 * moment its `needs` are done (without `needs`, when every job of the earlier stages is), its
 * workspace and containers are prepared ahead while it waits, and its artifacts flow to the
 * jobs that depend on it as one tar stream, extracted into their prepared workspaces while it is
 * written (and into the shared artifact store, kept for later runs); dotenv reports go with the
 * job's outcome.
 *
 * One job, as GitLab's runner does it: a fresh copy of the project; artifacts of its
 * dependencies extracted into it; caches restored; `before_script` and `script` in one shell
 * (bash on the host — the shell executor — or in the job's `image:` through podman/docker,
 * with its `services:` on the same network), stopped at the first failing command; then
 * `after_script` in a shell of its own with `CI_JOB_STATUS`, whatever happened; caches saved
 * and artifacts uploaded per their `when`. `timeout` kills the job, `retry` runs it again,
 * `allow_failure` (with `exit_codes`) turns a failure into a warning.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { StepState } from '@tutti/core';
import { ContainerEngine, type ContainerSet, startContainerSet } from '@tutti/lib-work';
import { ArtifactStore, CacheStore, cacheVersion, graphCriticalPath, type JobOutcome, runGraph } from '@tutti/pipeline';
import { extractTo, extractToUpload, fanOut, packFiles } from './artifact-stream.js';
import { slug } from './context.js';
import { globToRegExp } from './glob.js';
import type { PlannedJob } from './plan.js';
import { type Section, SectionTracker, sectionEnd, sectionStart } from './sections.js';
import { asDefs, expandText, parseDotenv, resolveVariables } from './variables.js';
import { copyProject, emptyDir, projectFiles, walkFiles } from './workspace.js';

/** A job's end, in GitLab's words (`warning`: failed, allowed to fail; `manual`: not played). */
export type JobStatus = 'success' | 'failed' | 'warning' | 'skipped' | 'manual' | 'canceled';

export interface JobRecord {
  readonly name: string;
  readonly stage: string;
  readonly status: JobStatus;
  readonly allowFailure: boolean;
  readonly exitCode: number | undefined;
  /** Why it failed or was skipped, in words. */
  readonly reason: string | undefined;
  /** Milliseconds from the run's start (undefined when it did not run). */
  readonly startedAt: number | undefined;
  readonly durationMs: number;
  readonly attempts: number;
  readonly logFile: string | undefined;
  readonly sections: readonly Section[];
  readonly artifacts: readonly string[];
}

export interface RunEvents {
  /** A job's state changed (the shared StepState vocabulary). */
  state?(job: PlannedJob, state: StepState, detail?: string): void;
  /** A line of a job's output (raw, with escapes; section markers included). */
  line?(job: PlannedJob, text: string): void;
}

export interface RunnerOptions {
  readonly root: string;
  /** Jobs to run (a plan's jobs, or a selection of them). */
  readonly jobs: readonly PlannedJob[];
  /** Every job of the plan (for needs outside the selection). */
  readonly allJobs: readonly PlannedJob[];
  readonly predefined: Record<string, string>;
  readonly pipelineVariables: Record<string, string>;
  /** Manual jobs to play. */
  readonly manual: ReadonlySet<string>;
  /** `.tutti/gitlab` under the project: artifacts and caches persist there between runs. */
  readonly stateDir: string;
  readonly logsDir: string | undefined;
  readonly signal?: AbortSignal;
  readonly events?: RunEvents;
  /** Jobs running at once (default: no limit, as a GitLab instance with enough runners). */
  readonly concurrency?: number /**
   * Dotenv reports of jobs outside the selection (by job name), for a host that runs the jobs
   * of one pipeline one at a time (`tutti serve`): a job receives them as it would this run's.
   */;
  readonly dotenv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Seconds a job waits for its services' ports to answer before its script starts (GitLab
   * runner's `wait_for_services_timeout`, default 30); 0 or less: no wait.
   */
  readonly servicesTimeout?: number;
  /** Hides masked variables' values in every line of a job (its log file and the view). */
  readonly mask?: (text: string) => string;
}

/** A started service of a job: where it answers and what to wait for. */
interface StartedService {
  /** The service as the job's file names it (image name). */
  readonly image: string;
  /** The name the probe uses (its first alias). */
  readonly host: string;
  readonly container: string;
  /** TCP ports to wait for: HEALTHCHECK_TCP_PORT, else the ports the image exposes. */
  readonly ports: readonly number[];
}

export interface RunResult {
  readonly jobs: readonly JobRecord[];
  readonly wallMs: number;
  /** From the scheduler's start to the last job's end (no set-up before, no clean-up after). */
  readonly graphMs: number;
  /** The chain of jobs no parallelism could shorten, and its summed run time. */
  readonly criticalPath: { readonly ids: readonly string[]; readonly ms: number };
  readonly ok: boolean;
  /** The dotenv reports (`artifacts:reports:dotenv`) the jobs that ran produced, by job name. */
  readonly dotenv: Readonly<Record<string, Record<string, string>>>;
}

interface Prepared {
  readonly workspace: string;
  /** Where scripts are written (host path) and how the shell sees that folder. */
  readonly scriptsHost: string;
  readonly scriptsSeen: string;
  /** The project directory as the job sees it. */
  readonly projectDir: string;
  readonly set: ContainerSet | undefined;
  readonly container: string | undefined;
  readonly engine: ContainerEngine | undefined;
  readonly tempDir: string | undefined;
  readonly services: readonly StartedService[];
  /**
   * What the job's shell runs under in its container, as GitLab's Docker executor runs it: the
   * job's `image: entrypoint` when given (`[""]`: none), else the image's own ENTRYPOINT; the
   * shell and its script are its arguments.
   */
  readonly entrypoint: readonly string[];
}

interface Value {
  readonly record: JobRecord;
  readonly dotenv: Record<string, string>;
}

/** The preparation of a job prepared only when it starts. */
const LAZY: Prepared = {
  workspace: '',
  scriptsHost: '',
  scriptsSeen: '',
  projectDir: '',
  set: undefined,
  container: undefined,
  engine: undefined,
  tempDir: undefined,
  services: [],
  entrypoint: [],
};

/** Store names are the jobs' names, made safe for a folder name. */
export function artifactName(job: string): string {
  return encodeURIComponent(job);
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell script of a list of commands, echoed as GitLab echoes them. */
export function scriptText(commands: readonly string[], trace = true): string {
  let out = '(set -o pipefail) 2>/dev/null && set -o pipefail\nset -e\nset +o noclobber 2>/dev/null || true\n';
  for (const c of commands) {
    const lines = c.split('\n');
    const shown =
      lines.length > 1 && lines.slice(1).some((l) => l.trim() !== '') ? `${lines[0]} # collapsed multi-line command` : (lines[0] as string);
    if (trace) out += `printf '%s\\n' ${shellQuote(`\x1b[32;1m$ ${shown}\x1b[0;m`)}\n`;
    out += `${c}\n`;
  }
  return out;
}

/** Runs the jobs; resolves when every one is settled. */
export async function runJobs(options: RunnerOptions): Promise<RunResult> {
  const t0 = performance.now();
  const runId = `gl${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const files = projectFiles(options.root);
  const fileSet = new Set(files);
  const artifacts = await ArtifactStore.open(join(options.stateDir, 'artifacts'));
  const caches = await CacheStore.open(join(options.stateDir, 'cache'));
  const runDir = await mkdtemp(join(tmpdir(), 'tutti-gitlab-'));
  if (options.logsDir !== undefined) mkdirSync(options.logsDir, { recursive: true });
  const selected = new Map(options.jobs.map((j) => [j.name, j]));
  const events = options.events ?? {};
  // No engine fails the jobs that need one (as a runner system failure), not the whole run.
  let engine: ContainerEngine | undefined;
  let engineError: Error | undefined;
  if (options.jobs.some((j) => j.image !== undefined || j.services.length > 0))
    try {
      engine = ContainerEngine.fromEnvironment();
    } catch (e) {
      engineError = e as Error;
    }

  // The graph: explicit needs, or every earlier-stage job, within the selection.
  const graphJobs = options.jobs.map((j) => ({
    id: j.name,
    job: j,
    needs: (j.needs === undefined
      ? options.jobs.filter((o) => o.stageIndex < j.stageIndex).map((o) => o.name)
      : j.needs.map((n) => n.job)
    ).filter((n) => selected.has(n)),
  }));

  const projectPathIn = (j: PlannedJob): string =>
    j.image !== undefined ? `/builds/${options.predefined.CI_PROJECT_PATH ?? 'project'}` : '';

  // Why a preparation failed (no engine, a missing image), for the view and the report.
  const prepareErrors = new Map<string, string>();
  // Jobs that usually do not run (manual ones not played, when: on_failure) are prepared when
  // they start, not ahead: no workspace or containers for nothing.
  const lazy = (j: PlannedJob): boolean =>
    j.when === 'on_failure' || (j.when === 'manual' && !options.manual.has(j.name) && !options.manual.has(j.base));
  const lazyPrepared: [(typeof graphJobs)[number], Prepared][] = [];
  // Prepared workspaces of jobs that have not started, by job: a job's artifacts stream into them.
  const preparedOf = new Map<string, Prepared>();
  // Artifacts already streamed into a prepared workspace: dependency → its files.
  const delivered = new WeakMap<Prepared, Map<string, readonly string[]>>();
  const prepare = async (g: (typeof graphJobs)[number], signal: AbortSignal): Promise<Prepared> => {
    if (lazy(g.job)) return LAZY;
    const p = await prepareNow(g, signal);
    preparedOf.set(g.id, p);
    return p;
  };
  const prepareNow = async (g: (typeof graphJobs)[number], signal: AbortSignal): Promise<Prepared> => {
    try {
      return await prepareJob(g, signal);
    } catch (e) {
      prepareErrors.set(g.id, (e as Error).message);
      throw e;
    }
  };
  const prepareJob = async (g: (typeof graphJobs)[number], signal: AbortSignal): Promise<Prepared> => {
    const j = g.job;
    const base = join(runDir, slug(j.name) || 'job');
    if (j.image === undefined && j.services.length === 0) {
      const workspace = join(base, 'project');
      await copyProject(options.root, files, workspace);
      const scripts = join(base, 'scripts');
      mkdirSync(scripts, { recursive: true });
      return {
        workspace,
        scriptsHost: scripts,
        scriptsSeen: scripts,
        projectDir: workspace,
        set: undefined,
        container: undefined,
        engine: undefined,
        tempDir: base,
        services: [],
        entrypoint: [],
      };
    }
    if (engine === undefined) throw engineError ?? new Error('no container engine');
    const e = engine;
    const projectDir = projectPathIn(j) || `/builds/${options.predefined.CI_PROJECT_PATH ?? 'project'}`;
    const vars = resolveVariables([asDefs(options.predefined), j.variables, asDefs(options.pipelineVariables)]);
    // Image names may use variables (`image: $image` from a matrix), as on GitLab.
    const image = expandText(j.image?.name ?? 'localhost/debian:bookworm', (n) => vars[n]);
    mkdirSync(base, { recursive: true });
    // Each service: a container named after its first alias (when free), reachable by every alias.
    const used = new Set(['job']);
    const services = j.services.map((s, i) => {
      const env: Record<string, string> = { ...vars };
      for (const [k, v] of Object.entries(s.variables)) env[k] = expandText(v, (n) => env[n] ?? vars[n]);
      const first = s.aliases.find((a) => !used.has(a) && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
      const name = first ?? `service-${i}`;
      used.add(name);
      return { spec: s, name, env, image: expandText(s.name, (n) => vars[n]) };
    });
    const [entrypoint, ports] = await Promise.all([
      j.image?.entrypoint !== undefined ? Promise.resolve(j.image.entrypoint) : imageEntrypoint(e, image, signal),
      Promise.all(services.map((s) => servicePorts(e, s.image, s.env.HEALTHCHECK_TCP_PORT, signal))),
    ]);
    const set = await startContainerSet(
      {
        runId: `${runId}-${slug(j.name).slice(0, 20)}`,
        maxDuration: j.timeout + 600,
        volumes: [
          { name: 'builds', storage: 0 },
          { name: 'scripts', storage: 0 },
        ],
        containers: [
          {
            name: 'job',
            image,
            memory: 0,
            cpu: 0,
            storage: 0,
            arch: undefined,
            mounts: [
              { name: 'builds', point: projectDir },
              { name: 'scripts', point: '/tutti-scripts' },
            ],
          },
        ],
        serviceContainers: services.map((s) => ({
          name: s.name,
          image: s.image,
          memory: 0,
          cpu: 0,
          storage: 0,
          arch: undefined,
          mounts: [],
          env: s.env,
          command: s.spec.command,
          entrypoint: s.spec.entrypoint,
          aliases: s.spec.aliases,
        })),
      },
      { engine: e, workDir: base, signal },
    );
    const workspace = set.env.MELODIUM_RUN_VOLUME_builds as string;
    await copyProject(options.root, files, workspace);
    return {
      workspace,
      scriptsHost: set.env.MELODIUM_RUN_VOLUME_scripts as string,
      scriptsSeen: '/tutti-scripts',
      projectDir,
      set,
      container: set.env.MELODIUM_RUN_CONTAINER_job,
      engine: e,
      tempDir: base,
      entrypoint: entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint,
      services: services.map((s, i) => ({
        image: s.spec.name,
        host: s.name,
        container: set.env[`MELODIUM_RUN_SERVICE_CONTAINER_${s.name}`] as string,
        ports: ports[i] as number[],
      })),
    };
  };

  // Cleanup is started, not awaited: the scheduler settles a job after its release, and the
  // jobs waiting on it should not wait for a container removal too. The run awaits them all.
  const cleanups: Promise<unknown>[] = [];
  const release = (g: (typeof graphJobs)[number], p: Prepared): void => {
    if (p === LAZY) return;
    if (preparedOf.get(g.id) === p) preparedOf.delete(g.id);
    cleanups.push(
      (async () => {
        if (p.set !== undefined) await p.set.close();
        if (p.tempDir !== undefined) await rm(p.tempDir, { recursive: true, force: true });
      })(),
    );
  };

  const records = new Map<string, JobRecord>();
  const skipRecord = (j: PlannedJob, status: JobStatus, reason: string): JobRecord => ({
    name: j.name,
    stage: j.stage,
    status,
    allowFailure: j.allowFailure,
    exitCode: undefined,
    reason,
    startedAt: undefined,
    durationMs: 0,
    attempts: 0,
    logFile: undefined,
    sections: [],
    artifacts: [],
  });

  const decide = (g: (typeof graphJobs)[number], needs: ReadonlyMap<string, JobOutcome<Value>>): 'run' | 'skip' => {
    const j = g.job;
    const statusOf = (o: JobOutcome<Value>): JobStatus =>
      records.get(o.id)?.status ??
      (o.result === 'cancelled'
        ? 'canceled'
        : o.result === 'failure'
          ? selected.get(o.id)?.allowFailure
            ? 'warning'
            : 'failed'
          : 'skipped');
    const statuses = [...needs.values()].map(statusOf);
    const failed = statuses.includes('failed');
    const canceled = statuses.includes('canceled');
    let run: boolean;
    let reason = '';
    if (j.when === 'always') run = true;
    else if (j.when === 'on_failure') {
      run = failed;
      reason = 'no earlier job failed (when: on_failure)';
    } else {
      const viaNeeds = j.needs !== undefined;
      const blocked = viaNeeds
        ? statuses.some((s) => s !== 'success' && s !== 'warning')
        : failed || canceled || [...needs.values()].some((o) => statusOf(o) === 'manual' && !(selected.get(o.id)?.allowFailure ?? true));
      run = !blocked;
      reason = failed
        ? 'an earlier job failed'
        : canceled
          ? 'an earlier job was canceled'
          : viaNeeds
            ? 'a needed job did not succeed'
            : 'a blocking manual job was not played';
      if (run && j.when === 'manual' && !options.manual.has(j.name) && !options.manual.has(j.base)) {
        records.set(j.name, skipRecord(j, 'manual', 'manual job (play it with --manual)'));
        return 'skip';
      }
    }
    if (!run) records.set(j.name, skipRecord(j, 'skipped', reason));
    return run ? 'run' : 'skip';
  };

  const run = async (
    g: (typeof graphJobs)[number],
    ctx: { prepared: Prepared | undefined; needs: ReadonlyMap<string, JobOutcome<Value>>; signal: AbortSignal },
  ) => {
    const j = g.job;
    let p = ctx.prepared as Prepared;
    preparedOf.delete(g.id); // started: nothing streams into it any more
    if (p === LAZY) {
      p = await prepareNow(g, ctx.signal);
      lazyPrepared.push([g, p]); // the scheduler releases LAZY (nothing); this is cleaned up at the end
    }
    // resource_group: one job of a group at a time (GitLab's default process mode, unordered).
    let releaseGroup: (() => void) | undefined;
    if (j.resourceGroup !== undefined) {
      const vars = jobVariables(j, ctx.needs, p);
      const group = expandText(j.resourceGroup, (n) => vars[n]);
      if (groups.busy(group)) events.state?.(j, 'waiting', `waiting for resource: ${group}`);
      releaseGroup = await groups.acquire(group, ctx.signal);
      if (releaseGroup === undefined) return { result: 'cancelled' as const };
    }
    try {
      return await runAcquired(j, p, ctx);
    } finally {
      releaseGroup?.();
    }
  };

  const runAcquired = async (
    j: PlannedJob,
    p: Prepared,
    ctx: { prepared: Prepared | undefined; needs: ReadonlyMap<string, JobOutcome<Value>>; signal: AbortSignal },
  ) => {
    if (j.resourceGroup !== undefined) events.state?.(j, 'running');
    const startedAt = performance.now() - t0;
    if (j.when === 'delayed' && j.startIn > 0) {
      events.state?.(j, 'waiting', `delayed ${Math.round(j.startIn / 1000)} s`);
      await sleep(j.startIn, ctx.signal);
    }
    const logFile = options.logsDir === undefined ? undefined : join(options.logsDir, `${slug(j.name) || 'job'}.log`);
    const log = logFile === undefined ? undefined : createWriteStream(logFile);
    const tracker = new SectionTracker();
    const mask = options.mask;
    const emit = (raw: string): void => {
      const text = mask === undefined ? raw : mask(raw);
      tracker.feed(text);
      log?.write(`${text}\n`);
      events.line?.(j, text);
    };
    let attempts = 0;
    let outcome: { exitCode: number | undefined; reason: string | undefined; timedOut: boolean; canceled: boolean };
    let dotenv: Record<string, string> = {};
    let uploaded: string[] = [];
    try {
      for (;;) {
        attempts++;
        if (attempts > 1) {
          emit(`Retrying (attempt ${attempts} of ${j.retry.max + 1})`);
          await emptyDir(p.workspace);
          delivered.delete(p);
          await copyProject(options.root, files, p.workspace);
        }
        outcome = await runOnce(j, p, ctx.needs, emit, ctx.signal);
        const failed = outcome.exitCode !== 0;
        const reasonKind = outcome.timedOut ? 'job_execution_timeout' : 'script_failure';
        const retryable =
          failed &&
          !outcome.canceled &&
          attempts <= j.retry.max &&
          (j.retry.when.includes('always') || j.retry.when.includes(reasonKind)) &&
          (j.retry.exitCodes.length === 0 || (outcome.exitCode !== undefined && j.retry.exitCodes.includes(outcome.exitCode)));
        if (!retryable) break;
      }
      const success = outcome.exitCode === 0;
      // Artifacts and dotenv reports, per artifacts:when.
      const a = j.artifacts;
      if (a !== undefined && (a.when === 'always' || (a.when === 'on_success') === success) && !outcome.canceled) {
        emit(
          sectionStart(
            `upload_artifacts_on_${success ? 'success' : 'failure'}`,
            `Uploading artifacts for ${success ? 'successful' : 'failed'} job`,
          ),
        );
        const vars = jobVariables(j, ctx.needs, p);
        uploaded = await collectArtifacts(
          p.workspace,
          a.paths.map((x) => expandText(x, (n) => vars[n])),
          a.exclude,
          a.untracked ? fileSet : undefined,
        );
        if (uploaded.length === 0) emit(`WARNING: ${a.paths.join(', ') || '(no paths)'}: no matching files`);
        const streamedTo = await uploadArtifacts(j, p.workspace, uploaded);
        emit(
          `Uploaded ${uploaded.length} file${uploaded.length === 1 ? '' : 's'} as artifacts of ${j.name}${streamedTo.length === 0 ? '' : ` (streamed to ${streamedTo.join(', ')})`}`,
        );
        for (const f of a.dotenv) {
          try {
            dotenv = { ...dotenv, ...parseDotenv(await readFile(join(p.workspace, f), 'utf8')) };
          } catch {
            emit(`WARNING: dotenv report ${f} not found`);
          }
        }
        emit(sectionEnd(`upload_artifacts_on_${success ? 'success' : 'failure'}`));
      }
    } finally {
      await new Promise<void>((r) => (log === undefined ? r() : log.end(r)));
    }
    const exit = outcome.exitCode;
    const allowed =
      exit !== 0 &&
      !outcome.canceled &&
      (j.allowFailure || (j.allowExitCodes !== undefined && exit !== undefined && j.allowExitCodes.includes(exit)));
    const status: JobStatus = outcome.canceled ? 'canceled' : exit === 0 ? 'success' : allowed ? 'warning' : 'failed';
    const record: JobRecord = {
      name: j.name,
      stage: j.stage,
      status,
      allowFailure: j.allowFailure || j.allowExitCodes !== undefined,
      exitCode: exit,
      reason: outcome.reason,
      startedAt,
      durationMs: performance.now() - t0 - startedAt,
      attempts,
      logFile,
      sections: tracker.sections,
      artifacts: uploaded,
    };
    records.set(j.name, record);
    const value: Value = { record, dotenv };
    // A warning is a success for the graph; the status stays in the record.
    return {
      result: status === 'failed' ? ('failure' as const) : status === 'canceled' ? ('cancelled' as const) : ('success' as const),
      value,
    };
  };

  /**
   * Packs the files once into a tar stream read by the store and by every prepared job that
   * depends on this one, as it is written; returns the jobs that received it. The store's copy
   * must succeed (else the upload fails, as before); a job whose extraction fails downloads
   * from the store when it starts instead.
   */
  const uploadArtifacts = async (j: PlannedJob, workspace: string, rels: readonly string[]): Promise<string[]> => {
    const targets = graphJobs
      .filter((g) => g.needs.includes(j.name) && g.job.dependencies.includes(j.name) && preparedOf.has(g.id))
      .map((g) => ({ name: g.id, p: preparedOf.get(g.id) as Prepared }));
    const up = await artifacts.upload(artifactName(j.name), { overwrite: true });
    try {
      const results = await fanOut(await packFiles(workspace, rels), [
        (s) => extractToUpload(up, s),
        ...targets.map((t) => (s: import('node:stream').Readable) => extractTo(t.p.workspace, s)),
      ]);
      const stored = results[0] as (typeof results)[number];
      if (!stored.ok) throw stored.error;
      await up.finish();
      const got: string[] = [];
      for (const [i, t] of targets.entries()) {
        const r = results[i + 1] as (typeof results)[number];
        if (!r.ok) continue;
        let m = delivered.get(t.p);
        if (m === undefined) delivered.set(t.p, (m = new Map()));
        m.set(j.name, r.value);
        got.push(t.name);
      }
      return got;
    } catch (e) {
      await up.abort();
      throw e;
    }
  };

  /** Variables of a job at run time (precedence in variables.ts). */
  const jobVariables = (j: PlannedJob, needs: ReadonlyMap<string, JobOutcome<Value>>, p: Prepared): Record<string, string> => {
    const dotenv: Record<string, string> = {};
    for (const d of j.dependencies) Object.assign(dotenv, needs.get(d)?.value?.dotenv ?? options.dotenv?.[d] ?? {});
    const jobPredefined: Record<string, string> = {
      CI_JOB_NAME: j.name,
      CI_JOB_NAME_SLUG: slug(j.name),
      CI_JOB_STAGE: j.stage,
      CI_JOB_ID: String(jobIds.get(j.name) ?? 0),
      CI_JOB_URL: `${options.predefined.CI_PROJECT_URL}/-/jobs/${jobIds.get(j.name) ?? 0}`,
      CI_JOB_STARTED_AT: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      CI_JOB_TIMEOUT: String(j.timeout),
      CI_JOB_MANUAL: j.when === 'manual' ? 'true' : '',
      CI_PROJECT_DIR: p.projectDir,
      CI_BUILDS_DIR: resolve(p.projectDir, '..'),
      CI_CONCURRENT_ID: '0',
      CI_CONCURRENT_PROJECT_ID: '0',
      CI_SHARED_ENVIRONMENT: p.container === undefined ? 'true' : '',
      CI_DISPOSABLE_ENVIRONMENT: p.container === undefined ? '' : 'true',
    };
    if (j.image !== undefined) jobPredefined.CI_JOB_IMAGE = j.image.name;
    if (j.nodeIndex !== undefined) {
      jobPredefined.CI_NODE_INDEX = String(j.nodeIndex);
      jobPredefined.CI_NODE_TOTAL = String(j.nodeTotal);
    }
    if (j.environment !== undefined && j.environment !== '') {
      jobPredefined.CI_ENVIRONMENT_NAME = j.environment;
      jobPredefined.CI_ENVIRONMENT_SLUG = slug(j.environment).slice(0, 24);
    }
    for (const k of Object.keys(jobPredefined)) if (jobPredefined[k] === '') delete jobPredefined[k];
    return resolveVariables([
      asDefs(options.predefined),
      asDefs(jobPredefined),
      j.variables,
      asDefs(dotenv),
      asDefs(options.pipelineVariables),
    ]);
  };

  const jobIds = new Map(options.allJobs.map((j, i) => [j.name, i + 1]));

  const runOnce = async (
    j: PlannedJob,
    p: Prepared,
    needs: ReadonlyMap<string, JobOutcome<Value>>,
    emit: (t: string) => void,
    signal: AbortSignal,
  ): Promise<{ exitCode: number | undefined; reason: string | undefined; timedOut: boolean; canceled: boolean }> => {
    const vars = jobVariables(j, needs, p);
    emit(
      `Running with tutti gitlab (${p.container === undefined ? 'shell executor' : `${p.engine?.kind} executor, image ${j.image?.name ?? 'localhost/debian:bookworm'}`})`,
    );
    if (p.services.length > 0 && !waited.has(p)) {
      waited.add(p);
      await waitForServices(p, emit, signal);
    }
    // Artifacts of the dependencies (this run's, or a previous run's for jobs outside the selection).
    if (j.dependencies.length > 0) {
      emit(sectionStart('download_artifacts', 'Downloading artifacts'));
      // Streamed in ahead, unless two dependencies share a path and arrived out of the
      // dependencies' order: then every one is extracted again, in order, from the store.
      const got = delivered.get(p);
      const seen = new Set<string>();
      let overlap = false;
      for (const d of j.dependencies)
        for (const f of got?.get(d) ?? records.get(d)?.artifacts ?? []) {
          if (seen.has(f)) overlap = true;
          seen.add(f);
        }
      for (const d of j.dependencies) {
        const streamed = overlap ? undefined : got?.get(d);
        if (streamed !== undefined) {
          emit(`Received ${streamed.length} file${streamed.length === 1 ? '' : 's'} from ${d} (streamed while it uploaded)`);
          continue;
        }
        if ((await artifacts.info(artifactName(d))) === undefined) {
          if (!selected.has(d)) emit(`WARNING: no artifacts of ${d} (not part of this run, and no earlier run left any)`);
          continue;
        }
        const info = await artifacts.download(artifactName(d), p.workspace);
        emit(`Downloaded ${info.files} file${info.files === 1 ? '' : 's'} from ${d}`);
      }
      emit(sectionEnd('download_artifacts'));
    }
    // Caches.
    const cacheKeys = j.cache.map((c) => cacheKey(c.key, vars, p.workspace));
    for (const [i, c] of j.cache.entries()) {
      if (c.policy === 'push') continue;
      const key = cacheKeys[i];
      const paths = c.paths.map((x) => expandText(x, (n) => vars[n]));
      const hit = await restoreCache(
        caches,
        key as string,
        c.fallbackKeys.map((k) => expandText(k, (n) => vars[n])),
        paths,
        p.workspace,
      );
      emit(hit === undefined ? `No cache found for ${key}` : `Restored cache ${hit}`);
    }
    const env = { ...vars };
    const timeoutMs = j.timeout * 1000;
    const main = await shell(j, p, 'step_script', [...j.beforeScript, ...j.script], env, emit, signal, timeoutMs);
    let reason: string | undefined;
    if (main.canceled) reason = 'canceled';
    else if (main.timedOut) reason = `timed out after ${j.timeout} s (job_execution_timeout)`;
    else if (main.code !== 0) reason = main.code === undefined ? main.error : `script exited with code ${main.code}`;
    const success = main.code === 0;
    if (j.afterScript.length > 0 && !main.canceled) {
      const status = success ? 'success' : 'failed';
      const after = await shell(j, p, 'after_script', j.afterScript, { ...env, CI_JOB_STATUS: status }, emit, signal, 5 * 60 * 1000);
      if (after.code !== 0) emit(`WARNING: after_script failed (exit code ${after.code ?? after.error}), ignored`);
    }
    // Caches saved per cache:when.
    for (const [i, c] of j.cache.entries()) {
      if (c.policy === 'pull' || main.canceled) continue;
      if (!(c.when === 'always' || (c.when === 'on_success') === success)) continue;
      const key = cacheKeys[i] as string;
      const wanted = c.paths.map((x) => expandText(x, (n) => vars[n]));
      const paths = await cachePaths(p.workspace, wanted, c.untracked ? fileSet : undefined);
      if (paths.length === 0) {
        emit(`WARNING: cache ${key}: no matching files`);
        continue;
      }
      await caches.save(key, wanted, p.workspace, { overwrite: true });
      emit(`Saved cache ${key}`);
    }
    return { exitCode: main.code, reason, timedOut: main.timedOut, canceled: main.canceled };
  };

  const groups = new ResourceGroups();
  /** Preparations whose services were waited for (a retry does not wait again). */
  const waited = new WeakSet<Prepared>();
  const servicesTimeout = options.servicesTimeout ?? 30;
  /**
   * As GitLab's runner: each service's ports are probed from the job's network until they
   * accept a connection; one that does not within the timeout gets the runner's warning with
   * the service's logs, and the job goes on.
   */
  const waitForServices = async (p: Prepared, emit: (t: string) => void, signal: AbortSignal): Promise<void> => {
    const e = p.engine as ContainerEngine;
    const waits = p.services.filter((s) => s.ports.length > 0);
    if (waits.length === 0 || servicesTimeout <= 0) return;
    emit(sectionStart('prepare_services', 'Waiting for services'));
    const results = await Promise.all(
      waits.map(async (s) => {
        const t = performance.now();
        for (const port of s.ports) {
          const r = await e.run(
            ['exec', p.container as string, 'sh', '-c', PROBE, 'probe', s.host, String(port), String(servicesTimeout)],
            signal,
          );
          if (r.code !== 0)
            return {
              s,
              port,
              error:
                r.code === 3 ? r.stderr.trim() : `service "${s.host}" timeout: port ${port} did not answer within ${servicesTimeout} s`,
            };
        }
        return { s, port: 0, error: undefined, ms: performance.now() - t };
      }),
    );
    for (const r of results) {
      if (r.error === undefined) {
        emit(`Service ${r.s.image} (${r.s.host}) answers on port${r.s.ports.length === 1 ? '' : 's'} ${r.s.ports.join(', ')}`);
        continue;
      }
      const logs = await e.run(['logs', '--tail', '20', r.s.container]);
      emit(`*** WARNING: Service ${r.s.image} (${r.s.host}) probably didn't start properly.`);
      emit('');
      emit('Health check error:');
      emit(r.error);
      emit('');
      emit('Service container logs:');
      for (const l of `${logs.stdout}${logs.stderr}`.split('\n')) if (l !== '') emit(l);
      emit('');
      emit('*********');
    }
    emit(sectionEnd('prepare_services'));
  };

  let scriptSeq = 0;
  const shell = async (
    _j: PlannedJob,
    p: Prepared,
    section: string,
    commands: readonly string[],
    env: Record<string, string>,
    emit: (t: string) => void,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<{ code: number | undefined; error: string; timedOut: boolean; canceled: boolean }> => {
    emit(sectionStart(section, section === 'after_script' ? 'Running after_script' : 'Executing "step_script" stage of the job script'));
    const file = `script-${++scriptSeq}.sh`;
    await writeFile(join(p.scriptsHost, file), scriptText(commands), { mode: 0o755 });
    let child: ChildProcess;
    if (p.container === undefined) {
      child = spawn('bash', [join(p.scriptsSeen, file)], {
        cwd: p.workspace,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } else {
      const e = p.engine as ContainerEngine;
      const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const launcher = `if command -v bash >/dev/null 2>&1; then exec bash "$0"; else exec sh "$0"; fi`;
      child = e.spawn(
        ['exec', '-w', p.projectDir, ...envArgs, p.container, ...p.entrypoint, 'sh', '-c', launcher, `${p.scriptsSeen}/${file}`],
        ['ignore', 'pipe', 'pipe'],
      );
    }
    const result = await watch(child, emit, signal, timeoutMs);
    emit(sectionEnd(section));
    return result;
  };

  let result: Map<string, JobOutcome<Value>>;
  try {
    result = await runGraph<(typeof graphJobs)[number], Prepared, Value>({
      jobs: graphJobs,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      prepareConcurrency: Math.max(4, Math.min(16, graphJobs.length)),
      prepare,
      release,
      decide,
      run,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      onState: (g, state) => {
        if (state === 'passed' || state === 'failed' || state === 'skipped' || state === 'cancelled') {
          const r = records.get(g.id);
          const why = prepareErrors.get(g.id);
          // A job that may fail (whose preparation failed) is a warning: it passes, with the reason.
          if (r === undefined && why !== undefined && state === 'failed' && g.job.allowFailure)
            events.state?.(g.job, 'passed', `failed (allowed): ${why}`);
          else events.state?.(g.job, state, r !== undefined ? describe(r) : why !== undefined ? `failed: ${why}` : undefined);
        } else events.state?.(g.job, state);
      },
    });
  } finally {
    for (const [g, p] of lazyPrepared) release(g, p);
    await Promise.allSettled(cleanups);
    await rm(runDir, { recursive: true, force: true });
  }
  const jobs = options.jobs.map((j) => {
    const r = records.get(j.name);
    if (r !== undefined) return r;
    const o = result.get(j.name);
    const error = o?.error instanceof Error ? o.error.message : o?.error === undefined ? undefined : String(o.error);
    if (o?.result === 'failure')
      return { ...skipRecord(j, j.allowFailure ? 'warning' : 'failed', error ?? 'failed'), startedAt: o.startedAt };
    return skipRecord(j, o?.result === 'cancelled' ? 'canceled' : 'skipped', error ?? (o?.result === 'cancelled' ? 'canceled' : 'not run'));
  });
  const cp = graphCriticalPath(graphJobs, result);
  return {
    jobs,
    wallMs: performance.now() - t0,
    graphMs: Math.max(0, ...[...result.values()].map((o) => o.endedAt)),
    criticalPath: cp,
    ok: jobs.every((r) => r.status !== 'failed' && r.status !== 'canceled'),
    dotenv: Object.fromEntries(
      [...result.values()].flatMap((o) => (o.value === undefined ? [] : [[o.id, o.value.dotenv] as [string, Record<string, string>]])),
    ),
  };
}

/** Named locks for `resource_group`: one holder per name, waiters served in arrival order. */
export class ResourceGroups {
  private readonly queues = new Map<string, (() => void)[]>();

  busy(name: string): boolean {
    return this.queues.has(name);
  }

  /** Resolves with the release once the group is this caller's; undefined when `signal` aborts first. */
  acquire(name: string, signal: AbortSignal): Promise<(() => void) | undefined> {
    const release = (): void => {
      const q = this.queues.get(name) as (() => void)[];
      q.shift();
      if (q.length === 0) this.queues.delete(name);
      else (q[0] as () => void)();
    };
    const q = this.queues.get(name);
    if (q === undefined) {
      this.queues.set(name, [() => {}]);
      return Promise.resolve(release);
    }
    return new Promise((resolveAcquire) => {
      const turn = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolveAcquire(release);
      };
      const onAbort = (): void => {
        const i = q.indexOf(turn);
        if (i > 0) q.splice(i, 1);
        resolveAcquire(undefined);
      };
      q.push(turn);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * The probe run in the job's container (`sh -c PROBE probe HOST PORT SECONDS`): connects with
 * bash's /dev/tcp (or `nc -z`), each attempt cut at 2 s (coreutils `timeout`, when the image has
 * it), every 100 ms until the port answers (exit 0) or the time is up (exit 1); exit 3 when the
 * image has neither.
 */
export const PROBE = `h=$1; p=$2; end=$(( $(date +%s) + $3 )); t=; command -v timeout >/dev/null 2>&1 && t="timeout 2"
if command -v bash >/dev/null 2>&1; then try() { $t bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$h" "$p" 2>/dev/null; }
elif command -v nc >/dev/null 2>&1; then try() { nc -z -w 2 "$h" "$p" 2>/dev/null; }
else echo "the job's image has neither bash nor nc to probe port $p of $h" >&2; exit 3; fi
while :; do try && exit 0; [ "$(date +%s)" -ge "$end" ] && exit 1; sleep 0.1 2>/dev/null || sleep 1; done`;

/** An image's ENTRYPOINT (none, or a missing image: empty; the start reports a missing image). */
async function imageEntrypoint(engine: ContainerEngine, image: string, signal: AbortSignal): Promise<string[]> {
  const r = await engine.run(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', image], signal);
  if (r.code !== 0) return [];
  try {
    const list = JSON.parse(r.stdout.trim() || 'null') as unknown;
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

/** The TCP ports a service is waited on: HEALTHCHECK_TCP_PORT when set (as GitLab), else what its image exposes. */
async function servicePorts(
  engine: ContainerEngine,
  image: string,
  healthcheck: string | undefined,
  signal: AbortSignal,
): Promise<number[]> {
  if (healthcheck !== undefined && healthcheck.trim() !== '') {
    const n = Number(healthcheck.trim());
    return Number.isInteger(n) && n > 0 && n < 65536 ? [n] : [];
  }
  const r = await engine.run(['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', image], signal);
  if (r.code !== 0) return []; // a missing image fails the start, with its own message
  try {
    const exposed = JSON.parse(r.stdout.trim() || 'null') as Record<string, unknown> | null;
    return Object.keys(exposed ?? {})
      .filter((k) => k.endsWith('/tcp') || !k.includes('/'))
      .map((k) => Number.parseInt(k, 10))
      .filter((n) => Number.isInteger(n) && n > 0)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** A record's outcome in words (for the live view). */
export function describe(r: JobRecord): string {
  switch (r.status) {
    case 'success':
      return 'passed';
    case 'warning':
      return `failed (allowed): ${r.reason ?? ''}`.trim();
    case 'failed':
      return `failed: ${r.reason ?? ''}`.trim();
    default:
      return `${r.status}${r.reason === undefined || r.reason === r.status ? '' : `: ${r.reason}`}`;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolveSleep();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Streams a child's output line by line to `emit`; kills it on timeout or abort. */
function watch(
  child: ChildProcess,
  emit: (t: string) => void,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ code: number | undefined; error: string; timedOut: boolean; canceled: boolean }> {
  return new Promise((resolveWatch) => {
    let timedOut = false;
    let canceled = false;
    let error = '';
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = (): void => {
      canceled = true;
      kill();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const pending = { out: '', err: '' };
    const feed = (which: 'out' | 'err', chunk: Buffer): void => {
      const text = pending[which] + chunk.toString('utf8');
      const lines = text.split('\n');
      pending[which] = lines.pop() as string;
      for (const l of lines) emit(l.endsWith('\r') && !l.includes('section_') ? l.slice(0, -1) : l);
    };
    child.stdout?.on('data', (b: Buffer) => feed('out', b));
    child.stderr?.on('data', (b: Buffer) => feed('err', b));
    child.once('error', (e) => {
      error = e.message;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (pending.out !== '') emit(pending.out);
      if (pending.err !== '') emit(pending.err);
      resolveWatch({ code: error !== '' ? undefined : timedOut || canceled ? (code ?? 137) : (code ?? 1), error, timedOut, canceled });
    });
  });
}

/** Files of `workspace` matching the artifact paths, minus exclusions (relative paths). */
async function collectArtifacts(
  workspace: string,
  paths: readonly string[],
  exclude: readonly string[],
  untrackedBase: ReadonlySet<string> | undefined,
): Promise<string[]> {
  const all = await walkFiles(workspace);
  const inside = (p: string): string | undefined => {
    const rel = relative(workspace, resolve(workspace, p)).split(sep).join('/');
    return rel.startsWith('..') ? undefined : rel;
  };
  const res = paths
    .map(inside)
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => globToRegExp(p));
  const ex = exclude
    .map(inside)
    .filter((p): p is string => p !== undefined)
    .map((p) => globToRegExp(p));
  return all.filter(
    (f) => (res.some((r) => r.test(f)) || (untrackedBase !== undefined && !untrackedBase.has(f))) && !ex.some((r) => r.test(f)),
  );
}

/** Existing cache paths (for the "no matching files" warning). */
async function cachePaths(workspace: string, paths: readonly string[], untrackedBase: ReadonlySet<string> | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths)
    if (
      await stat(join(workspace, p)).then(
        () => true,
        () => false,
      )
    )
      out.push(p);
  if (untrackedBase !== undefined) for (const f of await walkFiles(workspace)) if (!untrackedBase.has(f)) out.push(f);
  return out;
}

/**
 * GitLab's cache key: the text (variables expanded), or for `key: files:` a hash of those files
 * (small lock files, read at once), after `prefix-`. Shared with the import.
 */
export function cacheKey(key: PlannedJob['cache'][number]['key'], vars: Record<string, string>, workspace: string): string {
  if (typeof key === 'string') {
    const k = expandText(key, (n) => vars[n]).replace(/\//g, '-');
    return k === '' || k === '.' || k === '..' ? 'default' : k;
  }
  const h = createHash('sha1');
  let any = false;
  for (const f of key.files) {
    const abs = join(
      workspace,
      expandText(f, (n) => vars[n]),
    );
    if (existsSync(abs)) {
      h.update(f).update('\0').update(readFileSync(abs));
      any = true;
    }
  }
  const digest = any ? h.digest('hex') : 'default';
  const prefix = key.prefix === undefined ? '' : `${expandText(key.prefix, (n) => vars[n])}-`;
  return `${prefix}${digest}`;
}

/** GitLab restores the key, then each fallback key, by exact name. */
async function restoreCache(
  store: CacheStore,
  key: string,
  fallback: readonly string[],
  paths: readonly string[],
  cwd: string,
): Promise<string | undefined> {
  const version = cacheVersion(paths);
  for (const k of [key, ...fallback]) {
    const hit = await store.lookup(k, [], version);
    if (hit !== undefined && hit.key === k) {
      await store.restore(k, [], paths, cwd);
      return k;
    }
  }
  return undefined;
}
