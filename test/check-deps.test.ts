// The layer check (scripts/check-deps.mjs) on small workspaces written to a temporary
// folder: a clean one passes, and each kind of violation is reported with its file and line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Files = Record<string, string | object>;

/** A workspace of `files` (objects are written as JSON); the check's exit code and messages. */
function check(files: Files): { status: number | null; problems: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-check-deps-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/check-deps.mjs')], { cwd: dir, encoding: 'utf8' });
  const problems = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('check-deps: '))
    .map((l) => l.slice('check-deps: '.length));
  return { status: r.status, problems };
}

const pkg = (name: string, dependencies: Record<string, string> = {}, devDependencies: Record<string, string> = {}) => ({
  name,
  version: '0.1.0',
  dependencies,
  devDependencies,
});
const tsconfig = (...refs: string[]) => ({ references: refs.map((path) => ({ path })) });

/** core, engine (exports ./testing), std and a library `a` on core: a clean base. */
const base = (): Files => ({
  'package.json': { name: 'tutti', workspaces: ['packages/core', 'packages/engine', 'packages/libs/*'] },
  'packages/core/package.json': pkg('@tutti/core'),
  'packages/core/src/index.ts': 'export const x = 1;\n',
  'packages/engine/package.json': pkg('@tutti/engine', { '@tutti/core': '0.1.0' }),
  'packages/engine/tsconfig.json': tsconfig('../core'),
  'packages/engine/src/index.ts': "import { x } from '@tutti/core';\nexport const y = x;\n",
  'packages/libs/std/package.json': pkg('@tutti/lib-std', { '@tutti/core': '0.1.0' }),
  'packages/libs/std/src/index.ts': "export { x } from '@tutti/core';\n",
  'packages/libs/a/package.json': pkg('@tutti/lib-a', { '@tutti/core': '0.1.0' }, { '@tutti/engine': '0.1.0' }),
  'packages/libs/a/src/index.ts': "import type { x } from '@tutti/core';\nexport type X = typeof x;\n",
  'packages/libs/a/src/index.test.ts':
    "import { test } from 'node:test';\nimport { y } from '@tutti/engine/testing';\n// import('@tutti/cli') in a comment\ntest('s', () => String(\"import('@tutti/cli')\") + y);\n",
});

test('a workspace that follows the layers passes', () => {
  const r = check(base());
  assert.deepEqual(r.problems, []);
  assert.equal(r.status, 0);
});

test('test files: an undeclared package and a layer the tests may not cross are reported', () => {
  const files = base();
  files['packages/libs/a/package.json'] = pkg('@tutti/lib-a', { '@tutti/core': '0.1.0' });
  files['packages/libs/a/src/more.test.ts'] =
    "import { test } from 'node:test';\nconst e = await import('@tutti/engine');\ntest('e', () => e);\n";
  const r = check(files);
  assert.equal(r.status, 1);
  assert.deepEqual(r.problems.sort(), [
    'packages/libs/a/src/index.test.ts:2 imports @tutti/engine, which packages/libs/a/package.json does not declare in devDependencies',
    "packages/libs/a/src/more.test.ts:2 imports @tutti/engine, which @tutti/lib-a's tests may not import (ARCHITECTURE.md)",
    'packages/libs/a/src/more.test.ts:2 imports @tutti/engine, which packages/libs/a/package.json does not declare in devDependencies',
  ]);
});

test('code: require(), a devDependency used by code, src/ reach-through and a relative path out of the package', () => {
  const files = base();
  files['packages/libs/a/package.json'] = pkg('@tutti/lib-a', { '@tutti/core': '0.1.0' }, { '@tutti/engine': '0.1.0', semver: '7' });
  files['packages/libs/a/src/index.ts'] = [
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    "export const semver = require('semver');",
    "export { x } from '@tutti/core/src/index.js';",
    "export { y } from '../../../engine/src/index.js';",
    '',
  ].join('\n');
  const r = check(files);
  assert.equal(r.status, 1);
  assert.deepEqual(r.problems.sort(), [
    'packages/libs/a/src/index.ts:3 imports semver, which packages/libs/a/package.json does not declare in dependencies (it is only in devDependencies)',
    'packages/libs/a/src/index.ts:4 imports @tutti/core/src/index.js: import the package, not its src/',
    'packages/libs/a/src/index.ts:5 imports ../../../engine/src/index.js, outside its package: import the package instead',
  ]);
});

test('package.json and tsconfig.json: forbidden, unused and unreferenced siblings, cycles', () => {
  const files = base();
  files['packages/core/package.json'] = pkg('@tutti/core', { '@tutti/engine': '0.1.0' });
  files['packages/libs/std/package.json'] = pkg('@tutti/lib-std', { '@tutti/core': '0.1.0', '@tutti/lib-a': '0.1.0' });
  files['packages/engine/tsconfig.json'] = tsconfig('../libs/std');
  const r = check(files);
  assert.equal(r.status, 1);
  assert.deepEqual(r.problems.sort(), [
    '@tutti/core must not depend on @tutti/engine (package.json)',
    '@tutti/lib-std must not depend on @tutti/lib-a (package.json)',
    'dependency cycle: @tutti/core -> @tutti/engine -> @tutti/core',
    'packages/core/package.json lists @tutti/engine in dependencies, but only tests (if anything) import it',
    'packages/engine/tsconfig.json does not reference @tutti/core, a dependency',
    'packages/engine/tsconfig.json references @tutti/lib-std, which is not a dependency',
    'packages/libs/std/package.json lists @tutti/lib-a in dependencies, but only tests (if anything) import it',
  ]);
});
