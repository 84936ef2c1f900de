#!/usr/bin/env node
// The layer check (ARCHITECTURE.md), run by `npm run lint`. It reads every TypeScript and
// JavaScript file of every workspace package, tests included, and finds its imports with
// TypeScript's own pre-processor (static `import`/`export … from`, `import type`, dynamic
// `import('…')`, `require('…')`; text inside strings and comments is not mistaken for an
// import). It fails when
// - a package imports a sibling its layer does not allow (tests: the same layers, plus
//   `@tutti/engine/testing` for libraries, which runs one treatment on real channels);
// - a file imports a package its package.json does not declare: `dependencies` for code,
//   `dependencies` or `devDependencies` for tests (Node's built-in modules excepted);
// - a package.json declares a sibling its layer does not allow, lists a sibling in
//   `dependencies` that no code imports, or the declarations form a cycle;
// - a tsconfig.json's project references differ from the siblings in `dependencies`;
// - a file reaches into another package (`@tutti/x/src/…`, or a relative path leaving its
//   own package).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

// Who may import whom. Libraries build on core; the others may also use std's data values
// (StringMap…); a library may use another library's values only where listed here.
const CORE = '@tutti/core';
const STD = '@tutti/lib-std';
const layers = {
  '@tutti/core': [],
  '@tutti/design': [CORE],
  '@tutti/engine': [CORE, '@tutti/design'],
  '@tutti/lang': [CORE, '@tutti/design'],
  '@tutti/loader': [CORE, '@tutti/lang'],
  '@tutti/lib-std': [CORE],
  '@tutti/lib-javascript': [CORE, STD, '@tutti/lib-json'],
  '@tutti/lib-http': [CORE, STD, '@tutti/lib-net'],
  '@tutti/lib-work': [CORE, STD, '@tutti/lib-net', '@tutti/lib-fs', '@tutti/lib-process'],
  '@tutti/lib-distrib': [CORE, STD, '@tutti/lib-work'],
  '@tutti/lib-legacy': [CORE, STD, '@tutti/lib-distrib'],
  '@tutti/lib-cicd': [
    CORE,
    STD,
    '@tutti/lib-json',
    '@tutti/lib-javascript',
    '@tutti/lib-process',
    '@tutti/lib-fs',
    '@tutti/lib-encoding',
    '@tutti/lib-net',
    '@tutti/lib-work',
    '@tutti/lib-distrib',
  ],
  '@tutti/driver': [CORE, '@tutti/design', '@tutti/engine', '@tutti/lang', '@tutti/loader', '@tutti/lib-*'],
  '@tutti/serve': [
    CORE,
    '@tutti/design',
    '@tutti/engine',
    '@tutti/driver',
    '@tutti/lib-cicd',
    '@tutti/pipeline',
    '@tutti/github',
    '@tutti/gitlab',
  ],
  '@tutti/pipeline': [CORE],
  '@tutti/github': [CORE, '@tutti/pipeline', '@tutti/driver', '@tutti/lib-*'],
  '@tutti/gitlab': [CORE, '@tutti/pipeline', '@tutti/driver', '@tutti/lib-*'],
  '@tutti/cli': ['*'],
  '@tutti/testkit': [CORE],
  tutti: ['*'],
};
const layerOf = (name) => layers[name] ?? (name.startsWith('@tutti/lib-') ? [CORE, STD] : []);
const TESTING = '@tutti/engine/testing';

// The packages are the root's workspaces (`dir/*` expanded) and the root itself, which owns
// the end-to-end tests, the benchmarks and these scripts (all development files).
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaces = root.workspaces.flatMap((w) =>
  w.endsWith('/*')
    ? readdirSync(w.slice(0, -2))
        .map((d) => `${w.slice(0, -2)}/${d}`)
        .filter((d) => existsSync(join(d, 'package.json')))
    : [w],
);
const packages = [...workspaces.map((dir) => ({ dir, roots: ['.'] })), { dir: '.', roots: ['test', 'bench', 'scripts'], dev: true }];
const skipDirs = new Set(workspaces.map((w) => resolve(w)));

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

const problems = [];
const graph = new Map();
for (const p of packages) {
  const pkg = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
  const may = layerOf(pkg.name);
  const allowed = (name) =>
    may.includes('*') || may.includes(name) || name === pkg.name || (may.includes('@tutti/lib-*') && name.startsWith('@tutti/lib-'));
  const deps = new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
  const declared = [...deps, ...devDeps].filter((d) => d.startsWith('@tutti/'));
  graph.set(pkg.name, declared);
  const isLib = pkg.name.startsWith('@tutti/lib-');
  for (const d of declared) {
    const testingOnly = isLib && d === '@tutti/engine' && !deps.has(d); // for @tutti/engine/testing
    if (!allowed(d) && !testingOnly) problems.push(`${pkg.name} must not depend on ${d} (package.json)`);
  }

  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) continue;
      const f = join(d, n);
      if (statSync(f).isDirectory()) {
        if (!skipDirs.has(resolve(f))) walk(f);
      } else if (SOURCE.test(n) && !n.endsWith('.d.ts')) files.push(f);
    }
  };
  for (const r of p.roots) if (existsSync(join(p.dir, r))) walk(join(p.dir, r));

  const home = resolve(p.dir);
  const usedByCode = new Set();
  for (const file of files) {
    // Test files: `*.test.ts` anywhere, and everything in a package's own test/ folder.
    const isTest = p.dev === true || /\.test\.[cm]?[jt]s$/.test(file) || relative(home, file).split(sep)[0] === 'test';
    const text = readFileSync(file, 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    for (const { fileName: spec, pos } of importedFiles) {
      const where = `${file}:${text.slice(0, pos).split('\n').length}`;
      if (spec.startsWith('.')) {
        const target = resolve(join(file, '..'), spec);
        // Tests may also use the repository's shared test infrastructure (scripts/, e.g. the database servers).
        const inside =
          p.dev === true
            ? ![...skipDirs].some((w) => target.startsWith(w + sep))
            : target.startsWith(home + sep) || (isTest && target.startsWith(resolve('scripts') + sep));
        if (!inside) problems.push(`${where} imports ${spec}, outside its package: import the package instead`);
        continue;
      }
      if (isBuiltin(spec)) continue;
      const name = packageName(spec);
      if (/^@tutti\/[^/]+\/src(\/|$)/.test(spec)) problems.push(`${where} imports ${spec}: import the package, not its src/`);
      if (name.startsWith('@tutti/') && !allowed(name) && !(isTest && isLib && spec === TESTING)) {
        problems.push(`${where} imports ${name}, which ${pkg.name}${isTest ? "'s tests" : ''} may not import (ARCHITECTURE.md)`);
      }
      if (name === pkg.name) continue;
      if (!isTest) usedByCode.add(name);
      if (isTest ? !deps.has(name) && !devDeps.has(name) : !deps.has(name)) {
        const field = devDeps.has(name) ? 'dependencies (it is only in devDependencies)' : isTest ? 'devDependencies' : 'dependencies';
        problems.push(`${where} imports ${name}, which ${join(p.dir, 'package.json')} does not declare in ${field}`);
      }
    }
  }
  // The build follows the same edges: tsconfig.json references exactly the declared siblings.
  if (existsSync(join(p.dir, 'tsconfig.json')) && p.dev !== true) {
    const refs = (ts.readConfigFile(join(p.dir, 'tsconfig.json'), ts.sys.readFile).config?.references ?? []).map(
      (r) => JSON.parse(readFileSync(join(p.dir, r.path, 'package.json'), 'utf8')).name,
    );
    const siblings = [...deps].filter((d) => d.startsWith('@tutti/'));
    for (const d of siblings) if (!refs.includes(d)) problems.push(`${join(p.dir, 'tsconfig.json')} does not reference ${d}, a dependency`);
    for (const r of refs)
      if (!siblings.includes(r)) problems.push(`${join(p.dir, 'tsconfig.json')} references ${r}, which is not a dependency`);
  }
  // A sibling in `dependencies` that no code file imports belongs in devDependencies (or nowhere).
  for (const d of deps) {
    if (d.startsWith('@tutti/') && !usedByCode.has(d) && !may.includes('*')) {
      problems.push(`${join(p.dir, 'package.json')} lists ${d} in dependencies, but only tests (if anything) import it`);
    }
  }
}

const state = new Map();
const visit = (n, path) => {
  if (state.get(n) === 1) problems.push(`dependency cycle: ${[...path, n].join(' -> ')}`);
  if (state.has(n)) return;
  state.set(n, 1);
  for (const d of graph.get(n) ?? []) visit(d, [...path, n]);
  state.set(n, 2);
};
for (const n of graph.keys()) visit(n, []);
if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ${packages.length} packages, imports follow the layers and are declared (tests included)`);
