/**
 * One check of a program, as `tutti check` does it: load, select entrypoints and areas
 * (language spec §4.12, §7.6), check. Shared by the commands and the tests.
 */
import { DiagnosticSink } from '@tutti/core';
import { type CheckResult, checkProgram, type EntrypointRequest } from '@tutti/lang';
import { type LoadedProgram, loadProgram } from '@tutti/loader';
import { BUNDLED } from './bundled.js';

/** A problem with the command line (exit status 2). */
export class UsageError extends Error {}

/** Options of {@link checkPath}. */
export interface CheckOptions {
  readonly paths?: readonly string[];
  readonly all?: boolean;
  readonly forceEntry?: string;
  readonly command?: string;
}

/** Loads and checks `program`; every problem is in the returned sink. */
export async function checkPath(
  program: string,
  o: CheckOptions = {},
): Promise<{ sink: DiagnosticSink; loaded: LoadedProgram | undefined; result: CheckResult | undefined; selection: Selection | undefined }> {
  const sink = new DiagnosticSink();
  const loaded = await loadProgram(program, { bundled: BUNDLED, paths: o.paths ?? [] }, sink);
  if (loaded === undefined || (loaded.headerFailed && loaded.kind === 'project'))
    return { sink, loaded, result: undefined, selection: undefined };
  const selection = select(loaded, sink, o);
  const result = checkProgram(loaded.program, selection.roots, loaded.headerFailed ? [] : selection.entrypoints, sink);
  return { sink, loaded, result, selection };
}

export interface Selection {
  readonly roots: string[];
  readonly entrypoints: EntrypointRequest[];
}

/** Which entrypoints and areas a command covers (§4.12, §7.6). */
export function select(
  loaded: LoadedProgram,
  sink: DiagnosticSink,
  o: { all?: boolean; forceEntry?: string; command?: string },
): Selection {
  const root = loaded.program.root;
  if (o.all) {
    if (o.command !== undefined || o.forceEntry !== undefined)
      sink.report('W_ENTRY_IGNORED', undefined, `--all checks every entrypoint; '${o.command ?? o.forceEntry}' is ignored`, {
        file: loaded.file,
      });
    // A script's only entrypoint, main, is optional.
    const optional = loaded.kind === 'script';
    const entrypoints = [...loaded.entrypoints].map(([command, id]) => ({ id, command, file: loaded.file, optional }));
    return { roots: [...root.melAreas()], entrypoints };
  }
  if (o.forceEntry !== undefined) {
    if (!/^[^:]+::[^:]+$/.test(o.forceEntry))
      throw new UsageError(`--force-entry '${o.forceEntry}' is not an identifier package/area::treatment`);
    if (o.command !== undefined) throw new UsageError(`--force-entry and the command '${o.command}' cannot be given together`);
    return { roots: loaded.kind === 'script' ? [root.name] : [], entrypoints: [{ id: o.forceEntry, file: loaded.file }] };
  }
  const command = o.command ?? 'main';
  const id = loaded.entrypoints.get(command);
  const roots = loaded.kind === 'script' ? [root.name] : [];
  if (id === undefined) {
    const known = [...loaded.entrypoints.keys()];
    sink.report(
      'E_ENTRYPOINT_NOT_FOUND',
      undefined,
      loaded.kind === 'script'
        ? `a standalone script has only the entrypoint 'main'; '${command}' does not exist`
        : `no entrypoint '${command}' in ${loaded.file}`,
      {
        file: loaded.file,
        hint:
          known.length > 0
            ? `entrypoints: ${known.join(', ')}`
            : 'declare one under [entrypoints] in Compo.toml, e.g. main = "pkg/main::main"',
      },
    );
    return { roots, entrypoints: [] };
  }
  const hint = "declare 'treatment main()', or choose another treatment with --force-entry package::name";
  return { roots, entrypoints: [{ id, command, file: loaded.file, ...(loaded.kind === 'script' ? { hint } : {}) }] };
}
