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

/** The page of an element: `<area>/<prefix>.<name>.md`. */
export function elementPath(e: Pick<DocElement, 'area' | 'kind' | 'name'>): string {
  return `${e.area}/${FILE_PREFIX[e.kind]}.${e.name}.md`;
}

/** The page of an area. */
export function areaPath(area: string): string {
  return `${area}/index.md`;
}

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
  readonly #byId = new Map<string, DocElement>();
  readonly #areas = new Set<string>();

  constructor(readonly set: DocSet) {
    for (const p of set.packages)
      for (const a of p.areas) {
        this.#areas.add(a.path);
        for (const e of a.elements) this.#byId.set(e.id, e);
      }
  }

  /** Relative link from page `from` to page `to`. */
  href(from: string, to: string): string {
    return posix.relative(posix.dirname(from), to) || posix.basename(to);
  }

  /** A link to element `id` if documented here, else the identifier as code. */
  element(from: string, id: string): string {
    const e = this.#byId.get(id);
    return e === undefined ? code(id) : `[${code(displayName(e))}](${this.href(from, elementPath(e))})`;
  }

  area(from: string, path: string): string {
    return this.#areas.has(path) ? `[${code(path)}](${this.href(from, areaPath(path))})` : code(path);
  }

  /** A type text with every documented data type name linked to its page. */
  type(from: string, text: string): string {
    const out: string[] = [];
    let last = 0;
    let buffered = '';
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      const id = this.set.dataTypeNames.get(m[0]);
      const e = id === undefined ? undefined : this.#byId.get(id);
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
  const path = areaPath(area.path);
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
  const index: string[] = ['# Packages', '', '| package | version | elements | summary |', '|---|---|---|---|'];
  for (const pkg of set.packages) {
    const count = pkg.areas.reduce((n, a) => n + a.elements.length, 0);
    index.push(`| [${code(pkg.name)}](${areaPath(pkg.name)}) | ${pkg.version} | ${count} | ${cell(firstLine(pkg.doc))} |`);
    // Areas come sorted, each followed by its elements: an area is a child of its parent
    // area (one level deeper, the level of the parent's elements).
    for (const area of pkg.areas) {
      const depth = area.path.split('/').length - 1;
      summary.push(
        `${'  '.repeat(depth)}- [${area.path === pkg.name ? pkg.name : area.path.slice(area.path.lastIndexOf('/') + 1)}](${areaPath(area.path)})`,
      );
      pages.push(areaPage(area, pkg, link));
      for (const e of area.elements) {
        summary.push(`${'  '.repeat(depth + 1)}- [${displayName(e)}](${elementPath(e)})`);
        pages.push(elementPage(e, pkg, link));
      }
    }
  }
  index.push('');
  return [
    { path: 'SUMMARY.md', title: 'Summary', markdown: `${summary.join('\n')}\n` },
    { path: 'index.md', title: 'Packages', markdown: index.join('\n') },
    ...pages,
  ];
}
