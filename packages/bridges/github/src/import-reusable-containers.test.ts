// tutti github import of a matrix of calls whose called job has a container: against the real
// container engine (podman here), compared with tutti github run; each leg's job environment is
// its own (two legs at once), and nothing is left behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerLeftovers, runCaptured, useContainerEngine } from '../test/support.js';
import { githubImport } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('import: a matrix of calls of a container job, two legs at once, each in its own job environment, as under tutti github run', async () => {
  useContainerEngine();
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-reusable-containers-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-reusable-containers', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const before = new Set(containerLeftovers());
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:boxed|after) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'after result success',
    'boxed ann got ann',
    'boxed ann in debian 12',
    'boxed bob got bob',
    'boxed bob in debian 12',
  ]);
  assert.deepEqual(
    containerLeftovers().filter((n) => !before.has(n)),
    [],
    'no container or network left',
  );
});
