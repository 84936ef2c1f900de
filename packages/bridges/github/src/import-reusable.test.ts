// tutti github import of jobs calling reusable workflows: the called jobs imported inside the
// caller's graph, and `tutti run` of the project gives the outcome of `tutti github run`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPath } from '@tutti/driver';
import { runCaptured } from '../test/support.js';
import { githubImport } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('import: reusable workflows called by jobs (inputs, defaults, secrets, outputs, needs, if:) run as under tutti github run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-reusable-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-reusable', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  // build.yml (on: workflow_call) is no area of its own: its jobs are in ci.mel, once per call
  assert.deepEqual(r.files, ['Compo.toml', 'ci.mel']);
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  for (const s of [
    'treatment job_release___compile[contexts: JavaScriptEngine]()',
    'Job `release`: calls the reusable workflow .github/workflows/build.yml',
  ])
    assert.ok(mel.includes(s), `missing ${s}`);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );

  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  const text = gh.text;
  assert.equal(gh.status, 1, text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  // the same outcome for each job, the calls and their called jobs (`<call> / <job>`)
  const melOutcomes = Object.fromEntries(
    [...run.stdout.matchAll(/(?:info|error): ([\w /-]+): job [\w /-]+ (succeeded|failed|skipped)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const ghOutcomes = Object.fromEntries(
    gh.report!.jobs.map((j) => [j.name, j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result]),
  );
  assert.deepEqual(ghOutcomes, {
    plan: 'succeeded',
    release: 'succeeded',
    'release / compile': 'succeeded',
    'release / package': 'succeeded',
    'release / publish': 'succeeded',
    quiet: 'succeeded',
    'quiet / compile': 'succeeded',
    'quiet / package': 'succeeded',
    announce: 'succeeded',
    broken: 'failed',
    'broken / compile': 'failed',
    'after-broken': 'succeeded',
    'on-pull-request': 'skipped',
  });
  // (the imported program logs the called jobs skipped by their if: too)
  assert.deepEqual(melOutcomes, { ...ghOutcomes, 'quiet / publish': 'skipped' });
  // the same lines: inputs given, their defaults, boolean inputs in if:, the secrets passed,
  // the called jobs' needs, the call's outputs in needs.<call>, its result for always() jobs
  const lines = (s: string) =>
    [...s.matchAll(/│ ((?:compiling|publishing|announce|broken was|[\w.]+ with(?:out)?) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(text));
  assert.deepEqual(lines(text), [
    '0.9 without a token',
    '1.2.3 with a token',
    'announce app-1.2.3.tar and app-0.9.tar (success)',
    "broken was failure, artifact ''",
    'broken without a token',
    'compiling 0.9 (lean)',
    'compiling 1.2.3 (plain)',
    'compiling broken (plain)',
    'publishing app-1.2.3.tar',
  ]);
});

test('import: a called job with a matrix (computed from the call inputs) runs its legs as tracks, as under tutti github run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-reusable-matrix-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-reusable-matrix', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  // the called matrix job: one treatment run per leg, its githubMatrix naming its result as the called workflow does
  for (const s of [
    'treatment job_grid___legs[contexts: JavaScriptEngine](leg: string)',
    'githubMatrix[github_matrix = matrix_job_grid___legs',
  ])
    assert.ok(mel.includes(s), `missing ${s}`);
  assert.match(mel, /githubMatrix\[[^\]]*\]\(job = "legs", name = "grid \/ legs"/);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:leg|summary|after) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'after x-a p-1 (success)',
    'leg p-1 of 2',
    'leg p-2 of 2',
    'leg x-a of 3',
    'leg x-b of 3',
    'leg x-c of 3',
    'summary success p-1',
    'summary success x-a',
  ]);
});

test('import: two calls of one reusable workflow, and two jobs with one step id, keep their step outputs and GITHUB_ENV apart, run after run, as under tutti github run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-reusable-twice-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-reusable-twice', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  // the step files in a temporary directory of the test's, to see that none is left
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const tuttiRun = () =>
    spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', TMPDIR: tmp },
    });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  const lines = (s: string) => [...s.matchAll(/│ ((?:start|say|job|report) .*)$/gm)].map((m) => m[1]!.trimEnd()).sort();
  const expected = [
    'job a got a, env SEEN_a in twice',
    'job b got b, env',
    'report one two a',
    'say one got one, env SEEN_one in twice',
    'say two got two, env SEEN_two in twice',
    "start b with ''",
    "start one with ''",
    "start two with ''",
  ];
  assert.deepEqual(lines(gh.text), expected);
  // twice: the second run reads nothing the first one wrote
  for (const attempt of [1, 2]) {
    const run = tuttiRun();
    assert.equal(run.status, 0, `run ${attempt}: ${run.stdout}${run.stderr}`);
    assert.deepEqual(lines(run.stdout), expected, `run ${attempt}`);
    assert.deepEqual(
      (await readdir(tmp)).filter((f) => f.startsWith('tutti-github-')),
      [],
      'the run removes its step files',
    );
  }
});

test('import: a matrix of calls runs the called jobs once per leg (with: from the matrix, max-parallel, fail-fast, merged outputs), as under tutti github run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-matrix-calls-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-reusable-matrix-calls', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  for (const s of ['treatment legs_call[', 'leg: githubLeg[github_matrix = matrix]()', 'githubMatrix[github_matrix = matrix_job_call'])
    assert.ok(mel.includes(s), `missing ${s}`);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:part|merged|exiting|ff result) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'exiting with 3',
    'ff result failure',
    // max-parallel 1: the legs end in order, the last one setting the output wins
    'merged said hi-bob result success',
    'part ann x1 heard hi-ann in grid',
    'part ann x3 heard hi-ann in grid',
    'part bob x3 heard hi-bob in grid',
  ]);
  // the called jobs named after their call's leg, as tutti github run names them
  for (const name of ['call (ann, 1) / first', 'call (bob, 3) / second', 'ff (3) / leave'])
    assert.match(run.stdout, new RegExp(`job ${name.replace(/[()]/g, '\\$&')} (succeeded|failed)`), name);
});
