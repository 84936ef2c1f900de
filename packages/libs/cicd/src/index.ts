/**
 * The `cicd` package (libraries spec §15). This slice holds the service reporting areas:
 * `cicd/services` (`setServiceState`), `cicd/services/gitlab` and `cicd/services/github`
 * (commit statuses and the GitHub Actions bridge of §15.8.7, without `runAction`, which
 * needs `process`'s `spawnCommands` and `work/resources::getExecutor`).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { githubCommand } from './github/command.js';
import { githubContexts } from './github/contexts.js';
import { githubEnvFiles } from './github/env-files.js';
import { githubResults } from './github/results.js';
import { githubStatus } from './github/state.js';
import { gitlab } from './gitlab.js';
import { hostArch } from './naive.js';
import { setServiceState } from './services.js';
import { stepReporters } from './step-report.js';

/** The bundled `cicd` package, version 0.10.2. */
export const cicd: PackageDescriptor = {
  name: 'cicd',
  version: '0.10.2',
  doc: 'CI/CD pipelines: runners, steps and the data between them, turnkey steps, commit-status reporting to GitHub and GitLab, and the GitHub Actions bridge.',
  dependencies: {
    std: '0.10.2',
    json: '0.10.2',
    javascript: '0.10.2',
    process: '0.10.2',
    fs: '0.10.2',
    encoding: '0.10.2',
    work: '0.10.2',
    distrib: '0.10.2',
  },
  melRoot: fileURLToPath(new URL('../mel', import.meta.url)),
  elements: [
    ...stepReporters,
    hostArch,
    setServiceState,
    ...gitlab,
    ...githubStatus,
    ...githubContexts,
    githubCommand,
    ...githubEnvFiles,
    ...githubResults,
  ],
};
export { defaultApiUrl, githubApiUrl } from './api-url.js';
export { GithubStepState, GitlabStepState } from './step-state.js';
