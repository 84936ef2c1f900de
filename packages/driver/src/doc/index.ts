/**
 * `tutti doc` as a library (docs/cli.md#tutti-doc): choose the packages, load them through the
 * loader like any program, build the documentation model, write the Markdown tree (and
 * with `html`, its HTML rendering under `html/`).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DiagnosticSink, type PackageDescriptor } from '@tutti/core';
import { loadLegacyPackages, loadPackages, loadProgram } from '@tutti/loader';
import { BUNDLED, BUNDLED_LEGACY } from '../bundled.js';
import { OutputFileError } from '../files.js';
import { RequestError } from '../program.js';
import { htmlFiles } from './html.js';
import { LEGACY_ROOT, markdownPages } from './markdown.js';
import { allElements, collectDocs, type DocSet, underRoot } from './model.js';

export { htmlFiles, type SearchEntry } from './html.js';
export { areaPath, type DocPage, displayName, elementPath, LEGACY_ROOT, markdownPages, signature } from './markdown.js';
export * from './model.js';

/** Options of {@link generateDocs}. */
export interface DocOptions {
  /** The folder to write into (created if needed). */
  readonly output: string;
  /** Document these packages only (`-p`); `NAME@0.9` (or a name only 0.9 has, `log`) is the 0.9 version. */
  readonly packages?: readonly string[];
  /** Document the package of this program file (`-f`): a script, Compo.toml, folder or .jeu. */
  readonly file?: string;
  /** `--path` locations, whose packages are documented too unless `packages` or `file` say otherwise. */
  readonly paths?: readonly string[];
  /** Also write the HTML rendering under `<output>/html/`. */
  readonly html?: boolean;
  /** The packages built in (default: every bundled package). */
  readonly bundled?: readonly PackageDescriptor[];
  /**
   * The 0.9 surface, documented under `0.9/` (default: the bundled one when `bundled` is
   * not given, else none).
   */
  readonly legacy?: readonly PackageDescriptor[];
}

/** What {@link generateDocs} did. */
export interface DocResult {
  readonly sink: DiagnosticSink;
  /** Undefined when nothing could be loaded (see the sink). */
  readonly set: DocSet | undefined;
  readonly pages: number;
  readonly elements: number;
}

/**
 * Documents packages into `o.output`. Problems of the packages are in the returned sink;
 * an unknown `-p` package or contradictory options throw {@link RequestError}, an output
 * that cannot be written {@link OutputFileError}.
 *
 * @example
 * const { elements } = await generateDocs({ output: 'out', html: true });
 */
export async function generateDocs(o: DocOptions): Promise<DocResult> {
  const sink = new DiagnosticSink();
  const bundled = o.bundled ?? BUNDLED;
  const legacy = o.legacy ?? (o.bundled === undefined ? BUNDLED_LEGACY : []);
  const paths = o.paths ?? [];
  if (o.file !== undefined && (o.packages ?? []).length > 0) throw new RequestError('give either -f/--file or -p/--packages, not both');
  let set: DocSet;
  if (o.file !== undefined) {
    // The program's own package is a script, a project or an archive: no native descriptors.
    const loaded = await loadProgram(o.file, { bundled, legacy: BUNDLED_LEGACY, paths }, sink);
    if (loaded === undefined) return { sink, set: undefined, pages: 0, elements: 0 };
    set = collectDocs(
      {
        packages: loaded.program.packages,
        dataTypeNames: loaded.program.dataTypeNames,
        descriptors: new Map(),
        bundled: new Set(bundled.map((d) => d.name)),
        selected: [loaded.name],
      },
      sink,
    );
  } else {
    const all = await loadPackages({ bundled, paths }, sink);
    if (all === undefined) return { sink, set: undefined, pages: 0, elements: 0 };
    const legacyNames = new Set(legacy.map((d) => d.name));
    // `-p NAME@0.9`, or a name that only the 0.9 surface has, asks for the 0.9 version.
    const wanted: string[] = [];
    const wantedLegacy: string[] = [];
    for (const w of o.packages ?? []) {
      const name = w.endsWith('@0.9') ? w.slice(0, -4) : w;
      if (w !== name || (!all.packages.has(w) && legacyNames.has(w))) {
        if (!legacyNames.has(name))
          throw new RequestError(`no 0.9 version of '${name}' is bundled (0.9 surface: ${[...legacyNames].join(', ')})`);
        wantedLegacy.push(name);
      } else if (!all.packages.has(w)) {
        throw new RequestError(
          `no package '${w}' is available (bundled: ${[...all.bundled].join(', ')}; 0.9 surface: ${[...legacyNames].map((n) => `${n}@0.9`).join(', ')}; others can be given with --path)`,
        );
      } else wanted.push(w);
    }
    const everything = o.packages === undefined;
    const selected = everything ? [...all.packages.keys()] : [...new Set(wanted)];
    set = collectDocs({ ...all, selected }, sink);
    const legacySelected = everything ? [...legacyNames] : [...new Set(wantedLegacy)];
    if (legacySelected.length > 0) {
      const old = await loadLegacyPackages({ bundled, legacy, paths: [] }, sink);
      if (old !== undefined) {
        const oldSet = collectDocs({ ...old, selected: legacySelected }, sink);
        set = {
          packages: [...set.packages, ...oldSet.packages.map((p) => underRoot(p, LEGACY_ROOT))],
          dataTypeNames: new Map([...oldSet.dataTypeNames, ...set.dataTypeNames]),
        };
      }
    }
  }
  const pages = markdownPages(set);
  const title = set.packages.length === 1 ? `${set.packages[0]?.name} ${set.packages[0]?.version}` : 'Mélodium packages';
  const files: { path: string; content: string }[] = pages.map((p) => ({ path: p.path, content: p.markdown }));
  files.push({
    path: 'book.toml',
    content: `# mdBook configuration: 'mdbook build' in this folder renders it.\n[book]\ntitle = ${JSON.stringify(title)}\nsrc = "."\n\n[build]\nbuild-dir = "book"\n`,
  });
  if (o.html) for (const f of await htmlFiles(pages, title)) files.push({ path: `html/${f.path}`, content: f.content });
  const stale = previousFiles(o.output);
  for (const f of files) stale.delete(f.path);
  files.push({ path: WRITTEN, content: `${files.map((f) => f.path).join('\n')}\n` });
  // Pages of elements that no longer exist go, so the tree is what this run documents.
  for (const path of stale) rmSync(join(o.output, path), { force: true });
  for (const f of files) {
    const target = join(o.output, f.path);
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    } catch (e) {
      throw new OutputFileError(`cannot write the documentation to ${target}: ${(e as Error).message}`);
    }
  }
  return { sink, set, pages: pages.length, elements: allElements(set).length };
}

/** The list of the files a `tutti doc` run wrote into its output folder. */
const WRITTEN = '.tutti-doc';

/**
 * The files an earlier run wrote into `output` (to remove those this run does not write).
 * A folder that holds other things and no such list is refused: the documentation would
 * mix with them, and removing them is not ours to do.
 */
function previousFiles(output: string): Set<string> {
  let entries: string[];
  try {
    entries = readdirSync(output);
  } catch {
    return new Set(); // a new folder
  }
  let list: string;
  try {
    list = readFileSync(join(output, WRITTEN), 'utf8');
  } catch {
    if (entries.length === 0) return new Set();
    throw new OutputFileError(
      `${output} is not empty and was not written by tutti doc: give a new or empty folder (its files would mix with the documentation)`,
    );
  }
  // Only plain relative paths, whatever the list says: nothing outside the folder is touched.
  return new Set(list.split('\n').filter((l) => l !== '' && !l.startsWith('/') && !l.split('/').includes('..')));
}
