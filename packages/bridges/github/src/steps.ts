/**
 * The steps of one job (one matrix leg): run in order as GitHub requires, each with its `if:`,
 * `env`, `timeout-minutes`, `continue-on-error`, shell and working directory; the file commands
 * and workflow commands each step sends back; the `steps` context; composite actions (their
 * steps in a frame of their own), JavaScript actions (pre, main, post in GitHub's order) and the
 * built-in offline actions (builtins.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { githubShell } from '@tutti/lib-cicd';
import { parse as parseYaml } from 'yaml';
import { type Masker, parseCommand, readEnvFile, readPathFile } from './commands.js';
import { innerPath, type JobContainers } from './containers.js';
import {
  asString,
  condition,
  ExpressionProblem,
  evalMap,
  evaluate,
  evalValue,
  interpolate,
  prepareHashFiles,
  type Scope,
  truthy,
} from './expressions.js';
import { runProcess } from './process.js';

export type Raw = Record<string, unknown>;
export type Outcome = 'success' | 'failure' | 'cancelled' | 'skipped';

/** Everything a leg shares with the run: where to report, the stores, options. */
export interface LegHost {
  readonly report: (name: string, state: 'running' | 'passed' | 'failed' | 'skipped' | 'cancelled', detail?: string) => void;
  readonly log: (step: string, line: string) => void;
  readonly builtin: (name: string, step: StepCall) => Promise<Record<string, string>>;
  readonly resolveRemote: (uses: string) => string;
  readonly dryRun: boolean;
}

/** The state of one running leg (GitHub's job execution context). */
export interface Leg {
  readonly name: string;
  readonly host: LegHost;
  readonly workspace: string;
  readonly temp: string;
  readonly masker: Masker;
  /** Environment from the machine, GitHub's defaults, the workflow and the job. */
  /** The machine's environment (host jobs) and GitHub's default variables: in processes, not in the `env` context. */
  readonly machineEnv: Record<string, string>;
  /** `--env`, the workflow's and the job's `env`. */
  readonly baseEnv: Record<string, string>;
  /** Set by GITHUB_ENV. */
  readonly setEnv: Record<string, string>;
  /** Added by GITHUB_PATH (newest first). */
  readonly paths: string[];
  readonly summaries: string[];
  readonly posts: (() => Promise<void>)[];
  readonly signal: AbortSignal;
  cancelled: boolean;
  /** Contexts shared by every frame: github, vars, secrets, matrix, strategy, needs, job, runner, inputs. */
  readonly contexts: Record<string, unknown>;
  readonly hashes: Map<string, string>;
  readonly annotations: { level: string; message: string; file?: string; line?: string }[];
  seq: number;
  /** The job container, when the job runs in one (steps run through `exec`). */
  readonly container?: JobContainers;
  /** GITHUB_STATE saved by each remote action's `pre` script, by action folder. */
  readonly preState: Map<string, Record<string, string>>;
}

export interface StepResult {
  outputs: Record<string, string>;
  outcome: Outcome;
  conclusion: Outcome;
}

/** A list of steps and where they run: the job itself, or a composite action. */
export interface Frame {
  readonly leg: Leg;
  readonly steps: Record<string, StepResult>;
  /** A failed step (not continue-on-error) makes the frame fail: success() turns false. */
  failed: boolean;
  readonly defaults: { shell?: string; workingDirectory?: string };
  readonly prefix: string;
  /** The composite action's folder and inputs. */
  readonly actionPath?: string;
  readonly inputs?: Record<string, unknown>;
  /** Env of the composite's caller step. */
  readonly env?: Record<string, string>;
  /** Timed results: name, outcome, ms, for the report. */
  readonly timings: StepTiming[];
}

export interface StepTiming {
  readonly name: string;
  readonly outcome: Outcome;
  readonly conclusion: Outcome;
  readonly ms: number;
}

/** A `uses:` call as the built-in actions see it. */
export interface StepCall {
  readonly leg: Leg;
  readonly with: Record<string, string>;
  readonly env: Record<string, string>;
  readonly name: string;
  readonly log: (line: string) => void;
  /** Registers a post step (run at the end of the job, in reverse order). */
  readonly post: (name: string, fn: () => Promise<void>, when?: string) => void;
  readonly frame: Frame;
}

export class StepFailure extends Error {}

/** The scope expressions of a frame see. */
export function frameScope(f: Frame, env: Record<string, string>): Scope {
  // the `env` context holds what the workflow set, not the machine's variables (as GitHub's)
  const leg = f.leg;
  const ctxEnv: Record<string, string> = {};
  for (const k in env) if (leg.machineEnv[k] !== env[k] || k in leg.baseEnv || k in leg.setEnv) ctxEnv[k] = env[k]!;
  const contexts: Record<string, unknown> = { ...f.leg.contexts, steps: f.steps, env: ctxEnv };
  if (f.inputs) contexts.inputs = f.inputs;
  if (f.actionPath) contexts.github = { ...(f.leg.contexts.github as Raw), action_path: f.actionPath };
  contexts.job = { ...(f.leg.contexts.job as Raw), status: f.leg.cancelled ? 'cancelled' : f.failed ? 'failure' : 'success' };
  return {
    contexts,
    status: { success: !f.failed, cancelled: f.leg.cancelled },
    workspace: f.leg.workspace,
    hashes: f.leg.hashes,
  };
}

/** The env context of a frame before a step's own env. */
function frameEnv(f: Frame): Record<string, string> {
  return { ...f.leg.machineEnv, ...f.leg.baseEnv, ...f.leg.setEnv, ...(f.env ?? {}) };
}

/** Strings of a step that may call hashFiles (computed ahead, the evaluator being synchronous). */
function texts(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) texts(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) texts(x, out);
  return out;
}

/** GitHub's default step id: `__run`, `__actions_checkout`, then `_2`, `_3`… */
function autoId(step: Raw, taken: Record<string, unknown>): string {
  const base = typeof step.uses === 'string' ? `__${step.uses.replace(/@.*$/, '').replace(/[^A-Za-z0-9_]/g, '_')}` : '__run';
  let id = base;
  for (let n = 2; id in taken; n++) id = `${base}_${n}`;
  return id;
}

/** The display name of a step: `name:`, else `Run <first line>` or `Run <uses>`. */
export function stepDisplayName(step: Raw): string {
  if (typeof step.name === 'string' && step.name !== '') return step.name;
  if (typeof step.run === 'string') return `Run ${step.run.trim().split('\n')[0]}`;
  return `Run ${String(step.uses ?? 'step')}`;
}

/**
 * The shell of a run step and the file extension of its script, as GitHub's table
 * (`githubShell`, shared with imported programs' `runAction(github_environment = true)`).
 * `file` is the script's path (with the extension a first call gave).
 */
export function shellCommand(
  shell: string | undefined,
  file: string,
  bashHere = hasBash(),
): { program: string; args: string[]; ext: string } {
  const cmd = githubShell(shell, () => file, bashHere);
  if (cmd === undefined) throw new StepFailure("shell 'cmd' runs only on Windows runners");
  return cmd;
}

let bash: boolean | undefined;
function hasBash(): boolean {
  bash ??= (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'bash')));
  return bash;
}

/** Runs the steps of a frame; returns when the last one is done (failures are recorded in the frame). */
export async function runSteps(f: Frame, steps: readonly Raw[]): Promise<void> {
  for (const step of steps) await runStep(f, step);
}

async function runStep(f: Frame, step0: Raw): Promise<void> {
  const leg = f.leg;
  // scalars the schema types as strings (`run: true`, `name: 1`) arrive typed from YAML
  const step: Raw = { ...step0 };
  for (const k of ['run', 'name', 'shell', 'working-directory', 'uses', 'id'])
    if (step[k] !== undefined && step[k] !== null && typeof step[k] !== 'string') step[k] = String(step[k]);
  const id = typeof step.id === 'string' ? step.id : autoId(step, f.steps);
  const env0 = frameEnv(f);
  // hashFiles() is computed when a step is evaluated (files change between steps), once per step
  leg.hashes.clear();
  await prepareHashFiles(texts(step), leg.workspace, leg.hashes);
  let display = stepDisplayName(step);
  let scope = frameScope(f, env0);
  if (typeof step.name === 'string')
    try {
      display = interpolate(display, scope);
    } catch {
      // a name that does not evaluate keeps its text
    }
  const name = `${f.prefix}${display}`;
  const t0 = performance.now();
  const record = (outcome: Outcome, conclusion: Outcome, outputs: Record<string, string> = {}) => {
    f.steps[id] = { outputs, outcome, conclusion };
    f.timings.push({ name, outcome, conclusion, ms: performance.now() - t0 });
  };
  let run: boolean;
  try {
    run = condition(step.if, scope);
  } catch (e) {
    leg.host.log(name, `##[error]${(e as Error).message}`);
    leg.host.report(name, 'failed', (e as Error).message);
    f.failed = true;
    record('failure', 'failure');
    return;
  }
  if (!run) {
    leg.host.report(name, 'skipped');
    record('skipped', 'skipped');
    return;
  }
  leg.host.report(name, 'running');
  let continueOnError = false;
  let outputs: Record<string, string> = {};
  let outcome: Outcome = 'success';
  let detail: string | undefined;
  try {
    const stepEnv = { ...env0, ...evalMap(step.env, scope) };
    scope = frameScope(f, stepEnv);
    continueOnError = step['continue-on-error'] !== undefined && truthy(evalValue(step['continue-on-error'], scope));
    const tm = step['timeout-minutes'] !== undefined ? Number(evalValue(step['timeout-minutes'], scope)) : undefined;
    if (tm !== undefined && (Number.isNaN(tm) || tm <= 0)) throw new StepFailure(`timeout-minutes must be a positive number`);
    const timeoutMs = tm !== undefined ? tm * 60_000 : undefined;
    if (leg.host.dryRun) {
      leg.host.log(
        name,
        `(dry run) ${typeof step.run === 'string' ? interpolate(step.run, scope).split('\n')[0] : `uses ${String(step.uses)}`}`,
      );
    } else if (typeof step.run === 'string') {
      outputs = await runScript(f, name, step, stepEnv, scope, timeoutMs);
    } else if (typeof step.uses === 'string') {
      outputs = await runUses(f, name, step, stepEnv, scope, timeoutMs);
    } else throw new StepFailure('a step needs run: or uses:');
  } catch (e) {
    if (e instanceof StepFailure || e instanceof ExpressionProblem) {
      detail = e.message;
      leg.host.log(name, `##[error]${leg.masker.mask(e.message)}`);
      outcome = leg.cancelled && /cancelled/.test(e.message) ? 'cancelled' : 'failure';
    } else throw e;
  }
  const conclusion: Outcome = outcome === 'failure' && continueOnError ? 'success' : outcome;
  if (conclusion === 'failure') f.failed = true;
  record(outcome, conclusion, outputs);
  leg.host.report(name, outcome === 'success' ? 'passed' : outcome === 'cancelled' ? 'cancelled' : 'failed', detail);
}

/** Where a step runs: `working-directory`, else the frame's default, else the workspace. */
function workDir(f: Frame, step: Raw, scope: Scope): string {
  const wd = step['working-directory'] ?? f.defaults.workingDirectory;
  if (wd === undefined) return f.leg.workspace;
  const d = interpolate(String(wd), scope);
  return isAbsolute(d) ? d : resolve(f.leg.workspace, d);
}

/** The files a step's file commands go through, fresh for each step. */
async function commandFiles(
  leg: Leg,
  create = true,
): Promise<Record<'GITHUB_ENV' | 'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY', string>> {
  const dir = join(leg.temp, '_runner_file_commands');
  if (leg.seq === 0) await mkdir(dir, { recursive: true });
  const n = ++leg.seq;
  const files = {
    GITHUB_ENV: join(dir, `set_env_${n}`),
    GITHUB_OUTPUT: join(dir, `set_output_${n}`),
    GITHUB_STATE: join(dir, `save_state_${n}`),
    GITHUB_PATH: join(dir, `add_path_${n}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${n}`),
  };
  // The toolkit of JavaScript actions insists the files exist; a shell's `>>` creates them, so
  // run steps skip five file creations each (and the reads of absent files fail fast).
  if (create) await Promise.all(Object.values(files).map((p) => writeFile(p, '')));
  return files;
}

/** Reads back what a step wrote into its command files. */
async function applyFileCommands(
  leg: Leg,
  files: Awaited<ReturnType<typeof commandFiles>>,
  outputs: Record<string, string>,
  state?: Record<string, string>,
): Promise<void> {
  const [env, out, st, path, summary] = await Promise.all([
    readEnvFile(files.GITHUB_ENV),
    readEnvFile(files.GITHUB_OUTPUT),
    readEnvFile(files.GITHUB_STATE),
    readPathFile(files.GITHUB_PATH),
    readFile(files.GITHUB_STEP_SUMMARY, 'utf8').catch(() => ''),
  ]);
  for (const [k, v] of env) {
    if (k === 'NODE_OPTIONS') continue; // refused by GitHub's runner too
    leg.setEnv[k] = v;
  }
  for (const [k, v] of out) outputs[k] = v;
  if (state) for (const [k, v] of st) state[k] = v;
  for (const p of path.reverse()) leg.paths.unshift(p);
  if (summary.trim() !== '') leg.summaries.push(summary);
}

/** The command files as the job container sees them (`/__w/_temp/_runner_file_commands/…`). */
function innerFiles(c: JobContainers, files: Record<string, string>): Record<string, string> {
  const r: Record<string, string> = {};
  for (const k in files) r[k] = c.inner(files[k]!);
  return r;
}

/**
 * Runs a JavaScript action's script: on the host with the Node Tutti runs on, or in the job
 * container with that same Node mounted at `/__e/node20` (as GitHub runs its own Node there).
 */
async function runNodeScript(
  f: Frame,
  label: string,
  script: string,
  env: Record<string, string>,
  files: Record<string, string>,
  timeoutMs: number | undefined,
  outputs: Record<string, string>,
): Promise<void> {
  const leg = f.leg;
  const c = leg.container;
  if (!c)
    return runWithCommands(f, label, process.execPath, [script], leg.workspace, processEnv(leg, env, files), timeoutMs, outputs, label);
  if (!c.node) throw new StepFailure(`${label}: a JavaScript action runs in the job container, but ${c.nodeProblem}`);
  const at = innerPath(c.mounts, script);
  if (at === undefined) throw new StepFailure(`${label}: the action's folder (${dirname(script)}) is not visible in the job container`);
  const [program, ...pre] = c.node;
  const inner = { ...env, ...innerFiles(c, files), PATH: [...leg.paths, c.path].join(':') };
  const x = c.execArgs(c.inner(leg.workspace), inner, program!, [...pre, at]);
  return runWithCommands(f, label, x.program, x.args, leg.workspace, process.env, timeoutMs, outputs, label, x.stop);
}

/** The environment of a process: the step's env, GITHUB_PATH entries first in PATH. */
function processEnv(leg: Leg, env: Record<string, string>, files: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...env, ...files };
  if (leg.paths.length > 0) e.PATH = [...leg.paths, env.PATH ?? process.env.PATH ?? ''].join(delimiter);
  return e;
}

/**
 * Runs one process of a step with the workflow-command interpreter on its output; throws
 * StepFailure when it fails, times out or is cancelled.
 */
async function runWithCommands(
  f: Frame,
  name: string,
  program: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number | undefined,
  outputs: Record<string, string>,
  what: string,
  /** A step in the job container: signals its process there (JobContainers.execArgs). */
  stopInside?: (signal: 'TERM' | 'KILL') => Promise<void>,
): Promise<void> {
  const leg = f.leg;
  let stopToken: string | undefined;
  const onLine = (line: string) => {
    if (stopToken !== undefined) {
      if (line.trim() === `::${stopToken}::`) stopToken = undefined;
      else leg.host.log(name, leg.masker.mask(line));
      return;
    }
    const c = line.includes('::') ? parseCommand(line) : undefined;
    if (!c) {
      leg.host.log(name, leg.masker.mask(line));
      return;
    }
    switch (c.name) {
      case 'add-mask':
        leg.masker.add(c.message);
        return;
      case 'group':
        leg.host.log(name, `▸ ${leg.masker.mask(c.message)}`);
        return;
      case 'endgroup':
        return;
      case 'stop-commands':
        stopToken = c.message;
        return;
      case 'set-output':
        leg.host.log(
          name,
          '##[warning]The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.',
        );
        if (c.props.name) outputs[c.props.name] = c.message;
        return;
      case 'save-state':
        leg.host.log(
          name,
          '##[warning]The `save-state` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.',
        );
        return;
      case 'set-env':
      case 'add-path':
        leg.host.log(name, `##[error]The \`${c.name}\` command is disabled. Please upgrade to using Environment Files.`);
        return;
      case 'debug':
        if ((leg.setEnv.ACTIONS_STEP_DEBUG ?? leg.baseEnv.ACTIONS_STEP_DEBUG ?? leg.machineEnv.ACTIONS_STEP_DEBUG) === 'true')
          leg.host.log(name, `##[debug]${leg.masker.mask(c.message)}`);
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        const where = c.props.file
          ? ` (${c.props.file}${c.props.line ? `:${c.props.line}` : ''}${c.props.col ? `:${c.props.col}` : ''})`
          : '';
        const msg = leg.masker.mask(c.message);
        leg.annotations.push({
          level: c.name,
          message: msg,
          ...(c.props.file ? { file: c.props.file } : {}),
          ...(c.props.line ? { line: c.props.line } : {}),
        });
        leg.host.log(name, `##[${c.name}]${c.props.title ? `${c.props.title}: ` : ''}${msg}${where}`);
        return;
      }
      case 'echo':
        return;
      default:
        leg.host.log(name, leg.masker.mask(line));
    }
  };
  // A step that starts once the job is cancelled (an `always()` or `cancelled()` step) runs to
  // its end, as on GitHub: only its own timeout stops it.
  const signal = leg.signal.aborted ? undefined : leg.signal;
  const r = await runProcess(program, args, {
    cwd,
    env,
    onLine: (l) => onLine(l),
    ...(signal ? { signal } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(stopInside ? { stopInside } : {}),
  });
  if (r.error) throw new StepFailure(`${what}: cannot start '${program}': ${r.error.message}`);
  if (r.stopped === 'timeout') throw new StepFailure(`The action '${what}' has timed out after ${(timeoutMs ?? 0) / 60_000} minutes.`);
  if (r.stopped === 'cancel') throw new StepFailure(`The operation was cancelled.`);
  if (r.code !== 0) throw new StepFailure(`Process completed with exit code ${r.code ?? r.signal}.`);
}

async function runScript(
  f: Frame,
  name: string,
  step: Raw,
  env: Record<string, string>,
  scope: Scope,
  timeoutMs: number | undefined,
): Promise<Record<string, string>> {
  const leg = f.leg;
  const script = interpolate(String(step.run), scope);
  const shellText = step.shell !== undefined ? interpolate(String(step.shell), scope) : f.defaults.shell;
  if (f.actionPath !== undefined && step.shell === undefined) throw new StepFailure("a 'run' step of a composite action needs 'shell'");
  const base = join(leg.temp, randomUUID());
  const bashHere = leg.container ? leg.container.hasBash : hasBash();
  const probe = shellCommand(shellText, base, bashHere);
  const file = base + probe.ext;
  const cmd = shellCommand(shellText, file, bashHere);
  await writeFile(file, script);
  const cwd = workDir(f, step, scope);
  if (!leg.container && !existsSync(cwd)) throw new StepFailure(`working directory '${cwd}' does not exist`);
  const files = await commandFiles(leg, false);
  const outputs: Record<string, string> = {};
  try {
    if (leg.container) {
      // in the job container, at GitHub's paths (/__w/…): its own PATH (GITHUB_PATH entries
      // first), the step's env only
      const c = leg.container;
      const icmd = shellCommand(shellText, c.inner(file), bashHere);
      const inner = { ...env, ...innerFiles(c, files), PATH: [...leg.paths, c.path].join(':') };
      const x = c.execArgs(c.inner(cwd), inner, icmd.program, icmd.args);
      await runWithCommands(f, name, x.program, x.args, leg.workspace, process.env, timeoutMs, outputs, name, x.stop);
    } else await runWithCommands(f, name, cmd.program, cmd.args, cwd, processEnv(leg, env, files), timeoutMs, outputs, name);
  } finally {
    await applyFileCommands(leg, files, outputs);
  }
  return outputs;
}

/** An action's metadata (action.yml), with its folder. */
export interface ActionMeta {
  readonly dir: string;
  readonly name: string;
  readonly inputs: Record<string, { default?: unknown; required?: boolean } | null>;
  readonly outputs: Record<string, { value?: unknown } | null>;
  readonly runs: Raw;
}

export async function readAction(dir: string, uses: string): Promise<ActionMeta> {
  for (const n of ['action.yml', 'action.yaml', 'Dockerfile']) {
    const p = join(dir, n);
    if (!existsSync(p)) continue;
    if (n === 'Dockerfile') return { dir, name: uses, inputs: {}, outputs: {}, runs: { using: 'docker', image: 'Dockerfile' } };
    let y: Raw;
    try {
      y = parseYaml(await readFile(p, 'utf8')) as Raw;
    } catch (e) {
      throw new StepFailure(`${p}: ${(e as Error).message}`);
    }
    return {
      dir,
      name: String(y.name ?? uses),
      inputs: (y.inputs ?? {}) as ActionMeta['inputs'],
      outputs: (y.outputs ?? {}) as ActionMeta['outputs'],
      runs: (y.runs ?? {}) as Raw,
    };
  }
  throw new StepFailure(
    `Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`,
  );
}

/** The built-in actions, by `owner/repo[/path]` without the ref. */
export const BUILTINS = new Set([
  'actions/checkout',
  'actions/upload-artifact',
  'actions/download-artifact',
  'actions/cache',
  'actions/cache/restore',
  'actions/cache/save',
]);

async function runUses(
  f: Frame,
  name: string,
  step: Raw,
  env: Record<string, string>,
  scope: Scope,
  timeoutMs: number | undefined,
): Promise<Record<string, string>> {
  const leg = f.leg;
  const uses = String(step.uses).trim();
  const withs = evalMap(step.with, scope);
  if (uses.startsWith('docker://')) {
    const args = withs.args !== undefined ? splitArgs(withs.args) : [];
    return runDocker(f, name, uses.slice('docker://'.length), args, withs.entrypoint, env, timeoutMs);
  }
  const bare = uses.replace(/@.*$/, '');
  if (BUILTINS.has(bare)) {
    return leg.host.builtin(bare, {
      leg,
      with: withs,
      env,
      name,
      frame: f,
      log: (l) => leg.host.log(name, leg.masker.mask(l)),
      post: (pname, fn, when) => {
        leg.posts.push(async () => {
          const sc = frameScope(f, frameEnv(f));
          if (!condition(when ?? 'success()', sc)) {
            leg.host.report(`${f.prefix}Post ${pname}`, 'skipped');
            return;
          }
          leg.host.report(`${f.prefix}Post ${pname}`, 'running');
          try {
            await fn();
            leg.host.report(`${f.prefix}Post ${pname}`, 'passed');
          } catch (e) {
            leg.host.log(`${f.prefix}Post ${pname}`, `##[error]${(e as Error).message}`);
            leg.host.report(`${f.prefix}Post ${pname}`, 'failed', (e as Error).message);
            f.failed = true;
          }
        });
      },
    });
  }
  let dir: string;
  if (uses.startsWith('./') || uses.startsWith('../')) dir = resolve(leg.workspace, uses);
  else if (/^[^/\s]+\/[^@\s]+@.+$/.test(uses)) dir = leg.host.resolveRemote(uses);
  else throw new StepFailure(`'${uses}' is not a valid action reference (./path, owner/repo[/path]@ref or docker://image)`);
  const meta = await readAction(dir, uses);
  // inputs: the given ones, then the defaults (which may be expressions over github, env…)
  const inputs: Record<string, string> = {};
  // input names are case-insensitive, as GitHub's (and the expression data's keys are lower case)
  const given = new Map(Object.entries(withs).map(([k, v]) => [k.toLowerCase(), v]));
  const declared = new Set(Object.keys(meta.inputs).map((k) => k.toLowerCase()));
  for (const [k, spec] of Object.entries(meta.inputs)) {
    if (given.has(k.toLowerCase())) inputs[k] = given.get(k.toLowerCase())!;
    else if (spec?.default !== undefined) inputs[k] = asString(evalValue(spec.default, scope));
    else {
      if (spec?.required) leg.host.log(name, `##[warning]Input required and not supplied: ${k}`);
      inputs[k] = '';
    }
  }
  for (const k of Object.keys(withs))
    if (!declared.has(k.toLowerCase())) {
      inputs[k] = withs[k]!;
      leg.host.log(name, `##[warning]Unexpected input(s) '${k}', valid inputs are [${Object.keys(meta.inputs).join(', ')}]`);
    }
  const using = String(meta.runs.using ?? '');
  if (using === 'composite') return runComposite(f, name, meta, inputs, env);
  if (/^node\d+$/.test(using)) return runNodeAction(f, name, meta, inputs, env, timeoutMs);
  if (using === 'docker') {
    const sc = { ...scope, contexts: { ...scope.contexts, inputs } };
    const image = String(meta.runs.image ?? '');
    const tag = image.startsWith('docker://')
      ? image.slice('docker://'.length)
      : await buildImage(f, name, meta.dir, image || 'Dockerfile');
    const args = Array.isArray(meta.runs.args) ? meta.runs.args.map((a) => asString(evalValue(a, sc))) : [];
    const denv = { ...env, ...evalMap(meta.runs.env, sc), ...inputEnv(inputs) };
    return runDocker(f, name, tag, args, typeof meta.runs.entrypoint === 'string' ? meta.runs.entrypoint : undefined, denv, timeoutMs);
  }
  throw new StepFailure(`'${uses}': unknown 'runs.using: ${using}'`);
}

async function runComposite(
  f: Frame,
  name: string,
  meta: ActionMeta,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const inner: Frame = {
    leg: f.leg,
    steps: {},
    failed: false,
    defaults: {},
    prefix: `${name} › `,
    actionPath: meta.dir,
    inputs,
    env: { ...env, GITHUB_ACTION_PATH: f.leg.container ? f.leg.container.inner(meta.dir) : meta.dir },
    timings: f.timings,
  };
  const steps = (meta.runs.steps ?? []) as Raw[];
  await runSteps(inner, steps);
  const outputs: Record<string, string> = {};
  const scope = frameScope(inner, frameEnv(inner));
  for (const [k, spec] of Object.entries(meta.outputs))
    outputs[k] = spec?.value !== undefined ? asString(evalValue(spec.value, scope)) : '';
  if (inner.failed) throw new StepFailure(`composite action '${meta.name}' failed`);
  return outputs;
}

/** `INPUT_<NAME>`: upper case, spaces as underscores (the toolkit's getInput). */
const inputEnv = (inputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));

async function runNodeAction(
  f: Frame,
  name: string,
  meta: ActionMeta,
  inputs: Record<string, string>,
  env: Record<string, string>,
  timeoutMs: number | undefined,
): Promise<Record<string, string>> {
  const leg = f.leg;
  const state: Record<string, string> = {};
  const node = async (script: string, label: string, outputs: Record<string, string>) => {
    const files = await commandFiles(leg);
    const e = { ...env, ...inputEnv(inputs), ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) };
    try {
      await runNodeScript(f, label, join(meta.dir, script), e, files, timeoutMs, outputs);
    } finally {
      await applyFileCommands(leg, files, outputs, state);
    }
  };
  // the state the `pre` script saved (run at the start of the job, runPres)
  Object.assign(state, f.leg.preState.get(`${f.prefix}|${meta.dir}`) ?? {});
  const outputs: Record<string, string> = {};
  if (typeof meta.runs.main !== 'string') throw new StepFailure(`action '${meta.name}' has no 'runs.main'`);
  await node(meta.runs.main, name, outputs);
  if (typeof meta.runs.post === 'string') {
    const post = meta.runs.post;
    const when = String(meta.runs['post-if'] ?? 'always()');
    const pname = `${f.prefix}Post ${name.slice(f.prefix.length)}`;
    leg.posts.push(async () => {
      if (!condition(when, frameScope(f, frameEnv(f)))) {
        leg.host.report(pname, 'skipped');
        return;
      }
      leg.host.report(pname, 'running');
      try {
        await node(post, pname, {});
        leg.host.report(pname, 'passed');
      } catch (e) {
        leg.host.log(pname, `##[error]${(e as Error).message}`);
        leg.host.report(pname, 'failed', (e as Error).message);
        f.failed = true;
      }
    });
  }
  return outputs;
}

/**
 * The `pre` scripts of the job's remote JavaScript actions, at the start of the job in step
 * order (GitHub's "Pre Run …" steps); local actions get none, as on GitHub (they exist only
 * once the job has checked them out).
 */
export async function runPres(f: Frame, steps: readonly Raw[]): Promise<void> {
  const leg = f.leg;
  for (const step of steps) {
    const uses = typeof step.uses === 'string' ? step.uses.trim() : '';
    if (uses === '' || uses.startsWith('./') || uses.startsWith('docker://') || BUILTINS.has(uses.replace(/@.*$/, ''))) continue;
    const meta = await readAction(leg.host.resolveRemote(uses), uses);
    if (!/^node\d+$/.test(String(meta.runs.using)) || typeof meta.runs.pre !== 'string') continue;
    const name = `Pre ${stepDisplayName(step)}`;
    const scope = frameScope(f, frameEnv(f));
    if (!condition(String(meta.runs['pre-if'] ?? 'always()'), scope)) {
      leg.host.report(name, 'skipped');
      continue;
    }
    leg.host.report(name, 'running');
    const withs = evalMap(step.with, scope);
    const inputs: Record<string, string> = {};
    for (const [k, spec] of Object.entries(meta.inputs))
      inputs[k] = withs[k] ?? (spec?.default !== undefined ? asString(evalValue(spec.default, scope)) : '');
    const files = await commandFiles(leg);
    const state: Record<string, string> = {};
    try {
      await runNodeScript(f, name, join(meta.dir, meta.runs.pre), { ...frameEnv(f), ...inputEnv(inputs) }, files, undefined, {});
      leg.host.report(name, 'passed');
    } catch (e) {
      if (!(e instanceof StepFailure)) throw e;
      leg.host.log(name, `##[error]${e.message}`);
      leg.host.report(name, 'failed', e.message);
      f.failed = true;
    } finally {
      await applyFileCommands(leg, files, {}, state);
      leg.preState.set(`${f.prefix}|${meta.dir}`, state);
    }
  }
}

/** `with: args` of a docker:// step, split as a shell would (quotes kept together). */
function splitArgs(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Builds a Dockerfile action's image (tagged by its folder, so later steps reuse it). */
async function buildImage(f: Frame, name: string, dir: string, dockerfile: string): Promise<string> {
  const { ContainerEngine } = await import('@tutti/lib-work');
  let engine: InstanceType<typeof ContainerEngine>;
  try {
    engine = ContainerEngine.fromEnvironment();
  } catch (e) {
    throw new StepFailure(`${name}: a Docker action needs a container engine: ${(e as Error).message}`);
  }
  const tag = `localhost/tutti-gh-action-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}:latest`;
  f.leg.host.log(name, `Building ${tag} from ${join(dir, dockerfile)}`);
  const r = await engine.run(['build', '-q', '-t', tag, '-f', join(dir, dockerfile), dir], f.leg.signal);
  if (r.code !== 0) throw new StepFailure(`${name}: building the action's image failed: ${r.stderr.trim()}`);
  return tag;
}

/**
 * A Docker action or `docker://` step: the image run once with the workspace and runner temp
 * mounted at their host paths, the step's env (without the host's own variables), in the job's
 * network when the job has one.
 */
async function runDocker(
  f: Frame,
  name: string,
  image: string,
  args: string[],
  entrypoint: string | undefined,
  env: Record<string, string>,
  timeoutMs: number | undefined,
): Promise<Record<string, string>> {
  const leg = f.leg;
  const { ContainerEngine } = await import('@tutti/lib-work');
  let engine: InstanceType<typeof ContainerEngine>;
  try {
    engine = ContainerEngine.fromEnvironment();
  } catch (e) {
    throw new StepFailure(`${name}: a Docker action needs a container engine: ${(e as Error).message}`);
  }
  const files = await commandFiles(leg);
  const a = [
    ...engine.globalArgs,
    'run',
    '--rm',
    '-v',
    `${leg.workspace}:${leg.workspace}`,
    '-v',
    `${leg.temp}:${leg.temp}`,
    '-w',
    leg.workspace,
  ];
  if (leg.container) {
    a.push('--network', leg.container.network);
    // in a container job the step's env names GitHub's paths (/__w/…): mount them too
    for (const m of leg.container.mounts)
      if (m.host !== m.inner && !m.inner.startsWith('/__e/')) a.push('-v', `${m.host}:${m.inner}${m.ro ? ':ro' : ''}`);
  }
  for (const [k, v] of Object.entries({ ...env, ...files }))
    if (process.env[k] !== v || k.startsWith('GITHUB_') || k.startsWith('INPUT_')) a.push('-e', `${k}=${v}`);
  if (entrypoint) a.push('--entrypoint', entrypoint);
  a.push(image, ...args);
  const outputs: Record<string, string> = {};
  try {
    await runWithCommands(f, name, engine.program, a, leg.workspace, process.env, timeoutMs, outputs, name);
  } finally {
    await applyFileCommands(leg, files, outputs);
  }
  return outputs;
}

/** Runs the registered post steps, last registered first (GitHub's order). */
export async function runPosts(leg: Leg): Promise<void> {
  while (leg.posts.length > 0) await leg.posts.pop()!();
}

/** Evaluates an expression in a frame (for job outputs). */
export function evalInFrame(f: Frame, text: unknown): string {
  return asString(evalValue(text, frameScope(f, frameEnv(f))));
}

export { evaluate };
