/**
 * `tutti serve`: one process with the REST API, the webhook endpoints, the cron schedules,
 * the run queue and the studio. {@link startServer} is the whole server as a library (the
 * CLI, the tests and the benchmark start it in-process).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Cron } from 'croner';
import { EventBus, type ServerEvent } from './bus.js';
import { ConfigError, type PipelineConfig, type ProjectConfig, parseProject, type ServeConfig } from './config.js';
import { criticalPath, layoutGraph } from './graph.js';
import { HttpError, parseJson, Router, readBody, sendError, sendJson } from './http.js';
import { pipelineKind } from './kinds.js';
import { openApiDocument } from './openapi.js';
import { RunQueue, type StoredGraph } from './runs.js';
import { openStore } from './store/open.js';
import type { JobRecord, RunRecord, Store } from './store/types.js';
import { githubEvent, gitlabEvent, type HookEvent, RateLimiter, verifyGithub, verifyGitlab } from './webhooks.js';
import { prepareWorkspace } from './workspace.js';

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly queue: RunQueue;
  readonly bus: EventBus;
  /** Starts a run as the API would (for hosts and tests); returns the queued run. */
  startRun(
    project: string,
    pipeline: string,
    o?: { trigger?: string; params?: Record<string, string>; sha?: string; ref?: string },
  ): Promise<RunRecord>;
  /** Stops accepting requests, stops schedules, interrupts running runs, closes the store. */
  close(): Promise<void>;
}

/** Options beyond the configuration. */
export interface StartOptions {
  /** Server messages (refused webhooks, internal errors); stderr by default. */
  readonly log?: (message: string) => void;
}

const STUDIO_DIR = fileURLToPath(new URL('../studio/', import.meta.url));
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const API_BODY_LIMIT = 1024 * 1024;
const HOOK_BODY_LIMIT = 25 * 1024 * 1024;

/** Starts the server described by `config`. Throws {@link ConfigError} for an invalid schedule. */
export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const serverLog = options.log ?? ((m: string) => process.stderr.write(`tutti serve: ${m}\n`));
  const { Cron: CronClass } = await import('croner');
  // Schedules are checked before anything starts, so a typo is a configuration error.
  for (const [i, p] of config.projects.entries())
    for (const [j, pl] of p.pipelines.entries()) {
      if (pipelineKind(pl.kind) === undefined)
        throw new ConfigError(`projects[${i}].pipelines[${j}].kind: unknown pipeline kind '${pl.kind}'`);
      if (pl.schedule === undefined) continue;
      try {
        new CronClass(pl.schedule, { paused: true }).stop();
      } catch (e) {
        throw new ConfigError(`projects[${i}].pipelines[${j}].schedule: ${(e as Error).message}`);
      }
    }
  mkdirSync(config.data, { recursive: true });
  const store = await openStore({ dataDir: config.data, database: config.database });
  for (const p of config.projects)
    await store.upsertProject({ name: p.name, repository: p.repository, config: { ...p, fromConfig: true } });
  const bus = new EventBus();
  let baseUrl = '';
  const projectOf = async (name: string): Promise<ProjectConfig | undefined> => {
    const r = await store.getProject(name);
    return r === undefined ? undefined : (r.config as unknown as ProjectConfig);
  };
  const queue = new RunQueue({
    store,
    bus,
    dataDir: config.data,
    concurrency: config.concurrency,
    project: projectOf,
    runUrl: (id) => `${config.publicUrl ?? baseUrl}/#/runs/${id}`,
    serverLog,
  });

  const startRun: RunningServer['startRun'] = async (projectName, pipelineName, o = {}) => {
    const project = await projectOf(projectName);
    if (project === undefined) throw new HttpError(404, 'not_found', `no project '${projectName}'`);
    const pipeline = project.pipelines.find((p) => p.name === pipelineName);
    if (pipeline === undefined) throw new HttpError(404, 'not_found', `no pipeline '${pipelineName}' in project '${projectName}'`);
    const run = await store.createRun({
      project: projectName,
      pipeline: pipelineName,
      trigger: o.trigger ?? 'manual',
      params: { ...pipeline.params, ...o.params },
      sha: o.sha,
      ref: o.ref,
    });
    bus.emit({ type: 'run', run: run.id, state: 'queued', project: projectName, pipeline: pipelineName });
    queue.enqueue(run.id);
    return run;
  };

  // Cron schedules.
  const crons: Cron[] = [];
  for (const p of config.projects)
    for (const pl of p.pipelines)
      if (pl.schedule !== undefined)
        crons.push(
          new CronClass(pl.schedule, { protect: true }, () => {
            startRun(p.name, pl.name, { trigger: 'schedule' }).catch((e) =>
              serverLog(`schedule of ${p.name}/${pl.name}: ${(e as Error).message}`),
            );
          }),
        );

  // Access.
  const tokenHashes = config.tokens.map((t) => ({ ...t, hash: createHash('sha256').update(t.token).digest() }));
  const access = (req: IncomingMessage, query: URLSearchParams): 'none' | 'read' | 'write' => {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : (query.get('token') ?? undefined);
    if (given === undefined || given === '') return 'none';
    const h = createHash('sha256').update(given).digest();
    let found: 'none' | 'read' | 'write' = 'none';
    for (const t of tokenHashes)
      if (timingSafeEqual(t.hash, h)) found = t.access === 'write' ? 'write' : found === 'write' ? 'write' : 'read';
    if (found === 'none') throw new HttpError(401, 'unauthorized', 'the token is not valid');
    return found;
  };
  const needRead = (req: IncomingMessage, q: URLSearchParams) => {
    if (access(req, q) === 'none' && config.readAccess === 'token')
      throw new HttpError(401, 'unauthorized', 'a token is needed to read (Authorization: Bearer <token>)', {
        'WWW-Authenticate': 'Bearer',
      });
  };
  const needWrite = (req: IncomingMessage, q: URLSearchParams) => {
    const a = access(req, q);
    if (a === 'none')
      throw new HttpError(401, 'unauthorized', 'a write token is needed (Authorization: Bearer <token>)', { 'WWW-Authenticate': 'Bearer' });
    if (a !== 'write') throw new HttpError(403, 'forbidden', 'this token may only read');
  };
  const runId = (s: string | undefined): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, 'invalid_id', `'${s}' is not a run id`);
    return n;
  };
  const getRun = async (id: number): Promise<RunRecord> => {
    const r = await store.getRun(id);
    if (r === undefined) throw new HttpError(404, 'not_found', `no run ${id}`);
    return r;
  };
  const publicProject = (p: ProjectConfig) => ({
    name: p.name,
    repository: p.repository,
    ...(p.branch === undefined ? {} : { branch: p.branch }),
    github:
      p.github === undefined
        ? undefined
        : { repository: p.github.repository, webhook: p.github.secret !== undefined, statuses: p.github.token !== undefined },
    gitlab:
      p.gitlab === undefined
        ? undefined
        : { projectId: p.gitlab.projectId, webhook: p.gitlab.secret !== undefined, statuses: p.gitlab.token !== undefined },
    pipelines: p.pipelines.map((pl) => ({
      name: pl.name,
      kind: pl.kind,
      on: pl.on,
      branches: pl.branches,
      schedule: pl.schedule,
      params: pl.params,
      // The file of a github or gitlab pipeline (never its secrets or variables).
      ...(pl.github === undefined ? {} : { workflow: pl.github.workflow }),
      ...(pl.gitlab === undefined ? {} : { file: pl.gitlab.file }),
      jobs: Object.fromEntries(Object.entries(pl.jobs).map(([k, j]) => [k, { program: j.program, command: j.command, needs: j.needs }])),
    })),
  });

  const hookLimiter = new RateLimiter(config.webhookRate.perMinute, config.webhookRate.burst);
  const hook = (provider: 'github' | 'gitlab') => async (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => {
    const remote = req.socket.remoteAddress ?? '';
    const wait = hookLimiter.take(remote);
    if (wait !== undefined)
      throw new HttpError(429, 'rate_limited', 'too many webhook deliveries; retry later', { 'Retry-After': String(wait) });
    const body = await readBody(req, HOOK_BODY_LIMIT);
    const projectName = params.project as string;
    const event = String(req.headers[provider === 'github' ? 'x-github-event' : 'x-gitlab-event'] ?? '');
    const record = (accepted: boolean, reason: string) =>
      store.recordDelivery({ provider, project: projectName, event, accepted, reason, remote, time: new Date().toISOString() });
    const project = await projectOf(projectName);
    const refusal =
      project === undefined
        ? 'no such project'
        : provider === 'github'
          ? verifyGithub(project.github?.secret, body, req.headers['x-hub-signature-256'] as string | undefined)
          : verifyGitlab(project.gitlab?.secret, req.headers['x-gitlab-token'] as string | undefined);
    if (refusal !== undefined || project === undefined) {
      await record(false, refusal ?? 'no such project');
      serverLog(`refused a ${provider} webhook for '${projectName}' from ${remote}: ${refusal}`);
      throw new HttpError(401, 'unauthorized', `webhook refused: ${refusal}`);
    }
    if (provider === 'github' && event === 'ping') {
      await record(true, 'ping');
      return sendJson(res, 200, { ok: true, runs: [] });
    }
    const e: HookEvent | undefined = provider === 'github' ? githubEvent(event, parseJson(body)) : gitlabEvent(event, parseJson(body));
    if (e === undefined) {
      await record(true, 'no run for this event');
      return sendJson(res, 202, { runs: [] });
    }
    const matches = (pl: PipelineConfig) => pl.on.includes(e.trigger) && (pl.branches.length === 0 || pl.branches.includes(e.branch));
    const runs: number[] = [];
    for (const pl of project.pipelines.filter(matches))
      runs.push((await startRun(project.name, pl.name, { trigger: e.trigger, sha: e.sha, ref: e.ref, params: { branch: e.branch } })).id);
    await record(true, runs.length === 0 ? 'no pipeline matches' : `runs ${runs.join(', ')}`);
    sendJson(res, 202, { runs });
  };

  const jobGraph = async (run: RunRecord, job: JobRecord) => {
    const text = await store.getGraph(run.id, job.name);
    if (text === undefined) return undefined;
    const g = JSON.parse(text) as StoredGraph;
    const live = queue.liveStates(run.id, job.name);
    if (live !== undefined) {
      g.states = live;
      g.critical = criticalPath(
        g.nodes.length,
        g.edges,
        live.map((s) => (s[1] > 0 ? (s[2] || Date.now()) - s[1] : 0)),
      );
    }
    return g;
  };

  const router = new Router()
    .add('GET', '/api/openapi.json', (_req, res) => sendJson(res, 200, openApiDocument()))
    .add('GET', '/api/health', (_req, res) =>
      sendJson(res, 200, { ok: true, store: store.kind, queued: queue.queued.length, running: queue.running.length }),
    )
    .add('GET', '/api/projects', async (req, res, _p, q) => {
      needRead(req, q);
      const projects = await store.listProjects();
      sendJson(res, 200, { projects: projects.map((p) => publicProject(p.config as unknown as ProjectConfig)) });
    })
    .add('POST', '/api/projects', async (req, res, _p, q) => {
      needWrite(req, q);
      let project: ProjectConfig;
      try {
        project = parseProject(parseJson(await readBody(req, API_BODY_LIMIT)));
        for (const pl of project.pipelines) {
          if (pipelineKind(pl.kind) === undefined) throw new ConfigError(`pipelines: unknown pipeline kind '${pl.kind}'`);
          if (pl.schedule !== undefined)
            throw new ConfigError(`pipelines: schedules are set in the configuration file, not through the API`);
        }
      } catch (e) {
        if (e instanceof ConfigError) throw new HttpError(400, 'invalid_project', e.message);
        throw e;
      }
      const existing = await store.getProject(project.name);
      if ((existing?.config as { fromConfig?: boolean } | undefined)?.fromConfig)
        throw new HttpError(409, 'conflict', `the project '${project.name}' is defined in the configuration file`);
      await store.upsertProject({ name: project.name, repository: project.repository, config: { ...project } });
      sendJson(res, existing === undefined ? 201 : 200, publicProject(project));
    })
    .add('GET', '/api/projects/:project', async (req, res, p, q) => {
      needRead(req, q);
      const project = await projectOf(p.project as string);
      if (project === undefined) throw new HttpError(404, 'not_found', `no project '${p.project}'`);
      sendJson(res, 200, publicProject(project));
    })
    .add('DELETE', '/api/projects/:project', async (req, res, p, q) => {
      needWrite(req, q);
      const existing = await store.getProject(p.project as string);
      if (existing === undefined) throw new HttpError(404, 'not_found', `no project '${p.project}'`);
      if ((existing.config as { fromConfig?: boolean }).fromConfig)
        throw new HttpError(409, 'conflict', `the project '${p.project}' is defined in the configuration file`);
      await store.deleteProject(existing.name);
      res.writeHead(204).end();
    })
    .add('GET', '/api/projects/:project/pipelines/:pipeline/check', async (req, res, p, q) => {
      needRead(req, q);
      const project = await projectOf(p.project as string);
      const pipeline = project?.pipelines.find((x) => x.name === p.pipeline);
      if (project === undefined || pipeline === undefined)
        throw new HttpError(404, 'not_found', `no pipeline '${p.project}/${p.pipeline}'`);
      sendJson(res, 200, await checkPipeline(config.data, project, pipeline, q.get('ref') ?? undefined));
    })
    .add('POST', '/api/projects/:project/pipelines/:pipeline/runs', async (req, res, p, q) => {
      needWrite(req, q);
      const body = parseJson(await readBody(req, API_BODY_LIMIT)) as Record<string, unknown>;
      const params: Record<string, string> = {};
      if (body.params !== undefined) {
        if (typeof body.params !== 'object' || body.params === null || Array.isArray(body.params))
          throw new HttpError(400, 'invalid_params', 'params: expected an object of strings');
        for (const [k, v] of Object.entries(body.params)) {
          if (typeof v !== 'string') throw new HttpError(400, 'invalid_params', `params.${k}: expected a string`);
          params[k] = v;
        }
      }
      for (const k of ['sha', 'ref'] as const)
        if (body[k] !== undefined && typeof body[k] !== 'string') throw new HttpError(400, 'invalid_params', `${k}: expected a string`);
      const run = await startRun(p.project as string, p.pipeline as string, {
        params,
        ...(typeof body.sha === 'string' ? { sha: body.sha } : {}),
        ...(typeof body.ref === 'string' ? { ref: body.ref } : {}),
      });
      sendJson(res, 201, run);
    })
    .add('GET', '/api/runs', async (req, res, _p, q) => {
      needRead(req, q);
      const limit = Math.min(500, Math.max(1, Number(q.get('limit') ?? 50) || 50));
      const before = q.get('before');
      const state = q.get('state');
      const runs = await store.listRuns({
        limit,
        ...(q.get('project') ? { project: q.get('project') as string } : {}),
        ...(before ? { before: runId(before) } : {}),
        ...(state ? { states: state.split(',') as RunRecord['state'][] } : {}),
      });
      sendJson(res, 200, { runs });
    })
    .add('GET', '/api/runs/:id', async (req, res, p, q) => {
      needRead(req, q);
      const run = await getRun(runId(p.id));
      sendJson(res, 200, { run, jobs: await store.listJobs(run.id), steps: await store.listSteps(run.id) });
    })
    .add('GET', '/api/runs/:id/graph', async (req, res, p, q) => {
      needRead(req, q);
      const run = await getRun(runId(p.id));
      const jobs = await store.listJobs(run.id);
      const out = [];
      for (const job of jobs) out.push({ ...job, graph: await jobGraph(run, job) });
      // The critical path across jobs: the chain of needs with the longest durations.
      const index = new Map(jobs.map((j, i) => [j.name, i]));
      const edges = jobs.flatMap((j, i) => j.needs.map((n) => [index.get(n) ?? -1, i] as const)).filter(([a]) => a >= 0);
      const durations = jobs.map((j) => (j.startedAt ? (j.endedAt ? Date.parse(j.endedAt) : Date.now()) - Date.parse(j.startedAt) : 0));
      const critical = criticalPath(jobs.length, edges, durations).map((i) => jobs[i]?.name);
      sendJson(res, 200, { run, jobs: out, critical });
    })
    .add('GET', '/api/runs/:id/logs', async (req, res, p, q) => {
      needRead(req, q);
      const run = await getRun(runId(p.id));
      const job = q.get('job');
      if (job === null || !/^[A-Za-z0-9._-]+$/.test(job)) throw new HttpError(400, 'invalid_job', 'give the job: ?job=NAME');
      const file = join(config.data, 'runs', String(run.id), 'logs', `${job}.jsonl`);
      const label = q.get('label');
      const after = Number(q.get('after') ?? 0) || 0;
      const lines = existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as { label: string })
        : [];
      const picked = lines.slice(after).filter((l) => label === null || l.label === label);
      sendJson(res, 200, { lines: picked, next: lines.length });
    })
    .add('GET', '/api/runs/:id/artifacts', async (req, res, p, q) => {
      needRead(req, q);
      const run = await getRun(runId(p.id));
      const root = join(config.data, 'runs', String(run.id), 'artifacts');
      const files: { path: string; size: number }[] = [];
      const walk = (dir: string, rel: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const r = rel === '' ? e.name : `${rel}/${e.name}`;
          if (e.isDirectory()) walk(join(dir, e.name), r);
          else if (e.isFile()) files.push({ path: r, size: statSync(join(dir, e.name)).size });
        }
      };
      if (existsSync(root)) walk(root, '');
      sendJson(res, 200, { artifacts: files });
    })
    .add('GET', '/api/runs/:id/artifacts/*', async (req, res, p, q) => {
      needRead(req, q);
      const run = await getRun(runId(p.id));
      const root = join(config.data, 'runs', String(run.id), 'artifacts');
      const file = normalize(join(root, p.rest as string));
      if (!file.startsWith(`${root}/`) || !existsSync(file) || !statSync(file).isFile())
        throw new HttpError(404, 'not_found', `run ${run.id} has no artifact '${p.rest}'`);
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': statSync(file).size,
        'Content-Disposition': `attachment; filename="${basename(file).replace(/"/g, '')}"`,
      });
      await pipeline(createReadStream(file), res);
    })
    .add('POST', '/api/runs/:id/cancel', async (req, res, p, q) => {
      needWrite(req, q);
      const run = await getRun(runId(p.id));
      if (!(await queue.cancel(run.id))) throw new HttpError(409, 'conflict', `run ${run.id} is ${run.state}, not queued or running`);
      sendJson(res, 202, { ok: true });
    })
    .add('POST', '/api/runs/:id/retry', async (req, res, p, q) => {
      needWrite(req, q);
      const run = await getRun(runId(p.id));
      const body = parseJson(await readBody(req, API_BODY_LIMIT)) as { job?: unknown };
      if (body.job !== undefined && typeof body.job !== 'string') throw new HttpError(400, 'invalid_job', 'job: expected a job name');
      sendJson(res, 202, await retryRun(store, queue, bus, run, body.job as string | undefined));
    })
    .add('GET', '/api/deliveries', async (req, res, _p, q) => {
      needWrite(req, q);
      sendJson(res, 200, { deliveries: await store.listDeliveries(Math.min(500, Number(q.get('limit') ?? 100) || 100)) });
    })
    .add('GET', '/api/events', (req, res, _p, q) => {
      needRead(req, q);
      const r = q.get('run');
      const run = r === null ? undefined : runId(r);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n: connected\n\n');
      const send = (e: ServerEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      const unsubscribe = bus.subscribe(run, send);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      const stop = () => {
        clearInterval(ping);
        unsubscribe();
        sse.delete(res);
      };
      sse.set(res, stop);
      req.on('close', stop);
    })
    .add('POST', '/hooks/github/:project', hook('github'))
    .add('POST', '/hooks/gitlab/:project', hook('gitlab'))
    .add('GET', '/', (_req, res) => sendStatic(res, 'index.html'))
    .add('GET', '/studio/*', (_req, res, p) => sendStatic(res, p.rest as string));

  const sse = new Map<ServerResponse, () => void>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      try {
        const { handler, params } = router.match(req.method ?? 'GET', url.pathname);
        await handler(req, res, params, url.searchParams);
      } catch (e) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (e instanceof HttpError) sendError(res, e);
        else {
          serverLog(`internal error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
          sendError(res, new HttpError(500, 'internal', 'internal error (logged by the server)'));
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  // Retention: finished runs older than the setting go, with their files; checked hourly.
  const sweep = async () => {
    if (config.retentionDays === 0) return;
    const before = new Date(Date.now() - config.retentionDays * 86_400_000).toISOString();
    for (const id of await store.runsEndedBefore(before)) {
      await store.deleteRun(id);
      queue.removeFiles(id);
    }
  };
  const retention = setInterval(() => void sweep().catch((e) => serverLog(`retention: ${(e as Error).message}`)), 3_600_000);
  retention.unref();
  await sweep();
  await queue.recover();

  let closed = false;
  return {
    url: baseUrl,
    port,
    store,
    queue,
    bus,
    startRun,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(retention);
      for (const c of crons) c.stop();
      for (const [res, stop] of sse) {
        stop();
        res.end();
      }
      const closing = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await queue.close();
      await closing;
      await store.close();
    },
  };
}

function sendStatic(res: ServerResponse, rel: string): void {
  const path = normalize(join(STUDIO_DIR, rel));
  if (!path.startsWith(STUDIO_DIR) || !existsSync(path)) throw new HttpError(404, 'not_found', `no such file: ${rel}`);
  const body = readFileSync(path);
  res.writeHead(200, {
    'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
  });
  res.end(body);
}

/** Re-queues a finished run: `job` and the jobs after it (or every job that did not pass). */
export async function retryRun(store: Store, queue: RunQueue, bus: EventBus, run: RunRecord, job?: string): Promise<RunRecord> {
  if (run.state === 'queued' || run.state === 'running')
    throw new HttpError(409, 'conflict', `run ${run.id} is ${run.state}; retry it once it ended`);
  const jobs = await store.listJobs(run.id);
  let reset: Set<string>;
  if (job !== undefined) {
    const target = jobs.find((j) => j.name === job);
    if (target === undefined) throw new HttpError(404, 'not_found', `run ${run.id} has no job '${job}'`);
    if (target.state === 'passed') throw new HttpError(409, 'conflict', `the job '${job}' passed; only jobs that did not pass are retried`);
    reset = new Set([job]);
    // The jobs after it, which could not run because of it.
    for (let grew = true; grew; ) {
      grew = false;
      for (const j of jobs)
        if (!reset.has(j.name) && j.state !== 'passed' && j.needs.some((n) => reset.has(n))) {
          reset.add(j.name);
          grew = true;
        }
    }
  } else reset = new Set(jobs.filter((j) => j.state !== 'passed').map((j) => j.name));
  for (const j of jobs)
    if (reset.has(j.name)) await store.putJob({ ...j, state: 'waiting', startedAt: undefined, endedAt: undefined, detail: undefined });
  await store.updateRun(run.id, { state: 'queued', attempt: run.attempt + 1, endedAt: undefined, detail: undefined });
  bus.emit({ type: 'run', run: run.id, state: 'queued', project: run.project, pipeline: run.pipeline });
  queue.enqueue(run.id);
  return (await store.getRun(run.id)) as RunRecord;
}

/** Checks a pipeline on a fresh clone: each job's graph (laid out) and diagnostics, before any run. */
async function checkPipeline(dataDir: string, project: ProjectConfig, pipeline: PipelineConfig, ref?: string) {
  const kind = pipelineKind(pipeline.kind);
  if (kind === undefined) throw new HttpError(409, 'conflict', `no pipeline kind '${pipeline.kind}'`);
  const dir = join(dataDir, 'checks', `${project.name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  try {
    let sha: string;
    try {
      sha = await prepareWorkspace(dir, project.repository, { sha: ref, branch: project.branch });
    } catch (e) {
      throw new HttpError(422, 'workspace', (e as Error).message);
    }
    const jobs = await kind.prepare(pipeline, dir, { ...pipeline.params, sha, workspace: dir, ref: ref ?? '', event: 'check', run: '0' });
    const out = [];
    for (const j of jobs) {
      const graph = j.graph === undefined ? undefined : await layoutGraph(j.graph, join(dataDir, 'layouts'));
      out.push({ name: j.name, needs: j.needs, diagnostics: j.diagnostics, graph });
    }
    return { sha, jobs: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
