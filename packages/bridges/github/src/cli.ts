/**
 * `tutti github …`: the command line of the GitHub Actions bridge. Exit statuses: 0 every job
 * that ran succeeded, 1 a job failed, 2 usage problems and workflows that do not parse.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseDotenv } from 'dotenv';
import { githubRun } from './run.js';
import { WorkflowError } from './workflow.js';

export const GITHUB_HELP = `tutti github — GitHub Actions workflows run locally, as a graph

Usage:
  tutti github run [EVENT] [options]    run the workflows the event triggers (EVENT default: push)
  tutti github import [-W PATH] [-o DIR] [-P LABEL=host|IMAGE]… [--action-cache DIR]
                     [--reference-expressions]
                                        write the workflows as a .mel project (default
                                        DIR: workflows-mel), checked by 'tutti check DIR';
                                        its expressions give GitHub's results;
                                        -P as for run: jobs with that runs-on label
                                        imported as container jobs in IMAGE;
                                        --action-cache as for run: other repositories'
                                        reusable workflows imported from there;
                                        --reference-expressions: expressions left to the
                                        reference helpers' rules (JavaScript)
  tutti github action USES              run one action step here (what imported projects
                                        call): inputs from INPUT_<NAME>, results through
                                        $GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_PATH
  tutti github job up|step|down JOB     an imported job's container and services: start
                                        them, run one step in the job container, remove
                                        them (what imported projects call; keyed by
                                        $TUTTI_RUN_ID and JOB)
  tutti github --help

Options of run:
  -W, --workflows PATH     a workflow file, or a folder whose *.yml/*.yaml are read
                           (default: .github/workflows)
  -j, --job JOB            run only JOB (and the jobs it needs)
      --event-path FILE    the event payload (JSON), as github.event
  -s, --secret NAME=VALUE  a secret (masked in every log line); repeatable; '-s NAME' reads
                           the value from the environment variable NAME
      --secret-file FILE   secrets from a dotenv file
      --env NAME=VALUE     an environment variable for every step; repeatable
      --var NAME=VALUE     a configuration variable (vars context); repeatable
      --input NAME=VALUE   a workflow_dispatch input; repeatable
  -P, --platform LABEL=host|IMAGE
                           where a runs-on label runs (default: host for every label)
      --list               list the jobs (workflow, job, name, needs) without running
      --graph              show the jobs by stage and their needs without running
      --dry-run            plan and evaluate every job and step without running scripts
      --logs DIR           one log file per step under DIR/<job>/
      --report FILE        a JSON report, or JUnit XML when FILE ends in .xml
      --action-cache DIR   remote actions and reusable workflows, laid out owner/repo@ref
                           (default: ~/.cache/tutti/github/actions)
      --cache-dir DIR      the actions/cache store (default: ~/.cache/tutti/github)
      --concurrency-dir DIR
                           the lock directory of concurrency: groups, shared by the runs of
                           the machine (default: ~/.local/state/tutti/github/concurrency)
  -C, --directory DIR      the repository (default: the current directory)
      --progress MODE      auto (a live board on a terminal, plain lines with CI=true or
                           when piped), tty, plain, or grouped (each step's output in one block)

Exit status: 0 when every job that ran succeeded (skipped jobs do not fail a run), 1 when
a job failed or the run was interrupted, 2 for usage errors and workflows that do not parse.
See docs/github-actions.md.
`;

class Usage extends Error {}

function pairs(list: readonly string[] | undefined, what: string, fromEnv = false): Record<string, string> {
  const o: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (fromEnv && item !== '') {
        o[item] = process.env[item] ?? '';
        continue;
      }
      throw new Usage(`${what} '${item}' must be NAME=VALUE`);
    }
    if (eq === 0) throw new Usage(`${what} '${item}' has no name`);
    o[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return o;
}

/** `tutti github import`: writes the project, prints what it did not cover. */
async function commandImport(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      workflows: { type: 'string', short: 'W' },
      output: { type: 'string', short: 'o' },
      directory: { type: 'string', short: 'C' },
      platform: { type: 'string', short: 'P', multiple: true },
      'action-cache': { type: 'string' },
      'reference-expressions': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(GITHUB_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new Usage(`unexpected argument '${positionals[0]}'`);
  const cwd = resolve(values.directory ?? '.');
  const actionCache = values['action-cache'] !== undefined ? { actionCache: resolve(values['action-cache']) } : {};
  const { repoFacts } = await import('./git.js');
  const { githubImport } = await import('./import.js');
  const repo = await repoFacts(cwd, basename(cwd));
  const platforms = pairs(values.platform, '--platform');
  const r = await githubImport(cwd, values.workflows, resolve(cwd, values.output ?? 'workflows-mel'), repo.repository, {
    platforms,
    ...actionCache,
    referenceExpressions: values['reference-expressions'] === true,
  });
  for (const w of r.warnings) err.write(`tutti github import: warning: ${w}\n`);
  out.write(`Wrote ${r.files.map((f) => join(r.dir, f)).join(', ')}\nRun it with: tutti run ${join(r.dir, 'Compo.toml')}\n`);
  return 0;
}

/** `tutti github action USES`: one action step in this environment (imported projects call it). */
async function commandAction(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'action-cache': { type: 'string' },
      'cache-dir': { type: 'string' },
      directory: { type: 'string', short: 'C' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(GITHUB_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new Usage('github action takes one action: ./path, owner/repo[/path]@ref or docker://image');
  const { defaultCacheRoot } = await import('./run.js');
  const { runActionStep } = await import('./action-step.js');
  const cacheRoot = values['cache-dir'] !== undefined ? resolve(values['cache-dir']) : defaultCacheRoot();
  return runActionStep({
    uses: positionals[0]!,
    cwd: resolve(values.directory ?? '.'),
    env: process.env,
    actionCache: values['action-cache'] !== undefined ? resolve(values['action-cache']) : join(cacheRoot, 'actions'),
    cacheRoot,
    out,
  });
}

/** `tutti github job up|step|down JOB`: an imported job's environment (job-env.ts). */
async function commandJob(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'action-cache': { type: 'string' },
      'cache-dir': { type: 'string' },
      directory: { type: 'string', short: 'C' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(GITHUB_HELP);
    return 0;
  }
  const [what, key, ...more] = positionals;
  if (what !== 'up' && what !== 'step' && what !== 'down') throw new Usage('github job takes up, step or down, then the job');
  if (key === undefined || key === '' || more.length > 0) throw new Usage(`github job ${what} takes one job`);
  const { defaultCacheRoot } = await import('./run.js');
  const { jobDown, jobStep, jobUp, JobEnvProblem } = await import('./job-env.js');
  const cacheRoot = values['cache-dir'] !== undefined ? resolve(values['cache-dir']) : defaultCacheRoot();
  const o = {
    key,
    cwd: resolve(values.directory ?? '.'),
    env: process.env,
    actionCache: values['action-cache'] !== undefined ? resolve(values['action-cache']) : join(cacheRoot, 'actions'),
    cacheRoot,
    out,
  };
  try {
    return await (what === 'up' ? jobUp(o) : what === 'step' ? jobStep(o) : jobDown(o));
  } catch (e) {
    if (e instanceof JobEnvProblem) throw new Usage(e.message);
    throw e;
  }
}

/** Runs `tutti github ARGS`; resolves with the exit status. */
export async function githubMain(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out.write(GITHUB_HELP);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === 'import') return await commandImport(rest, out, err);
    if (sub === 'action') return await commandAction(rest, out);
    if (sub === 'job') return await commandJob(rest, out);
    if (sub !== 'run') throw new Usage(`unknown command 'github ${sub}' (expected: run, import, action, job)`);
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        workflows: { type: 'string', short: 'W' },
        job: { type: 'string', short: 'j' },
        'event-path': { type: 'string' },
        secret: { type: 'string', short: 's', multiple: true },
        'secret-file': { type: 'string' },
        env: { type: 'string', multiple: true },
        var: { type: 'string', multiple: true },
        input: { type: 'string', multiple: true },
        platform: { type: 'string', short: 'P', multiple: true },
        list: { type: 'boolean' },
        graph: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        logs: { type: 'string' },
        report: { type: 'string' },
        'action-cache': { type: 'string' },
        'cache-dir': { type: 'string' },
        'concurrency-dir': { type: 'string' },
        directory: { type: 'string', short: 'C' },
        progress: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out.write(GITHUB_HELP);
      return 0;
    }
    if (positionals.length > 1) throw new Usage(`one event at most, got: ${positionals.join(' ')}`);
    const cwd = resolve(values.directory ?? '.');
    const secrets: Record<string, string> = {};
    if (values['secret-file']) {
      try {
        Object.assign(secrets, parseDotenv(await readFile(resolve(values['secret-file']), 'utf8')));
      } catch (e) {
        throw new Usage(`--secret-file ${values['secret-file']}: ${(e as Error).message}`);
      }
    }
    Object.assign(secrets, pairs(values.secret, '--secret', true));
    const platforms = pairs(values.platform, '--platform');
    const progress = values.progress ?? 'auto';
    if (!['auto', 'tty', 'plain', 'grouped'].includes(progress))
      throw new Usage(`--progress must be auto, tty, plain or grouped, not '${progress}'`);
    const ac = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      err.write('\nInterrupted: cancelling the run (again to stop at once)\n');
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const r = await githubRun({
        cwd,
        event: positionals[0] ?? 'push',
        ...(values.workflows !== undefined ? { workflows: values.workflows } : {}),
        ...(values['event-path'] !== undefined ? { eventPath: values['event-path'] } : {}),
        ...(values.job !== undefined ? { job: values.job } : {}),
        secrets,
        env: pairs(values.env, '--env'),
        vars: pairs(values.var, '--var'),
        inputs: pairs(values.input, '--input'),
        platforms,
        list: values.list ?? false,
        graph: values.graph ?? false,
        dryRun: values['dry-run'] ?? false,
        ...(values.logs !== undefined ? { logs: resolve(values.logs) } : {}),
        ...(values.report !== undefined ? { report: resolve(values.report) } : {}),
        ...(values['action-cache'] !== undefined ? { actionCache: resolve(values['action-cache']) } : {}),
        ...(values['cache-dir'] !== undefined ? { cacheDir: resolve(values['cache-dir']) } : {}),
        ...(values['concurrency-dir'] !== undefined ? { concurrencyDir: resolve(values['concurrency-dir']) } : {}),
        progress: progress as 'auto',
        out: out as unknown as import('node:stream').Writable,
        signal: ac.signal,
      });
      return interrupted ? 1 : r.status;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (e) {
    if (
      e instanceof Usage ||
      e instanceof WorkflowError ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      err.write(`tutti github: ${(e as Error).message}\n`);
      if (e instanceof Usage || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
        err.write("Run 'tutti github --help' for usage.\n");
      return 2;
    }
    throw e;
  }
}
