/**
 * What GitHub's runner gives a job besides its workflow: the `github` context (commit, ref,
 * repository, actor, event payload, …), the `runner` context and the default environment
 * variables of every step (`CI`, `GITHUB_*`, `RUNNER_*`), filled from the local git repository.
 *
 * `tutti github run` and the programs `tutti github import` writes share these functions, so
 * a step sees the same values under both: the bridge calls them directly, imported programs
 * through `|github_run_contexts` (contexts) and `runAction(github_environment = true)`
 * (variables).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { END, fn, treatment } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { envPaths, readEntries, touch } from './env-files.js';
import { engineOf, evaluate } from './realm.js';
import { area } from './state.js';
import { jobMasker } from './workflow-commands.js';

type Raw = Record<string, unknown>;

/** What the local git repository says about the run. */
export interface RepoFacts {
  readonly isRepo: boolean;
  readonly sha: string;
  readonly ref: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly owner: string;
  readonly actor: string;
  readonly defaultBranch: string;
  /** The parent commit (GitHub's `before` for a push), or zeros. */
  readonly before: string;
  readonly serverUrl: string;
}

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** `owner/repo` from a remote URL (`https://host/owner/repo.git`, `git@host:owner/repo.git`). */
export function repositoryFromUrl(url: string): { server: string; repo: string } | undefined {
  const m = /^(?:[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|[^@]+@([^:]+):)(.+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? 'github.com';
  const parts = (m[3] ?? '').split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return { server: `https://${host}`, repo: parts.slice(-2).join('/') };
}

/** The git questions {@link repoFacts} asks, in the order of {@link factsFrom}'s answers. */
const QUESTIONS: readonly (readonly string[])[] = [
  ['rev-parse', 'HEAD'],
  ['symbolic-ref', '-q', 'HEAD'],
  ['remote', 'get-url', 'origin'],
  ['config', 'user.name'],
  ['rev-parse', 'HEAD^'],
  ['symbolic-ref', '-q', 'refs/remotes/origin/HEAD'],
];

/** The facts from git's answers (undefined: git failed, e.g. not a repository). */
function factsFrom(answers: readonly (string | undefined)[], dirName: string): RepoFacts {
  const [sha, sym, remote, name, parent, remoteHead] = answers;
  const repo = remote ? repositoryFromUrl(remote) : undefined;
  const actor = process.env.GITHUB_ACTOR ?? name ?? safeUser();
  const repository = repo?.repo ?? `${actor.replace(/\s+/g, '-')}/${dirName}`;
  return {
    isRepo: sha !== undefined,
    sha: sha ?? ZERO_SHA,
    ref: sym ?? 'refs/heads/main',
    repository,
    owner: repository.split('/')[0]!,
    actor,
    defaultBranch: remoteHead?.replace('refs/remotes/origin/', '') ?? 'main',
    before: parent ?? ZERO_SHA,
    serverUrl: repo?.server ?? 'https://github.com',
  };
}

const gitAsync = (cwd: string, args: readonly string[]): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });

/** The facts of the repository at `cwd` (git asked in parallel). */
export async function repoFacts(cwd: string, dirName = basename(cwd)): Promise<RepoFacts> {
  return factsFrom(await Promise.all(QUESTIONS.map((q) => gitAsync(cwd, q))), dirName);
}

const factsByDir = new Map<string, RepoFacts>();

/** {@link repoFacts}, synchronously and once per folder and process (parameter values are computed synchronously). */
export function repoFactsSync(cwd: string): RepoFacts {
  let facts = factsByDir.get(cwd);
  if (facts === undefined) {
    const answers = QUESTIONS.map((q) => {
      try {
        return execFileSync('git', q, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
      } catch {
        return undefined;
      }
    });
    factsByDir.set(cwd, (facts = factsFrom(answers, basename(cwd))));
  }
  return facts;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'tutti';
  }
}

/** The payload GitHub would send, in its main fields, when none is given. */
export function defaultPayload(event: string, r: RepoFacts): Raw {
  const [owner, name] = r.repository.split('/');
  const repository = { full_name: r.repository, name, owner: { login: owner }, default_branch: r.defaultBranch };
  const sender = { login: r.actor };
  if (event === 'push') return { ref: r.ref, before: r.before, after: r.sha, repository, sender, head_commit: { id: r.sha } };
  return { repository, sender };
}

/** What {@link githubContextOf} needs besides the repository's facts. */
export interface RunFacts {
  readonly event: string;
  readonly payload: Raw;
  readonly eventPath: string;
  /** The workflow's name and file (relative to the repository). */
  readonly workflow: string;
  readonly workflowFile: string;
  readonly token?: string;
  /** GitHub's run id (Tutti: a number of this run). */
  readonly runId: string;
}

/** The `github` context of a run, as GitHub fills it (`job` and `workspace` are set per job). */
export function githubContextOf(r: RepoFacts, o: RunFacts): Raw {
  const ref = typeof o.payload.ref === 'string' ? o.payload.ref : r.ref;
  const isPr = o.event.startsWith('pull_request');
  const pr = o.payload.pull_request as Raw | undefined;
  return {
    action: '',
    action_path: '',
    actor: r.actor,
    triggering_actor: r.actor,
    api_url: r.serverUrl === 'https://github.com' ? 'https://api.github.com' : `${r.serverUrl}/api/v3`,
    base_ref: isPr ? String((pr?.base as Raw | undefined)?.ref ?? r.defaultBranch) : '',
    head_ref: isPr ? String((pr?.head as Raw | undefined)?.ref ?? ref.replace(/^refs\/heads\//, '')) : '',
    event: o.payload,
    event_name: o.event,
    event_path: o.eventPath,
    graphql_url: r.serverUrl === 'https://github.com' ? 'https://api.github.com/graphql' : `${r.serverUrl}/api/graphql`,
    job: '',
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_protected: false,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    repository: r.repository,
    repository_owner: r.owner,
    repositoryUrl: `git://${r.serverUrl.replace(/^https?:\/\//, '')}/${r.repository}.git`,
    retention_days: 90,
    run_id: o.runId,
    run_number: '1',
    run_attempt: '1',
    server_url: r.serverUrl,
    sha: r.sha,
    token: o.token ?? '',
    workflow: o.workflow,
    workflow_ref: `${r.repository}/${o.workflowFile}@${ref}`,
    workflow_sha: r.sha,
    workspace: '',
  };
}

/** The `runner` context of a job whose temporary folder is `temp`. */
export function runnerContextOf(temp: string): Raw {
  return {
    os: 'Linux',
    arch: process.arch === 'arm64' ? 'ARM64' : 'X64',
    name: 'tutti',
    temp,
    tool_cache: join(tmpdir(), 'tutti-toolcache'),
    debug: '',
  };
}

/** The default environment variables of a step, from the job's `github` context and folders. */
export function defaultStepEnv(gh: Raw, leg: { readonly workspace: string; readonly temp: string }): Record<string, string> {
  const s = (k: string) => (gh[k] === undefined || gh[k] === null ? '' : String(gh[k]));
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: s('actor'),
    GITHUB_API_URL: s('api_url'),
    GITHUB_BASE_REF: s('base_ref'),
    GITHUB_EVENT_NAME: s('event_name'),
    GITHUB_EVENT_PATH: s('event_path'),
    GITHUB_GRAPHQL_URL: s('graphql_url'),
    GITHUB_HEAD_REF: s('head_ref'),
    GITHUB_JOB: s('job'),
    GITHUB_REF: s('ref'),
    GITHUB_REF_NAME: s('ref_name'),
    GITHUB_REF_TYPE: s('ref_type'),
    GITHUB_REPOSITORY: s('repository'),
    GITHUB_REPOSITORY_OWNER: s('repository_owner'),
    GITHUB_RUN_ATTEMPT: s('run_attempt'),
    GITHUB_RUN_ID: s('run_id'),
    GITHUB_RUN_NUMBER: s('run_number'),
    GITHUB_SERVER_URL: s('server_url'),
    GITHUB_SHA: s('sha'),
    GITHUB_TRIGGERING_ACTOR: s('triggering_actor'),
    GITHUB_WORKFLOW: s('workflow'),
    GITHUB_WORKFLOW_REF: s('workflow_ref'),
    GITHUB_WORKSPACE: leg.workspace,
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_NAME: 'tutti',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: leg.temp,
    RUNNER_TOOL_CACHE: join(tmpdir(), 'tutti-toolcache'),
  };
}

/** `<tmp>/<files>`, or an Error when `files` is not a relative folder under the temporary directory. */
export function filesFolder(files: string): string {
  const rel = normalize(files);
  if (rel === '.' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`))
    throw new Error(`'${files}' is not a folder under the temporary directory`);
  return join(tmpdir(), rel);
}

/** A run id GitHub-like in shape (digits), the same for every job of this process's run. */
const RUN_ID = String(process.pid);

/**
 * The contexts JSON of a job of an imported program, completed at run time as `tutti github
 * run` fills them: the members `contexts` gives win; `github` gets the facts of the
 * repository in the current folder (the steps' folder), its event payload (written to
 * `<files>/event.json`, `github.event_path`), `job`, `workspace` and `workflow_ref` (from
 * `workflowFile`, the workflow's path in the repository); `runner` gets a
 * temporary folder of the job, `<files>/runner-<job>`. Returns `contexts` unchanged when it
 * is not a JSON object (prepareContexts reports that).
 */
export function githubRunContexts(contexts: string, job: string, workflowFile: string, files: string, cwd = process.cwd()): string {
  let given: unknown;
  try {
    given = JSON.parse(contexts);
  } catch {
    return contexts;
  }
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return contexts;
  const c = given as Raw;
  const gh0 = (c.github !== null && typeof c.github === 'object' ? c.github : {}) as Raw;
  let dir: string;
  try {
    dir = filesFolder(files);
  } catch {
    dir = join(tmpdir(), `tutti-github-${RUN_ID}`);
  }
  const facts = repoFactsSync(cwd);
  const event = typeof gh0.event_name === 'string' ? gh0.event_name : 'push';
  const payload = gh0.event !== null && typeof gh0.event === 'object' ? (gh0.event as Raw) : defaultPayload(event, facts);
  const eventPath = join(dir, 'event.json');
  const temp = join(dir, `runner-${job.replace(/[^A-Za-z0-9_.-]/g, '_') || 'job'}`);
  try {
    mkdirSync(temp, { recursive: true });
    writeFileSync(eventPath, `${JSON.stringify(payload, null, 2)}\n`);
  } catch {
    // A step reading GITHUB_EVENT_PATH or RUNNER_TEMP then says what is missing.
  }
  const workflow = typeof gh0.workflow === 'string' ? gh0.workflow : '';
  const gh = {
    ...githubContextOf(facts, { event, payload, eventPath, workflow, workflowFile, runId: RUN_ID }),
    job,
    workspace: cwd,
    ...gh0,
  };
  const runner0 = (c.runner !== null && typeof c.runner === 'object' ? c.runner : {}) as Raw;
  return JSON.stringify({ ...c, github: gh, runner: { ...runnerContextOf(temp), ...runner0 } });
}

/** The shell of a run step as GitHub's table has it: the program, its arguments, and the script file's extension. */
export interface GithubShell {
  readonly program: string;
  readonly args: string[];
  readonly ext: string;
}

/**
 * GitHub's shell table for Linux runners (`file(ext)`: the script's path with that
 * extension; '' for none). No shell: `bash -e {0}` (`sh -e {0}` without bash); `bash`:
 * `bash --noprofile --norc -eo pipefail {0}`; `sh`: `sh -e {0}`; `python`: `python3 {0}`;
 * `pwsh`/`powershell`: `<shell> -command ". '{0}'"`; any other text is a template where
 * `{0}` is the script (appended when absent). Undefined for `cmd`, which runs only on Windows.
 */
export function githubShell(shell: string | null | undefined, file: (ext: string) => string, bashHere: boolean): GithubShell | undefined {
  const s = shell?.trim();
  switch (s) {
    case undefined:
    case '':
      return { program: bashHere ? 'bash' : 'sh', args: ['-e', file('.sh')], ext: '.sh' };
    case 'bash':
      return { program: 'bash', args: ['--noprofile', '--norc', '-eo', 'pipefail', file('.sh')], ext: '.sh' };
    case 'sh':
      return { program: 'sh', args: ['-e', file('.sh')], ext: '.sh' };
    case 'python':
      return { program: 'python3', args: [file('.py')], ext: '.py' };
    case 'pwsh':
    case 'powershell':
      return { program: s, args: ['-command', `. '${file('.ps1')}'`], ext: '.ps1' };
    case 'cmd':
      return undefined;
    default: {
      const parts = s.split(/\s+/);
      if (!s.includes('{0}')) parts.push('{0}');
      const [program, ...rest] = parts;
      return { program: program!, args: rest.map((a) => a.replaceAll('{0}', file(''))), ext: '' };
    }
  }
}

/**
 * The variables GitHub's runner gives a step (see `githubStepEnv`): none when the realm has
 * no `runner.os`; else the defaults from the realm's `github` and `runner` contexts, the
 * job's GITHUB_PATH file (its entries before PATH, the last added first) and the step's
 * GITHUB_STEP_SUMMARY file (each step's starts empty), then the GITHUB_ENV file's entries.
 * The realm's `secrets` join the job's masker (see workflow-commands.ts).
 */
async function stepVariables(engine: Parameters<typeof evaluate>[0], workflowId: string, stepId: string): Promise<Map<string, string>> {
  const text = await evaluate(engine, 'null', '({ github: github, runner: runner, secrets: secrets })');
  const vars = new Map<string, string>();
  if (text === undefined) return vars;
  const { github, runner, secrets } = JSON.parse(text) as { github?: Raw; runner?: Raw; secrets?: Raw };
  if (runner?.os === undefined || github === undefined) return vars;
  // secrets show as *** in the job's lines, as on GitHub (the workflow commands' masker)
  const paths = envPaths(workflowId, stepId);
  for (const v of Object.values(secrets ?? {})) if (typeof v === 'string' && v !== '') jobMasker(paths.env).add(v);
  const workspace = typeof github.workspace === 'string' && github.workspace !== '' ? github.workspace : process.cwd();
  const temp = typeof runner.temp === 'string' ? runner.temp : tmpdir();
  for (const [k, v] of Object.entries(defaultStepEnv(github, { workspace, temp }))) vars.set(k, v);
  const pathFile = paths.env.replace(/\.env$/, '.path');
  const summary = paths.output.replace(/\.output$/, '.summary');
  await mkdir(dirname(pathFile), { recursive: true });
  await touch(pathFile);
  await writeFile(summary, '');
  vars.set('GITHUB_PATH', pathFile);
  vars.set('GITHUB_STEP_SUMMARY', summary);
  const entries = await readEntries(paths.env);
  for (const [k, v] of Object.entries(entries)) vars.set(k, v);
  const added = (await readFile(pathFile, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (added.length > 0) vars.set('PATH', [...added.reverse(), entries.PATH ?? process.env.PATH ?? ''].join(delimiter));
  return vars;
}

export const githubRunEnvironment = [
  fn(area, 'github_run_contexts', {
    params: 'contexts: string, job: string, workflow_file: string, files: string',
    returns: 'string',
    doc:
      "Tutti's extension: the JSON text of a job's GitHub contexts `contexts`, completed as GitHub's runner (and " +
      '`tutti github run`) fills them, from the git repository of the folder the program runs in: `github` gets ' +
      '`sha`, `ref`, `ref_name`, `ref_type`, `repository`, `repository_owner`, `actor`, `event_name` (`push` unless ' +
      'given), `event` (the push payload unless given, written to `<tmp>/<files>/event.json`: `event_path`), ' +
      '`run_id`, `server_url`, `api_url`, `workflow_ref` (from `workflow_file`), `job` and `workspace` (the current ' +
      'folder), …; `runner` gets `os`, `arch`, `name`, `tool_cache` and `temp` (`<tmp>/<files>/runner-<job>`). The ' +
      'members `contexts` gives win. Git is asked once per run. `files` is a folder under the temporary directory, ' +
      "as `runAction`'s `files`, and `githubRemoveFiles` removes it. Text that is not a JSON object is returned as it is.",
    impl: ([contexts, job, workflowFile, files]) =>
      githubRunContexts(contexts as string, job as string, workflowFile as string, files as string),
  }),
  treatment(area, 'githubStepEnv', {
    models: { contexts: 'javascript::JavaScriptEngine' },
    params: { enabled: 'var bool = true' },
    inputs: { workflow_id: 'Block<string>', step_id: 'Block<string>' },
    outputs: { variables: 'Block<StringMap>' },
    doc:
      "Tutti's extension (inside `runAction` with `github_environment`): the variables GitHub's runner gives a " +
      "step, from the realm's `github` and `runner` contexts: `CI`, `GITHUB_ACTIONS`, `GITHUB_SHA`, `GITHUB_REF`, " +
      '`GITHUB_REPOSITORY`, `GITHUB_EVENT_PATH`, `GITHUB_WORKSPACE`, `RUNNER_OS`, `RUNNER_TEMP`, …; `GITHUB_PATH` ' +
      '(`<tmp>/<workflow_id>.path`: the folders it lists come first in `PATH`, the last added first) and ' +
      '`GITHUB_STEP_SUMMARY` (`<tmp>/<workflow_id>-<step_id>.summary`, empty at the start of each step; ' +
      '`githubRemoveFiles` prints the summaries); then the entries of the GITHUB_ENV file, as `githubGetEnv`. ' +
      'Empty when `enabled` is false or the realm has no `runner.os`.',
    async run({ inputs, outputs, params, models, contexts: track, log, path }) {
      const [workflow, step] = await Promise.all([inputs.workflow_id.recvOne(), inputs.step_id.recvOne()]);
      if (workflow === END || step === END) return;
      let vars = new Map<string, string>();
      if (params.enabled !== false) {
        try {
          vars = await stepVariables(engineOf(models, 'contexts', 'githubStepEnv', track), workflow as string, step as string);
        } catch (e) {
          log('error', path, `cannot create the GitHub Actions files: ${(e as Error).message}`);
        }
      }
      await outputs.variables.sendOne(StringMapValue.from(vars));
    },
  }),
];
