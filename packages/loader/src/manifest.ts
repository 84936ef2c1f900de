/**
 * `Compo.toml` (docs/language.md#compotoml), parsed with smol-toml. Problems are E_MANIFEST,
 * located at the file, without a line.
 */
import type { DiagnosticSink } from '@tutti/core';
import { parse, TomlError } from 'smol-toml';
import type { Dependency } from './header.js';
import { isVersion, parseRequirement } from './requirement.js';

/** A project manifest. */
export interface Manifest {
  readonly name: string | undefined;
  readonly version: string;
  readonly dependencies: readonly Dependency[];
  /** Command → entrypoint identifier (`pkg/area::Name`). */
  readonly entrypoints: ReadonlyMap<string, string>;
}

/** Parses manifest text; `file` is the name shown in diagnostics. */
export function parseManifest(text: string, file: string, sink: DiagnosticSink): Manifest {
  const bad = (message: string) => sink.report('E_MANIFEST', undefined, message, { file });
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    const detail = e instanceof TomlError ? `line ${e.line}, column ${e.column}: ${e.message.split('\n')[0]}` : String(e);
    bad(`not valid TOML: ${detail}`);
    return { name: undefined, version: '0.1.0', dependencies: [], entrypoints: new Map() };
  }
  let name: string | undefined;
  if (typeof doc.name !== 'string') bad(doc.name === undefined ? "missing 'name' (the package name)" : "'name' must be a string");
  else if (!/^[\p{Alphabetic}\p{M}\p{Pc}][\p{Alphabetic}\p{M}\p{Pc}\p{Nd}]*$/u.test(doc.name))
    bad(`'${doc.name}' is not a valid package name`);
  else if (doc.name === 'root' || doc.name === 'local') bad(`'${doc.name}' is reserved and cannot name a package`);
  else name = doc.name;
  let version = '0.1.0';
  if (typeof doc.version !== 'string') bad(doc.version === undefined ? "missing 'version'" : "'version' must be a string");
  else if (!isVersion(doc.version)) bad(`version '${doc.version}' is not SemVer (MAJOR.MINOR.PATCH)`);
  else version = doc.version;
  const dependencies: Dependency[] = [];
  const deps = doc.dependencies;
  if (deps !== null && typeof deps === 'object' && !Array.isArray(deps) && !(deps instanceof Date)) {
    for (const [dep, value] of Object.entries(deps as Record<string, unknown>)) {
      // `name = "req"`, or a native package: `name = { version = "req", module = "./x.js" }`
      // (a local module) or `{ version = "req", npm = "package-name" }`.
      let req = value;
      let native: Dependency['native'];
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
        const t = value as Record<string, unknown>;
        req = t.version ?? '*';
        const unknownKeys = Object.keys(t).filter((k) => k !== 'version' && k !== 'module' && k !== 'npm');
        if (unknownKeys.length > 0) bad(`dependency '${dep}': unknown key '${unknownKeys[0]}' (expected version, module or npm)`);
        if (typeof t.module === 'string' && typeof t.npm === 'string') bad(`dependency '${dep}': give either module or npm, not both`);
        else if (typeof t.module === 'string') native = { kind: 'module', spec: t.module };
        else if (typeof t.npm === 'string') native = { kind: 'npm', spec: t.npm };
        else {
          bad(`dependency '${dep}': a table needs 'module = "./path/to/package.js"' or 'npm = "package-name"'`);
          continue;
        }
      }
      if (typeof req !== 'string') {
        bad(`dependency '${dep}' must be a version requirement string, such as "0.10.2"`);
        continue;
      }
      const r = parseRequirement(req);
      if ('error' in r) bad(`dependency '${dep}': ${r.error}`);
      else dependencies.push(native === undefined ? { name: dep, requirement: r } : { name: dep, requirement: r, native });
    }
  }
  const entrypoints = new Map<string, string>();
  const eps = doc.entrypoints;
  if (eps !== null && typeof eps === 'object' && !Array.isArray(eps) && !(eps instanceof Date)) {
    for (const [cmd, id] of Object.entries(eps as Record<string, unknown>)) {
      if (typeof id !== 'string') continue; // a non-string entrypoint value is ignored, not an error
      const parts = id.split('::');
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || (parts[0] as string).split('/').some((s) => s === '')) {
        bad(`entrypoint '${cmd}' = "${id}" is not an identifier of the form package/area::treatment`);
        continue;
      }
      entrypoints.set(cmd, id);
    }
  }
  return { name, version, dependencies, entrypoints };
}
