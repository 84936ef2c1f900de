/**
 * The first half of the pipeline: load a program, select its entrypoints and areas
 * and check it whole. Every host (the CLI, the tests, the
 * benches, later the worker and the server) checks programs through {@link checkPath}.
 */
import { basename, dirname, resolve } from 'node:path';
import { DiagnosticSink, type PackageDescriptor, type ProgramSource } from '@tutti/core';
import { type CheckResult, checkProgram, type EntrypointRequest, type TreatmentSymbol } from '@tutti/lang';
import { type LoadedProgram, loadProgram } from '@tutti/loader';
import { BUNDLED, BUNDLED_LEGACY } from './bundled.js';

/**
 * A request that cannot be served as asked (a malformed `--force-entry`, contradictory
 * options): the caller's mistake, not the program's. The CLI exits 2 on it.
 */
export class RequestError extends Error {}

/** Options of {@link checkPath}. */
export interface CheckOptions {
  /** Where to look for packages besides the bundled ones (`--path`). */
  readonly paths?: readonly string[];
  /** Check every entrypoint and every file of the project (`--all`). */
  readonly all?: boolean;
  /** Check this treatment (`package/area::name`) as the entrypoint. */
  readonly forceEntry?: string;
  /** The entrypoint's command name (default `main`). */
  readonly command?: string;
  /** The packages built in (default: every bundled package). */
  readonly bundled?: readonly PackageDescriptor[];
  /** The 0.9 surface offered beside them (default: `BUNDLED_LEGACY`; `[]` for none). */
  readonly legacy?: readonly PackageDescriptor[];
}

/** A checked program: what was loaded, selected and found, and every problem. */
export interface CheckedProgram {
  readonly sink: DiagnosticSink;
  readonly loaded: LoadedProgram | undefined;
  readonly result: CheckResult | undefined;
  readonly selection: Selection | undefined;
  /** The selected entrypoint, when exactly one was selected and checked. */
  readonly entry: TreatmentSymbol | undefined;
}

/**
 * Loads and checks `program`; every problem is in the returned sink (a new one unless
 * given). Throws {@link RequestError} for a malformed request.
 *
 * @example
 * const checked = await checkPath('hello.mel');
 * if (!checked.sink.hasErrors) console.log(checked.entry?.name); // 'main'
 */
export async function checkPath(
  program: string,
  o: CheckOptions = {},
  sink: DiagnosticSink = new DiagnosticSink(),
): Promise<CheckedProgram> {
  const loaded = await loadProgram(
    program,
    { bundled: o.bundled ?? BUNDLED, legacy: o.legacy ?? BUNDLED_LEGACY, paths: o.paths ?? [] },
    sink,
  );
  if (loaded === undefined || (loaded.headerFailed && loaded.kind === 'project'))
    return { sink, loaded, result: undefined, selection: undefined, entry: undefined };
  const selection = select(loaded, sink, o);
  const result = checkProgram(loaded.program, selection.roots, loaded.headerFailed ? [] : selection.entrypoints, sink);
  const only = o.all || loaded.headerFailed ? undefined : selection.entrypoints[0];
  const entry = only === undefined ? undefined : result.entrypoints.get(only.id);
  return { sink, loaded, result, selection, entry };
}

/** The areas and entrypoints a request covers. */
export interface Selection {
  readonly roots: string[];
  readonly entrypoints: EntrypointRequest[];
}

/** Which entrypoints and areas a command covers (`check FILE`: what the entrypoint reaches; `--all`: everything). */
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
      throw new RequestError(`--force-entry '${o.forceEntry}' is not an identifier package/area::treatment`);
    if (o.command !== undefined) throw new RequestError(`--force-entry and the command '${o.command}' cannot be given together`);
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

/**
 * Where a loaded program's sources are, for the run (`RunOptions.program`): the script
 * file, or the folder of its `Compo.toml`, and the `--path` locations it was loaded with.
 * `distrib` ships them to workers.
 */
export function programSource(program: string, loaded: LoadedProgram, paths: readonly string[] = []): ProgramSource {
  const abs = resolve(program);
  const path = loaded.kind === 'script' ? abs : basename(abs) === 'Compo.toml' ? dirname(abs) : abs;
  return {
    kind: loaded.kind,
    path,
    name: loaded.name,
    version: loaded.version,
    ...(paths.length > 0 ? { paths: paths.map((p) => resolve(p)) } : {}),
  };
}
