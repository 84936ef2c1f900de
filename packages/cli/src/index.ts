/** @tutti/cli — the `tutti` command line. The pipeline it drives is `@tutti/driver`. */

export { main, UsageError, VERSION } from './main.js';
