/** @tutti/cli — the `tutti` command line. */

export { BUNDLED } from './bundled.js';
export { main, VERSION } from './main.js';
export { type CheckOptions, checkPath } from './session.js';
