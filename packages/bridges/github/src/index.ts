export { GITHUB_HELP, githubMain } from './cli.js';
export { type GithubRunOptions, githubRun, type RunReport, writeReport } from './run.js';
export { WorkflowError } from './workflow.js';
