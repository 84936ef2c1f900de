/**
 * `tutti doc` (docs/cli.md#tutti-doc): the generator is the driver's (`generateDocs`); this
 * reads the command line and reports.
 */
import { parseArgs } from 'node:util';
import type { DiagnosticSink } from '@tutti/core';
import { generateDocs } from '@tutti/driver';

export const DOC_HELP = `tutti doc — documentation of Mélodium packages, from their descriptors and doc comments

Usage:
  tutti doc [--full] [-p/--packages PKG]... [-f/--file FILE] [--path P]... [--html] <output>

Writes an mdBook source tree into <output>: SUMMARY.md, index.md (the packages), one
index.md per area (e.g. std/flow/index.md) and one page per element: treatments, sources,
models, functions, data types and contexts, with their signature, parameters (const/var,
defaults), inputs and outputs (flow and type), generics and traits, configuration models,
contexts, and documentation; types and identifiers link to their pages. 'mdbook build
<output>' renders it (book.toml is written too), but no tool is needed. Run again into
the same <output>, it replaces the tree it wrote (pages of elements that are gone are
removed; other files are kept); a non-empty folder it did not write is refused.

  --html              also write a self-contained HTML rendering to <output>/html/
                      (open html/index.html; search box over names and docs; no network)

Which packages:
  (default), --full   every package available: the bundled ones, those found with --path,
                      and the 0.9 surface (log, cicd, work, distrib, process 0.9: what
                      programs requiring ^0.9 get)
                      under <output>/0.9/
  -p, --packages PKG  only PKG (repeatable); PKG@0.9 for its 0.9 version (log is 0.9 only)
  -f, --file FILE     only the package of FILE (a .mel script, Compo.toml, project folder or .jeu)
      --path P        also look for packages in P (a .mel file, .jeu, Compo.toml or folder)

Examples:
  tutti doc --full --html docs/reference      every bundled package; open docs/reference/html/index.html
  tutti doc -p std -p fs out                  std and fs only
  tutti doc -p cicd@0.9 -p log old-cicd        the 0.9 cicd and log, under old-cicd/0.9/
  tutti doc -f ./shop --html shop-docs        the project in ./shop
`;

/**
 * Runs `tutti doc …`; `usage` builds the CLI's usage error (exit 2); `report` prints
 * diagnostics. Returns the status: 0; 1 when a documented package has errors (its pages
 * are still written as far as it could be read); 2 when a file cannot be read.
 */
export async function commandDoc(
  args: readonly string[],
  usage: (message: string) => Error,
  report: (sink: DiagnosticSink, file: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      full: { type: 'boolean' },
      packages: { type: 'string', short: 'p', multiple: true },
      file: { type: 'string', short: 'f' },
      path: { type: 'string', multiple: true },
      html: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(DOC_HELP);
    return 0;
  }
  const [output, ...extra] = positionals;
  if (output === undefined) throw usage('doc needs an output folder: tutti doc [--full] [-p PKG]... [-f FILE] <output> (tutti doc --help)');
  if (extra.length > 0) throw usage(`unexpected argument '${extra[0]}'`);
  if (values.full && (values.packages !== undefined || values.file !== undefined))
    throw usage('--full documents every package: give it without -p/--packages and -f/--file');
  const r = await generateDocs({
    output,
    paths: values.path ?? [],
    ...(values.packages !== undefined ? { packages: values.packages } : {}),
    ...(values.file !== undefined ? { file: values.file } : {}),
    ...(values.html ? { html: true } : {}),
  });
  if (r.sink.items.length > 0) report(r.sink, values.file ?? output);
  if (r.set === undefined) {
    process.stderr.write('doc: nothing was written\n');
    return r.sink.items.some((d) => d.severity === 'error' && d.code === 'E_FILE') ? 2 : 1;
  }
  const names = r.set.packages.map((p) => (p.root === undefined ? p.name : `${p.name} ${p.version}`)).join(', ');
  process.stderr.write(
    `doc: ${r.elements} elements of ${names} in ${r.pages} pages under ${output}${values.html ? ` (HTML: ${output}/html/index.html)` : ''}\n`,
  );
  // As for check: unreadable files 2 (a usage problem), other errors 1.
  if (r.sink.items.some((d) => d.severity === 'error' && d.code === 'E_FILE')) return 2;
  return r.sink.hasErrors ? 1 : 0;
}
