/**
 * The 0.9 `process` (docs/legacy.md): the 0.10 package whose `process/exec::spawn` has
 * the 0.9 shape, `spawn(command, environment)` with a `launch` input, which is the 0.10
 * `spawnOnce`. The native elements are the 0.10 ones; the `.mel` areas (`mel/process`) wrap
 * the 0.10 `.mel` elements, reached as the package `process_0_10`, unchanged.
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { LEGACY_VERSION } from './version.js';

/** The 0.9 `process`, made from the bundled 0.10 one. */
export function legacyProcess(base: PackageDescriptor): PackageDescriptor {
  return {
    name: base.name,
    version: LEGACY_VERSION,
    doc: `${base.doc} (0.9 surface: \`process/exec::spawn(command, environment)\` with a \`launch\` input.)`,
    dependencies: { ...base.dependencies, process_0_10: `=${base.version}` },
    elements: base.elements,
    melRoot: fileURLToPath(new URL('../mel/process', import.meta.url)),
  };
}
