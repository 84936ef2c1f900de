// tutti github import -P LABEL=IMAGE: the jobs with that runs-on label imported as container
// jobs in IMAGE (the bridge's job environment), run by `tutti run` with the outcome of
// `tutti github run -P` on the same workflow, against the real container engine (podman here).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPath } from '@tutti/driver';
import { runCaptured, useContainerEngine } from '../test/support.js';
import { githubImport, onPlatform } from './import.js';
import { runsOnLabels } from './workflow.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const IMAGE = 'localhost/debian:bookworm';
let dir = '';

before(async () => {
  useContainerEngine();
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-platform-'));
  await cp(fileURLToPath(new URL('../test/import-platform', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('onPlatform: the runs-on labels -P maps to an image give the job container, as tutti github run takes them', () => {
  const P = { 'ubuntu-latest': 'img:1', big: 'img:2', 'self-hosted': 'host' };
  assert.deepEqual(onPlatform({ 'runs-on': 'ubuntu-latest' }, P), { 'runs-on': 'ubuntu-latest', container: 'img:1' });
  // no runs-on: ubuntu-latest; the last label mapped wins; host and unknown labels: no container
  assert.equal(onPlatform({}, P).container, 'img:1');
  assert.equal(onPlatform({ 'runs-on': ['ubuntu-latest', 'big'] }, P).container, 'img:2');
  assert.equal(onPlatform({ 'runs-on': ['self-hosted', 'linux'] }, P).container, undefined);
  // a mapping: its group, then its labels (a label or a list)
  assert.equal(onPlatform({ 'runs-on': { group: 'big', labels: ['linux'] } }, P).container, 'img:2');
  assert.equal(onPlatform({ 'runs-on': { group: 'big', labels: 'ubuntu-latest' } }, P).container, 'img:1');
  assert.equal(onPlatform({ 'runs-on': { group: 'runners' } }, P).container, undefined);
  // a job's own container: stays
  assert.equal(onPlatform({ 'runs-on': 'ubuntu-latest', container: 'mine' }, P).container, 'mine');
  // a runs-on given by expressions, a mapping's too: the image chosen at run time (import-dynamic-container.test.ts)
  assert.match(String(onPlatform({ 'runs-on': '${{ matrix.os }}' }, P).container), /^\$\{\{ /);
  assert.match(String(onPlatform({ 'runs-on': { group: '${{ inputs.g }}' } }, P).container), /^\$\{\{ /);
});

test('runsOnLabels: a label, a list, a group and labels mapping', () => {
  assert.deepEqual(runsOnLabels('ubuntu-latest'), ['ubuntu-latest']);
  assert.deepEqual(runsOnLabels(['self-hosted', 'linux']), ['self-hosted', 'linux']);
  assert.deepEqual(runsOnLabels({ group: 'g', labels: ['a', 'b'] }), ['g', 'a', 'b']);
  assert.deepEqual(runsOnLabels({ labels: 'a' }), ['a']);
  assert.deepEqual(runsOnLabels({ group: 'g' }), ['g']);
});

test('import -P ubuntu-latest=IMAGE: those jobs in containers, the others on the host, as tutti github run -P', async () => {
  const r = await githubImport(dir, undefined, join(dir, 'mel'), 'acme/widgets', { platforms: { 'ubuntu-latest': IMAGE } });
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(dir, 'mel', 'ci.mel'), 'utf8');
  assert.match(mel, /TUTTI_JOB_CONTAINER", "\\"localhost\/debian:bookworm\\""/);
  // a matrix job's legs: one treatment, each leg's job environment keyed by its job index
  assert.match(mel, /github job up 'ci\.job_legs-\$\{\{ strategy\[\\"job-index\\"\] \}\}'/);
  const checked = await checkPath(join(dir, 'mel', 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(dir, 'mel', 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache'), platforms: { 'ubuntu-latest': IMAGE } });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:in debian|on the host|own container|leg \d|group) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  const repo = dir.split('/').at(-1)!;
  assert.deepEqual(lines(gh.text), [
    'group gpu in debian 12',
    `in debian 12 at /__w/${repo}/${repo}`,
    'leg 1 in debian 12',
    'leg 2 in debian 12',
    'on the host after debian 12',
    `own container at /__w/${repo}/${repo}`,
  ]);
  // the job mapped by -P went through the job environment: started, then removed
  assert.match(run.stdout, /^in-image › Initiali[^│]*│ Starting job container \(localhost\/debian:bookworm\)$/m);
  assert.match(run.stdout, /^✓ in-image › Stop containers passed/m);
});
