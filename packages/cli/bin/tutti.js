#!/usr/bin/env node
// Committed entry shim: npm links this file as `tutti` at install time, before the
// TypeScript build has produced dist/, so it must exist (and be executable) in git.
//
// It prefers the single-file bundle (scripts/bundle.mjs), which starts much faster than
// the module tree, and falls back to the module tree when no bundle was built. The bundle
// is a CommonJS function compiled through `vm.Script` with V8's code cache: compiling its
// 750 KB at every start cost about 40 ms of `tutti run hello` (Node 20 has no module
// compile cache). The cache is written after the first run, next to the bundle or else
// under ~/.cache/tutti/v8, named after the bundle's size and time and the Node version, so
// a rebuilt bundle or another Node never reads a stale one (V8 itself checks only the
// source's length); a cache V8 rejects is rewritten, one that cannot be written is skipped.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The bundle's `main`, from the cached compile when there is one, and a function that writes the cache. */
function loadBundle(file) {
  const stat = statSync(file);
  const key = `tutti.bundle-${stat.size}-${Math.trunc(stat.mtimeMs)}-${process.version}.v8cache`;
  const dirs = [join(dirname(file), '.v8cache'), join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tutti', 'v8')];
  let cachedData;
  for (const d of dirs) {
    try {
      cachedData = readFileSync(join(d, key));
      break;
    } catch {}
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __tuttiImport) {${readFileSync(file, 'utf8')}\n})`,
    {
      filename: file,
      ...(cachedData === undefined ? {} : { cachedData }),
    },
  );
  const module = { exports: {} };
  // The bundle's dynamic imports (scripts/bundle.mjs): Node 20's vm has no import() of its own.
  const dynamicImport = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), dynamicImport);
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    const data = script.createCachedData();
    for (const d of dirs) {
      try {
        mkdirSync(d, { recursive: true });
        // Another start may write it at the same time: whole files only.
        const tmp = join(d, `${key}.${process.pid}.tmp`);
        writeFileSync(tmp, data);
        renameSync(tmp, join(d, key));
        for (const old of readdirSync(d))
          if (old.startsWith('tutti.bundle-') && old !== key && !old.endsWith('.tmp')) rmSync(join(d, old), { force: true });
        return;
      } catch {}
    }
  };
  return { main: module.exports.main, saveCache };
}

const bundle = fileURLToPath(new URL('../dist/tutti.bundle.cjs', import.meta.url));
const { main, saveCache } = existsSync(bundle) ? loadBundle(bundle) : { main: (await import('../dist/main.js')).main, saveCache: () => {} };

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    saveCache();
  },
  (error) => {
    process.stderr.write(
      `tutti: internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in tutti; please report it.\n`,
    );
    process.exitCode = 70;
  },
);
