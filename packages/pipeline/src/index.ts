/**
 * @tutti/pipeline — what a CI user sees of a pipeline run, shared by `tutti run`, the GitHub
 * and GitLab bridges and `tutti serve`: the progress board fed by step reports, the live
 * view, the end summary with its critical path, per-step log files, secret masking and
 * JSON/JUnit reports (docs/progress.md).
 */

export { ArtifactError, type ArtifactInfo, ArtifactStore, ArtifactUpload, listFiles } from './artifacts.js';
export { type CacheEntry, CacheStore, cacheVersion, expandPath, type RestoreResult } from './cache.js';
export { type CriticalPath, criticalPath, type PathStep } from './critical-path.js';
export { dim, fit, formatDuration, pad, paint, STATE_MARK } from './format.js';
export { StepLogFiles, stepFileName } from './logs.js';
export { collectDesignSecrets, type DesignParams, isSecretName, MASK, SECRET_NAME, SecretMasker } from './mask.js';
export { type BoardChange, FINAL_STATES, isFinal, ProgressBoard, type StepEvent, type StepInfo } from './progress.js';
export { buildReport, type ReportOptions, type ReportStep, type RunReport, toJUnit, writeReport } from './report.js';
export {
  criticalPath as graphCriticalPath,
  GraphError,
  type GraphJob,
  type JobOutcome,
  type JobResult,
  orderJobs,
  type RunContext,
  runGraph,
  type SchedulerOptions,
} from './scheduler.js';
export { renderSummary, type SummaryOptions } from './summary.js';
export { chooseViewMode, LiveView, type LiveViewOptions, type ViewMode, type ViewOutput } from './view.js';
