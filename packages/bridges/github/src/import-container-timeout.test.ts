// A step's timeout-minutes in a job container, against the real container engine (podman
// here): the step's process INSIDE the container is stopped at the limit (killing the engine's
// `exec` client alone leaves it running), with `tutti github run` and with the imported project
// run by `tutti run` (`tutti github job step` under the step's watchdog), and the job's later
// `always()` step still runs and finds nothing left of it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCaptured, useContainerEngine } from '../test/support.js';
import { githubImport } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
let dir = '';

before(async () => {
  useContainerEngine();
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-container-timeout-'));
  await cp(fileURLToPath(new URL('../test/import-container-timeout', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const checks = (s: string) => [...s.matchAll(/│ (check: .*|slow .*)$/gm)].map((m) => m[1]!);
const EXPECTED = ['slow starts', 'check: no marker', 'check: no background-marker', 'check: processes left 0'];

test('tutti github run: a step timing out in a job container has its process there stopped', async () => {
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 1, gh.text);
  assert.match(gh.text, /has timed out after 0\.05 minutes/);
  assert.deepEqual(checks(gh.text), EXPECTED);
});

test('import: the same step in the imported project, run by tutti run, has the same outcome', async () => {
  const r = await githubImport(dir, undefined, join(dir, 'mel'), 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(dir, 'mel', 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout + run.stderr, /The step has timed out after 3 s/);
  assert.deepEqual(checks(run.stdout), EXPECTED);
  assert.match(run.stdout, /^✓ slow › Stop containers passed/m);
});
