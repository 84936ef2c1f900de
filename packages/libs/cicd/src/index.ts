/**
 * The `cicd` package. Mostly `.mel`, under `mel/`: `cicd/runners`,
 * `cicd/data`, `cicd/steps`, `cicd/naive` and `runAction` of `cicd/services/github` (docs/cicd.md).
 * Native here: the step reporters (`cicd/steps::stepState`, `stepStateOn`, Tutti's extension),
 * `cicd/steps::spawnLabelled` (the commands of a step),
 * `cicd/naive::|host_arch`, `cicd/services::setServiceState`, the `StepState` types, the status
 * posts and the GitHub Actions helpers of `cicd/services/github` (docs/cicd-reporting.md).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { githubCommand } from './github/command.js';
import { githubContexts } from './github/contexts.js';
import { githubEnvFiles } from './github/env-files.js';
import { githubExpressionsFunction } from './github/expressions.js';
import { githubMatrixElements } from './github/matrix.js';
import { githubResults } from './github/results.js';
import { githubRunEnvironment } from './github/run-environment.js';
import { githubStatus } from './github/state.js';
import { githubLegState, githubTimeout } from './github/timeout.js';
import { gitlab } from './gitlab.js';
import { hostArch } from './naive.js';
import { setServiceState } from './services.js';
import { spawnLabelled } from './spawn-labelled.js';
import { logLines, stepReporters } from './step-report.js';

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
    logLines,
    spawnLabelled,
    hostArch,
    setServiceState,
    ...gitlab,
    ...githubStatus,
    ...githubContexts,
    githubExpressionsFunction,
    githubCommand,
    ...githubEnvFiles,
    ...githubResults,
    githubTimeout,
    githubLegState,
    ...githubMatrixElements,
    ...githubRunEnvironment,
  ],
};
export { defaultApiUrl, githubApiUrl } from './api-url.js';
// GitHub's expression functions for the realm (`|github_expressions()`), which the bridge's import compiles to.
export { GITHUB_EXPRESSIONS } from './github/expressions.js';
// The status requests, for hosts that report runs themselves (`tutti serve`).
export { hashFiles, hashFilesSync, matchedFiles } from './github/hash-files.js';
// GitHub's matrix rules, shared with the bridge's `tutti github run`.
export { type Combo, expandMatrix, legName } from './github/matrix.js';
// The helpers' evaluation in a realm (the reference's rules), for the bridge's tests of compiled expressions.
export { evaluateValue, prepareContexts } from './github/realm.js';
export {
  defaultPayload,
  defaultStepEnv,
  type GithubShell,
  githubContextOf,
  githubRunContexts,
  githubShell,
  type RepoFacts,
  repoFacts,
  repositoryFromUrl,
  runnerContextOf,
  ZERO_SHA,
} from './github/run-environment.js';
export { githubRequest } from './github/state.js';
export { Masker, parseCommand, type WorkflowCommand } from './github/workflow-commands.js';
export { gitlabRequest } from './gitlab.js';
export { postStatus, type StatusLog, type StatusRequest } from './post-status.js';
export { GithubStepState, GitlabStepState } from './step-state.js';
