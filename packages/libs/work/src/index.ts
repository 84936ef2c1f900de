/**
 * The `work` package: where workers come from (`work/access`,
 * `work/distant`) and the executors and volumes that live next to a worker (`work/resources`).
 */
import type { PackageDescriptor } from '@tutti/core';
import { access } from './access.js';
import { distant } from './distant.js';
import { resources } from './resources/resources.js';

/** The bundled `work` package, version 0.10.2. */
export const work: PackageDescriptor = {
  name: 'work',
  version: '0.10.2',
  doc: 'Workers: how to reach them, where they run, and the executors and volumes next to them.',
  dependencies: { std: '0.10.2', net: '0.10.2', fs: '0.10.2', process: '0.10.2' },
  elements: [...access, ...distant, ...resources],
};

export { AccessValue, canonicalKey, NIL_UUID, newKey } from './access.js';
export * from './containers/index.js';
export {
  apiLocation,
  apiTiming,
  type DistantContext,
  type DistantRequest,
  defaultApiUrl,
  type Location,
  localLocation,
  registerLocation,
  type StartedWorker,
  setWorkerCommand,
  USER_AGENT,
} from './distant.js';
export { ContainerExecutor } from './resources/container-executor.js';
export { executorFor, fileSystemFor } from './resources/resources.js';
export { ArchValue, ContainerValue, MountValue, ServiceContainerValue, VolumeValue } from './resources/values.js';
