/**
 * What `tutti doc` documents: the packages chosen, their areas and
 * every element of each, native ones from their descriptors and `.mel` ones from the
 * checker's symbols (resolved types, defaults as written, doc comments). One model, two
 * renderings: Markdown as an mdBook source tree (`markdown.ts`) and static HTML (`html.ts`).
 */
import { DiagnosticSink, type ElementDescriptor, elementIdentifier, formatType, type PackageDescriptor } from '@tutti/core';
import { type Area, checkProgram, type ModelSymbol, type PackageView, type ParamSymbol, type TreatmentSymbol } from '@tutti/lang';

export type DocKind = 'treatment' | 'source' | 'model' | 'function' | 'data' | 'context';

/** A parameter as shown: `var name: type = default`. */
export interface DocParam {
  readonly name: string;
  readonly variability?: 'const' | 'var';
  readonly type: string;
  readonly default?: string;
}

/** An input or output. */
export interface DocPort {
  readonly name: string;
  readonly flow: 'Block' | 'Stream';
  readonly type: string;
}

/** One documented element. */
export interface DocElement {
  readonly kind: DocKind;
  /** `pkg/area::name`, `pkg/area::|name`, `pkg/area::@Name`. */
  readonly id: string;
  readonly name: string;
  readonly area: string;
  readonly package: string;
  readonly doc: string;
  /** Declared in a `.mel` file, or native (TypeScript). */
  readonly origin: 'mel' | 'native';
  readonly generics: readonly { readonly name: string; readonly traits: readonly string[] }[];
  /** Configuration models `[name: Model]` (model identifiers). */
  readonly models: readonly { readonly name: string; readonly model: string }[];
  readonly params: readonly DocParam[];
  readonly inputs: readonly DocPort[];
  readonly outputs: readonly DocPort[];
  /** Contexts a treatment requires (identifiers). */
  readonly requires: readonly string[];
  /** A source: its model and the contexts its tracks get. */
  readonly source?: { readonly model: string; readonly contexts: readonly string[] };
  /** Functions: the return type. */
  readonly returns?: string;
  /** Data types: the traits implemented. */
  readonly traits?: readonly string[];
  /** Contexts: the fields. */
  readonly fields?: readonly { readonly name: string; readonly type: string }[];
  /** `.mel` models: the base model's identifier; native models: their sources. */
  readonly base?: string;
  readonly sources?: readonly string[];
  /** The folder of its package's pages when not at the top (`0.9/` for the 0.9 surface). */
  readonly root?: string;
}

/** One area: a `.mel` file and/or native elements; folders without either appear too. */
export interface DocArea {
  readonly path: string;
  readonly package: string;
  readonly elements: readonly DocElement[];
  readonly root?: string;
}

/** One package. */
export interface DocPackage {
  readonly name: string;
  readonly version: string;
  readonly doc: string;
  readonly bundled: boolean;
  readonly areas: readonly DocArea[];
  /** The folder its pages go in when not at the top: `0.9/` for the 0.9 surface. */
  readonly root?: string;
}

/** Everything to document, and how type names resolve to data type identifiers. */
export interface DocSet {
  readonly packages: readonly DocPackage[];
  /** Data type short name → identifier (for links in type texts). */
  readonly dataTypeNames: ReadonlyMap<string, string>;
}

/** What {@link collectDocs} needs: packages by name, the natives' descriptors, the selection. */
export interface DocInput {
  readonly packages: ReadonlyMap<string, PackageView>;
  readonly dataTypeNames: ReadonlyMap<string, string>;
  readonly descriptors: ReadonlyMap<string, PackageDescriptor>;
  readonly bundled: ReadonlySet<string>;
  /** Names of the packages to document, in order. */
  readonly selected: readonly string[];
}

/**
 * Builds the documentation model of the selected packages. Their `.mel` areas are parsed
 * and their declarations resolved by the checker; problems go to `sink` (a package with
 * errors is still documented as far as it can be read).
 */
export function collectDocs(input: DocInput, sink: DiagnosticSink = new DiagnosticSink()): DocSet {
  const packages: DocPackage[] = [];
  for (const name of input.selected) {
    const view = input.packages.get(name);
    if (view === undefined) continue;
    const descriptor = input.descriptors.get(name);
    const byArea = new Map<string, DocElement[]>();
    const add = (area: string, e?: DocElement) => {
      // every ancestor area exists, so that the tree has no holes
      const parts = area.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const a = parts.slice(0, i).join('/');
        if (!byArea.has(a)) byArea.set(a, []);
      }
      if (e !== undefined) (byArea.get(area) as DocElement[]).push(e);
    };
    add(name);
    for (const e of descriptor?.elements ?? []) add(e.area, nativeElement(e, name));
    const melAreas = view.melAreas();
    if (melAreas.length > 0) {
      const result = checkProgram({ root: view, packages: input.packages, dataTypeNames: input.dataTypeNames }, melAreas, [], sink);
      const areas = new Map<string, Area>();
      for (const a of result.areas) if (a.pkg === view) areas.set(a.path, a);
      for (const path of melAreas) {
        add(path);
        const area = areas.get(path);
        if (area === undefined) continue;
        for (const declName of area.declared.keys()) {
          const sym = area.lookup('name', declName);
          if (sym?.kind === 'treatment' && sym.syntax !== undefined) add(path, melTreatment(sym, name));
          else if (sym?.kind === 'model' && sym.syntax !== undefined) add(path, melModel(sym, name));
        }
      }
    }
    const areas: DocArea[] = [...byArea]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, elements]) => ({ path, package: name, elements: elements.sort(byKindThenName) }));
    packages.push({ name, version: view.version, doc: descriptor?.doc ?? '', bundled: input.bundled.has(name), areas });
  }
  return { packages, dataTypeNames: input.dataTypeNames };
}

/** The order of kinds on an area page. */
export const KIND_ORDER: readonly DocKind[] = ['treatment', 'source', 'model', 'function', 'data', 'context'];

function byKindThenName(a: DocElement, b: DocElement): number {
  const k = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  return k !== 0 ? k : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const NONE = { generics: [], models: [], params: [], inputs: [], outputs: [], requires: [] } as const;

function nativeElement(e: ElementDescriptor, pkg: string): DocElement {
  const base = { id: elementIdentifier(e), name: e.name, area: e.area, package: pkg, doc: e.doc, origin: 'native' as const };
  switch (e.kind) {
    case 'treatment':
      return {
        ...base,
        kind: e.source !== undefined ? 'source' : 'treatment',
        generics: e.generics.map((g) => ({ name: g.name, traits: [...g.traits] })),
        models: e.models.map((m) => ({ name: m.name, model: m.model })),
        params: e.params.map((p) => ({
          name: p.name,
          variability: p.variability,
          type: p.type,
          ...(p.default !== undefined ? { default: p.default } : {}),
        })),
        inputs: e.inputs.map((p) => ({ ...p })),
        outputs: e.outputs.map((p) => ({ ...p })),
        requires: [...e.requires],
        ...(e.source !== undefined ? { source: { model: e.source.model, contexts: [...e.source.contexts] } } : {}),
      };
    case 'function':
      return {
        ...base,
        ...NONE,
        kind: 'function',
        generics: e.generics.map((g) => ({ name: g.name, traits: [...g.traits] })),
        params: e.params.map((p) => ({ name: p.name, type: p.type })),
        returns: e.returns,
      };
    case 'model':
      return {
        ...base,
        ...NONE,
        kind: 'model',
        params: e.params.map((p) => ({
          name: p.name,
          variability: p.variability,
          type: p.type,
          ...(p.default !== undefined ? { default: p.default } : {}),
        })),
        sources: e.sources.map((s) => `${e.area}::${s}`),
      };
    case 'data':
      return { ...base, ...NONE, kind: 'data', traits: [...e.traits] };
    case 'context':
      return { ...base, ...NONE, kind: 'context', fields: e.fields.map((f) => ({ ...f })) };
  }
}

function typeText(t: Parameters<typeof formatType>[0] | undefined, fallback: string): string {
  return t === undefined ? fallback : formatType(t);
}

function melParam(
  p: ParamSymbol,
  written: { type: { span: { file: { text: string }; start: number; end: number } } } | undefined,
): DocParam {
  const def = p.defaultValue;
  const defText = def === undefined ? undefined : typeof def === 'string' ? def : def.span.file.text.slice(def.span.start, def.span.end);
  const fallback = written === undefined ? '?' : written.type.span.file.text.slice(written.type.span.start, written.type.span.end);
  return {
    name: p.name,
    variability: p.variability,
    type: typeText(p.type, fallback),
    ...(defText !== undefined ? { default: defText } : {}),
  };
}

function melTreatment(t: TreatmentSymbol, pkg: string): DocElement {
  const syntax = t.syntax;
  const writtenParam = (name: string) => syntax?.params.find((p) => p.name.text === name);
  return {
    kind: 'treatment',
    id: t.id,
    name: t.name,
    area: t.area.path,
    package: pkg,
    doc: t.doc,
    origin: 'mel',
    generics: t.generics.map((g) => ({ name: g.name, traits: [...g.traits] })),
    models: t.modelSlots.map((m) => ({ name: m.name, model: m.model?.id ?? '?' })),
    params: [...t.params.values()].map((p) => melParam(p, writtenParam(p.name))),
    inputs: [...t.inputs.values()].map((p) => ({ name: p.name, flow: p.flow, type: typeText(p.type, '?') })),
    outputs: [...t.outputs.values()].map((p) => ({ name: p.name, flow: p.flow, type: typeText(p.type, '?') })),
    requires: t.requires.map((c) => c.id),
  };
}

function melModel(m: ModelSymbol, pkg: string): DocElement {
  const writtenParam = (name: string) => m.syntax?.params.find((p) => p.name.text === name);
  const base = m.base();
  return {
    ...NONE,
    kind: 'model',
    id: m.id,
    name: m.name,
    area: m.area.path,
    package: pkg,
    doc: m.doc,
    origin: 'mel',
    params: [...m.params.values()].map((p) => melParam(p, writtenParam(p.name))),
    ...(base !== undefined ? { base: base.id } : m.syntax !== undefined ? { base: m.syntax.base.text } : {}),
  };
}

/** Every element of a doc set, in page order. */
/** `pkg` with its pages under the folder `root` (e.g. `0.9/`). */
export function underRoot(pkg: DocPackage, root: string): DocPackage {
  return {
    ...pkg,
    root,
    areas: pkg.areas.map((a) => ({ ...a, root, elements: a.elements.map((e) => ({ ...e, root })) })),
  };
}

export function allElements(set: DocSet): DocElement[] {
  return set.packages.flatMap((p) => p.areas.flatMap((a) => a.elements));
}
