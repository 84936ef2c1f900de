export { GITHUB_HELP, githubMain } from './cli.js';
export { type GithubRunOptions, githubRun, type RunReport, writeReport } from './run.js';
export {
  type JobRunOptions,
  type JobRunResult,
  type NeedResult,
  openWorkflow,
  type WorkflowJobPlan,
  type WorkflowSession,
  type WorkflowSessionOptions,
} from './session.js';
export type { StepEvent } from './view.js';
export { WorkflowError } from './workflow.js';
