/**
 * The files a GitHub Actions step shares with later steps:
 * `GITHUB_ENV` (one per workflow), `GITHUB_OUTPUT` (one per step) and the workspace
 * directory, all under the OS temporary directory, named after a key: the reference's is
 * `github.workflow`; `runAction`'s `files` (Tutti's extension) gives one of a job instance's own,
 * a relative path under the temporary directory (`tutti-github-<run id>/<job>`), whose folder
 * `githubRemoveFiles` removes once the run's jobs ended. A step's GITHUB_OUTPUT file starts
 * empty, as on GitHub (the reference only creates it when missing, so a step saw the outputs
 * an earlier run of a step of the same name wrote). Entries are read with `dotenv`, the
 * maintained parser of the `KEY=VALUE` syntax of GitHub's env files (quotes, `export`, comments,
 * multi-line quoted values), rather than a hand-written one.
 */
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { END, treatment } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { parse } from 'dotenv';
import { area } from './state.js';

/** Paths of a workflow's and a step's files. */
export function envPaths(workflowId: string, stepId = '', dir = tmpdir()) {
  return {
    env: join(dir, `${workflowId}.env`),
    output: join(dir, `${workflowId}-${stepId}.output`),
    workspace: join(dir, `${workflowId}-workspace`),
  };
}

/** Creates `path` empty when it does not exist (never truncates). */
export async function touch(path: string): Promise<void> {
  await (await open(path, 'a')).close();
}

/** The `KEY=VALUE` entries of a dotenv file; none when it cannot be read. */
export async function readEntries(path: string): Promise<Record<string, string>> {
  try {
    return parse(await readFile(path));
  } catch {
    return {};
  }
}

/** Logs the non-empty `*.summary` files under `dir` (GITHUB_STEP_SUMMARY), oldest first. */
async function printSummaries(dir: string, print: (message: string) => void): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })).filter((n) => n.endsWith('.summary'));
  } catch {
    return;
  }
  const found: { name: string; time: number; text: string }[] = [];
  for (const name of names) {
    try {
      const text = await readFile(join(dir, name), 'utf8');
      if (text.trim() !== '') found.push({ name: name.slice(0, -'.summary'.length), time: (await stat(join(dir, name))).mtimeMs, text });
    } catch {
      // removed meanwhile: nothing to print
    }
  }
  for (const f of found.sort((a, b) => a.time - b.time)) print(`Step summary of ${f.name}:\n${f.text.trimEnd()}`);
}

export const githubEnvFiles = [
  treatment(area, 'githubGetEnv', {
    inputs: { workflow_id: 'Block<string>', step_id: 'Block<string>' },
    outputs: { variables: 'Block<StringMap>' },
    doc:
      'Emits `GITHUB_ENV = <tmp>/<workflow_id>.env`, `GITHUB_OUTPUT = <tmp>/<workflow_id>-<step_id>.output` and ' +
      '`GITHUB_WORKSPACE = <tmp>/<workflow_id>-workspace` (files and directory created if missing; the GITHUB_OUTPUT ' +
      'file emptied, as GitHub starts each step with an empty one), then every ' +
      '`KEY=VALUE` entry of the GITHUB_ENV file (dotenv syntax; an entry overrides a variable of the same name).',
    async run({ inputs, outputs, log, path }) {
      const [workflow, step] = await Promise.all([inputs.workflow_id.recvOne(), inputs.step_id.recvOne()]);
      if (workflow === END || step === END) return;
      const paths = envPaths(workflow as string, step as string);
      try {
        await mkdir(paths.workspace, { recursive: true });
        await touch(paths.env);
        // each step's outputs start empty, as on GitHub
        await writeFile(paths.output, '');
      } catch (e) {
        log('error', path, `cannot create the GitHub Actions files: ${(e as Error).message}`);
      }
      const vars = new Map<string, string>([
        ['GITHUB_ENV', paths.env],
        ['GITHUB_OUTPUT', paths.output],
        ['GITHUB_WORKSPACE', paths.workspace],
      ]);
      for (const [k, v] of Object.entries(await readEntries(paths.env))) vars.set(k, v);
      await outputs.variables.sendOne(StringMapValue.from(vars));
    },
  }),
  treatment(area, 'githubGetEnvFiles', {
    inputs: { workflow_id: 'Block<string>' },
    outputs: { filename: 'Block<string>' },
    doc: "Emits the path of the workflow's GITHUB_ENV file, `<tmp>/<workflow_id>.env` (created if missing).",
    async run({ inputs, outputs, log, path }) {
      const workflow = await inputs.workflow_id.recvOne();
      if (workflow === END) return;
      const file = envPaths(workflow as string).env;
      try {
        await mkdir(dirname(file), { recursive: true });
        await touch(file);
      } catch (e) {
        log('error', path, `cannot create '${file}': ${(e as Error).message}`);
      }
      await outputs.filename.sendOne(file);
    },
  }),
  treatment(area, 'githubRemoveFiles', {
    params: { files: 'var string' },
    inputs: { trigger: 'Block<void>' },
    doc:
      "Tutti's extension: on `trigger`, logs the step summaries written there (GITHUB_STEP_SUMMARY files, see " +
      '`githubStepEnv`; in the order they were written), then removes `<tmp>/<files>` (a relative path under the temporary directory) ' +
      "and all it holds: the folder of a run's step files (`runAction`'s `files`, as `tutti github import` keys them) " +
      'once its jobs ended. A path leaving the temporary directory is refused (logged at error).',
    async run({ inputs, params, log, path }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      const rel = normalize(String(params.files));
      if (rel === '.' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
        log('error', path, `'${String(params.files)}' is not a folder under the temporary directory: not removed`);
        return;
      }
      await printSummaries(join(tmpdir(), rel), (m) => log('info', 'summary', m));
      await rm(join(tmpdir(), rel), { recursive: true, force: true }).catch((e: Error) =>
        log('error', path, `cannot remove '${join(tmpdir(), rel)}': ${e.message}`),
      );
    },
  }),
];
