/**
 * The repository over SQL, one implementation for both databases: the statements are
 * portable (`?` placeholders, rewritten to `$n` for PostgreSQL; `INSERT … ON CONFLICT`;
 * `RETURNING`), times are ISO text and structured fields JSON text. Only the schema's
 * identity column differs, and each dialect's adapter ({@link SqlDb}) says how to write it.
 */
import type { DeliveryRecord, JobRecord, ProjectRecord, RunQuery, RunRecord, StepRow, Store } from './types.js';

/** The few operations the store needs from a database driver. */
export interface SqlDb {
  readonly kind: 'sqlite' | 'postgres';
  /** Column definition of an auto-incremented integer primary key. */
  readonly identity: string;
  all(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Runs `fn` in one transaction: its statements go through `tx`, every other query outside it. */
  transaction(fn: (tx: Pick<SqlDb, 'all' | 'run'>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The schema, version by version; a version is applied once, in one transaction. */
export const MIGRATIONS: readonly ((db: SqlDb) => readonly string[])[] = [
  (db) => [
    'CREATE TABLE projects (name TEXT PRIMARY KEY, repository TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL)',
    `CREATE TABLE runs (id ${db.identity}, project TEXT NOT NULL, pipeline TEXT NOT NULL, state TEXT NOT NULL,
       trigger TEXT NOT NULL, params TEXT NOT NULL, sha TEXT, ref TEXT, attempt INTEGER NOT NULL,
       queued_at TEXT NOT NULL, started_at TEXT, ended_at TEXT, detail TEXT)`,
    'CREATE INDEX runs_project ON runs (project, id)',
    'CREATE INDEX runs_state ON runs (state)',
    `CREATE TABLE jobs (run_id INTEGER NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, needs TEXT NOT NULL,
       attempt INTEGER NOT NULL, started_at TEXT, ended_at TEXT, detail TEXT, graph TEXT, PRIMARY KEY (run_id, name))`,
    `CREATE TABLE steps (run_id INTEGER NOT NULL, job TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,
       runner TEXT, detail TEXT, started_at TEXT, ended_at TEXT, PRIMARY KEY (run_id, job, name))`,
    `CREATE TABLE deliveries (id ${db.identity}, provider TEXT NOT NULL, project TEXT NOT NULL, event TEXT NOT NULL,
       accepted INTEGER NOT NULL, reason TEXT NOT NULL, remote TEXT NOT NULL, time TEXT NOT NULL)`,
  ],
];

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

function runOf(r: Record<string, unknown>): RunRecord {
  return {
    id: Number(r.id),
    project: String(r.project),
    pipeline: String(r.pipeline),
    state: String(r.state) as RunRecord['state'],
    trigger: String(r.trigger),
    params: json(r.params, {}),
    sha: str(r.sha),
    ref: str(r.ref),
    attempt: Number(r.attempt),
    queuedAt: String(r.queued_at),
    startedAt: str(r.started_at),
    endedAt: str(r.ended_at),
    detail: str(r.detail),
  };
}

const RUN_COLUMNS: Record<string, string> = {
  state: 'state',
  trigger: 'trigger',
  params: 'params',
  sha: 'sha',
  ref: 'ref',
  attempt: 'attempt',
  queuedAt: 'queued_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  detail: 'detail',
};

/** The {@link Store} over a {@link SqlDb}. */
export class SqlStore implements Store {
  constructor(private readonly db: SqlDb) {}

  get kind() {
    return this.db.kind;
  }

  async migrate(): Promise<number[]> {
    await this.db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await this.db.all('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const [i, migration] of MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await this.db.transaction(async (tx) => {
        for (const sql of migration(this.db)) await tx.run(sql);
        await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, new Date().toISOString()]);
      });
      applied.push(version);
    }
    return applied;
  }

  async upsertProject(p: Omit<ProjectRecord, 'createdAt'>): Promise<ProjectRecord> {
    const createdAt = new Date().toISOString();
    await this.db.run(
      `INSERT INTO projects (name, repository, config, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET repository = excluded.repository, config = excluded.config`,
      [p.name, p.repository, JSON.stringify(p.config), createdAt],
    );
    return (await this.getProject(p.name)) as ProjectRecord;
  }

  async getProject(name: string): Promise<ProjectRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM projects WHERE name = ?', [name]);
    return r === undefined ? undefined : projectOf(r);
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (await this.db.all('SELECT * FROM projects ORDER BY name')).map(projectOf);
  }

  async deleteProject(name: string): Promise<boolean> {
    const existed = (await this.getProject(name)) !== undefined;
    await this.db.run('DELETE FROM projects WHERE name = ?', [name]);
    return existed;
  }

  async createRun(r: Omit<RunRecord, 'id' | 'state' | 'attempt' | 'queuedAt'>): Promise<RunRecord> {
    const [row] = await this.db.all(
      `INSERT INTO runs (project, pipeline, state, trigger, params, sha, ref, attempt, queued_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, 1, ?) RETURNING *`,
      [r.project, r.pipeline, r.trigger, JSON.stringify(r.params), r.sha ?? null, r.ref ?? null, new Date().toISOString()],
    );
    return runOf(row as Record<string, unknown>);
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM runs WHERE id = ?', [id]);
    return r === undefined ? undefined : runOf(r);
  }

  async listRuns(q: RunQuery = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.project !== undefined) {
      where.push('project = ?');
      params.push(q.project);
    }
    if (q.states !== undefined && q.states.length > 0) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      params.push(...q.states);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      params.push(q.before);
    }
    const sql = `SELECT * FROM runs${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await this.db.all(sql, [...params, q.limit ?? 50])).map(runOf);
  }

  async updateRun(id: number, patch: Partial<Omit<RunRecord, 'id' | 'project' | 'pipeline'>>): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const column = RUN_COLUMNS[k];
      if (column === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(k === 'params' ? JSON.stringify(v) : (v ?? null));
    }
    if (sets.length === 0) return;
    await this.db.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  async deleteRun(id: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM steps WHERE run_id = ?', [id]);
      await tx.run('DELETE FROM jobs WHERE run_id = ?', [id]);
      await tx.run('DELETE FROM runs WHERE id = ?', [id]);
    });
  }

  async putJob(j: JobRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO jobs (run_id, name, state, needs, attempt, started_at, ended_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name) DO UPDATE SET state = excluded.state, needs = excluded.needs, attempt = excluded.attempt,
       started_at = excluded.started_at, ended_at = excluded.ended_at, detail = excluded.detail`,
      [j.runId, j.name, j.state, JSON.stringify(j.needs), j.attempt, j.startedAt ?? null, j.endedAt ?? null, j.detail ?? null],
    );
  }

  async listJobs(runId: number): Promise<JobRecord[]> {
    const rows = await this.db.all(
      'SELECT run_id, name, state, needs, attempt, started_at, ended_at, detail FROM jobs WHERE run_id = ? ORDER BY name',
      [runId],
    );
    return rows.map((r) => ({
      runId: Number(r.run_id),
      name: String(r.name),
      state: String(r.state) as JobRecord['state'],
      needs: json(r.needs, []),
      attempt: Number(r.attempt),
      startedAt: str(r.started_at),
      endedAt: str(r.ended_at),
      detail: str(r.detail),
    }));
  }

  async putStep(s: StepRow): Promise<void> {
    await this.db.run(
      `INSERT INTO steps (run_id, job, name, state, runner, detail, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, job, name) DO UPDATE SET state = excluded.state, runner = excluded.runner,
       detail = excluded.detail, started_at = excluded.started_at, ended_at = excluded.ended_at`,
      [s.runId, s.job, s.name, s.state, s.runner ?? null, s.detail ?? null, s.startedAt ?? null, s.endedAt ?? null],
    );
  }

  async listSteps(runId: number): Promise<StepRow[]> {
    const rows = await this.db.all('SELECT * FROM steps WHERE run_id = ? ORDER BY job, started_at, name', [runId]);
    return rows.map((r) => ({
      runId: Number(r.run_id),
      job: String(r.job),
      name: String(r.name),
      state: String(r.state) as StepRow['state'],
      runner: str(r.runner),
      detail: str(r.detail),
      startedAt: str(r.started_at),
      endedAt: str(r.ended_at),
    }));
  }

  async putGraph(runId: number, job: string, graph: string): Promise<void> {
    await this.db.run('UPDATE jobs SET graph = ? WHERE run_id = ? AND name = ?', [graph, runId, job]);
  }

  async getGraph(runId: number, job: string): Promise<string | undefined> {
    const [r] = await this.db.all('SELECT graph FROM jobs WHERE run_id = ? AND name = ?', [runId, job]);
    return str(r?.graph);
  }

  async recordDelivery(d: Omit<DeliveryRecord, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO deliveries (provider, project, event, accepted, reason, remote, time) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      d.provider,
      d.project,
      d.event,
      d.accepted ? 1 : 0,
      d.reason,
      d.remote,
      d.time,
    ]);
  }

  async listDeliveries(limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.all('SELECT * FROM deliveries ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map((r) => ({
      id: Number(r.id),
      provider: String(r.provider),
      project: String(r.project),
      event: String(r.event),
      accepted: Number(r.accepted) === 1,
      reason: String(r.reason),
      remote: String(r.remote),
      time: String(r.time),
    }));
  }

  async runsEndedBefore(time: string): Promise<number[]> {
    const rows = await this.db.all(
      "SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ? AND state NOT IN ('queued', 'running') ORDER BY id",
      [time],
    );
    return rows.map((r) => Number(r.id));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function projectOf(r: Record<string, unknown>): ProjectRecord {
  return { name: String(r.name), repository: String(r.repository), config: json(r.config, {}), createdAt: String(r.created_at) };
}
