/** Finding the repository and the pipeline file, then loading and planning it. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadConfig } from './config.js';
import { pipelineVariables, readRepo } from './context.js';
import { plan } from './plan.js';
import { GitlabUsageError } from './usage.js';

/** The repository root containing `cwd` (git's top level), else `cwd`. */
export function repositoryRoot(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return cwd;
  }
}

/** Where includes of templates and other projects are read (`--templates`, `--projects`). */
export interface IncludeSources {
  readonly templates?: string | undefined;
  readonly projects?: string | undefined;
}

/** Finds the file and root, loads and plans. */
export async function loadPlan(file: string | undefined, variables: Record<string, string>, cwd: string, sources: IncludeSources = {}) {
  const path = file === undefined ? undefined : resolve(cwd, file);
  if (path !== undefined && !existsSync(path)) throw new GitlabUsageError(`pipeline file '${file}' does not exist`);
  const root = repositoryRoot(path === undefined ? cwd : dirname(path));
  const configFile = path ?? join(root, '.gitlab-ci.yml');
  if (!existsSync(configFile)) throw new GitlabUsageError(`no .gitlab-ci.yml in ${root} (give one with --file)`);
  const repo = await readRepo(root);
  const rel = relative(root, configFile);
  const predefined = pipelineVariables(repo, rel);
  // Includes see the predefined, project and pipeline variables (not the file's own).
  const config = loadConfig({
    root,
    file: configFile,
    projectPath: repo.projectPath,
    variables: { ...predefined, ...variables },
    ...(sources.templates === undefined ? {} : { templates: resolve(cwd, sources.templates) }),
    ...(sources.projects === undefined ? {} : { projects: resolve(cwd, sources.projects) }),
  });
  return { root, repo, config, plan: plan(config, { repo, predefined, pipelineVariables: variables }) };
}
