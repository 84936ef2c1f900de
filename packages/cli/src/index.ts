/** @tutti/cli — the `tutti` command line. */
export { main, VERSION } from './main.js';
