/**
 * `tutti github action USES`: one `uses:` step run by the bridge's own action runner, in the
 * environment of the process that calls it. This is what the projects `tutti github import`
 * writes call for the steps they cannot express in Mélodium: a `runAction` step whose script
 * is this command, its `with:` given as `INPUT_<NAME>` variables (GitHub's names, evaluated by
 * the helpers as the step's `env`), its results handed back through the calling step's file
 * commands: the action's outputs into `$GITHUB_OUTPUT` (so `steps.<id>.outputs` hold them), the
 * variables it sets into `$GITHUB_ENV`, `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY` likewise.
 *
 * The action runs as under `tutti github run`: local composite actions (`./path`, with inputs,
 * outputs, nested actions), JavaScript actions on the Node Tutti runs on (`pre` before the
 * step, `post` right after it: there is no job around the command to wait for), Docker
 * actions through the container engine, remote actions from the action cache (cloned when
 * reachable), and the built-in `actions/cache` (`restore`, `save`) over the local cache store.
 * The workspace is the working directory; the `github` context comes from the git repository
 * there.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ArtifactStore, CacheStore } from '@tutti/pipeline';
import { actionsLibs } from './actions.js';
import { runBuiltin } from './builtins.js';
import { Masker } from './commands.js';
import type { JobContainers } from './containers.js';
import { type RepoFacts, repoFacts } from './git.js';
import { parseUses, resolveActions } from './remote.js';
import { type Frame, type Leg, type LegHost, type Raw, readAction, runPosts, runPres, runSteps, StepFailure } from './steps.js';

export interface ActionStepOptions {
  /** `./path`, `owner/repo[/path]@ref`, `docker://image` or a built-in action. */
  readonly uses: string;
  readonly cwd: string;
  /** The environment of the calling step (`INPUT_*`, `GITHUB_OUTPUT`…). */
  readonly env: Record<string, string | undefined>;
  readonly actionCache: string;
  readonly cacheRoot: string;
  readonly out: NodeJS.WritableStream;
  /** A `run:` step instead of the action (what `tutti github job step` runs in a job environment). */
  readonly step?: Raw;
  /** The job environment of an imported job the step runs in (job-env.ts): its container and folders. */
  readonly job?: JobStepEnvironment;
  /** The step's own `env` (a job environment's step: the action's with the step's env). */
  readonly stepEnv?: Record<string, string>;
  /** The repository's facts when known already (a job environment keeps them: no git run per step). */
  readonly repo?: RepoFacts;
}

/**
 * An imported job's environment, as a step of it sees it: the job container (absent for a job
 * on the host with services), the runner temp folder mounted in it, the environment of the
 * job's processes and what earlier steps added to `PATH`; `seq` numbers the file-command files
 * (updated by the step, kept by the caller for the next one).
 */
export interface JobStepEnvironment {
  readonly containers?: JobContainers;
  readonly temp: string;
  seq: number;
  readonly paths: string[];
  /** GitHub's default variables for this `github` context (at the container's paths): the machine's environment is not the job's. */
  readonly machineEnv: (github: Raw) => Record<string, string>;
  /** The workflow's and job's `env`. */
  readonly baseEnv: Record<string, string>;
  /** What earlier steps set through GITHUB_ENV. */
  readonly setEnv: Record<string, string>;
  /** `job.container`, `job.services`. */
  readonly job: Raw;
}

/**
 * A `with:` value giving this text as is (the inputs arrive evaluated already): the text
 * itself, or when it holds `${{`, an expression whose string has no `}` (JSON escapes).
 */
export const literal = (s: string) =>
  s.includes('${{') ? `\${{ fromJSON('${JSON.stringify(s).replaceAll('}', '\\u007d').replaceAll("'", "''")}') }}` : s;

/** GitHub's `name<<delimiter` form of a file command entry (values may hold new lines). */
function fileEntry(k: string, v: string): string {
  if (!v.includes('\n')) return `${k}=${v}\n`;
  let d = 'ghadelimiter_tutti';
  while (v.includes(d)) d += '_';
  return `${k}<<${d}\n${v}\n${d}\n`;
}

/**
 * An entry of the helpers' file commands (`runAction`'s GITHUB_OUTPUT and GITHUB_ENV are read
 * with dotenv, which knows no `name<<delimiter`): the value quoted with a quote it does not hold
 * (single quotes keep it as is, new lines included); undefined when it holds all three.
 */
export function dotenvEntry(k: string, v: string): string | undefined {
  if (!/[\n'"`#]/.test(v) && v.trim() === v) return `${k}=${v}\n`;
  if (!v.includes("'")) return `${k}='${v}'\n`;
  if (!v.includes('`')) return `${k}=\`${v}\`\n`;
  if (!v.includes('"') && !/\\[nr]/.test(v)) return `${k}="${v}"\n`;
  return undefined;
}

/** Runs the step; resolves with the exit status (0 the step succeeded, 1 it failed). */
export async function runActionStep(o: ActionStepOptions): Promise<0 | 1> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env)) if (v !== undefined) env[k] = v;
  // the step's inputs: GitHub's INPUT_<NAME> (upper case, spaces as `_`); the action's own
  // spelling of each name is found by the runner (the toolkit reads them upper case anyway)
  const withs: Record<string, string> = {};
  const given: [string, string, boolean][] = [];
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('INPUT_') && k.length > 6) {
      given.push([k.slice(6), literal(v), false]);
      delete env[k];
    }
  // inputs whose expressions the import left to this runner (hashFiles, runner): `%{{ }}`
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('TUTTI_EXPR_INPUT_') && k.length > 17) {
      given.push([k.slice(17), v.replaceAll('%{{', '${{'), true]);
      delete env[k];
    }
  await actionsLibs();
  const workspace = o.cwd;
  const temp = o.job?.temp ?? (await mkdtemp(join(tmpdir(), 'tutti-github-action-')));
  const uses = o.uses.trim();
  const bare = uses.replace(/@.*$/, '');
  const remotes = new Map<string, string>();
  try {
    if (
      !o.step &&
      !uses.startsWith('./') &&
      !uses.startsWith('../') &&
      !uses.startsWith('docker://') &&
      !bare.startsWith('actions/cache')
    ) {
      if (!parseUses(uses))
        throw new StepFailure(`'${uses}' is not a valid action reference (./path, owner/repo[/path]@ref or docker://image)`);
      const got = await resolveActions([uses], o.actionCache).catch((e: Error) => {
        throw new StepFailure(e.message);
      });
      for (const [u, a] of got) remotes.set(u, a.dir);
    }
    // each input under the action's own spelling of its name (GitHub's INPUT_<NAME> is upper case)
    const dir = uses.startsWith('./') || uses.startsWith('../') ? resolve(workspace, uses) : remotes.get(uses);
    const declared = dir ? Object.keys((await readAction(dir, uses).catch(() => undefined))?.inputs ?? {}) : [];
    const spelling = new Map(declared.map((n) => [n.replace(/ /g, '_').toUpperCase(), n]));
    for (const [upper, value] of given) withs[spelling.get(upper) ?? upper.toLowerCase()] = value;
    const repo = o.repo ?? (await repoFacts(workspace, basename(workspace)));
    const gh: Raw = {
      action: '',
      action_path: '',
      actor: repo.actor,
      event_name: env.GITHUB_EVENT_NAME ?? 'push',
      job: env.GITHUB_JOB ?? '',
      ref: repo.ref,
      ref_name: repo.ref.replace(/^refs\/(heads|tags)\//, ''),
      repository: repo.repository,
      repository_owner: repo.owner,
      run_id: env.TUTTI_RUN_ID ?? String(process.pid),
      server_url: repo.serverUrl,
      sha: repo.sha,
      workflow: env.GITHUB_WORKFLOW ?? '',
      workspace,
    };
    const stores = {
      repoRoot: workspace,
      repository: repo.repository,
      artifacts: await ArtifactStore.open(join(temp, 'artifacts')),
      cache: await CacheStore.open(join(o.cacheRoot, 'cache')),
    };
    const host: LegHost = {
      report: () => {},
      log: (_name, line) => {
        o.out.write(`${line}\n`);
      },
      builtin: async (name, call) => {
        if (!name.startsWith('actions/cache')) throw new StepFailure(`'${name}' is not run by 'tutti github action'`);
        const outputs = await runBuiltin(stores, name, call);
        // the primary key also on a miss: the imported post step saves under it
        if (name === 'actions/cache' || name === 'actions/cache/restore') outputs['cache-primary-key'] ??= call.with.key ?? '';
        return outputs;
      },
      resolveRemote: (u) => {
        const d = remotes.get(u);
        if (d) return d;
        const p = parseUses(u);
        const root = p ? join(o.actionCache, p.owner, `${p.repo}@${p.ref}`) : undefined;
        if (p && root && existsSync(root)) return p.path ? join(root, p.path) : root;
        throw new StepFailure(`action '${u}' is not in the action cache${root ? ` (${root})` : ''}`);
      },
      dryRun: false,
    };
    const abort = new AbortController();
    const leg: Leg = {
      name: '',
      host,
      workspace,
      temp,
      masker: new Masker(),
      // in a job environment, the job's processes see the job's variables, not this process's
      machineEnv: o.job ? o.job.machineEnv(gh) : env,
      baseEnv: o.job?.baseEnv ?? {},
      setEnv: { ...o.job?.setEnv },
      paths: o.job?.paths ?? [],
      summaries: [],
      posts: [],
      signal: abort.signal,
      cancelled: false,
      contexts: {
        github: gh,
        runner: { os: 'Linux', arch: process.arch === 'arm64' ? 'ARM64' : 'X64', name: 'tutti', temp },
        job: { status: 'success', services: {}, ...o.job?.job },
        vars: {},
        secrets: {},
        matrix: {},
        needs: {},
        inputs: {},
      },
      hashes: new Map(),
      annotations: [],
      seq: o.job?.seq ?? 0,
      preState: new Map(),
      ...(o.job?.containers?.containerId ? { container: o.job.containers } : {}),
    };
    const onSignal = () => {
      leg.cancelled = true;
      abort.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const frame: Frame = { leg, steps: {}, failed: false, defaults: {}, prefix: '', timings: [] };
    const step: Raw = o.step
      ? { ...o.step, id: 'action' }
      : {
          id: 'action',
          uses,
          ...(Object.keys(withs).length > 0 ? { with: withs } : {}),
          ...(o.stepEnv ? { env: o.stepEnv } : {}),
        };
    try {
      await runPres(frame, [step]);
      await runSteps(frame, [step]);
      await runPosts(leg);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (o.job) o.job.seq = leg.seq;
    }
    // the results, through the calling step's file commands
    const outputs = frame.steps.action?.outputs ?? {};
    const write = async (file: string | undefined, text: string) => {
      if (file !== undefined && file !== '' && text !== '') await appendFile(file, text);
    };
    // (in dotenv's syntax, which the helpers read these files with; GitHub's `<<` form for a
    // value no quote can hold)
    const entry = (k: string, v: string) => dotenvEntry(k, v) ?? fileEntry(k, v);
    await write(
      env.GITHUB_OUTPUT,
      Object.entries(outputs)
        .map(([k, v]) => entry(k, v))
        .join(''),
    );
    await write(
      env.GITHUB_ENV,
      Object.entries(leg.setEnv)
        .filter(([k, v]) => o.job?.setEnv[k] !== v)
        .map(([k, v]) => entry(k, v))
        .join(''),
    );
    // a job environment keeps its PATH entries (the helpers have no GITHUB_PATH)
    if (!o.job) await write(env.GITHUB_PATH, leg.paths.map((p) => `${p}\n`).join(''));
    await write(env.GITHUB_STEP_SUMMARY, leg.summaries.join('\n'));
    if (env.GITHUB_STEP_SUMMARY === undefined) for (const s of leg.summaries) o.out.write(s.endsWith('\n') ? s : `${s}\n`);
    return frame.failed ? 1 : 0;
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e;
    o.out.write(`##[error]${e.message}\n`);
    return 1;
  } finally {
    if (!o.job) await rm(temp, { recursive: true, force: true }).catch(() => {});
  }
}
