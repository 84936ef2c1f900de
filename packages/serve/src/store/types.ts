/**
 * The server's records and the one repository interface both databases implement. Times
 * are ISO strings (portable between SQLite and PostgreSQL, sortable as text); structured
 * fields are JSON text in the tables and plain objects here.
 */
import type { StepState } from '@tutti/core';

/** A run's state: queued, then running, then one of the four ends (or interrupted by a restart). */
export type RunState = 'queued' | 'running' | 'passed' | 'failed' | 'cancelled' | 'interrupted';
/** A job's state: a step state, or interrupted by a restart of the server. */
export type JobState = StepState | 'interrupted';

/** One project: a git repository (local path or clone URL) and its pipelines. */
export interface ProjectRecord {
  readonly name: string;
  readonly repository: string;
  /** The project's definition (pipelines, webhook secrets, status reporting), as configured. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/** One run of one pipeline. */
export interface RunRecord {
  readonly id: number;
  readonly project: string;
  readonly pipeline: string;
  readonly state: RunState;
  /** What started it: `push`, `pull_request`, `merge_request`, `schedule`, `manual`. */
  readonly trigger: string;
  /** Substitutions for job arguments (sha, ref, event and manual parameters). */
  readonly params: Readonly<Record<string, string>>;
  readonly sha?: string | undefined;
  readonly ref?: string | undefined;
  /** 1 for the first attempt, +1 for every retry. */
  readonly attempt: number;
  readonly queuedAt: string;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  readonly detail?: string | undefined;
}

/** One job of a run (a `.mel` entrypoint run, a workflow job). */
export interface JobRecord {
  readonly runId: number;
  readonly name: string;
  readonly state: JobState;
  readonly needs: readonly string[];
  /** The attempt of the run that last ran this job. */
  readonly attempt: number;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  readonly detail?: string | undefined;
}

/** One step a job reported (`reportStep`). */
export interface StepRow {
  readonly runId: number;
  readonly job: string;
  readonly name: string;
  readonly state: StepState;
  readonly runner?: string | undefined;
  readonly detail?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
}

/** One webhook delivery, accepted or refused. */
export interface DeliveryRecord {
  readonly id?: number;
  readonly provider: string;
  readonly project: string;
  readonly event: string;
  readonly accepted: boolean;
  readonly reason: string;
  readonly remote: string;
  readonly time: string;
}

/** What {@link Store.listRuns} filters on. */
export interface RunQuery {
  readonly project?: string;
  readonly states?: readonly RunState[];
  readonly limit?: number;
  /** Only runs with a smaller id (paging backwards). */
  readonly before?: number;
}

/** The repository: every read and write the server makes. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Brings the schema to the newest version; returns the versions applied now. */
  migrate(): Promise<number[]>;
  upsertProject(p: Omit<ProjectRecord, 'createdAt'>): Promise<ProjectRecord>;
  getProject(name: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;
  deleteProject(name: string): Promise<boolean>;
  createRun(r: Omit<RunRecord, 'id' | 'state' | 'attempt' | 'queuedAt'>): Promise<RunRecord>;
  getRun(id: number): Promise<RunRecord | undefined>;
  listRuns(q?: RunQuery): Promise<RunRecord[]>;
  updateRun(id: number, patch: Partial<Omit<RunRecord, 'id' | 'project' | 'pipeline'>>): Promise<void>;
  deleteRun(id: number): Promise<void>;
  putJob(j: JobRecord): Promise<void>;
  listJobs(runId: number): Promise<JobRecord[]>;
  putStep(s: StepRow): Promise<void>;
  listSteps(runId: number): Promise<StepRow[]>;
  /** The laid-out graph of a job (JSON text), kept with the run. */
  putGraph(runId: number, job: string, graph: string): Promise<void>;
  getGraph(runId: number, job: string): Promise<string | undefined>;
  recordDelivery(d: Omit<DeliveryRecord, 'id'>): Promise<void>;
  listDeliveries(limit: number): Promise<DeliveryRecord[]>;
  /** Ids of finished runs that ended before `time` (retention). */
  runsEndedBefore(time: string): Promise<number[]>;
  close(): Promise<void>;
}
