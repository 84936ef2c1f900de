/**
 * An area: the native elements a package registers under one path and the `.mel` file of
 * that path, if any. Symbols are built on demand and memoised, so an area that is only
 * named in a `use` costs one name lookup, and every diagnostic is reported once.
 */
import { type DiagnosticSink, type ElementDescriptor, elementIdentifier, parseTypeText, type SourceFile } from '@tutti/core';
import { parseFile } from '../parser/parser.js';
import type { FileSyntax, ModelSyntax, TreatmentSyntax, UseSyntax } from '../syntax/syntax.js';
import type { PackageView } from './program.js';
import { buildModelSymbol, buildTreatmentSymbol } from './signature.js';
import type {
  ContextSymbol,
  DataTypeSymbol,
  ElementSymbol,
  FunctionSymbol,
  GenericSymbol,
  ModelSymbol,
  ParamSymbol,
  PortSymbol,
  TreatmentSymbol,
} from './symbols.js';

/** Namespaces of one area (sigils separate them: `name`, `|function`, `@Context`). */
export type ElementKindToken = 'name' | 'function' | 'context';

/** What a `use` resolved to. */
export interface ImportEntry {
  readonly syntax: UseSyntax;
  /** The element, 'poisoned' when the target area is broken or missing a package. */
  readonly element: ElementSymbol | 'poisoned' | undefined;
  used: boolean;
}

/** Services areas need from the checker. */
export interface AreaHost {
  readonly sink: DiagnosticSink;
  /** The area at `path` inside package `pkg` (created on first request). */
  area(pkg: PackageView, path: string): Area;
  /** Any available package by name (native cross-references, data type lookups). */
  packageNamed(name: string): PackageView | undefined;
  /** Data type name → identifier for descriptor type texts. */
  resolveDataName(name: string): string | undefined;
  /** Records that `from` imports a `.mel` element declared in `to` (for E_IMPORT_CYCLE). */
  noteMelImport(from: Area, to: Area, use: UseSyntax): void;
}

/** One area of one package. */
export class Area {
  #natives: Map<string, ElementDescriptor> | undefined;
  #symbols = new Map<string, ElementSymbol>();
  #mel: { file: SourceFile; syntax: FileSyntax } | null | undefined;
  #imports: Map<string, ImportEntry> | undefined;
  #declared: Map<string, TreatmentSyntax | ModelSyntax> | undefined;

  constructor(
    readonly host: AreaHost,
    readonly pkg: PackageView,
    readonly path: string,
  ) {}

  /** Whether the area exists at all (native elements or a `.mel` file). */
  get exists(): boolean {
    return this.#nativeTable().size > 0 || this.mel !== undefined;
  }

  /** The parsed `.mel` file of this area, if it has one. */
  get mel(): { file: SourceFile; syntax: FileSyntax } | undefined {
    if (this.#mel === undefined) {
      const src = this.pkg.melSource(this.path);
      if (src === undefined) this.#mel = null;
      else if ('error' in src) {
        this.host.sink.report('E_FILE', undefined, src.error, { file: this.path });
        this.#mel = null;
      } else this.#mel = { file: src, syntax: parseFile(src, this.host.sink) };
    }
    return this.#mel ?? undefined;
  }

  /** The area's file had lexical or syntax errors: its elements are unknown. */
  get broken(): boolean {
    return this.mel?.syntax.broken ?? false;
  }

  /** Treatments and models declared in the `.mel` file, by name (first declaration wins). */
  get declared(): ReadonlyMap<string, TreatmentSyntax | ModelSyntax> {
    if (this.#declared === undefined) {
      this.#declared = new Map();
      const syntax = this.mel?.syntax;
      if (syntax !== undefined && !syntax.broken) {
        const all = [...syntax.treatments, ...syntax.models].sort((a, b) => a.span.start - b.span.start);
        for (const d of all) if (!this.#declared.has(d.name.text)) this.#declared.set(d.name.text, d);
      }
    }
    return this.#declared;
  }

  #nativeTable(): Map<string, ElementDescriptor> {
    if (this.#natives === undefined) {
      this.#natives = new Map();
      for (const e of this.pkg.natives(this.path) ?? []) this.#natives.set(sigilKey(e), e);
    }
    return this.#natives;
  }

  /** The element `name` of this area in namespace `kind`, built on first request. */
  lookup(kind: ElementKindToken, name: string): ElementSymbol | undefined {
    const key = kind === 'function' ? `|${name}` : kind === 'context' ? `@${name}` : name;
    const known = this.#symbols.get(key);
    if (known !== undefined) return known;
    let sym: ElementSymbol | undefined;
    if (kind === 'name') {
      const decl = this.declared.get(name);
      if (decl !== undefined) sym = decl.kind === 'treatment' ? buildTreatmentSymbol(this, decl) : buildModelSymbol(this, decl);
    }
    if (sym === undefined) {
      const d = this.#nativeTable().get(key);
      if (d !== undefined) sym = this.#nativeSymbol(d);
    }
    if (sym !== undefined) this.#symbols.set(key, sym);
    return sym;
  }

  /** Whether `name` is declared in this area's `.mel` file (creates an import dependency). */
  isMelDeclared(name: string): boolean {
    return this.declared.has(name);
  }

  // ---- imports of the `.mel` file -----------------------------------------------------

  /** The file's `use` declarations, resolved (reported once). Keys carry the sigil. */
  get imports(): ReadonlyMap<string, ImportEntry> {
    if (this.#imports === undefined) this.#imports = this.#resolveImports();
    return this.#imports;
  }

  #resolveImports(): Map<string, ImportEntry> {
    const map = new Map<string, ImportEntry>();
    const syntax = this.mel?.syntax;
    if (syntax === undefined) return map;
    const sink = this.host.sink;
    for (const u of syntax.uses) {
      const sigil = u.targetKind === 'function' ? '|' : u.targetKind === 'context' ? '@' : '';
      const key = sigil + u.local.text;
      // Importing one of this file's own elements is an import cycle, not a clash.
      const selfImport = sigil === '' && this.#targetArea(u) === this.path && this.declared.has(u.target.text);
      if (map.has(key) || (sigil === '' && this.declared.has(u.local.text) && !selfImport)) {
        const prior = map.get(key)?.syntax.local.span ?? this.declared.get(u.local.text)?.name.span;
        sink.report('E_DUPLICATE_NAME', u.local.span, `'${key}' is already a name in this file`, {
          related: prior ? [{ span: prior, message: 'first declared here' }] : [],
        });
        continue;
      }
      map.set(key, { syntax: u, element: this.#resolveUse(u), used: false });
    }
    return map;
  }

  /** The area path a `use` designates (`root`, `local` or a dependency's name first), without checking it. */
  #targetArea(u: UseSyntax): string {
    const [root, ...rest] = u.path.map((p) => p.text);
    if (root === 'root') return [this.pkg.name, ...rest].join('/');
    if (root === 'local') return [this.path, ...rest].join('/');
    return [root, ...rest].join('/');
  }

  #resolveUse(u: UseSyntax): ElementSymbol | 'poisoned' | undefined {
    const sink = this.host.sink;
    const root = u.path[0] as (typeof u.path)[number];
    const rest = u.path.slice(1).map((p) => p.text);
    let pkg: PackageView | undefined;
    let areaPath: string;
    if (root.text === 'root') {
      pkg = this.pkg;
      areaPath = [this.pkg.name, ...rest].join('/');
    } else if (root.text === 'local') {
      pkg = this.pkg;
      areaPath = [this.path, ...rest].join('/');
    } else {
      if (!this.pkg.dependencies.has(root.text)) {
        const self = root.text === this.pkg.name;
        sink.report('E_UNKNOWN_DEPENDENCY', root.span, `'${root.text}' is not a dependency of package '${this.pkg.name}'`, {
          hint: self
            ? `inside package '${this.pkg.name}', refer to its own areas with root/…`
            : `add '${root.text}' to the dependencies (#! require = ${root.text}:<version>, or [dependencies] in Compo.toml)`,
        });
        return 'poisoned';
      }
      pkg = this.pkg.dependencies.get(root.text);
      if (pkg === undefined) return 'poisoned';
      // The package's own name: a dependency may be seen under another name (the 0.10
      // package `work_0_10` is `work` to the packages that require 0.10; loader/load.ts).
      areaPath = [pkg.name, ...rest].join('/');
    }
    const area = this.host.area(pkg, areaPath);
    if (area.broken) return 'poisoned';
    const target = area.lookup(u.targetKind, u.target.text);
    const written = `${u.path.map((p) => p.text).join('/')}::${u.targetKind === 'function' ? '|' : u.targetKind === 'context' ? '@' : ''}${u.target.text}`;
    if (target === undefined) {
      const where = area.exists ? `area '${areaPath}' has no element '${u.target.text}'` : `there is no area '${areaPath}'`;
      sink.report('E_UNKNOWN_ELEMENT', u.span, `cannot import '${written}': ${where}`);
      return undefined;
    }
    if (u.targetKind === 'name' && area.isMelDeclared(u.target.text)) this.host.noteMelImport(this, area, u);
    return target;
  }

  /** Looks up a plain local name: imports first, then file declarations. */
  lookupLocal(name: string): ElementSymbol | 'poisoned' | undefined {
    const imp = this.imports.get(name);
    if (imp !== undefined) {
      imp.used = true;
      return imp.element;
    }
    return this.declared.has(name) ? this.lookup('name', name) : undefined;
  }

  /** Looks up `|f` or `@C` among the file's imports (they cannot be declared in `.mel`). */
  lookupImported(kind: 'function' | 'context', name: string): ElementSymbol | 'poisoned' | undefined {
    const imp = this.imports.get((kind === 'function' ? '|' : '@') + name);
    if (imp === undefined) return undefined;
    imp.used = true;
    return imp.element;
  }

  // ---- native symbols ------------------------------------------------------------------

  #nativeSymbol(d: ElementDescriptor): ElementSymbol {
    const id = elementIdentifier(d);
    const generics = new Map<string, GenericSymbol>();
    if (d.kind === 'treatment' || d.kind === 'function')
      for (const g of d.generics) generics.set(g.name, { name: g.name, traits: new Set(g.traits) });
    const names = new Set(generics.keys());
    const type = (text: string) => {
      try {
        // A short name several packages declare (std's and log's `Level`) is no longer
        // global: it then names the data type of the descriptor's own area.
        return parseTypeText(text, (n) => this.host.resolveDataName(n) ?? this.#ownData(d.area, n), names);
      } catch {
        return undefined; // library descriptors are validated by their own tests
      }
    };
    const params = (ps: readonly { name: string; variability: 'const' | 'var'; type: string; default?: string }[]) => {
      const m = new Map<string, ParamSymbol>();
      for (const p of ps)
        m.set(p.name, {
          name: p.name,
          variability: p.variability,
          type: type(p.type),
          hasDefault: p.default !== undefined,
          ...(p.default !== undefined ? { defaultValue: p.default } : {}),
        });
      return m;
    };
    const ports = (ps: readonly { name: string; flow: 'Block' | 'Stream'; type: string }[]) => {
      const m = new Map<string, PortSymbol>();
      for (const p of ps) m.set(p.name, { name: p.name, flow: p.flow, type: type(p.type) });
      return m;
    };
    const context = (cid: string): ContextSymbol | undefined => {
      const [areaPath, name] = cid.split('::@') as [string, string];
      const c = this.host.area(this.#packageOf(areaPath), areaPath).lookup('context', name);
      return c?.kind === 'context' ? c : undefined;
    };
    const modelOf = (mid: string): ModelSymbol | undefined => {
      const [areaPath, name] = mid.split('::') as [string, string];
      const m = this.host.area(this.#packageOf(areaPath), areaPath).lookup('name', name);
      return m?.kind === 'model' ? m : undefined;
    };
    switch (d.kind) {
      case 'treatment': {
        const t: TreatmentSymbol = {
          kind: 'treatment',
          id,
          name: d.name,
          area: this,
          doc: d.doc,
          generics: [...generics.values()],
          modelSlots: d.models.map((s) => ({ name: s.name, model: modelOf(s.model) })),
          params: params(d.params),
          inputs: ports(d.inputs),
          outputs: ports(d.outputs),
          requires: d.requires.map(context).filter((c): c is ContextSymbol => c !== undefined),
          ...(d.source
            ? {
                source: {
                  model: modelOf(d.source.model),
                  contexts: d.source.contexts.map(context).filter((c): c is ContextSymbol => c !== undefined),
                },
              }
            : {}),
          native: d,
          preludeModels: [],
        };
        return t;
      }
      case 'function': {
        const f: FunctionSymbol = {
          kind: 'function',
          id,
          name: d.name,
          generics: [...generics.values()],
          params: d.params.map((p) => ({ name: p.name, type: type(p.type) })),
          returns: type(d.returns),
          native: d,
        };
        return f;
      }
      case 'model':
        return {
          kind: 'model',
          id,
          name: d.name,
          area: this,
          doc: d.doc,
          params: params(d.params),
          base: () => undefined,
          native: d,
        };
      case 'context':
        return {
          kind: 'context',
          id,
          name: d.name,
          fields: new Map(d.fields.map((f) => [f.name, type(f.type)])),
          native: d,
        };
      case 'data': {
        const s: DataTypeSymbol = { kind: 'data', id, name: d.name, traits: new Set(d.traits), native: d };
        return s;
      }
    }
  }

  /** `area::name` when the native area `area` of this package declares the data type `name`. */
  #ownData(area: string, name: string): string | undefined {
    return this.pkg.natives(this.path)?.some((e) => e.kind === 'data' && e.area === area && e.name === name)
      ? `${area}::${name}`
      : undefined;
  }

  /** The package that owns `areaPath` as seen from this area (itself or a dependency). */
  #packageOf(areaPath: string): PackageView {
    const name = areaPath.split('/')[0] as string;
    if (name === this.pkg.name) return this.pkg;
    return this.pkg.dependencies.get(name) ?? this.host.packageNamed(name) ?? this.pkg;
  }
}

function sigilKey(e: ElementDescriptor): string {
  return e.kind === 'function' ? `|${e.name}` : e.kind === 'context' ? `@${e.name}` : e.name;
}
