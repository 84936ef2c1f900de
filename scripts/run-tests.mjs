#!/usr/bin/env node
// Runs the project's tests with node's built-in runner through the tsx loader.
// Node 20's runner does not expand globs, so the test files are found here:
// every `*.test.ts` under the given folders (default: packages/ and test/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const roots = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots.length > 0 ? roots : ['packages', 'test']) walk(resolve(r));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
files.sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
