/**
 * `@tutti/gitlab`: GitLab CI pipelines (`.gitlab-ci.yml`) parsed with GitLab's rules, planned as
 * a push pipeline of the local repository, run locally as a graph (`tutti gitlab run`) or
 * imported to a `.mel` project (`tutti gitlab import`). See docs/gitlab-ci.md.
 */
export { GITLAB_HELP, GitlabUsageError, gitlabCommand, loadPlan, select, viewLine } from './cli.js';
export { type Config, loadConfig, type RawJob } from './config.js';
export { pipelineVariables, type RepoInfo, readRepo, slug } from './context.js';
export { ExpressionError, evaluateIf, parseExpression } from './expression.js';
export { type Plan, type PlannedJob, parseDuration, plan } from './plan.js';
export { type JobRecord, type JobStatus, type RunnerOptions, type RunResult, runJobs } from './run.js';
export { GITLAB_MASK, projectMask } from './secrets.js';
export { sectionMark } from './sections.js';
export { GitlabConfigError, type Loc } from './yaml.js';
