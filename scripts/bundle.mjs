#!/usr/bin/env node
// Bundles the CLI and every workspace package it uses into one file,
// packages/cli/dist/tutti.bundle.cjs, which bin/tutti.js prefers: loading one module
// instead of a few hundred saves most of the start-up time of `tutti run`. It is CommonJS
// so that bin/tutti.js can compile it with V8's code cache (vm.Script); `import.meta.url`
// becomes the bundle's file URL. The commands that load more (serve, the bridges) get ESM
// bundles of their own, imported on demand.
//
// Files the code finds at run time stay files, at the same place relative to the bundle
// as in the repository: each workspace module's `import.meta.url` becomes the URL its
// file would have, computed from the bundle's own URL (`new URL('../../libs/std/dist/
// index.js', import.meta.url)`), so a library's `new URL('../mel', import.meta.url)`
// lands on `packages/libs/std/mel` wherever the bundle is, in the checkout or in an
// installed copy of the package (whose `files` ship those folders). Nothing absolute is
// baked in.
//
// The root package's `dependencies` (and `optionalDependencies`, e.g. native drivers a
// library loads on first use) are the modules the bundle does not inline: they are imported
// at run time from the package's node_modules (for QuickJS: its .wasm file is read from
// there too).
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'packages/cli/dist/tutti.bundle.cjs');
const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));

/** A dynamic `import(` in compiled JavaScript (not a method named import, not `import.meta`). */
const DYNAMIC_IMPORT = /(?<![\w$.])import\(/g;

/** Bundles `entry` (a built module under packages/) into `out`, with the rules above. */
async function bundle(entry, out, format = 'esm') {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    logLevel: 'warning',
    // Whitespace only (names and stack traces stay readable): a third less text to decode and
    // parse at every start.
    minifyWhitespace: true,
    external: Object.keys({ ...root.dependencies, ...root.optionalDependencies }),
    ...(format === 'esm'
      ? // CommonJS dependencies (semver) use require(): give the bundle one.
        {
          banner: { js: "import { createRequire as __tuttiRequire } from 'node:module'; const require = __tuttiRequire(import.meta.url);" },
        }
      : {
          banner: { js: "var __tuttiBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
          define: { 'import.meta.url': '__tuttiBundleUrl' },
        }),
    plugins: [
      {
        name: 'import-meta-url-relative-to-bundle',
        setup(b) {
          b.onLoad({ filter: /\.js$/ }, async (args) => {
            if (!args.path.startsWith(join(ROOT, 'packages') + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
            let text = await readFile(args.path, 'utf8');
            // In the CommonJS bundle, `import()` is bin/tutti.js's (Node 20's vm cannot import
            // from compiled code without --experimental-vm-modules).
            const dynamic = format === 'cjs' && text.search(DYNAMIC_IMPORT) !== -1;
            if (dynamic) text = text.replace(DYNAMIC_IMPORT, '__tuttiImport(');
            if (!text.includes('import.meta.url')) return dynamic ? { contents: text, loader: 'js' } : undefined;
            const path = relative(dirname(out), args.path).split(sep).join('/');
            return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(path)}, import.meta.url).href`), loader: 'js' };
          });
        },
      },
    ],
  });
}

await bundle(join(ROOT, 'packages/cli/dist/main.js'), OUT, 'cjs');
// `tutti serve`, loaded by that command only (the server, SQLite/PostgreSQL stores, croner,
// dagre, the pipeline kinds): none of it is evaluated when another command starts.
await bundle(join(ROOT, 'packages/cli/dist/serve.js'), join(ROOT, 'packages/cli/dist/serve.bundle.mjs'));
// The GitHub bridge, loaded by `tutti github` only (it brings a YAML parser and picomatch).
await bundle(join(ROOT, 'packages/bridges/github/dist/index.js'), join(ROOT, 'packages/bridges/github/dist/github.bundle.mjs'));
// The GitLab bridge, loaded by `tutti gitlab` only (YAML parser, RE2): its static imports would
// otherwise run at every start of the CLI bundle.
await bundle(join(ROOT, 'packages/bridges/gitlab/dist/index.js'), join(ROOT, 'packages/bridges/gitlab/dist/gitlab.bundle.mjs'));
// GitHub's workflow parser and expression engine, loaded lazily by `tutti github` from a file of
// their own (on Node 20 the parser cannot be imported unbundled: its JSON schema import
// lacks an import attribute).
await build({
  entryPoints: [join(ROOT, 'packages/bridges/github/vendor/actions-entry.mjs')],
  outfile: join(ROOT, 'packages/bridges/github/dist/actions.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  minifyWhitespace: true,
  banner: { js: "import { createRequire as __tuttiRequire } from 'node:module'; const require = __tuttiRequire(import.meta.url);" },
});
// The javascript package's realm worker runs in a thread of its own, from its own file:
// bundled beside the module that starts it (remote-realm.js looks there first).
await bundle(
  join(ROOT, 'packages/libs/javascript/dist/realm-worker.js'),
  join(ROOT, 'packages/libs/javascript/dist/realm-worker.bundle.mjs'),
);
