/**
 * The 0.9 surface of the bundled packages (docs/legacy.md), for programs that
 * require `^0.9`: the `log` package, which exists only in 0.9 (0.10 logs through
 * `std/engine/log`), the 0.9 layer of `cicd`, thin `.mel` wrappers over the 0.10
 * elements that add the `logger: Logger` model slots and the 0.9 parameter types, and the
 * 0.9 shapes of `work`, `distrib` and `process` (work.ts, distrib.ts, process.ts). How the
 * loader chooses between 0.9 and 0.10: `LoadOptions.legacy` in @tutti/loader, and
 * docs/legacy.md.
 */
import { fileURLToPath } from 'node:url';
import type { PackageDescriptor } from '@tutti/core';
import { console } from './console.js';
import { labelFiles } from './label-files.js';
import { logger } from './logger.js';

import { LEGACY_VERSION } from './version.js';

export { LEGACY_VERSION } from './version.js';

/** The bundled `log` package (0.9 only). */
export const log: PackageDescriptor = {
  name: 'log',
  version: LEGACY_VERSION,
  doc: 'Logging of the 0.9 generation: a `Logger` model whose `logs` source streams the run’s records, log treatments, console and file outputs. In 0.10, `std/engine/log` replaces it.',
  dependencies: { std: '0.10.2', fs: '0.10.2' },
  elements: [...logger, ...console, ...labelFiles],
  melRoot: fileURLToPath(new URL('../mel/log', import.meta.url)),
};

/** Native elements of 0.10 whose 0.9 shape is a `.mel` wrapper in the same area. */
const WRAPPED_NATIVES: ReadonlySet<string> = new Set([
  'cicd/services::setServiceState',
  'cicd/services/gitlab::postGitlabState',
  'cicd/services/github::postGithubState',
  'cicd/services/github::postGithubStateContext',
]);

/**
 * The 0.9 `cicd`, made from the bundled 0.10 one: the same native elements, and `.mel`
 * areas of its own that wrap the 0.10 areas, reached as the package `cicd_0_10`.
 */
export function legacyCicd(base: PackageDescriptor): PackageDescriptor {
  return {
    name: base.name,
    version: LEGACY_VERSION,
    doc: `${base.doc} (0.9 surface: \`logger: Logger\` model slots, \`cicd/logging::manageLogs\`.)`,
    dependencies: { ...base.dependencies, work: base.version, log: '^0.9', cicd_0_10: `=${base.version}` },
    elements: base.elements.filter((e) => !WRAPPED_NATIVES.has(`${e.area}::${e.name}`)),
    melRoot: fileURLToPath(new URL('../mel/cicd', import.meta.url)),
  };
}

export { LegacyDistributor, legacyDistrib } from './distrib.js';
export { labelFileName } from './label-files.js';
export { LogValue } from './log-value.js';
export { LoggerModel } from './logger.js';
export { legacyProcess } from './process.js';
export { legacyWork } from './work.js';
