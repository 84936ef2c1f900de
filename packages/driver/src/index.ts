/**
 * @tutti/driver — the program pipeline as a library: load → select the entrypoint → check
 * → read arguments → lower → run. The CLI, the tests and the benches call it (and so will
 * the distributed worker and the server); nothing else strings the phases together.
 *
 * @example
 * import { checkPath, launch, runDesign } from '@tutti/driver';
 * const checked = await checkPath('hello.mel');
 * const design = launch(checked, { args: ['--who', 'Ada'] });
 * if (design === undefined) console.error(checked.sink.items);
 * else await runDesign(design, { log: (r) => console.log(r.message) });
 */
export { type ArgumentReading, CommandLine, entryArguments, readParsed, readRaw } from './arguments.js';
export { BUNDLED, BUNDLED_LEGACY } from './bundled.js';
export { type GeneratedCertificate, localhostCertificate } from './certificate.js';
export {
  collectDocs,
  type DocElement,
  type DocOptions,
  type DocResult,
  type DocSet,
  elementPath,
  generateDocs,
  htmlFiles,
  markdownPages,
} from './doc/index.js';
export { DebugFile, OutputFileError, openOutputFile } from './files.js';
export { type LaunchOptions, launch, originOf } from './launch.js';
export {
  invalidProjectName,
  type NewProject,
  NewProjectError,
  type NewProjectOptions,
  newProject,
  TEMPLATES,
  type Template,
} from './new-project.js';
export { type CheckedProgram, type CheckOptions, checkPath, programSource, RequestError, type Selection, select } from './program.js';
export { type RenderOptions, renderHuman, toJson, useColor } from './render.js';
export { type RunOptions, type RunResult, runDesign } from './run.js';
export { serveWorker, type WorkerOptions, type WorkerResult } from './worker.js';
