#!/usr/bin/env node
// Fails when a package imports a sibling it may not import (ARCHITECTURE.md), reaches into
// another package's src/, or when the workspace dependencies form a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const allowed = {
  '@tutti/core': [],
  '@tutti/design': ['@tutti/core'],
  '@tutti/engine': ['@tutti/core', '@tutti/design'],
  '@tutti/lang': ['@tutti/core', '@tutti/design'],
  '@tutti/loader': ['@tutti/core', '@tutti/lang'],
  '@tutti/driver': ['@tutti/core', '@tutti/design', '@tutti/engine', '@tutti/lang', '@tutti/loader', '@tutti/lib-*'],
  '@tutti/cli': ['*'],
  '@tutti/testkit': ['@tutti/core'],
};
// Libraries build on core; the other libraries may also use std's data values (StringMap…).
const libAllowed = ['@tutti/core'];
const libOnStd = ['@tutti/core', '@tutti/lib-std'];
const dirs = [
  'packages/core',
  'packages/design',
  'packages/engine',
  'packages/lang',
  'packages/loader',
  'packages/driver',
  'packages/cli',
  'test/testkit',
  ...readdirSync('packages/libs').map((d) => `packages/libs/${d}`),
];
const problems = [];
const graph = new Map();
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const may = allowed[pkg.name] ?? (pkg.name === '@tutti/lib-std' ? libAllowed : pkg.name.startsWith('@tutti/lib-') ? libOnStd : []);
  const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@tutti/'));
  graph.set(pkg.name, deps);
  const permits = (d) =>
    d === pkg.name || may.includes('*') || may.includes(d) || (may.includes('@tutti/lib-*') && d.startsWith('@tutti/lib-'));
  for (const d of deps) if (!permits(d)) problems.push(`${pkg.name} must not depend on ${d}`);
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/from '(@tutti\/[^']+)'/g)) {
          const target = m[1];
          if (/^@tutti\/[^/]+\/src/.test(target)) problems.push(`${p} imports ${target}: import the package, not its src/`);
          const base = target.split('/').slice(0, 2).join('/');
          if (!permits(base)) problems.push(`${p} imports ${base}, which ${pkg.name} may not import`);
        }
      }
    }
  };
  walk(join(dir, 'src'));
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
console.log(`check-deps: ${dirs.length} packages, imports follow the layers`);
