/**
 * The Markdown rendering of a {@link DocSet}, laid out as an mdBook source tree:
 * `SUMMARY.md`, `index.md` (the packages), one `index.md` per area
 * (`std/flow/index.md`) and one page per element (`std/flow/treatment.emit.md`,
 * `fn.add.md`, `model.X.md`, `data.X.md`, `context.X.md`, `source.X.md`). Links are
 * relative, so the tree reads the same on disk, in mdBook and in the HTML rendering.
 */
import { posix } from 'node:path';
import { type DocArea, type DocElement, type DocKind, type DocPackage, type DocParam, type DocSet, KIND_ORDER } from './model.js';

/** One page: its path in the tree, its title, its Markdown. */
export interface DocPage {
  readonly path: string;
  readonly title: string;
  readonly markdown: string;
  /** The element it documents, if any (for the search index). */
  readonly element?: DocElement;
}

const FILE_PREFIX: Readonly<Record<DocKind, string>> = {
  treatment: 'treatment',
  source: 'source',
  model: 'model',
  function: 'fn',
  data: 'data',
  context: 'context',
};

const KIND_TITLE: Readonly<Record<DocKind, string>> = {
  treatment: 'Treatments',
  source: 'Sources',
  model: 'Models',
  function: 'Functions',
  data: 'Data types',
  context: 'Contexts',
};

/** The page of an element: `[<root>]<area>/<prefix>.<name>.md`. */
export function elementPath(e: Pick<DocElement, 'area' | 'kind' | 'name' | 'root'>): string {
  return `${e.root ?? ''}${e.area}/${FILE_PREFIX[e.kind]}.${e.name}.md`;
}

/** The page of an area (`root`: the folder of its package's pages, e.g. `0.9/`). */
export function areaPath(area: string, root = ''): string {
  return `${root}${area}/index.md`;
}

/** The folder of the 0.9 surface's pages. */
export const LEGACY_ROOT = '0.9/';

/** `|name` for functions, `@Name` for contexts, the name otherwise. */
export function displayName(e: Pick<DocElement, 'kind' | 'name'>): string {
  return e.kind === 'function' ? `|${e.name}` : e.kind === 'context' ? `@${e.name}` : e.name;
}

/** Markdown inline code for any text (backticks inside are fenced by longer runs). */
function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A line of Markdown made safe for a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

class Linker {
  /** Elements by `root + id`. */
  readonly #byId = new Map<string, DocElement>();
  /** Areas by `root + path`. */
  readonly #areas = new Set<string>();
  readonly #roots: string[];

  constructor(readonly set: DocSet) {
    const roots = new Set<string>();
    for (const p of set.packages) {
      if (p.root !== undefined) roots.add(p.root);
      for (const a of p.areas) {
        this.#areas.add(`${a.root ?? ''}${a.path}`);
        for (const e of a.elements) this.#byId.set(`${e.root ?? ''}${e.id}`, e);
      }
    }
    this.#roots = [...roots];
  }

  /** Relative link from page `from` to page `to`. */
  href(from: string, to: string): string {
    return posix.relative(posix.dirname(from), to) || posix.basename(to);
  }

  /** The root of the pages `from` is among. */
  #rootOf(from: string): string {
    return this.#roots.find((r) => from.startsWith(r)) ?? '';
  }

  /**
   * Element `id` as seen from `from`: in the same root first; then at the top, where a
   * 0.9 package's `<name>_0_10` (the 0.10 package it wraps) is `<name>`.
   */
  #find(from: string, id: string): DocElement | undefined {
    const root = this.#rootOf(from);
    return this.#byId.get(`${root}${id}`) ?? this.#byId.get(id) ?? this.#byId.get(id.replace(/^([a-z][a-z0-9_]*)_0_10(?=[/:])/, '$1'));
  }

  /** A link to element `id` if documented here, else the identifier as code. */
  element(from: string, id: string): string {
    const e = this.#find(from, id);
    return e === undefined ? code(id) : `[${code(displayName(e))}](${this.href(from, elementPath(e))})`;
  }

  area(from: string, path: string): string {
    const root = this.#rootOf(from);
    return this.#areas.has(`${root}${path}`) ? `[${code(path)}](${this.href(from, areaPath(path, root))})` : code(path);
  }

  /** A type text with every documented data type name linked to its page. */
  type(from: string, text: string): string {
    const out: string[] = [];
    let last = 0;
    let buffered = '';
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      const id = this.set.dataTypeNames.get(m[0]);
      const e = id === undefined ? undefined : this.#find(from, id);
      if (e === undefined) continue;
      buffered += text.slice(last, m.index);
      if (buffered !== '') out.push(code(buffered));
      buffered = '';
      out.push(`[${code(m[0])}](${this.href(from, elementPath(e))})`);
      last = m.index + m[0].length;
    }
    buffered += text.slice(last);
    if (buffered !== '') out.push(code(buffered));
    return out.join('');
  }
}

function paramText(p: DocParam): string {
  return `${p.variability !== undefined ? `${p.variability} ` : ''}${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ''}`;
}

/** The declaration as `.mel` would write it (without body). */
export function signature(e: DocElement): string {
  const generics =
    e.generics.length === 0
      ? ''
      : `<${e.generics.map((g) => (g.traits.length > 0 ? `${g.name}: ${g.traits.join(' + ')}` : g.name)).join(', ')}>`;
  switch (e.kind) {
    case 'treatment':
    case 'source': {
      const models = e.models.length === 0 ? '' : `[${e.models.map((m) => `${m.name}: ${m.model.split('::')[1] ?? m.model}`).join(', ')}]`;
      const lines = [`treatment ${e.name}${generics}${models}(${e.params.map(paramText).join(', ')})`];
      for (const c of e.requires) lines.push(`  require @${c.split('::@')[1] ?? c}`);
      for (const p of e.inputs) lines.push(`  input ${p.name}: ${p.flow}<${p.type}>`);
      for (const p of e.outputs) lines.push(`  output ${p.name}: ${p.flow}<${p.type}>`);
      return lines.join('\n');
    }
    case 'model':
      return `model ${e.name}(${e.params.map(paramText).join(', ')})${e.base !== undefined ? ` : ${e.base.split('::')[1] ?? e.base}` : ''}`;
    case 'function':
      return `fn |${e.name}${generics}(${e.params.map((p) => `${p.name}: ${p.type}`).join(', ')}) -> ${e.returns ?? 'void'}`;
    case 'data':
      return `data ${e.name}${(e.traits ?? []).length > 0 ? `: ${(e.traits ?? []).join(' + ')}` : ''}`;
    case 'context':
      return `context @${e.name} { ${(e.fields ?? []).map((f) => `${f.name}: ${f.type}`).join(', ')} }`;
  }
}

function elementPage(e: DocElement, pkg: DocPackage, link: Linker): DocPage {
  const path = elementPath(e);
  const kindWord = e.kind === 'data' ? 'data type' : e.kind === 'function' ? 'function' : e.kind;
  const out: string[] = [`# ${kindWord} ${code(displayName(e))}`, ''];
  out.push(
    `${code(e.id)} · ${e.origin === 'mel' ? 'declared in Mélodium' : 'native'} · package ${code(`${pkg.name} ${pkg.version}`)} · area ${link.area(path, e.area)}`,
    '',
  );
  out.push('```mel', signature(e), '```', '');
  if (e.doc.trim() !== '') out.push(e.doc.trim(), '');
  if (e.generics.length > 0) {
    out.push('## Generics', '', '| name | traits |', '|---|---|');
    for (const g of e.generics) out.push(`| ${code(g.name)} | ${g.traits.map(code).join(' + ') || '—'} |`);
    out.push('');
  }
  if (e.models.length > 0) {
    out.push('## Configuration models', '', '| name | model |', '|---|---|');
    for (const m of e.models) out.push(`| ${code(m.name)} | ${link.element(path, m.model)} |`);
    out.push('');
  }
  if (e.params.length > 0) {
    const fn = e.kind === 'function';
    out.push(
      '## Parameters',
      '',
      fn ? '| name | type |' : '| name | variability | type | default |',
      fn ? '|---|---|' : '|---|---|---|---|',
    );
    for (const p of e.params)
      out.push(
        fn
          ? `| ${code(p.name)} | ${link.type(path, p.type)} |`
          : `| ${code(p.name)} | ${p.variability ?? ''} | ${link.type(path, p.type)} | ${p.default !== undefined ? code(p.default) : '*required*'} |`,
      );
    out.push('');
  }
  if (e.returns !== undefined) out.push('## Returns', '', link.type(path, e.returns), '');
  for (const [title, ports] of [
    ['Inputs', e.inputs],
    ['Outputs', e.outputs],
  ] as const) {
    if (ports.length === 0) continue;
    out.push(`## ${title}`, '', '| name | flow | type |', '|---|---|---|');
    for (const p of ports) out.push(`| ${code(p.name)} | ${p.flow} | ${link.type(path, p.type)} |`);
    out.push('');
  }
  if (e.requires.length > 0) out.push('## Contexts required', '', ...e.requires.map((c) => `- ${link.element(path, c)}`), '');
  if (e.source !== undefined) {
    out.push('## Source', '', `A source of the model ${link.element(path, e.source.model)}: its tracks start here.`, '');
    if (e.source.contexts.length > 0)
      out.push('Contexts provided to its tracks:', '', ...e.source.contexts.map((c) => `- ${link.element(path, c)}`), '');
  }
  if (e.base !== undefined) out.push('## Base model', '', link.element(path, e.base), '');
  if (e.sources !== undefined && e.sources.length > 0)
    out.push('## Sources', '', ...e.sources.map((s) => `- ${link.element(path, s)}`), '');
  if (e.traits !== undefined) out.push('## Traits', '', e.traits.length > 0 ? e.traits.map(code).join(', ') : 'none', '');
  if (e.fields !== undefined && e.fields.length > 0) {
    out.push('## Fields', '', '| name | type |', '|---|---|');
    for (const f of e.fields) out.push(`| ${code(f.name)} | ${link.type(path, f.type)} |`);
    out.push('');
  }
  return { path, title: `${displayName(e)} (${e.area})`, markdown: out.join('\n'), element: e };
}

function firstLine(doc: string): string {
  const line = doc.trim().split('\n')[0] ?? '';
  return line.length > 140 ? `${line.slice(0, 137)}…` : line;
}

function areaPage(area: DocArea, pkg: DocPackage, link: Linker): DocPage {
  const path = areaPath(area.path, area.root);
  const out: string[] = [area.path === pkg.name ? `# Package ${code(pkg.name)} ${pkg.version}` : `# Area ${code(area.path)}`, ''];
  if (area.path === pkg.name && pkg.doc.trim() !== '') out.push(pkg.doc.trim(), '');
  const parent = area.path.includes('/') ? area.path.slice(0, area.path.lastIndexOf('/')) : undefined;
  if (parent !== undefined) out.push(`In ${link.area(path, parent)}.`, '');
  const children = pkg.areas.filter((a) => a.path.startsWith(`${area.path}/`) && !a.path.slice(area.path.length + 1).includes('/'));
  if (children.length > 0) out.push('## Areas', '', ...children.map((c) => `- ${link.area(path, c.path)}`), '');
  for (const kind of KIND_ORDER) {
    const list = area.elements.filter((e) => e.kind === kind);
    if (list.length === 0) continue;
    out.push(`## ${KIND_TITLE[kind]}`, '', '| name | summary |', '|---|---|');
    for (const e of list) out.push(`| [${code(displayName(e))}](${link.href(path, elementPath(e))}) | ${cell(firstLine(e.doc))} |`);
    out.push('');
  }
  if (area.elements.length === 0 && children.length === 0) out.push('This area declares nothing.', '');
  return { path, title: area.path, markdown: out.join('\n') };
}

/** Every page of the tree, `SUMMARY.md` and `index.md` first. */
export function markdownPages(set: DocSet): DocPage[] {
  const link = new Linker(set);
  const pages: DocPage[] = [];
  const summary: string[] = ['# Summary', '', '[Packages](index.md)', ''];
  const header = ['| package | version | elements | summary |', '|---|---|---|---|'];
  const index: string[] = ['# Packages', '', ...header];
  const top = set.packages.filter((p) => p.root === undefined);
  const legacy = set.packages.filter((p) => p.root !== undefined);
  const row = (pkg: DocPackage, from: string) => {
    const count = pkg.areas.reduce((n, a) => n + a.elements.length, 0);
    return `| [${code(pkg.name)}](${link.href(from, areaPath(pkg.name, pkg.root))}) | ${pkg.version} | ${count} | ${cell(firstLine(pkg.doc))} |`;
  };
  const packagePages = (pkg: DocPackage) => {
    // Areas come sorted, each followed by its elements: an area is a child of its parent
    // area (one level deeper, the level of the parent's elements).
    for (const area of pkg.areas) {
      const depth = area.path.split('/').length - 1;
      const label =
        area.path === pkg.name
          ? pkg.root === undefined
            ? pkg.name
            : `${pkg.name} ${pkg.version}`
          : area.path.slice(area.path.lastIndexOf('/') + 1);
      summary.push(`${'  '.repeat(depth)}- [${label}](${areaPath(area.path, area.root)})`);
      pages.push(areaPage(area, pkg, link));
      for (const e of area.elements) {
        summary.push(`${'  '.repeat(depth + 1)}- [${displayName(e)}](${elementPath(e)})`);
        pages.push(elementPage(e, pkg, link));
      }
    }
  };
  for (const pkg of top) {
    index.push(row(pkg, 'index.md'));
    packagePages(pkg);
  }
  index.push('');
  if (legacy.length > 0) {
    // The 0.9 surface: what programs that require ^0.9 get, in a folder of its own.
    const legacyIndex = `${LEGACY_ROOT}index.md`;
    index.push(
      '## The 0.9 surface',
      '',
      `Programs that require \`^0.9\` of a package get its 0.9 version: [the 0.9 packages](${LEGACY_ROOT}index.md).`,
      '',
    );
    summary.push('', '# The 0.9 surface', '', `- [0.9 packages](${legacyIndex})`);
    const out = [
      '# The 0.9 surface',
      '',
      'A program whose `Compo.toml` or header requires `^0.9` of one of these packages gets the version below instead of the 0.10 one (the bundled 0.10 packages it uses keep seeing the 0.10 version); the 0.9 layers wrap the 0.10 elements (linked from their pages).',
      '',
      ...header,
      ...legacy.map((pkg) => row(pkg, legacyIndex)),
      '',
    ];
    pages.push({ path: legacyIndex, title: 'The 0.9 surface', markdown: out.join('\n') });
    for (const pkg of legacy) packagePages(pkg);
  }
  return [
    { path: 'SUMMARY.md', title: 'Summary', markdown: `${summary.join('\n')}\n` },
    { path: 'index.md', title: 'Packages', markdown: index.join('\n') },
    ...pages,
  ];
}
