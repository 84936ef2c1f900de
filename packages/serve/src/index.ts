/**
 * @tutti/serve — `tutti serve` as a library: a CI server with webhooks, schedules, a run
 * queue over the driver, history in SQLite or PostgreSQL, a REST + SSE API and the studio.
 *
 * @example
 * import { parseConfig, startServer } from '@tutti/serve';
 * const server = await startServer(parseConfig({ port: 0, data: './data', projects: [] }));
 * console.log(server.url);
 * await server.close();
 */
export { EventBus, type ServerEvent } from './bus.js';
export {
  ConfigError,
  type MelJobConfig,
  type PipelineConfig,
  type ProjectConfig,
  parseConfig,
  parseProject,
  readConfig,
  type ServeConfig,
} from './config.js';
export { criticalPath, designGraph, type GraphNode, type LaidOutGraph, layeredLayout, layoutGraph } from './graph.js';
export { type JobContext, type JobOutcome, type PipelineKind, type PreparedJob, pipelineKind, registerPipelineKind } from './kinds.js';
export { openApiDocument } from './openapi.js';
export { RunQueue, type StoredGraph } from './runs.js';
export { type RunningServer, retryRun, type StartOptions, startServer } from './server.js';
export { openStore } from './store/open.js';
export type { DeliveryRecord, JobRecord, JobState, ProjectRecord, RunRecord, RunState, StepRow, Store } from './store/types.js';
export { verifyGithub, verifyGitlab } from './webhooks.js';
