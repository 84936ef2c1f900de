#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// Bundles the CLI and every workspace package it uses into one ESM file,
// packages/cli/dist/tutti.bundle.mjs, which bin/tutti.js prefers: loading one module
// instead of a few hundred saves most of the start-up time of `tutti run` (issue #3,
// benchmark (e)). Each module keeps its own `import.meta.url`, so library packages
// still find their `.mel` sources next to their original files.
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(ROOT, 'packages/cli/dist/main.js')],
  outfile: join(ROOT, 'packages/cli/dist/tutti.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Database drivers stay outside: better-sqlite3 is native (it finds its .node file from
  // its own path), and the sql library imports all three lazily, on first use.
  external: ['better-sqlite3', 'pg', 'mysql2', 'mysql2/promise'],
  // CommonJS dependencies (semver) use require(): give the bundle one.
  banner: { js: "import { createRequire as __tuttiRequire } from 'node:module'; const require = __tuttiRequire(import.meta.url);" },
  plugins: [
    {
      name: 'keep-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /[/\\]packages[/\\].*\.js$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'js' };
        });
      },
    },
  ],
});
