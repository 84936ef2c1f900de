/**
 * The `cicd` package (libraries spec §15). This slice holds the service reporting areas:
 * `cicd/services` (`setServiceState`), `cicd/services/gitlab` and `cicd/services/github`
 * (commit statuses and the GitHub Actions bridge of §15.8.7, without `runAction`, which
 * needs `process`'s `spawnCommands` and `work/resources::getExecutor`).
 */
import type { PackageDescriptor } from '@tutti/core';
import { githubCommand } from './github/command.js';
import { githubContexts } from './github/contexts.js';
import { githubEnvFiles } from './github/env-files.js';
import { githubResults } from './github/results.js';
import { githubStatus } from './github/state.js';
import { gitlab } from './gitlab.js';
import { setServiceState } from './services.js';

/** The bundled `cicd` package, version 0.10.2. */
export const cicd: PackageDescriptor = {
  name: 'cicd',
  version: '0.10.2',
  doc: 'CI/CD pipelines: commit-status reporting to GitHub and GitLab, and the GitHub Actions bridge.',
  dependencies: { std: '0.10.2', json: '0.10.2', javascript: '0.10.2', process: '0.10.2' },
  elements: [setServiceState, ...gitlab, ...githubStatus, ...githubContexts, githubCommand, ...githubEnvFiles, ...githubResults],
};
export { defaultApiUrl, githubApiUrl } from './api-url.js';
// The status requests, for hosts that report runs themselves (`tutti serve`).
export { githubRequest } from './github/state.js';
export { gitlabRequest } from './gitlab.js';
export { postStatus, type StatusLog, type StatusRequest } from './post-status.js';
export { GithubStepState, GitlabStepState } from './step-state.js';
