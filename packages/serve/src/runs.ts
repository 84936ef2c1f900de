/**
 * The run queue: runs wait in the database (state `queued`), so a restart loses none; at
 * most `concurrency` execute at once, in the order they were queued. A run clones its
 * workspace, prepares every job (check and launch), lays out their graphs, then starts each
 * job the moment its needs passed; a job whose need did not pass is skipped. Everything a
 * job does is recorded: its state, the steps it reports, the states of its graph's nodes
 * (from the engine's treatment events), its log lines (a JSON-lines file per job).
 *
 * Retry: a retried run keeps its workspace and every job that passed; the chosen job (or
 * every job that did not pass) and the jobs after it run again, in a new attempt. For a
 * `.mel` job the job is the unit: values flowing between treatments are not persisted, so
 * a job's program runs again whole (see docs/serve.md).
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EngineEvent, LogRecord, StepRecord } from '@tutti/engine';
import type { EventBus } from './bus.js';
import { NODE_FLUSH_MS } from './bus.js';
import type { PipelineConfig, ProjectConfig } from './config.js';
import { criticalPath, type LaidOutGraph, layoutGraph } from './graph.js';
import { type DiagnosticInfo, type JobOutcome, type PreparedJob, pipelineKind } from './kinds.js';
import { StatusReporter } from './status.js';
import type { JobRecord, JobState, RunRecord, Store } from './store/types.js';
import { prepareWorkspace } from './workspace.js';

/** A stored job graph: the layout, diagnostics, and node states once the job ended. */
export interface StoredGraph extends LaidOutGraph {
  readonly diagnostics: readonly DiagnosticInfo[];
  /** `[state, start, end]` per node (times in ms since the epoch, 0 when unknown). */
  states?: [string, number, number][];
  critical?: number[];
}

interface LiveJob {
  readonly index: Map<string, number>;
  readonly states: [string, number, number][];
  readonly active: Int32Array;
  readonly dirty: Set<number>;
  timer: NodeJS.Timeout | undefined;
}

/** Options of {@link RunQueue}. */
export interface RunQueueOptions {
  readonly store: Store;
  readonly bus: EventBus;
  readonly dataDir: string;
  readonly concurrency: number;
  /** The project's definition (configuration or API). */
  readonly project: (name: string) => Promise<ProjectConfig | undefined>;
  /** The studio's URL of a run, for commit statuses. */
  readonly runUrl: (id: number) => string;
  /** Server log (stderr by default). */
  readonly serverLog: (message: string) => void;
}

const TERMINAL_JOB: ReadonlySet<JobState> = new Set(['passed', 'failed', 'cancelled', 'skipped', 'interrupted']);

/** The queue and executor of runs. */
export class RunQueue {
  private readonly waiting: number[] = [];
  private readonly active = new Map<number, AbortController>();
  private readonly live = new Map<string, LiveJob>();
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(private readonly o: RunQueueOptions) {}

  /** Marks runs a previous process left running as interrupted and queues the queued ones again. */
  async recover(): Promise<{ interrupted: number[]; requeued: number[] }> {
    const { store } = this.o;
    const interrupted: number[] = [];
    for (const run of await store.listRuns({ states: ['running'], limit: 100_000 })) {
      const now = new Date().toISOString();
      for (const j of await store.listJobs(run.id))
        if (!TERMINAL_JOB.has(j.state))
          await store.putJob({ ...j, state: 'interrupted', endedAt: now, detail: 'the server stopped during the job' });
      await store.updateRun(run.id, { state: 'interrupted', endedAt: now, detail: 'the server stopped during the run' });
      interrupted.push(run.id);
    }
    const queued = (await store.listRuns({ states: ['queued'], limit: 100_000 })).map((r) => r.id).sort((a, b) => a - b);
    for (const id of queued) this.enqueue(id);
    return { interrupted, requeued: queued };
  }

  /** Queues a run (already stored as queued). */
  enqueue(id: number): void {
    this.waiting.push(id);
    this.pump();
  }

  /** Runs executing now. */
  get running(): number[] {
    return [...this.active.keys()];
  }

  /** Queued runs, in order. */
  get queued(): readonly number[] {
    return this.waiting;
  }

  /** Current node states of a job that is running, else undefined. */
  liveStates(run: number, job: string): [string, number, number][] | undefined {
    return this.live.get(`${run}/${job}`)?.states;
  }

  /** Cancels a queued or running run; false when it is neither. */
  async cancel(id: number): Promise<boolean> {
    const i = this.waiting.indexOf(id);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      const now = new Date().toISOString();
      await this.o.store.updateRun(id, { state: 'cancelled', endedAt: now, detail: 'cancelled before it started' });
      const run = await this.o.store.getRun(id);
      if (run !== undefined) this.o.bus.emit({ type: 'run', run: id, state: 'cancelled', project: run.project, pipeline: run.pipeline });
      this.notifyIdle();
      return true;
    }
    const controller = this.active.get(id);
    if (controller === undefined) return false;
    controller.abort('cancelled');
    return true;
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.waiting.length === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Stops taking runs; cancels running ones (they end as interrupted) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    for (const c of this.active.values()) c.abort('the server is stopping');
    while (this.active.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private notifyIdle(): void {
    if (this.waiting.length > 0 || this.active.size > 0) return;
    for (const f of this.idle) f();
    this.idle.clear();
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.o.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift() as number;
      const controller = new AbortController();
      this.active.set(id, controller);
      this.execute(id, controller.signal)
        .catch((e) => this.o.serverLog(`run ${id}: internal error: ${(e as Error).stack ?? e}`))
        .finally(() => {
          this.active.delete(id);
          this.pump();
          this.notifyIdle();
        });
    }
  }

  private async execute(id: number, signal: AbortSignal): Promise<void> {
    const { store, bus } = this.o;
    const run = await store.getRun(id);
    if (run === undefined || run.state !== 'queued') return;
    const started = new Date().toISOString();
    await store.updateRun(id, { state: 'running', startedAt: started, endedAt: undefined, detail: undefined });
    bus.emit({ type: 'run', run: id, state: 'running', project: run.project, pipeline: run.pipeline });
    const finish = async (state: RunRecord['state'], detail?: string) => {
      const stopping = this.closed && state === 'cancelled';
      const final = stopping ? 'interrupted' : state;
      await store.updateRun(id, { state: final, endedAt: new Date().toISOString(), detail });
      bus.emit({ type: 'run', run: id, state: final, project: run.project, pipeline: run.pipeline });
    };
    const project = await this.o.project(run.project);
    const pipeline = project?.pipelines.find((p) => p.name === run.pipeline);
    if (project === undefined || pipeline === undefined)
      return finish('failed', `the pipeline '${run.project}/${run.pipeline}' no longer exists`);
    const kind = pipelineKind(pipeline.kind);
    if (kind === undefined) return finish('failed', `no pipeline kind '${pipeline.kind}' in this server`);
    const dir = join(this.o.dataDir, 'runs', String(id));
    const logs = new Map<string, WriteStream>();
    const reporter = new StatusReporter(project, run, this.o.runUrl(id), (level, message) =>
      this.o.serverLog(`run ${id}: ${level}: ${message}`),
    );
    try {
      const workspace = join(dir, 'workspace');
      let sha: string;
      try {
        sha = await prepareWorkspace(workspace, project.repository, { sha: run.sha, branch: project.branch, signal });
      } catch (e) {
        return await finish(signal.aborted ? 'cancelled' : 'failed', (e as Error).message);
      }
      const params: Record<string, string> = {
        // A run without a branch of its own (manual, schedule) is on the project's branch.
        ...(project.branch === undefined ? {} : { branch: project.branch }),
        ...run.params,
        sha,
        workspace,
        ref: run.ref ?? '',
        event: run.trigger,
        run: String(id),
      };
      const jobs = await this.prepareJobs(run, pipeline, kind.prepare.bind(kind), workspace, params);
      mkdirSync(join(dir, 'logs'), { recursive: true });
      const outcome = await this.schedule(
        run,
        jobs,
        signal,
        (job) => {
          let s = logs.get(job);
          if (s === undefined) {
            s = createWriteStream(join(dir, 'logs', `${job}.jsonl`), { flags: 'a' });
            logs.set(job, s);
          }
          return s;
        },
        reporter,
      );
      await reporter.settled();
      await this.keepArtifacts(pipeline, workspace, join(dir, 'artifacts'));
      await finish(outcome.state, outcome.detail);
    } finally {
      await Promise.all([...logs.values()].map((s) => new Promise<void>((r) => s.end(r))));
    }
  }

  private async prepareJobs(
    run: RunRecord,
    pipeline: PipelineConfig,
    prepare: (p: PipelineConfig, ws: string, params: Record<string, string>) => Promise<PreparedJob[]>,
    workspace: string,
    params: Record<string, string>,
  ): Promise<{ job: PreparedJob; record: JobRecord }[]> {
    const { store, bus } = this.o;
    const previous = new Map((await store.listJobs(run.id)).map((j) => [j.name, j]));
    const prepared = await prepare(pipeline, workspace, params);
    const out: { job: PreparedJob; record: JobRecord }[] = [];
    for (const job of prepared) {
      const before = previous.get(job.name);
      // A retry resets the jobs it re-runs to waiting; every other job keeps its outcome.
      if (before !== undefined && before.state !== 'waiting') {
        out.push({ job, record: before });
        continue;
      }
      const record: JobRecord = { runId: run.id, name: job.name, state: 'waiting', needs: job.needs, attempt: run.attempt };
      await store.putJob(record);
      const laid = job.graph === undefined ? undefined : await layoutGraph(job.graph, join(this.o.dataDir, 'layouts'));
      const stored: StoredGraph =
        laid === undefined
          ? { nodes: [], edges: [], width: 0, height: 0, layout: 'layered', diagnostics: job.diagnostics }
          : { ...laid, diagnostics: job.diagnostics };
      await store.putGraph(run.id, job.name, JSON.stringify(stored));
      bus.emit({ type: 'graph', run: run.id, job: job.name });
      bus.emit({ type: 'job', run: run.id, job: job.name, state: 'waiting', time: new Date().toISOString() });
      out.push({ job, record });
    }
    return out;
  }

  private async schedule(
    run: RunRecord,
    jobs: { job: PreparedJob; record: JobRecord }[],
    signal: AbortSignal,
    logFile: (job: string) => WriteStream,
    reporter: StatusReporter,
  ): Promise<{ state: RunRecord['state']; detail?: string }> {
    const state = new Map<string, JobState>(jobs.map((j) => [j.record.name, j.record.state]));
    const byName = new Map(jobs.map((j) => [j.record.name, j]));
    for (const j of jobs) if (j.record.state === 'waiting') void reporter.report(j.record.name, 'waiting', 'queued');
    const runningJobs = new Map<string, Promise<void>>();
    for (;;) {
      // Skip jobs whose needs cannot pass; start those whose needs passed.
      for (const { job, record } of jobs) {
        if (state.get(record.name) !== 'waiting') continue;
        const needs = record.needs.map((n) => state.get(n));
        const ended = needs.every((s) => s === undefined || TERMINAL_JOB.has(s));
        const notPassed = needs.some((s) => s !== undefined && s !== 'passed' && TERMINAL_JOB.has(s));
        const when = job.when ?? 'on_success';
        if (signal.aborted) await this.setJob(run, record, 'cancelled', state, reporter, 'the run was cancelled');
        else if (when === 'on_success' && notPassed)
          await this.setJob(run, record, 'skipped', state, reporter, 'a job it needs did not pass');
        else if (when === 'on_failure' && ended && !needs.includes('failed'))
          await this.setJob(run, record, 'skipped', state, reporter, 'no job it needs failed (when: on_failure)');
        else if (when === 'on_success' ? needs.every((s) => s === 'passed' || s === undefined) : ended) {
          const entry = byName.get(record.name) as { job: PreparedJob; record: JobRecord };
          state.set(record.name, 'running');
          runningJobs.set(
            record.name,
            this.runJob(run, entry, signal, logFile(record.name), state, reporter).finally(() => runningJobs.delete(record.name)),
          );
        }
      }
      if (runningJobs.size === 0) break;
      await Promise.race(runningJobs.values());
    }
    const finals = [...state.values()];
    if (finals.every((s) => s === 'passed')) return { state: 'passed' };
    if (signal.aborted) return { state: 'cancelled', detail: String(signal.reason ?? 'cancelled') };
    const failed = jobs.filter((j) => state.get(j.record.name) === 'failed').map((j) => j.record.name);
    // Jobs skipped by their own conditions (a workflow's if:, rules) do not fail the run.
    if (failed.length === 0 && finals.every((s) => s === 'passed' || s === 'skipped')) return { state: 'passed' };
    return { state: 'failed', detail: `failed: ${failed.join(', ')}` };
  }

  private async setJob(
    run: RunRecord,
    record: JobRecord,
    s: JobState,
    state: Map<string, JobState>,
    reporter: StatusReporter,
    detail?: string,
    times: { startedAt?: string; endedAt?: string } = {},
  ): Promise<JobRecord> {
    const next: JobRecord = {
      ...record,
      state: s,
      attempt: run.attempt,
      ...times,
      ...(detail === undefined ? { detail: undefined } : { detail }),
    };
    await this.o.store.putJob(next);
    // The scheduler sees the new state once it is recorded, together with its event.
    state.set(record.name, s);
    this.o.bus.emit({
      type: 'job',
      run: run.id,
      job: record.name,
      state: s,
      ...(detail === undefined ? {} : { detail }),
      time: new Date().toISOString(),
    });
    void reporter.report(record.name, s, detail ?? s);
    return next;
  }

  private async runJob(
    run: RunRecord,
    { job, record }: { job: PreparedJob; record: JobRecord },
    signal: AbortSignal,
    logFile: WriteStream,
    state: Map<string, JobState>,
    reporter: StatusReporter,
  ): Promise<void> {
    const { store, bus } = this.o;
    const startedAt = new Date().toISOString();
    if (job.run === undefined) {
      const first = job.diagnostics.find((d) => d.severity === 'error');
      for (const d of job.diagnostics)
        this.writeLog(run, record.name, logFile, {
          time: new Date(),
          level: d.severity === 'error' ? 'error' : 'warning',
          label: 'check',
          message: d.text,
        });
      await this.setJob(
        run,
        record,
        'failed',
        state,
        reporter,
        first === undefined ? 'the job cannot run' : `${first.code}: ${first.message}`,
        {
          startedAt,
          endedAt: new Date().toISOString(),
        },
      );
      return;
    }
    const running = await this.setJob(run, record, 'running', state, reporter, undefined, { startedAt });
    const graphText = await store.getGraph(run.id, record.name);
    const graph = graphText === undefined ? undefined : (JSON.parse(graphText) as StoredGraph);
    const key = `${run.id}/${record.name}`;
    const n = graph?.nodes.length ?? 0;
    const live: LiveJob = {
      index: new Map(graph?.nodes.map((node, i) => [node.id, i])),
      states: Array.from({ length: n }, () => ['waiting', 0, 0] as [string, number, number]),
      active: new Int32Array(n),
      dirty: new Set(),
      timer: undefined,
    };
    this.live.set(key, live);
    const flush = () => {
      live.timer = undefined;
      if (live.dirty.size === 0) return;
      const nodes = [...live.dirty].map((i) => [i, ...(live.states[i] as [string, number, number])] as const);
      live.dirty.clear();
      bus.emit({ type: 'nodes', run: run.id, job: record.name, nodes });
    };
    const touch = (i: number) => {
      live.dirty.add(i);
      live.timer ??= setTimeout(flush, NODE_FLUSH_MS);
    };
    const steps = new Map<string, { startedAt?: string; endedAt?: string }>();
    // Sources are fed by their models, not started: a source counts as done when a track
    // of its name is created (the event names the source, not the model instance, so every
    // source node of that name is marked).
    const sources = new Map<string, number[]>();
    graph?.nodes.forEach((node, i) => {
      if (node.source) sources.set(node.label, [...(sources.get(node.label) ?? []), i]);
    });
    const event = (e: EngineEvent) => {
      if (e.kind === 'track-created') {
        for (const i of sources.get(e.source) ?? []) {
          if (live.states[i]?.[0] !== 'waiting') continue;
          const now = Date.now();
          live.states[i] = ['passed', now, now];
          touch(i);
        }
      } else if (e.kind === 'treatment-started') {
        const i = live.index.get(e.path);
        if (i === undefined) return;
        const s = live.states[i] as [string, number, number];
        if ((live.active[i] as number) === 0) {
          s[0] = s[0] === 'failed' ? 'failed' : 'running';
          if (s[1] === 0) s[1] = Date.now();
        }
        live.active[i] = (live.active[i] as number) + 1;
        touch(i);
      } else if (e.kind === 'treatment-ended') {
        const i = live.index.get(e.path);
        if (i === undefined) return;
        const s = live.states[i] as [string, number, number];
        live.active[i] = Math.max(0, (live.active[i] as number) - 1);
        if (!e.ok) s[0] = 'failed';
        if ((live.active[i] as number) === 0) {
          if (s[0] !== 'failed') s[0] = 'passed';
          s[2] = Date.now();
        }
        touch(i);
      }
    };
    const step = (r: StepRecord) => {
      const time = r.time.toISOString();
      const node = job.nodeOfStep?.(r.name);
      const ni = node === undefined ? undefined : live.index.get(node);
      if (ni !== undefined) {
        const ns = live.states[ni] as [string, number, number];
        const now = r.time.getTime();
        if (r.state === 'running' || r.state === 'preparing') {
          ns[0] = 'running';
          if (ns[1] === 0) ns[1] = now;
        } else if (TERMINAL_JOB.has(r.state)) {
          ns[0] = r.state;
          if (ns[1] === 0) ns[1] = now;
          ns[2] = now;
        }
        touch(ni);
      }
      const t = steps.get(r.name) ?? {};
      if (r.state === 'running' && t.startedAt === undefined) t.startedAt = time;
      if (TERMINAL_JOB.has(r.state)) t.endedAt = time;
      steps.set(r.name, t);
      void store.putStep({ runId: run.id, job: record.name, name: r.name, state: r.state, runner: r.runner, detail: r.detail, ...t });
      bus.emit({
        type: 'step',
        run: run.id,
        job: record.name,
        name: r.name,
        state: r.state,
        ...(r.runner === undefined ? {} : { runner: r.runner }),
        ...(r.detail === undefined ? {} : { detail: r.detail }),
        time,
      });
    };
    let outcome: JobOutcome;
    try {
      outcome = await job.run({ signal, log: (r) => this.writeLog(run, record.name, logFile, r), step, event });
    } catch (e) {
      outcome = { ok: false, detail: `internal error: ${(e as Error).message}` };
      this.o.serverLog(`run ${run.id} job ${record.name}: ${(e as Error).stack ?? e}`);
    }
    if (live.timer !== undefined) clearTimeout(live.timer);
    const endedAt = Date.now();
    // Nodes still marked running were stopped; nodes never started were skipped.
    live.states.forEach((s, i) => {
      if (s[0] === 'running') {
        s[0] = outcome.ok ? 'passed' : 'cancelled';
        s[2] = endedAt;
        live.dirty.add(i);
      } else if (s[0] === 'waiting') {
        s[0] = 'skipped';
        live.dirty.add(i);
      }
    });
    flush();
    if (graph !== undefined) {
      graph.states = live.states;
      graph.critical = criticalPath(
        n,
        graph.edges,
        live.states.map((s) => (s[1] > 0 && s[2] >= s[1] ? s[2] - s[1] : 0)),
      );
      await store.putGraph(run.id, record.name, JSON.stringify(graph));
    }
    this.live.delete(key);
    const final: JobState = outcome.ok ? 'passed' : outcome.cancelled ? 'cancelled' : outcome.skipped ? 'skipped' : 'failed';
    await this.setJob(run, running, final, state, reporter, outcome.detail, { startedAt, endedAt: new Date(endedAt).toISOString() });
  }

  private writeLog(run: RunRecord, job: string, file: WriteStream, r: LogRecord): void {
    const time = r.time.toISOString();
    file.write(`${JSON.stringify({ time, level: r.level, label: r.label, message: r.message, attempt: run.attempt })}\n`);
    this.o.bus.emit({ type: 'log', run: run.id, job, level: r.level, label: r.label, message: r.message, time });
  }

  /**
   * Copies the pipeline's artifacts (files or folders of the workspace) to `into`, replacing
   * those of an earlier attempt; a path the run did not produce is skipped.
   */
  private async keepArtifacts(pipeline: PipelineConfig, workspace: string, into: string): Promise<void> {
    if (pipeline.artifacts.length === 0) return;
    for (const a of pipeline.artifacts) {
      const from = join(workspace, a);
      if (!existsSync(from)) continue;
      const to = join(into, a);
      await rm(to, { recursive: true, force: true });
      await mkdir(dirname(to), { recursive: true });
      await cp(from, to, { recursive: true });
    }
  }

  /** Deletes a run's files (workspace, logs, artifacts). */
  removeFiles(id: number): void {
    rmSync(join(this.o.dataDir, 'runs', String(id)), { recursive: true, force: true });
  }
}
