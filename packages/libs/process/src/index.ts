/**
 * The `process` package (local execution): descriptors of its native
 * elements, plus its own `.mel` areas under `mel/` (`process/exec` wrappers and `process/local`).
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { command } from './command.js';
import { environment } from './environment.js';
import { exec } from './exec.js';
import { local } from './local.js';

/** The bundled `process` package, version 0.10.2. */
export const process: PackageDescriptor = {
  name: 'process',
  version: '0.10.2',
  doc: 'External processes: commands, environments, executors and the local executor.',
  dependencies: { std: '0.10.2' },
  melRoot: fileURLToPath(new URL('../mel', import.meta.url)),
  elements: [...command, ...environment, ...exec, ...local],
};

export { CommandValue } from './command-value.js';
export { EnvironmentValue } from './environment-value.js';
// The pieces of the `process/exec` treatments that other libraries' native steps reuse.
export { controlOf, runSequence, Starts, Termination } from './exec-support.js';
export type { ByteSink, ByteSource, Executor, RunControl, RunOutcome } from './executor.js';
export { LocalExecutor } from './local-executor.js';
export { feed, forward } from './stdio.js';
