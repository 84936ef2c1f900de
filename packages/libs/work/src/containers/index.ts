/** The container-set module (plain TypeScript): see docs/containers.md. */
export {
  ContainerEngine,
  type ContainerEngineKind,
  ContainerError,
  type EngineResult,
  engineArgs,
  engineMessage,
  findOnPath,
  splitArgs,
} from './engine.js';
export {
  type ContainerSet,
  type ContainerSetOptions,
  type ContainerSetRequest,
  type ContainerSpec,
  RUN_LABEL,
  removeLeftovers,
  type ServiceContainerSpec,
  startContainerSet,
  validateRequest,
} from './set.js';
