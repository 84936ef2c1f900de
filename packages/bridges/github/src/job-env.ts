/**
 * `tutti github job up|step|down JOB`: the job environment of an imported job with `container:`
 * or `services:` (what `tutti github import` writes calls, as `tutti github action` for action
 * steps). The containers are those `tutti github run` starts, through the same `JobContainers`:
 *
 * - `up` starts the services on a network of the job's own and the job container (GitHub's
 *   paths mounted: the working tree as the workspace, a temp folder of the job's as the runner
 *   temp, its home, an event payload), writes their state to a folder keyed by the run and the
 *   job, and hands `job.container`/`job.services` back through `$GITHUB_OUTPUT` (`job=<JSON>`);
 *   it also starts a small watcher that runs `down` once the `tutti run` that called it is gone
 *   (`TUTTI_RUN_PID`), so an interrupted or killed run leaves nothing behind.
 * - `step` runs one step in the job container with the runner's own step code (steps.ts, as
 *   `tutti github run` runs it): a `run:` script (`TUTTI_STEP_RUN`, `TUTTI_STEP_SHELL`,
 *   `TUTTI_STEP_WORKING_DIRECTORY`) or an action (`TUTTI_STEP_USES`, its `with:` as `INPUT_*`),
 *   GitHub's shell table, the file commands at `/__w/_temp/_runner_file_commands/…`, workflow
 *   commands; the job's variables are GitHub's defaults, the workflow's and job's `env` (the
 *   names in `TUTTI_JOB_ENV`), what earlier steps set through GITHUB_ENV and the step's `env`
 *   (names in `TUTTI_STEP_ENV`) — not the host's. Outputs and GITHUB_ENV entries go back through
 *   the calling step's files; GITHUB_PATH entries stay with the job environment.
 * - `down` removes the containers, the network and the folder (whatever happened; nothing to do
 *   when already done).
 *
 * The values the calling step evaluated (the script, env values) arrive evaluated: any `${{`
 * left in them is kept as text, not evaluated again.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { dotenvEntry, literal, runActionStep } from './action-step.js';
import {
  ContainerProblem,
  type ContainerSpec,
  containerPaths,
  containerSpec,
  JobContainers,
  type JobContainersState,
  jobMounts,
} from './containers.js';
import { type RepoFacts, repoFacts } from './git.js';
import { defaultEnv } from './run.js';
import type { Raw } from './steps.js';

/** What `up` leaves for `step` and `down`. */
interface JobState {
  readonly containers: JobContainersState;
  readonly temp: string;
  readonly workspace: string;
  readonly repo: string;
  /** The repository's facts (`github` context), read once by `up`. */
  readonly facts: RepoFacts;
  /** The watcher's process id. */
  readonly watcher?: number;
  /** `job.container` and `job.services`. */
  readonly job: Raw;
  seq: number;
  paths: string[];
}

export interface JobEnvOptions {
  /** The job's key in the run (the importer names it after the workflow file and the job treatment). */
  readonly key: string;
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly actionCache: string;
  readonly cacheRoot: string;
  readonly out: NodeJS.WritableStream;
}

export class JobEnvProblem extends Error {}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** The folder of a job environment: `$TMPDIR/tutti-github-job-<run id>-<key>`. */
export function jobDir(env: Record<string, string | undefined>, key: string): string {
  const run = env.TUTTI_RUN_ID;
  if (run === undefined || run === '') throw new JobEnvProblem('TUTTI_RUN_ID is not set (the run the job belongs to)');
  return join(tmpdir(), `tutti-github-job-${safe(run)}-${safe(key)}`);
}

async function readState(dir: string): Promise<JobState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as JobState;
  } catch {
    return undefined;
  }
}

async function writeState(dir: string, s: JobState): Promise<void> {
  // whole or not at all: a watcher may read it at any time
  await writeFile(join(dir, 'state.json.new'), JSON.stringify(s));
  await rename(join(dir, 'state.json.new'), join(dir, 'state.json'));
}

/**
 * `TUTTI_JOB_CONTAINER` / `TUTTI_JOB_SERVICES`: JSON where each text that held an expression is
 * `{"tutti_value": n}`, its evaluated text in `TUTTI_JOB_VALUE_<n>` (so that a value holding a
 * quote cannot break the JSON); a value given by one expression that may give a mapping is
 * `{"tutti_json": n}`, the JSON of what it gave in `TUTTI_JOB_VALUE_<n>`.
 */
function specValue(text: string | undefined, env: Record<string, string | undefined>, what: string): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new JobEnvProblem(`${what}: ${(e as Error).message}`);
  }
  const fill = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(fill);
    if (x && typeof x === 'object') {
      const o = x as Raw;
      if (Object.keys(o).length === 1 && typeof o.tutti_value === 'number') return env[`TUTTI_JOB_VALUE_${o.tutti_value}`] ?? '';
      // (a value given by one expression, as the JSON of what it gave: a `container:` mapping)
      if (Object.keys(o).length === 1 && typeof o.tutti_json === 'number') {
        const t = env[`TUTTI_JOB_VALUE_${o.tutti_json}`] ?? '';
        try {
          return t === '' ? undefined : (JSON.parse(t) as unknown);
        } catch (e) {
          throw new JobEnvProblem(`${what}: ${(e as Error).message}`);
        }
      }
      return Object.fromEntries(Object.entries(o).map(([k, y]) => [k, fill(y)]));
    }
    return x;
  };
  return fill(v);
}

/** The watcher: once the process running the program (`pid`) is gone, `down`. */
function startWatcher(pid: string, key: string, env: Record<string, string | undefined>): number | undefined {
  const node = env.TUTTI_NODE ?? process.execPath;
  const cli = env.TUTTI_CLI ?? process.argv[1];
  if (cli === undefined) return undefined;
  const child = spawn(
    'sh',
    ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" "$3" github job down "$4"', 'tutti-job-watch', pid, node, cli, key],
    { detached: true, stdio: 'ignore', env: env as NodeJS.ProcessEnv },
  );
  child.on('error', () => {});
  child.unref();
  return child.pid;
}

/** `up`: starts the job's services and container; exit status 0, or 1 (nothing left running). */
export async function jobUp(o: JobEnvOptions): Promise<0 | 1> {
  const log = (l: string) => o.out.write(`${l}\n`);
  const dir = jobDir(o.env, o.key);
  let container: ContainerSpec | undefined;
  const services: Record<string, ContainerSpec> = {};
  try {
    container = containerSpec(specValue(o.env.TUTTI_JOB_CONTAINER, o.env, 'container'), 'container');
    const sv = specValue(o.env.TUTTI_JOB_SERVICES, o.env, 'services');
    if (sv !== undefined && (typeof sv !== 'object' || sv === null || Array.isArray(sv)))
      throw new ContainerProblem('services must be a mapping');
    for (const [id, s] of Object.entries((sv ?? {}) as Raw)) {
      const spec = containerSpec(s, `services.${id}`);
      if (spec) services[id] = spec;
    }
  } catch (e) {
    if (!(e instanceof ContainerProblem || e instanceof JobEnvProblem)) throw e;
    log(`##[error]${e.message}`);
    return 1;
  }
  if (existsSync(join(dir, 'state.json'))) {
    log(`##[error]the job environment '${o.key}' of this run is up already`);
    return 1;
  }
  const temp = join(dir, 'temp');
  await mkdir(temp, { recursive: true });
  const eventPath = join(dir, 'event.json');
  await writeFile(eventPath, '{}\n');
  const facts = await repoFacts(o.cwd, basename(o.cwd));
  const repo = facts.repository.split('/').pop() || basename(o.cwd) || 'repo';
  let c: JobContainers;
  try {
    c = new JobContainers(log);
  } catch (e) {
    log(`##[error]${(e as Error).message}`);
    await rm(dir, { recursive: true, force: true });
    return 1;
  }
  const mounts = await jobMounts({ workspace: o.cwd, temp, repo, eventPath, actionCache: o.actionCache });
  const pid = o.env.TUTTI_RUN_PID;
  const watcher = pid && /^\d+$/.test(pid) ? startWatcher(pid, o.key, o.env) : undefined;
  const state: JobState = {
    // before starting: what a start cut short (a killed run) made is removed all the same
    containers: {
      ...c.snapshot(),
      names: c.plannedNames(Object.keys(services), container !== undefined),
      networkMade: true,
      mounts,
    },
    temp,
    workspace: o.cwd,
    repo,
    facts,
    ...(watcher !== undefined ? { watcher } : {}),
    job: {},
    seq: 0,
    paths: [],
  };
  await writeState(dir, state);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await c.start(container, services, mounts, abort.signal);
  } catch (e) {
    if (!(e instanceof ContainerProblem)) throw e;
    log(`##[error]${e.message}`);
    await down(dir, state, o.out);
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  // as `tutti github run` gives them (a job on the host with services has the network too)
  const job = { container: { id: c.containerId ?? '', network: c.network }, services: c.services };
  await writeState(dir, { ...state, containers: c.snapshot(), job });
  const file = o.env.GITHUB_OUTPUT;
  if (file) await writeFile(file, dotenvEntry('job', JSON.stringify(job)) ?? '', { flag: 'a' });
  log(`Job environment up (network ${c.network})`);
  return 0;
}

/** `step`: one step of the job in its container; exit status 0 (succeeded) or 1. */
export async function jobStep(o: JobEnvOptions): Promise<0 | 1> {
  const dir = jobDir(o.env, o.key);
  const state = await readState(dir);
  if (!state) {
    o.out.write(`##[error]the job environment '${o.key}' is not up (tutti github job up ${o.key})\n`);
    return 1;
  }
  const containers = JobContainers.restore(state.containers, (l) => o.out.write(`${l}\n`));
  const names = (v: string | undefined): string[] => {
    try {
      const a = JSON.parse(v ?? '[]') as unknown;
      return Array.isArray(a) ? a.map(String) : [];
    } catch {
      return [];
    }
  };
  const pick = (list: string[]) => {
    const r: Record<string, string> = {};
    for (const n of list) if (o.env[n] !== undefined) r[n] = o.env[n]!;
    return r;
  };
  // the helpers' GITHUB_ENV file (dotenv syntax): what earlier steps of the run set
  let setEnv: Record<string, string> = {};
  if (o.env.GITHUB_ENV) setEnv = parseDotenv(await readFile(o.env.GITHUB_ENV).catch(() => Buffer.alloc(0)));
  const p = containerPaths(state.repo);
  const inContainer = state.containers.containerId !== undefined;
  const machineEnv = (gh: Raw) => {
    const full: Raw = {
      api_url: 'https://api.github.com',
      graphql_url: 'https://api.github.com/graphql',
      base_ref: '',
      head_ref: '',
      ref_type: String(gh.ref ?? '').startsWith('refs/tags/') ? 'tag' : 'branch',
      run_attempt: '1',
      run_number: '1',
      triggering_actor: gh.actor,
      workflow_ref: '',
      event_path: join(dir, 'event.json'),
      ...gh,
    };
    const e = defaultEnv(full, { workspace: state.workspace, temp: state.temp, name: o.key });
    if (inContainer) return { ...e, GITHUB_WORKSPACE: p.workspace, RUNNER_TEMP: p.temp, HOME: p.home, GITHUB_EVENT_PATH: p.eventPath };
    // no job container (its image an expression that gave none): on the host, with its variables
    const host: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.env))
      if (v !== undefined && !k.startsWith('TUTTI_STEP_') && !k.startsWith('TUTTI_JOB_') && !k.startsWith('INPUT_')) host[k] = v;
    return { ...host, ...e };
  };
  const stepEnv = Object.fromEntries(Object.entries(pick(names(o.env.TUTTI_STEP_ENV))).map(([k, v]) => [k, literal(v)]));
  const job = {
    temp: state.temp,
    seq: state.seq,
    paths: state.paths,
    machineEnv,
    baseEnv: pick(names(o.env.TUTTI_JOB_ENV)),
    setEnv,
    job: state.job,
    ...(inContainer ? { containers } : {}),
  };
  const uses = o.env.TUTTI_STEP_USES;
  const opt = (k: string) => (o.env[k] !== undefined && o.env[k] !== '' ? literal(o.env[k]!) : undefined);
  const step: Raw | undefined =
    uses !== undefined && uses !== ''
      ? undefined
      : {
          run: literal(o.env.TUTTI_STEP_RUN ?? ''),
          ...(opt('TUTTI_STEP_SHELL') !== undefined ? { shell: opt('TUTTI_STEP_SHELL') } : {}),
          ...(opt('TUTTI_STEP_WORKING_DIRECTORY') !== undefined ? { 'working-directory': opt('TUTTI_STEP_WORKING_DIRECTORY') } : {}),
          env: stepEnv,
        };
  const env = { ...o.env };
  for (const k of Object.keys(env)) if (k.startsWith('TUTTI_STEP_') || k.startsWith('TUTTI_JOB_')) delete env[k];
  const status = await runActionStep({
    uses: uses ?? '',
    cwd: state.workspace,
    env,
    actionCache: o.actionCache,
    cacheRoot: o.cacheRoot,
    out: o.out,
    job,
    repo: state.facts,
    ...(step ? { step } : { stepEnv }),
  });
  // the numbering of the file-command files and the PATH entries, for the next step
  const now = await readState(dir);
  if (now) await writeState(dir, { ...now, seq: job.seq, paths: job.paths });
  return status;
}

async function down(dir: string, state: JobState | undefined, out?: NodeJS.WritableStream): Promise<void> {
  if (state) {
    const c = JobContainers.restore(state.containers, () => {});
    await c.stop();
    if (state.watcher !== undefined && state.watcher !== process.pid)
      try {
        process.kill(-state.watcher);
      } catch {
        // gone already
      }
    out?.write(`Job environment down (network ${state.containers.network})\n`);
  }
  await rm(dir, { recursive: true, force: true });
}

/** `down`: removes the job's containers, network and folder; exit status 0. */
export async function jobDown(o: Pick<JobEnvOptions, 'key' | 'env' | 'out'>): Promise<0> {
  const dir = jobDir(o.env, o.key);
  await down(dir, await readState(dir), o.out);
  return 0;
}
