// tutti github import of where a job runs when only the run knows it: `runs-on` given by an
// expression (a label, a list, a `group:`/`labels:` mapping) matched with `-P LABEL=host|IMAGE`, and `container:` given by one expression (an
// image or a mapping), run by `tutti run` with the outcome of `tutti github run -P` on the same
// workflow, on the host and in containers of the real container engine (podman here).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPath } from '@tutti/driver';
import { containerLeftovers, runCaptured, useContainerEngine } from '../test/support.js';
import { githubImport, onPlatform, runsOnContainer } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const IMAGE = 'localhost/debian:bookworm';
const PLATFORMS = { 'ubuntu-latest': 'host', debian: IMAGE };
let dir = '';

before(async () => {
  useContainerEngine();
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-dynamic-'));
  await cp(fileURLToPath(new URL('../test/import-dynamic-container', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('runsOnContainer: a runs-on by expression as a container chosen at run time, only when -P maps a label to an image', () => {
  assert.equal(runsOnContainer('${{ matrix.os }}', { 'ubuntu-latest': 'host' }), undefined);
  assert.match(runsOnContainer({ group: '${{ inputs.g }}', labels: ['linux'] }, PLATFORMS)!, /^\$\{\{ [^}]* \}\}$/);
  const c = runsOnContainer(['self-hosted', 'ubuntu-${{ inputs.v }}'], { 'ubuntu-22.04': 'img.example/u:22' });
  // (no `}` inside: the realm's placeholders end at the first; no `.` in literals: it rewrites `.name`)
  assert.match(c!, /^\$\{\{ [^}]* \}\}$/);
  assert.deepEqual(
    [...c!.matchAll(/"(?:[^"\\]|\\.)*"/g)].filter((m) => m[0].includes('.')),
    [],
  );
  const job = onPlatform({ 'runs-on': '${{ matrix.os }}' }, PLATFORMS);
  assert.equal(typeof job.container, 'string');
});

test('import -P with runs-on and container: given by expressions: host or image chosen at run time, as tutti github run -P', async () => {
  const r = await githubImport(dir, undefined, join(dir, 'mel'), 'acme/widgets', { platforms: PLATFORMS });
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(dir, 'mel', 'ci.mel'), 'utf8');
  assert.match(mel, /TUTTI_JOB_CONTAINER", "\{\\"tutti_json\\":1\}"/);
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
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache'), platforms: PLATFORMS });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:leg|runner|json|matrix|mapping|group) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'group debian in the container',
    'group ubuntu-latest in the host',
    'json container in the container with planned',
    'leg debian in the container',
    'leg ubuntu-latest in the host',
    'mapping debian in the container',
    'mapping from json debian in the container',
    'matrix container in the container with first',
    'matrix container in the host with no env',
    'runner debian in the container',
  ]);
  // the containers went through the job environment: started, then removed
  assert.match(run.stdout, /^by-need › Initiali[^│]*│ Starting job container \(localhost\/debian:bookworm\)$/m);
  assert.match(run.stdout, /^✓ from-json › Stop containers passed/m);
  // (only this run's: other runs may use the engine at the same time)
  const nets = new Set([...run.stdout.matchAll(/Job environment up \(network (tutti-gh-[0-9a-f]+)\)/g)].map((m) => m[1]!));
  assert.ok(nets.size > 0, run.stdout);
  assert.deepEqual(
    containerLeftovers().filter((n) => [...nets].some((x) => n === x || n.startsWith(`${x}-`))),
    [],
  );
});
