/**
 * Loading a program (docs/language.md#programs-packages-and-areas): the program file (standalone script, `Compo.toml`,
 * or a folder holding one), the packages available (bundled, `--path`), and the choice of
 * a package for every declared dependency, recursively (docs/language.md#finding-packages).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as core from '@tutti/core';
import { type DiagnosticSink, dataTypeNames, type PackageDescriptor, SourceFile, type Span, validatePackages } from '@tutti/core';
import type { PackageView, ProgramView } from '@tutti/lang';
import { decodeText, readBytes, readText } from './files.js';
import { type Dependency, parseHeader } from './header.js';
import { hasJeuHeader, type JeuEntry, JeuError, readJeu } from './jeu.js';
import { parseManifest } from './manifest.js';
import { ArchivePackage, NativePackage, ProjectPackage, ScriptPackage } from './packages.js';
import { namesPrerelease09, parseRequirement, type Requirement, satisfies, satisfiesBundled } from './requirement.js';

/** Options of {@link loadProgram}. */
export interface LoadOptions {
  /** Packages built into the implementation. */
  readonly bundled: readonly PackageDescriptor[];
  /** `--path` locations. */
  readonly paths?: readonly string[];
  /**
   * The 0.9 surface (docs/legacy.md): older versions of bundled packages, and
   * packages that only exist in 0.9 (`log`). A package of this list whose name is also
   * bundled is chosen when the first requirement of that name met from the root (breadth
   * first) wants 0.9 and is not satisfied by the bundled version. The bundled package stays
   * in the program under the alias `<name>_0_10`, under which its `.mel` elements have
   * identifiers of their own: a 0.9 layer reaches it by that name, and every package whose
   * requirement of `<name>` only the 0.10 version meets (the bundled 0.10 packages, which
   * require `0.10.2`) sees it under `<name>` (per-package dependency maps, as package
   * managers resolve). See ARCHITECTURE.md and docs/legacy.md.
   */
  readonly legacy?: readonly PackageDescriptor[];
}

/** A loaded program, ready to check. */
export interface LoadedProgram {
  readonly program: ProgramView;
  readonly kind: 'script' | 'project';
  /** Name shown for location-less problems of the program (the script, or `Compo.toml`). */
  readonly file: string;
  /** Command → entrypoint identifier. */
  readonly entrypoints: ReadonlyMap<string, string>;
  /** The header or manifest was invalid: entrypoint checks would only add noise. */
  readonly headerFailed: boolean;
  /** The root package's areas that `check` starts from when no entrypoint is selected. */
  readonly name: string;
  readonly version: string;
}

interface Candidate {
  readonly view: PackageView & { dependencies: Map<string, PackageView | undefined> };
  readonly bundled: boolean;
  readonly deps: readonly Dependency[];
  /** Where to report its dependency problems. */
  readonly where: { file?: string; span?: Span };
  /** For the alias `<name>_0_10` of a bundled package replaced by its 0.9 version: `<name>`. */
  readonly generationOf?: string;
}

/**
 * Loads `programPath`. Returns undefined when nothing can be checked (the file cannot be
 * read); every problem is in `sink`.
 */
export async function loadProgram(programPath: string, options: LoadOptions, sink: DiagnosticSink): Promise<LoadedProgram | undefined> {
  const abs = resolve(programPath);
  let manifestPath: string | undefined;
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // missing: reported by the read below
  }
  if (isDir) {
    manifestPath = join(abs, 'Compo.toml');
    try {
      statSync(manifestPath);
    } catch {
      sink.report('E_FILE', undefined, `'${programPath}' is a directory without a Compo.toml`, { file: programPath });
      return undefined;
    }
  } else if (basename(abs) === 'Compo.toml') manifestPath = abs;

  const candidates = bundledCandidates(options.bundled);
  for (const p of options.paths ?? []) await loadPathEntry(p, candidates, sink);

  let root: Candidate;
  let kind: 'script' | 'project';
  let file: string;
  let entrypoints = new Map<string, string>();
  let headerFailed: boolean;
  const errorsBefore = sink.errorCount;
  if (manifestPath !== undefined) {
    file = isDir ? join(programPath, 'Compo.toml') : programPath;
    const r = readText(manifestPath, file);
    if ('error' in r) {
      sink.report('E_FILE', undefined, r.error, { file });
      return undefined;
    }
    const m = parseManifest(r.text, file, sink);
    headerFailed = sink.errorCount > errorsBefore;
    const name = m.name ?? (basename(dirname(manifestPath)).replace(/\W/g, '_') || 'project');
    root = {
      view: new ProjectPackage(name, m.version, dirname(manifestPath), true),
      bundled: false,
      deps: m.dependencies,
      where: { file },
    };
    entrypoints = new Map(m.entrypoints);
    kind = 'project';
    for (const d of m.dependencies)
      if (d.native !== undefined) await loadNativeDependency(d.name, d.native, dirname(manifestPath), file, candidates, sink);
  } else {
    file = programPath;
    const r = readProgram(abs, programPath);
    if ('error' in r) {
      sink.report('E_FILE', undefined, r.error, { file: programPath });
      return undefined;
    }
    if ('bytes' in r) {
      const archive = await readArchive(r.bytes, programPath, true, sink);
      if (archive === undefined) return undefined;
      root = archive.candidate;
      file = archive.manifestFile;
      headerFailed = sink.errorCount > errorsBefore;
      entrypoints = new Map(archive.entrypoints);
      kind = 'project';
      for (const d of root.deps)
        if (d.native !== undefined) await loadNativeDependency(d.name, d.native, dirname(abs), file, candidates, sink);
      return finish(root, candidates, { kind, file, entrypoints, headerFailed, legacy: options.legacy ?? [] }, sink);
    }
    const source = new SourceFile(programPath, r.text);
    const h = parseHeader(source, sink);
    headerFailed = sink.errorCount > errorsBefore;
    const name = h.name ?? 'script';
    root = { view: new ScriptPackage(name, h.version, source, true), bundled: false, deps: h.dependencies, where: { span: h.span } };
    entrypoints.set('main', `${name}::main`);
    kind = 'script';
  }

  return finish(root, candidates, { kind, file, entrypoints, headerFailed, legacy: options.legacy ?? [] }, sink);
}

/** Resolves the dependencies and assembles the program around its root package. */
function finish(
  root: Candidate,
  candidates: Map<string, Candidate>,
  o: {
    kind: 'script' | 'project';
    file: string;
    entrypoints: Map<string, string>;
    headerFailed: boolean;
    legacy: readonly PackageDescriptor[];
  },
  sink: DiagnosticSink,
): LoadedProgram | undefined {
  const { kind, file, entrypoints, headerFailed } = o;
  selectLegacy(root, candidates, o.legacy);
  resolveDependencies(root, candidates, sink);

  const packages = new Map<string, PackageView>();
  for (const [n, c] of candidates) packages.set(n, c.view);
  packages.set(root.view.name, root.view);
  const natives = [...candidates.values()].map((c) => c.view).filter((v): v is NativePackage => v instanceof NativePackage);
  let names: Map<string, string>;
  try {
    names = dataTypeNames(natives.map((n) => n.descriptor));
  } catch (e) {
    sink.report('E_FILE', undefined, `conflicting native packages: ${(e as Error).message}`, { file });
    return undefined;
  }
  return {
    program: { root: root.view, packages, dataTypeNames: names },
    kind,
    file,
    entrypoints,
    headerFailed,
    name: root.view.name,
    version: root.view.version,
  };
}

/** Every package available, for `tutti doc`. */
export interface LoadedPackages {
  /** Every package by name, each with its dependencies resolved. */
  readonly packages: ReadonlyMap<string, PackageView>;
  readonly dataTypeNames: ReadonlyMap<string, string>;
  /** Names of the bundled packages. */
  readonly bundled: ReadonlySet<string>;
  /** The native descriptors of the native packages, by name. */
  readonly descriptors: ReadonlyMap<string, PackageDescriptor>;
}

/**
 * Loads the bundled and `--path` packages without a program, and resolves the
 * dependencies of each (problems reported into `sink`, as for a program).
 */
export async function loadPackages(options: LoadOptions, sink: DiagnosticSink): Promise<LoadedPackages | undefined> {
  const candidates = bundledCandidates(options.bundled);
  for (const p of options.paths ?? []) await loadPathEntry(p, candidates, sink);
  return resolveAll(candidates, options.bundled, sink);
}

/**
 * The packages a program that requires `^0.9` of every package of `options.legacy` sees
 * (for `tutti doc`): those 0.9 versions in place of the bundled ones of their names, the
 * packages that only exist in 0.9 added, and the replaced 0.10 packages under their
 * `<name>_0_10` aliases (see {@link LoadOptions.legacy}).
 */
export async function loadLegacyPackages(options: LoadOptions, sink: DiagnosticSink): Promise<LoadedPackages | undefined> {
  const candidates = bundledCandidates(options.bundled);
  const legacy = options.legacy ?? [];
  const deps: Dependency[] = [];
  for (const d of legacy) {
    const requirement = parseRequirement(`^${d.version}`);
    if ('error' in requirement) throw new Error(`package ${d.name}: version ${d.version}: ${requirement.error}`);
    deps.push({ name: d.name, requirement });
  }
  // A root that requires each of them, as a 0.9 program's Compo.toml would.
  const root: Candidate = {
    view: new NativePackage({ name: 'root', version: '0.0.0', doc: '', elements: [] }),
    bundled: false,
    deps,
    where: {},
  };
  selectLegacy(root, candidates, legacy);
  return resolveAll(candidates, options.bundled, sink);
}

/** The bundled packages as candidates, by name. */
function bundledCandidates(bundled: readonly PackageDescriptor[]): Map<string, Candidate> {
  const candidates = new Map<string, Candidate>();
  for (const d of bundled) candidates.set(d.name, { view: new NativePackage(d), bundled: true, deps: bundledDeps(d), where: {} });
  return candidates;
}

function resolveAll(
  candidates: Map<string, Candidate>,
  bundled: readonly PackageDescriptor[],
  sink: DiagnosticSink,
): LoadedPackages | undefined {
  for (const c of candidates.values()) resolveDependencies(c, candidates, sink);
  const natives = [...candidates.values()].map((c) => c.view).filter((v): v is NativePackage => v instanceof NativePackage);
  let names: Map<string, string>;
  try {
    names = dataTypeNames(natives.map((n) => n.descriptor));
  } catch (e) {
    sink.report('E_FILE', undefined, `conflicting native packages: ${(e as Error).message}`, {});
    return undefined;
  }
  const packages = new Map<string, PackageView>();
  for (const [n, c] of candidates) packages.set(n, c.view);
  return {
    packages,
    dataTypeNames: names,
    bundled: new Set(bundled.map((d) => d.name)),
    descriptors: new Map(natives.map((n) => [n.name, n.descriptor])),
  };
}

/**
 * The program file as text (a script), or as bytes to read as a `.jeu`: a file that
 * is not valid UTF-8, or one named `.jeu` that starts with the archive header (so that a
 * truncated archive is reported as one, not as a script without a name).
 */
function readProgram(abs: string, shown: string): { text: string } | { bytes: Uint8Array } | { error: string } {
  const r = readBytes(abs, shown);
  if ('error' in r) return r;
  const text = decodeText(r.bytes);
  if (text !== undefined && !(abs.endsWith('.jeu') && hasJeuHeader(r.bytes))) return { text };
  if (!hasJeuHeader(r.bytes)) return { error: `'${shown}' is neither a Mélodium source (it is not valid UTF-8 text) nor a .jeu archive` };
  return { bytes: r.bytes };
}

/** A `.jeu` archive as a project package; undefined (reported as E_FILE) when unreadable. */
async function readArchive(
  bytes: Uint8Array,
  shown: string,
  isUser: boolean,
  sink: DiagnosticSink,
): Promise<{ candidate: Candidate; manifestFile: string; entrypoints: ReadonlyMap<string, string>; named: boolean } | undefined> {
  let entries: JeuEntry[];
  try {
    entries = await readJeu(bytes);
  } catch (e) {
    if (!(e instanceof JeuError)) throw e;
    sink.report('E_FILE', undefined, `'${shown}' is not a valid .jeu archive: ${e.message}`, { file: shown });
    return undefined;
  }
  const manifestFile = `${shown}:Compo.toml`;
  const text = decodeText((entries[0] as JeuEntry).data);
  if (text === undefined) {
    sink.report('E_FILE', undefined, `'${manifestFile}' is not valid UTF-8 text`, { file: shown });
    return undefined;
  }
  const m = parseManifest(text, manifestFile, sink);
  const name =
    m.name ??
    (basename(shown)
      .replace(/\.[^.]*$/, '')
      .replace(/\W/g, '_') ||
      'project');
  const files = new Map(entries.slice(1).map((e) => [e.path, e.data]));
  return {
    candidate: {
      view: new ArchivePackage(name, m.version, shown, files, isUser),
      bundled: false,
      deps: m.dependencies,
      where: { file: manifestFile },
    },
    manifestFile,
    entrypoints: m.entrypoints,
    named: m.name !== undefined,
  };
}

/** The suffix of the name under which a 0.9 layer reaches the 0.10 package it wraps. */
export const LEGACY_BASE_SUFFIX = '_0_10';

/**
 * Puts the 0.9 surface in place (see {@link LoadOptions.legacy}): packages only found
 * there are added, and a 0.9 version replaces the bundled one of its name when the first
 * requirement of that name met from the root wants it.
 */
function selectLegacy(root: Candidate, candidates: Map<string, Candidate>, legacy: readonly PackageDescriptor[]): void {
  if (legacy.length === 0) return;
  const wanted = new Map<string, Dependency>();
  const seen = new Set<Candidate>([root]);
  const queue: Candidate[] = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const dep of (queue[i] as Candidate).deps) {
      if (!wanted.has(dep.name)) wanted.set(dep.name, dep);
      const next = candidates.get(dep.name);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  for (const d of legacy) {
    const current = candidates.get(d.name);
    const candidate: Candidate = { view: new NativePackage(d), bundled: true, deps: bundledDeps(d), where: {} };
    if (current === undefined) {
      candidates.set(d.name, candidate);
      continue;
    }
    const dep = wanted.get(d.name);
    if (!current.bundled || dep === undefined) continue;
    if (!wantsLegacy(d.version, dep.requirement) || satisfies(current.view.version, dep.requirement)) continue;
    const base = current.view as NativePackage;
    const alias = d.name + LEGACY_BASE_SUFFIX;
    candidates.set(d.name, candidate);
    candidates.set(alias, {
      view: new NativePackage(base.descriptor, false, alias),
      bundled: true,
      deps: current.deps,
      where: {},
      generationOf: d.name,
    });
  }
}

/**
 * Whether a requirement asks for the 0.9 generation that `version` (a 0.9 layer) stands
 * for: it is met by it, or it names a 0.9 pre-release (`=0.9.0-pre.3`, as the reference's
 * own test programs do), which no release answers.
 */
function wantsLegacy(version: string, requirement: Requirement): boolean {
  return satisfies(version, requirement) || namesPrerelease09(requirement);
}

/**
 * The package a dependency resolves to: the candidate of its name, or, when only the 0.10
 * version meets the requirement and the name was given to a 0.9 layer, the 0.10 package
 * (kept as `<name>_0_10`). Each package thus has its own dependency map.
 */
function candidateFor(dep: Dependency, candidates: ReadonlyMap<string, Candidate>): Candidate | undefined {
  const found = candidates.get(dep.name);
  if (found === undefined || accepts(found, dep)) return found;
  const base = candidates.get(dep.name + LEGACY_BASE_SUFFIX);
  return base !== undefined && base.generationOf === dep.name && accepts(base, dep) ? base : found;
}

function accepts(c: Candidate, dep: Dependency): boolean {
  return c.bundled ? satisfiesBundled(c.view.version, dep.requirement) : satisfies(c.view.version, dep.requirement);
}

function bundledDeps(d: PackageDescriptor): Dependency[] {
  const out: Dependency[] = [];
  for (const [name, text] of Object.entries(d.dependencies ?? {})) {
    const requirement = parseRequirement(text);
    if ('error' in requirement) throw new Error(`package ${d.name}: dependency ${name}: ${requirement.error}`);
    out.push({ name, requirement });
  }
  return out;
}

/** Chooses a package for every dependency, from the root down (the first found with the name and a matching version). */
function resolveDependencies(root: Candidate, candidates: ReadonlyMap<string, Candidate>, sink: DiagnosticSink): void {
  const done = new Set<Candidate>();
  const onPath: Candidate[] = [];
  const visit = (c: Candidate) => {
    if (done.has(c)) return;
    onPath.push(c);
    for (const dep of c.deps) {
      const found = candidateFor(dep, candidates);
      const ok = found !== undefined && found !== c && accepts(found, dep);
      if (!ok) {
        if (dep.name === c.view.name)
          sink.report(
            'E_IMPORT_CYCLE',
            dep.span,
            `package '${c.view.name}' cannot depend on itself; use root/… for its own areas`,
            where(c),
          );
        else
          sink.report(
            'E_PACKAGE_NOT_FOUND',
            dep.span,
            found === undefined
              ? `no package '${dep.name}' is available${c === root ? '' : ` (required by '${c.view.name}')`}`
              : `package '${dep.name}' ${found.view.version} does not satisfy '${dep.requirement.text}'${c === root ? '' : ` (required by '${c.view.name}')`}`,
            {
              ...where(c),
              hint:
                found === undefined
                  ? `bundled packages: ${[...candidates.values()]
                      .filter((x) => x.bundled)
                      .map((x) => x.view.name)
                      .join(', ')}; others can be given with --path`
                  : `bundled packages are version ${found.view.version} (and accept 0.9 requirements)`,
            },
          );
        c.view.dependencies.set(dep.name, undefined);
        continue;
      }
      if (onPath.includes(found)) {
        sink.report('E_IMPORT_CYCLE', dep.span, `packages '${c.view.name}' and '${dep.name}' depend on each other`, where(c));
        c.view.dependencies.set(dep.name, undefined);
        continue;
      }
      c.view.dependencies.set(dep.name, found.view);
      visit(found);
    }
    onPath.pop();
    done.add(c);
  };
  visit(root);
}

function where(c: Candidate): { file?: string } {
  return c.where.file !== undefined ? { file: c.where.file } : {};
}

/** Adds the packages found at a `--path` location to `candidates`. */
/**
 * Loads a native package named by a Compo.toml dependency: a module path relative to the
 * manifest's folder, or an npm package resolved from there (its package.json
 * `tutti.package` entry, else its main module). See {@link importNativePackage}.
 */
async function loadNativeDependency(
  name: string,
  native: { kind: 'module' | 'npm'; spec: string },
  dir: string,
  file: string,
  candidates: Map<string, Candidate>,
  sink: DiagnosticSink,
): Promise<void> {
  let path: string;
  if (native.kind === 'module') path = resolve(dir, native.spec);
  else {
    const require = createRequire(join(dir, 'Compo.toml'));
    let pkgJson: string;
    try {
      pkgJson = require.resolve(`${native.spec}/package.json`);
    } catch {
      sink.report('E_PACKAGE_NOT_FOUND', undefined, `npm package '${native.spec}' (dependency '${name}') is not installed`, {
        file,
        hint: `run 'npm install ${native.spec}' in ${dir}`,
      });
      return;
    }
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { tutti?: { package?: string }; main?: string };
    path = join(dirname(pkgJson), pkg.tutti?.package ?? pkg.main ?? 'index.js');
  }
  const d = await importNativePackage(path, file, sink, bundledOf(candidates));
  if (d === undefined) return;
  if (d.name !== name) {
    sink.report('E_MANIFEST', undefined, `dependency '${name}' loads a native package named '${d.name}'`, { file });
    return;
  }
  candidates.set(name, { view: new NativePackage(d), bundled: false, deps: [], where: {} });
}

/**
 * Imports a native package module. Its default export is a `PackageDescriptor`, or a
 * function that receives the descriptor API (`@tutti/core`: `treatment`, `fn`, `model`,
 * `END`, …) and returns one, so that a package needs no dependency on Tutti's modules.
 */
async function importNativePackage(
  path: string,
  file: string,
  sink: DiagnosticSink,
  others: readonly PackageDescriptor[],
): Promise<PackageDescriptor | undefined> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    sink.report('E_FILE', undefined, `cannot load native package ${path}: ${(e as Error).message}`, { file });
    return undefined;
  }
  const d = typeof mod.default === 'function' ? (mod.default as (api: typeof core) => unknown)(core) : mod.default;
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof (d as PackageDescriptor).name !== 'string' ||
    !Array.isArray((d as PackageDescriptor).elements)
  ) {
    sink.report(
      'E_FILE',
      undefined,
      `${path} must export by default a package descriptor (name, version, elements) or a function returning one`,
      { file },
    );
    return undefined;
  }
  const problems = validatePackages([...others, d as PackageDescriptor]);
  if (problems.length > 0) {
    sink.report('E_FILE', undefined, `native package ${path} is malformed: ${problems[0]}`, { file });
    return undefined;
  }
  return d as PackageDescriptor;
}

/** The native descriptors among the candidates (to validate a new package against). */
function bundledOf(candidates: ReadonlyMap<string, Candidate>): PackageDescriptor[] {
  const out: PackageDescriptor[] = [];
  for (const c of candidates.values()) if (c.view instanceof NativePackage) out.push(c.view.descriptor);
  return out;
}

async function loadPathEntry(p: string, candidates: Map<string, Candidate>, sink: DiagnosticSink, scan = true): Promise<void> {
  const abs = resolve(p);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    sink.report('E_FILE', undefined, `--path '${p}' does not exist`, { file: p });
    return;
  }
  const add = (c: Candidate) => {
    if (!candidates.has(c.view.name)) candidates.set(c.view.name, c);
  };
  if (st.isFile()) {
    if (basename(abs) === 'Compo.toml') addProject(abs, p, add, sink);
    else if (abs.endsWith('.mel')) addScript(abs, p, add, sink);
    else if (abs.endsWith('.jeu')) {
      const r = readBytes(abs, p);
      if ('error' in r) return void sink.report('E_FILE', undefined, r.error, { file: p });
      const archive = await readArchive(r.bytes, p, false, sink);
      if (archive?.named) add(archive.candidate);
    }
    return;
  }
  if (isFileAt(join(abs, 'package.json'))) {
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as { tutti?: { package?: string } };
    const entry = pkg.tutti?.package;
    if (entry !== undefined) {
      const d = await importNativePackage(join(abs, entry), p, sink, bundledOf(candidates));
      if (d !== undefined) add({ view: new NativePackage(d), bundled: false, deps: [], where: {} });
      return;
    }
  }
  if (isFileAt(join(abs, 'Compo.toml'))) {
    addProject(join(abs, 'Compo.toml'), join(p, 'Compo.toml'), add, sink);
    return;
  }
  if (!scan) return;
  // A folder of packages: its scripts, archives, and sub-folders that are projects or
  // native packages, in name order (the first package of a name wins, as for --path order).
  let names: string[];
  try {
    names = readdirSync(abs).sort();
  } catch (e) {
    sink.report('E_FILE', undefined, `--path '${p}' cannot be read: ${(e as Error).message}`, { file: p });
    return;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const child = join(abs, name);
    const shown = join(p, name);
    if (name.endsWith('.mel') && isFileAt(child)) {
      // A .mel without a header is an area of some project, not a package: not an error here.
      if (startsWithHeader(child)) addScript(child, shown, add, sink);
    } else if (name.endsWith('.jeu') && isFileAt(child)) {
      const r = readBytes(child, shown);
      if ('error' in r) sink.report('E_FILE', undefined, r.error, { file: shown });
      else {
        const archive = await readArchive(r.bytes, shown, false, sink);
        if (archive?.named) add(archive.candidate);
      }
    } else if (isFileAt(join(child, 'Compo.toml')) || isFileAt(join(child, 'package.json'))) {
      await loadPathEntry(shown, candidates, sink, false);
    }
  }
}

/** Whether a file starts with a `#!` line (a standalone script's header). */
function startsWithHeader(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(2);
      return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x23 && b[1] === 0x21;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function isFileAt(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function addProject(abs: string, shown: string, add: (c: Candidate) => void, sink: DiagnosticSink): void {
  const r = readText(abs, shown);
  if ('error' in r) return void sink.report('E_FILE', undefined, r.error, { file: shown });
  const m = parseManifest(r.text, shown, sink);
  if (m.name === undefined) return;
  add({ view: new ProjectPackage(m.name, m.version, dirname(abs), false), bundled: false, deps: m.dependencies, where: { file: shown } });
}

function addScript(abs: string, shown: string, add: (c: Candidate) => void, sink: DiagnosticSink): void {
  const r = readText(abs, shown);
  if ('error' in r) return void sink.report('E_FILE', undefined, r.error, { file: shown });
  const source = new SourceFile(shown, r.text);
  const h = parseHeader(source, sink);
  if (h.name === undefined) return;
  add({ view: new ScriptPackage(h.name, h.version, source, false), bundled: false, deps: h.dependencies, where: { span: h.span } });
}
