/**
 * The server's configuration: a JSON file (`--config`), every field optional, checked
 * field by field so a mistake is reported with its place (`serve.json: projects[0].pipelines[1].kind:
 * …`) and never as a stack trace. Secrets may be given as `{ "env": "NAME" }` to be read from
 * the environment instead of the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A configuration mistake, with its place: the server refuses to start (exit 2). */
export class ConfigError extends Error {}

/** Who may read without a token. */
export type ReadAccess = 'public' | 'token';

/** An API token. `write` tokens may also read. */
export interface TokenConfig {
  readonly name: string;
  readonly token: string;
  readonly access: 'read' | 'write';
}

/** One job of a `.mel` pipeline: one entrypoint run. */
export interface MelJobConfig {
  /** The program, relative to the repository root: a `.mel` script or a `Compo.toml` folder. */
  readonly program: string;
  /** The entrypoint's command (`main` by default). */
  readonly command?: string;
  /** Entry arguments; `${name}` is replaced by the run's parameter `name` (sha, ref, event, workspace, manual ones). */
  readonly args: readonly string[];
  readonly needs: readonly string[];
}

/** Events a pipeline starts on. */
export const TRIGGERS = ['push', 'pull_request', 'merge_request', 'schedule', 'manual'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** A `github` pipeline: one workflow file of the repository. */
export interface GithubPipelineConfig {
  /** The workflow file, relative to the repository root (`.github/workflows/ci.yml`). */
  readonly workflow: string;
  /** runs-on label → container image, as `tutti github run -P` (`host`, or unmapped: the job runs on the host). */
  readonly platforms: Readonly<Record<string, string>>;
  /** The `secrets` context (values may be `{ "env": "NAME" }`). */
  readonly secrets: Readonly<Record<string, string>>;
  /** The `vars` context. */
  readonly vars: Readonly<Record<string, string>>;
}

/** A `gitlab` pipeline: a `.gitlab-ci.yml` of the repository. */
export interface GitlabPipelineConfig {
  /** The pipeline file, relative to the repository root (`.gitlab-ci.yml` by default). */
  readonly file: string;
  /**
   * Pipeline variables (highest precedence, as variables given to a pipeline run): `NAME: value`,
   * or `NAME: {value, masked}` as a GitLab project's CI/CD variables (the variables file of
   * `tutti gitlab run --variables-file`).
   */
  readonly variables: Readonly<Record<string, string>>;
  /** Names of `variables` whose values show as `[MASKED]` in the jobs' logs (`--masked NAME`). */
  readonly masked: readonly string[];
}

/** The pipeline kinds: `mel` (built in), `github` and `gitlab` (their bridges load when a run needs them). */
export const KINDS = ['mel', 'github', 'gitlab'] as const;

/** One pipeline of a project. */
export interface PipelineConfig {
  readonly name: string;
  /** `mel`, `github` or `gitlab`; further kinds may register with {@link registerPipelineKind}. */
  readonly kind: string;
  /** The workflow of a `github` pipeline. */
  readonly github?: GithubPipelineConfig;
  /** The pipeline file of a `gitlab` pipeline. */
  readonly gitlab?: GitlabPipelineConfig;
  /** Jobs by name (`mel`: a single `program` becomes one job named `main`). */
  readonly jobs: Readonly<Record<string, MelJobConfig>>;
  /** Kind-specific definition (e.g. a workflow file), kept as written. */
  readonly source?: Readonly<Record<string, unknown>>;
  readonly on: readonly Trigger[];
  /** Branches whose pushes start it (all when empty). */
  readonly branches: readonly string[];
  /** A cron expression (five or six fields, croner syntax). */
  readonly schedule?: string;
  /** Default values of manual parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** Files or folders of the workspace kept with the run once it ended (relative paths). */
  readonly artifacts: readonly string[];
}

/** Where and how statuses are reported. */
export interface GithubConfig {
  readonly secret?: string;
  /** `owner/repo`, for commit statuses. */
  readonly repository?: string;
  readonly token?: string;
  readonly apiUrl: string;
}

export interface GitlabConfig {
  readonly secret?: string;
  readonly projectId?: string;
  readonly token?: string;
  readonly apiUrl: string;
}

/** One project. */
export interface ProjectConfig {
  readonly name: string;
  /** A local git repository or a clone URL. */
  readonly repository: string;
  /** The branch runs check out when no commit is given. */
  readonly branch?: string;
  readonly github?: GithubConfig;
  readonly gitlab?: GitlabConfig;
  readonly pipelines: readonly PipelineConfig[];
}

/** The whole configuration, defaults applied. */
export interface ServeConfig {
  readonly host: string;
  readonly port: number;
  /** Data directory: SQLite file, run workspaces, logs, layout cache. */
  readonly data: string;
  /** A PostgreSQL URL; SQLite in `data` when absent. */
  readonly database?: string;
  /** Runs executed at once. */
  readonly concurrency: number;
  /** The server's public URL, for links in commit statuses. */
  readonly publicUrl?: string;
  /** Finished runs (records, logs, workspaces) are deleted after this many days; 0 keeps them. */
  readonly retentionDays: number;
  readonly tokens: readonly TokenConfig[];
  readonly readAccess: ReadAccess;
  /** Webhook deliveries accepted per minute and remote address, and the burst allowed. */
  readonly webhookRate: { readonly perMinute: number; readonly burst: number };
  readonly projects: readonly ProjectConfig[];
}

type Json = unknown;

class Reader {
  constructor(
    readonly file: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}
  fail(at: string, message: string): never {
    const path = at.replace(/^\./, '');
    throw new ConfigError(`${this.file}: ${path === '' ? '' : `${path}: `}${message}`);
  }
  object(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as Record<string, Json>;
  }
  known(o: Record<string, Json>, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o)) if (!keys.includes(k)) this.fail(path, `unknown field '${k}' (known: ${keys.join(', ')})`);
  }
  string(v: Json, path: string): string {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { env?: unknown }).env === 'string') {
      const name = (v as { env: string }).env;
      const value = this.env[name];
      if (value === undefined) this.fail(path, `the environment variable '${name}' is not set`);
      return value;
    }
    if (typeof v !== 'string') this.fail(path, 'expected a string');
    return v;
  }
  optString(v: Json, path: string): string | undefined {
    return v === undefined ? undefined : this.string(v, path);
  }
  int(v: Json, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `expected an integer from ${min} to ${max}`);
    return v;
  }
  strings(v: Json, path: string): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, 'expected an array of strings');
    return v.map((x, i) => this.string(x, `${path}[${i}]`));
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads and checks a configuration file; throws {@link ConfigError} with the place of any mistake. */
export function readConfig(file: string, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the configuration: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let where = '';
    if (m !== null) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      where = `:${line}:${Number(m[1]) - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError(`${file}${where}: invalid JSON: ${(e as Error).message}`);
  }
  return parseConfig(value, file, env);
}

/** Checks a configuration value (from a file or built by a host); defaults applied. */
export function parseConfig(value: Json, file = 'configuration', env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const r = new Reader(file, env);
  const o = r.object(value ?? {}, '');
  r.known(o, '', [
    'host',
    'port',
    'data',
    'database',
    'concurrency',
    'publicUrl',
    'retentionDays',
    'tokens',
    'readAccess',
    'webhookRate',
    'projects',
  ]);
  const tokens = o.tokens === undefined ? [] : Array.isArray(o.tokens) ? o.tokens : r.fail('tokens', 'expected an array');
  const readAccess = o.readAccess ?? 'token';
  if (readAccess !== 'public' && readAccess !== 'token') return r.fail('readAccess', "expected 'public' or 'token'");
  const rate = o.webhookRate === undefined ? {} : r.object(o.webhookRate, 'webhookRate');
  r.known(rate, 'webhookRate', ['perMinute', 'burst']);
  const projects = o.projects === undefined ? [] : Array.isArray(o.projects) ? o.projects : r.fail('projects', 'expected an array');
  const parsedProjects = projects.map((p, i) => projectFrom(r, p, `projects[${i}]`));
  const names = new Set<string>();
  for (const [i, p] of parsedProjects.entries()) {
    if (names.has(p.name)) r.fail(`projects[${i}].name`, `the project '${p.name}' is defined twice`);
    names.add(p.name);
  }
  const database = r.optString(o.database, 'database');
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database))
    r.fail('database', 'expected a postgres:// URL (SQLite is used when absent)');
  const publicUrl = r.optString(o.publicUrl, 'publicUrl');
  return {
    host: r.optString(o.host, 'host') ?? '127.0.0.1',
    port: o.port === undefined ? 8080 : r.int(o.port, 'port', 0, 65535),
    data: resolve(r.optString(o.data, 'data') ?? 'tutti-data'),
    ...(database === undefined ? {} : { database }),
    concurrency: o.concurrency === undefined ? 2 : r.int(o.concurrency, 'concurrency', 1, 256),
    ...(publicUrl === undefined ? {} : { publicUrl: publicUrl.replace(/\/+$/, '') }),
    retentionDays: o.retentionDays === undefined ? 30 : r.int(o.retentionDays, 'retentionDays', 0, 36500),
    tokens: tokens.map((t, i) => {
      const path = `tokens[${i}]`;
      const to = r.object(t, path);
      r.known(to, path, ['name', 'token', 'access']);
      const access = to.access ?? 'write';
      if (access !== 'read' && access !== 'write') return r.fail(`${path}.access`, "expected 'read' or 'write'");
      const token = r.string(to.token, `${path}.token`);
      if (token.length < 16) r.fail(`${path}.token`, 'a token needs at least 16 characters');
      return { name: r.optString(to.name, `${path}.name`) ?? `token${i}`, token, access };
    }),
    readAccess,
    webhookRate: {
      perMinute: rate.perMinute === undefined ? 120 : r.int(rate.perMinute, 'webhookRate.perMinute', 1, 1_000_000),
      burst: rate.burst === undefined ? 30 : r.int(rate.burst, 'webhookRate.burst', 1, 1_000_000),
    },
    projects: parsedProjects,
  };
}

/** Checks one project definition (from the API): mistakes are reported with their place. */
export function parseProject(value: Json, env: NodeJS.ProcessEnv = process.env): ProjectConfig {
  return projectFrom(new Reader('project', env), value, '');
}

function projectFrom(reader: Reader, value: Json, path: string): ProjectConfig {
  const o = reader.object(value, path);
  reader.known(o, path, ['name', 'repository', 'branch', 'github', 'gitlab', 'pipelines']);
  const name = reader.string(o.name, `${path}.name`);
  if (!NAME.test(name)) reader.fail(`${path}.name`, 'a name is 1 to 64 letters, digits, dots, dashes or underscores');
  const branch = reader.optString(o.branch, `${path}.branch`);
  const pipelines = Array.isArray(o.pipelines) ? o.pipelines : reader.fail(`${path}.pipelines`, 'expected an array of pipelines');
  const parsed = pipelines.map((p, i) => parsePipeline(reader, p, `${path}.pipelines[${i}]`));
  const seen = new Set<string>();
  for (const [i, p] of parsed.entries()) {
    if (seen.has(p.name)) reader.fail(`${path}.pipelines[${i}].name`, `the pipeline '${p.name}' is defined twice`);
    seen.add(p.name);
  }
  const provider = (key: 'github' | 'gitlab') => {
    if (o[key] === undefined) return undefined;
    const po = reader.object(o[key], `${path}.${key}`);
    const idKey = key === 'github' ? 'repository' : 'projectId';
    reader.known(po, `${path}.${key}`, ['secret', idKey, 'token', 'apiUrl']);
    const out: Record<string, string> = {
      apiUrl:
        reader.optString(po.apiUrl, `${path}.${key}.apiUrl`) ?? (key === 'github' ? 'https://api.github.com' : 'https://gitlab.com/api/v4'),
    };
    for (const k of ['secret', idKey, 'token']) {
      const v = reader.optString(po[k], `${path}.${key}.${k}`);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  const github = provider('github') as GithubConfig | undefined;
  const gitlab = provider('gitlab') as GitlabConfig | undefined;
  return {
    name,
    repository: reader.string(o.repository, `${path}.repository`),
    ...(branch === undefined ? {} : { branch }),
    ...(github === undefined ? {} : { github }),
    ...(gitlab === undefined ? {} : { gitlab }),
    pipelines: parsed,
  };
}

function parsePipeline(r: Reader, value: Json, path: string): PipelineConfig {
  const o = r.object(value, path);
  const kindFields: Record<string, readonly string[]> = {
    mel: ['program', 'command', 'args', 'jobs'],
    github: ['workflow', 'platforms', 'secrets', 'vars'],
    gitlab: ['file', 'variables'],
  };
  r.known(o, path, [
    'name',
    'kind',
    ...new Set(Object.values(kindFields).flat()),
    'source',
    'on',
    'branches',
    'schedule',
    'params',
    'artifacts',
  ]);
  const name = r.string(o.name, `${path}.name`);
  if (!NAME.test(name)) r.fail(`${path}.name`, 'a name is 1 to 64 letters, digits, dots, dashes or underscores');
  const kind = r.optString(o.kind, `${path}.kind`) ?? 'mel';
  // A field of another built-in kind is a mistake (a `workflow` on a gitlab pipeline).
  for (const [k, fields] of Object.entries(kindFields))
    if (k !== kind && (kindFields[kind] !== undefined || k !== 'mel'))
      for (const f of fields)
        if (o[f] !== undefined && !(kindFields[kind] ?? []).includes(f))
          r.fail(`${path}.${f}`, `'${f}' belongs to ${k} pipelines, not to a ${kind} pipeline`);
  const inRepo = (v: Json, at: string, what: string): string => {
    const p = r.string(v, at);
    if (p === '' || p.startsWith('/') || p.split(/[\\/]/).includes('..'))
      r.fail(at, `${what} is a path inside the repository (no leading / and no ..)`);
    return p;
  };
  const strMap = (v: Json, at: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (v !== undefined) for (const [k, x] of Object.entries(r.object(v, at))) out[k] = r.string(x, `${at}.${k}`);
    return out;
  };
  let github: GithubPipelineConfig | undefined;
  let gitlab: GitlabPipelineConfig | undefined;
  if (kind === 'github') {
    if (o.workflow === undefined)
      r.fail(path, "a github pipeline needs 'workflow': its workflow file in the repository (e.g. .github/workflows/ci.yml)");
    github = {
      workflow: inRepo(o.workflow, `${path}.workflow`, 'a workflow'),
      platforms: strMap(o.platforms, `${path}.platforms`),
      secrets: strMap(o.secrets, `${path}.secrets`),
      vars: strMap(o.vars, `${path}.vars`),
    };
  } else if (kind === 'gitlab') {
    // `NAME: value` or `NAME: {value, masked, protected, description}` (GitLab's variables API).
    const variables: Record<string, string> = {};
    const masked: string[] = [];
    if (o.variables !== undefined)
      for (const [k, x] of Object.entries(r.object(o.variables, `${path}.variables`))) {
        const at = `${path}.variables.${k}`;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) r.fail(at, `'${k}' is not a valid variable name`);
        if (typeof x === 'string' || (typeof x === 'object' && x !== null && 'env' in x)) {
          variables[k] = r.string(x, at); // text, or {env: NAME}
          continue;
        }
        const e = r.object(x, at);
        r.known(e, at, ['value', 'masked', 'protected', 'description']);
        variables[k] = r.string(e.value, `${at}.value`);
        if (e.masked !== undefined && typeof e.masked !== 'boolean') r.fail(`${at}.masked`, 'masked is true or false');
        if (e.masked === true) {
          // GitLab's conditions for a maskable value (as the GitLab bridge checks --masked).
          const v = variables[k] as string;
          const why = /[\r\n]/.test(v)
            ? 'a masked value must be a single line'
            : /\s/.test(v)
              ? 'a masked value cannot contain spaces'
              : v.length < 8
                ? 'a masked value must be at least 8 characters long'
                : undefined;
          if (why !== undefined) r.fail(`${at}.value`, `${why}, as GitLab requires`);
          masked.push(k);
        }
      }
    gitlab = {
      file: o.file === undefined ? '.gitlab-ci.yml' : inRepo(o.file, `${path}.file`, 'a pipeline file'),
      variables,
      masked,
    };
  }
  const jobs: Record<string, MelJobConfig> = {};
  if (o.jobs !== undefined) {
    if (o.program !== undefined) r.fail(`${path}.program`, "give either 'program' (one job) or 'jobs', not both");
    const jo = r.object(o.jobs, `${path}.jobs`);
    for (const [jobName, j] of Object.entries(jo)) {
      const jp = `${path}.jobs.${jobName}`;
      if (!NAME.test(jobName)) r.fail(jp, 'a job name is 1 to 64 letters, digits, dots, dashes or underscores');
      jobs[jobName] = parseJob(r, j, jp);
    }
    for (const [jobName, j] of Object.entries(jobs))
      for (const need of j.needs)
        if (jobs[need] === undefined) r.fail(`${path}.jobs.${jobName}.needs`, `no job '${need}' in this pipeline`);
    const cycle = findCycle(jobs);
    if (cycle !== undefined) r.fail(`${path}.jobs`, `the jobs' needs form a cycle: ${cycle.join(' → ')}`);
  } else if (o.program !== undefined) {
    jobs.main = parseJob(r, { program: o.program, command: o.command, args: o.args }, path);
  } else if (kind === 'mel') r.fail(path, "a mel pipeline needs 'program' or 'jobs'");
  const on = o.on === undefined ? ['push', 'pull_request', 'merge_request', 'manual'] : r.strings(o.on, `${path}.on`);
  for (const [i, t] of on.entries())
    if (!(TRIGGERS as readonly string[]).includes(t)) r.fail(`${path}.on[${i}]`, `unknown trigger '${t}' (known: ${TRIGGERS.join(', ')})`);
  const schedule = r.optString(o.schedule, `${path}.schedule`);
  const params: Record<string, string> = {};
  if (o.params !== undefined)
    for (const [k, v] of Object.entries(r.object(o.params, `${path}.params`))) params[k] = r.string(v, `${path}.params.${k}`);
  return {
    name,
    kind,
    ...(github === undefined ? {} : { github }),
    ...(gitlab === undefined ? {} : { gitlab }),
    jobs,
    ...(o.source === undefined ? {} : { source: r.object(o.source, `${path}.source`) }),
    on: [...(on as Trigger[]), ...(schedule !== undefined && !on.includes('schedule') ? (['schedule'] as const) : [])],
    branches: r.strings(o.branches, `${path}.branches`),
    ...(schedule === undefined ? {} : { schedule }),
    params,
    artifacts: r.strings(o.artifacts, `${path}.artifacts`).map((a, i) => {
      if (a.startsWith('/') || a.split(/[\\/]/).includes('..'))
        r.fail(`${path}.artifacts[${i}]`, 'an artifact is a path inside the repository (no leading / and no ..)');
      return a;
    }),
  };
}

function parseJob(r: Reader, value: Json, path: string): MelJobConfig {
  const o = r.object(value, path);
  r.known(o, path, ['program', 'command', 'args', 'needs']);
  const command = r.optString(o.command, `${path}.command`);
  const program = r.string(o.program, `${path}.program`);
  if (program.startsWith('/') || program.split(/[\\/]/).includes('..'))
    r.fail(`${path}.program`, 'a program is a path inside the repository (no leading / and no ..)');
  return {
    program,
    ...(command === undefined ? {} : { command }),
    args: r.strings(o.args, `${path}.args`),
    needs: r.strings(o.needs, `${path}.needs`),
  };
}

function findCycle(jobs: Readonly<Record<string, { needs: readonly string[] }>>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 2) return undefined;
    if (state.get(n) === 1) return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 1);
    stack.push(n);
    for (const m of jobs[n]?.needs ?? []) {
      const c = visit(m);
      if (c !== undefined) return c;
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of Object.keys(jobs)) {
    const c = visit(n);
    if (c !== undefined) return c;
  }
  return undefined;
}
