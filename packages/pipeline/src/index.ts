export { ArtifactError, type ArtifactInfo, ArtifactStore, ArtifactUpload, listFiles } from './artifacts.js';
export { type CacheEntry, CacheStore, cacheVersion, expandPath, type RestoreResult } from './cache.js';
export {
  criticalPath,
  GraphError,
  type GraphJob,
  type JobOutcome,
  type JobResult,
  orderJobs,
  type RunContext,
  runGraph,
  type SchedulerOptions,
} from './scheduler.js';
