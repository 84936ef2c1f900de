/**
 * The package views the checker works on (`PackageView` of @tutti/lang): bundled native
 * packages with their shipped `.mel`, user projects (`Compo.toml` + folders), and
 * standalone scripts. `.mel` files are read only when an area is needed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type ElementDescriptor, type PackageDescriptor, SourceFile } from '@tutti/core';
import type { PackageView } from '@tutti/lang';
import { decodeText, readText } from './files.js';

type Deps = Map<string, PackageView | undefined>;

abstract class BasePackage implements PackageView {
  readonly dependencies: Deps = new Map();
  readonly #sources = new Map<string, SourceFile | undefined | { error: string }>();

  constructor(
    readonly name: string,
    readonly version: string,
    readonly isUser: boolean,
  ) {}

  natives(_area: string): readonly ElementDescriptor[] | undefined {
    return undefined;
  }

  /** File that holds an area, with the path shown to users; undefined when none. */
  protected abstract fileOf(area: string): { path: string; shown: string } | undefined;

  abstract melAreas(): readonly string[];

  melSource(area: string): SourceFile | undefined | { error: string } {
    if (this.#sources.has(area)) return this.#sources.get(area);
    let result: SourceFile | undefined | { error: string };
    const f = this.fileOf(area);
    if (f !== undefined) {
      const r = readText(f.path, f.shown);
      result = 'error' in r ? r : new SourceFile(f.shown, r.text);
    }
    this.#sources.set(area, result);
    return result;
  }

  /** Registers an already read file for an area (the program file itself). */
  preload(area: string, file: SourceFile): void {
    this.#sources.set(area, file);
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * A package built into tutti or loaded from a native module (`--path`). With `alias`, the
 * package is seen under another name (its areas are `<alias>/…`, its native elements keep
 * their identifiers): how a 0.9 layer reaches the 0.10 package it wraps (`cicd_0_10`, see
 * `load.ts`), whose `.mel` elements then get identifiers of their own.
 */
export class NativePackage extends BasePackage {
  readonly #byArea = new Map<string, ElementDescriptor[]>();

  constructor(
    readonly descriptor: PackageDescriptor,
    isUser = false,
    alias?: string,
  ) {
    super(alias ?? descriptor.name, descriptor.version, isUser);
    for (const e of descriptor.elements) {
      let list = this.#byArea.get(e.area);
      if (list === undefined) this.#byArea.set(e.area, (list = []));
      list.push(e);
    }
  }

  override natives(area: string): readonly ElementDescriptor[] | undefined {
    if (this.name === this.descriptor.name) return this.#byArea.get(area);
    return this.#byArea.get(this.descriptor.name + area.slice(this.name.length));
  }

  protected fileOf(area: string): { path: string; shown: string } | undefined {
    const root = this.descriptor.melRoot;
    if (root === undefined) return undefined;
    const rel = area === this.name ? 'lib-root.mel' : `${area.slice(this.name.length + 1)}.mel`;
    const path = join(root, rel);
    return isFile(path) ? { path, shown: `${this.name}:${rel}` } : undefined;
  }

  melAreas(): readonly string[] {
    const root = this.descriptor.melRoot;
    return root === undefined ? [] : listMelAreas(root, this.name);
  }
}

/** A project: `Compo.toml` and the `.mel` files under its folder. */
export class ProjectPackage extends BasePackage {
  constructor(
    name: string,
    version: string,
    readonly dir: string,
    isUser: boolean,
  ) {
    super(name, version, isUser);
  }

  protected fileOf(area: string): { path: string; shown: string } | undefined {
    const rel = area === this.name ? 'lib-root.mel' : `${area.slice(this.name.length + 1)}.mel`;
    if (rel.split('/').some((s) => s.startsWith('.'))) return undefined;
    const path = join(this.dir, rel);
    return isFile(path) ? { path, shown: relative(process.cwd(), path).split(sep).join('/') || rel } : undefined;
  }

  melAreas(): readonly string[] {
    return listMelAreas(this.dir, this.name);
  }
}

/** A standalone script: one file, one area named after the package. */
export class ScriptPackage extends BasePackage {
  constructor(
    name: string,
    version: string,
    readonly file: SourceFile,
    isUser: boolean,
  ) {
    super(name, version, isUser);
    this.preload(name, file);
  }

  protected fileOf(): undefined {
    return undefined;
  }

  melAreas(): readonly string[] {
    return [this.name];
  }
}

/**
 * A project read from a `.jeu` archive: its files stay in memory; `shown` names
 * them as `<archive>:<path>` in diagnostics.
 */
export class ArchivePackage extends BasePackage {
  readonly #files: ReadonlyMap<string, Uint8Array>;
  readonly #sources = new Map<string, SourceFile | undefined | { error: string }>();

  constructor(
    name: string,
    version: string,
    readonly archive: string,
    files: ReadonlyMap<string, Uint8Array>,
    isUser: boolean,
  ) {
    super(name, version, isUser);
    this.#files = files;
  }

  protected fileOf(): undefined {
    return undefined;
  }

  override melSource(area: string): SourceFile | undefined | { error: string } {
    if (this.#sources.has(area)) return this.#sources.get(area);
    const rel = area === this.name ? 'lib-root.mel' : `${area.slice(this.name.length + 1)}.mel`;
    const bytes = rel.split('/').some((s) => s.startsWith('.')) ? undefined : this.#files.get(rel);
    let result: SourceFile | undefined | { error: string };
    if (bytes !== undefined) {
      const shown = `${this.archive}:${rel}`;
      const text = decodeText(bytes);
      result =
        text === undefined ? { error: `'${shown}' is not a Mélodium source: it is not valid UTF-8 text` } : new SourceFile(shown, text);
    }
    this.#sources.set(area, result);
    return result;
  }

  melAreas(): readonly string[] {
    const out: string[] = [];
    for (const path of [...this.#files.keys()].sort()) {
      if (!path.endsWith('.mel') || path.split('/').some((s) => s.startsWith('.') || s === 'node_modules')) continue;
      const stem = path.slice(0, -4);
      out.push(stem === 'lib-root' ? this.name : `${this.name}/${stem}`);
    }
    return out;
  }
}

/** Areas of every `.mel` file under `dir` (dot-files and dot-folders skipped). */
function listMelAreas(dir: string, pkg: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string[]) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith('.') || n === 'node_modules') continue;
      const p = join(d, n);
      let s: ReturnType<typeof statSync>;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isDirectory()) walk(p, [...prefix, n]);
      else if (n.endsWith('.mel')) {
        const stem = n.slice(0, -4);
        out.push(prefix.length === 0 && stem === 'lib-root' ? pkg : [pkg, ...prefix, stem].join('/'));
      }
    }
  };
  walk(dir, []);
  return out;
}
