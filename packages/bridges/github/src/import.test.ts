// tutti github import: the generated project is accepted by the checker (the driver's checkPath,
// as `tutti check`) and `tutti run` gives the same outcome as `tutti github run`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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

/** A scratch git repository holding a copy of the test folder `fixture`. */
async function repository(fixture: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  await cp(fileURLToPath(new URL(`../test/${fixture}`, import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

/** Asserts that the imported project at `out` checks without error (as `tutti check`). */
async function assertChecks(out: string): Promise<void> {
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
}

/** `tutti run` of the imported project at `out`, in `dir`, with plain progress and `CI=true`. */
function runImported(dir: string, out: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
  });
}

test('import writes a checked project that runs with the outcome of tutti github run', async () => {
  const dir = await repository('import', 'tutti-gh-import-');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.files, ['Compo.toml', 'ci.mel']);
  // actions/checkout: the imported steps run in the working tree itself
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  // readable: treatments after the jobs, comments with the step names
  for (const s of [
    'treatment job_build[contexts: JavaScriptEngine]()',
    '    // Setup',
    'needs1: waitBlock<void>()',
    '// Run actions/checkout@v4: the steps run in the working tree (what checking out this repository gives)',
  ])
    assert.ok(mel.includes(s), `missing ${s}\n${mel}`);

  await assertChecks(out);

  const run = runImported(dir, out);
  assert.equal(run.status, 0, run.stderr);
  const melJobs = [...run.stdout.matchAll(/info: (\w+): job \w+ succeeded/g)].map((m) => m[1]).sort();
  assert.ok(run.stdout.includes('hello bar 1.2.3'), run.stdout);

  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  const text = gh.text;
  assert.equal(gh.status, 0);
  assert.ok(text.includes('│ hello bar 1.2.3'), text);
  const ghJobs = gh
    .report!.jobs.filter((j) => j.result === 'success')
    .map((j) => j.job)
    .sort();
  assert.deepEqual(melJobs, ghJobs);
  assert.deepEqual(ghJobs, ['build', 'deploy', 'lint', 'test']);
});

/** Each job's outcome: `succeeded`/`failed` from the imported program's log lines. */
const melOutcomes = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/(?:info|error): ([\w-]+): job [\w-]+ (succeeded|failed)/g)].map((m) => [m[1]!, m[2]!]));

test('import: if: on any step (skips, status functions on the failure path), matrices (one track per leg)', async () => {
  const dir = await repository('import-steps', 'tutti-gh-import-steps-');
  execFileSync('git', ['remote', 'add', 'origin', 'git@github.com:acme/widgets.git'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  // (its actions/upload-artifact is imported as the script that stores the files)
  assert.deepEqual(r.warnings, []);
  await assertChecks(out);
  const run = runImported(dir, out);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  const text = gh.text;
  // the same exit status, the same job outcomes (a matrix job: every leg), the same step lines
  assert.equal(gh.status, 1, text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const ghOutcomes: Record<string, string> = {};
  for (const j of gh.report!.jobs)
    if (j.result === 'success' || j.result === 'failure')
      ghOutcomes[j.job] = ghOutcomes[j.job] === 'failed' || j.result === 'failure' ? 'failed' : 'succeeded';
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomes);
  assert.deepEqual(ghOutcomes, {
    conditions: 'succeeded',
    failing: 'failed',
    legs: 'succeeded',
    'after-legs': 'succeeded',
    'only-in-acme': 'succeeded',
  });
  assert.match(run.stdout, /only-on-pr: job only-on-pr skipped/);
  const lines = (s: string) =>
    [
      ...s.matchAll(
        /│ (first|after a skipped step|always runs|before|on failure|cleanup|leg .*|only alpine|all legs done|never.*|not after.*|no failure.*)$/gm,
      ),
    ]
      .map((m) => m[1]!)
      .sort();
  assert.deepEqual(lines(run.stdout), lines(text));
  assert.ok(lines(text).includes('leg alpine 1 of 3'), text);
  // the steps that passed and failed, under the labels of tutti github run (`job › step`, `job (leg) › step`)
  // (the actions, upload-artifact and checkout, are not steps of the imported program)
  const steps = (s: string) =>
    [...new Set([...s.matchAll(/^([✓✗]) (.+ › .+) (passed|failed) \(/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`))]
      .filter((l) => !l.includes('› Run actions/'))
      .sort();
  assert.deepEqual(steps(run.stdout), steps(text));
  assert.ok(steps(text).includes('✓ legs (alpine, 1) › Run echo "only alpine" passed'), text);
  assert.ok(steps(text).includes('✗ failing › Run exit 2 failed'), text);
});

test('import: job outputs and the needs context across jobs, job if: over needs and status functions, timeout-minutes of steps and jobs', async () => {
  const dir = await repository('import-jobs', 'tutti-gh-import-jobs-');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  await assertChecks(out);
  const stores = () => readdirSync(tmpdir()).filter((f) => f.startsWith('tutti-artifacts-')).length;
  const storesBefore = stores();
  const t0 = Date.now();
  const run = runImported(dir, out);
  assert.ok(Date.now() - t0 < 20_000, 'the timeouts stopped the 30 s sleeps');
  assert.equal(stores(), storesBefore, "the run's artifact store is removed at its end");
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  const text = gh.text;
  // `stuck` timed out: both runs fail, with the same job outcomes
  assert.equal(gh.status, 1, text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const ghOutcomes: Record<string, string> = {};
  for (const j of gh.report!.jobs)
    if (j.result === 'success' || j.result === 'failure') ghOutcomes[j.job] = j.result === 'failure' ? 'failed' : 'succeeded';
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomes);
  assert.deepEqual(ghOutcomes, {
    plan: 'succeeded',
    build: 'succeeded',
    deploy: 'succeeded',
    stuck: 'failed',
    broken: 'failed',
    report: 'succeeded',
    'on-failure': 'succeeded',
    make: 'succeeded',
    use: 'succeeded',
  });
  assert.match(run.stdout, /never: job never skipped/);
  const lines = (s: string) =>
    [
      ...s.matchAll(
        /│ (building .*|after the tolerated timeout|deploying .*|never.*|stuck starts|cleanup after.*|report .*|broken failed.*|got .*)$/gm,
      ),
    ]
      .map((m) => m[1]!)
      .sort();
  assert.deepEqual(lines(run.stdout), lines(text));
  assert.deepEqual(lines(text), [
    'after the tolerated timeout',
    'broken failed, as on-failure saw',
    'building 1.2.3 for staging (plan success)',
    'cleanup after the job timeout',
    'deploying 1.2.3',
    'got one two tmp=none at got',
    'report plan=success broken=failure',
    'stuck starts',
  ]);
  assert.ok(run.stdout.includes('The step has timed out after 2 s (timeout-minutes).'), run.stdout);
  assert.ok(run.stdout.includes('The job has timed out (timeout-minutes).'), run.stdout);
});

test('import: uses: steps of local composite and JavaScript actions, remote actions from the action cache, actions/cache', async () => {
  const dir = await repository('import-actions', 'tutti-gh-import-actions-');
  // the remote action acme/shout@v1 in the action cache of each run (nothing is cloned)
  const caches = { mel: join(dir, 'xdg-mel'), gh: join(dir, 'xdg-gh') };
  for (const c of Object.values(caches))
    await cp(join(dir, 'remote/shout'), join(c, 'tutti/github/actions/acme/shout@v1'), { recursive: true });
  await rm(join(dir, 'remote'), { recursive: true });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  for (const s of ["github action './.github/actions/greet'", '|entry("INPUT_WHO", "tutti")', "github action 'actions/cache/restore@v4'"])
    assert.ok(mel.includes(s), `missing ${s}\n${mel}`);
  await assertChecks(out);
  const melRun = () => runImported(dir, out, { XDG_CACHE_HOME: caches.mel });
  const ghRun = () => runCaptured({ cwd: dir, cacheDir: join(caches.gh, 'tutti/github') });
  const lines = (s: string) =>
    [...s.matchAll(/│ (greet says .*|count: .*|got .*|length .*|shouted .*|cache hit .*|deps .*|after the count.*|broken job .*)$/gm)]
      .map((m) => m[1]!)
      .sort();
  // twice each: the cache misses, saves at the end of the job, then hits
  for (const round of [1, 2]) {
    const run = melRun();
    // the imported steps ran in the working tree, which the checkout would copy
    await rm(join(dir, 'deps'), { recursive: true, force: true });
    const gh = await ghRun();
    assert.equal(gh.status, 1, gh.text);
    assert.equal(run.status, gh.status, run.stdout + run.stderr);
    const ghOutcomes: Record<string, string> = {};
    for (const j of gh.report!.jobs) ghOutcomes[j.job] = j.result === 'failure' ? 'failed' : 'succeeded';
    assert.deepEqual(melOutcomes(run.stdout), ghOutcomes);
    assert.deepEqual(ghOutcomes, { local: 'succeeded', remote: 'succeeded', broken: 'failed', cached: 'succeeded' });
    assert.deepEqual(lines(run.stdout), lines(gh.text));
    assert.deepEqual(lines(gh.text), [
      'broken job cleans up',
      `cache hit ${round === 1 ? 'false' : 'true'}`,
      "count: 'graph' has 5 letters",
      "count: 'tutti' has 5 letters",
      round === 1 ? 'deps installed' : 'deps restored: left-pad 1.3.0',
      'got hello tutti! counted=tutti',
      'greet says hello tutti!',
      'length 5',
      'shouted QUIET PLEASE',
    ]);
  }
});

test("import: a matrix job's outputs merged as GitHub merges them, its result and status functions over it", async () => {
  const dir = await repository('import-matrix', 'tutti-gh-import-matrix-');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  await assertChecks(out);
  const run = runImported(dir, out);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const ghOutcomes: Record<string, string> = {};
  // a matrix job's legs: one failed leg fails the job
  for (const j of gh.report!.jobs) if (ghOutcomes[j.job] !== 'failed') ghOutcomes[j.job] = j.result === 'failure' ? 'failed' : 'succeeded';
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomes);
  assert.deepEqual(ghOutcomes, { build: 'succeeded', use: 'succeeded', flaky: 'failed', report: 'succeeded', after: 'succeeded' });
  const lines = (s: string) => [...s.matchAll(/│ (outputs .*|flaky .*|a need failed|leg got .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'a need failed',
    'flaky failure',
    'leg got built-linux',
    'leg got built-mac',
    'outputs linux=built-linux mac=built-mac result=success',
  ]);
  // labelled as tutti github run labels them, with the step's own text
  assert.ok(
    run.stdout.includes('✓ build (linux) › Run echo "leg got ${{ steps.o.outputs.linux }}${{ steps.o.outputs.mac }}" passed'),
    run.stdout,
  );
});

/** The job outcomes of `tutti github run`'s report: a matrix job failed when one leg failed. */
function ghOutcomesOf(report: { jobs: { job: string; result: string }[] }): Record<string, string> {
  const outcomes: Record<string, string> = {};
  for (const j of report.jobs)
    if (j.result === 'success' || j.result === 'failure' || j.result === 'cancelled')
      outcomes[j.job] = outcomes[j.job] === 'failed' || j.result !== 'success' ? 'failed' : 'succeeded';
  return outcomes;
}

test('import: matrices computed at run time (a whole matrix, a dimension and include from expressions), outputs merged', async () => {
  const dir = await repository('import-computed', 'tutti-gh-import-computed-');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'computed.mel'), 'utf8');
  for (const s of [
    'treatment legs_build[contexts: JavaScriptEngine, matrix: GithubMatrix]()',
    '  require @GithubLeg',
    // (the expression compiled for GitHub's functions in the realm: compile.ts)
    'matrix = "\\"${{ __gh_fromJSON(__gh_idx(__gh_idx(__gh_idx(needs, \\\\\\"plan\\\\\\"), \\\\\\"outputs\\\\\\"), \\\\\\"m\\\\\\")) }}\\""',
  ])
    assert.ok(mel.includes(s), `missing ${s}\n${mel}`);
  await assertChecks(out);
  const run = runImported(dir, out);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomesOf(gh.report!));
  assert.deepEqual(melOutcomes(run.stdout), { plan: 'succeeded', build: 'succeeded', dims: 'succeeded', use: 'succeeded' });
  const lines = (s: string) => [...s.matchAll(/│ (leg .*|dims .*|use .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'dims a-',
    'dims b-',
    'dims bsd-22',
    'leg linux/18 got built-linux (3 legs)',
    'leg linux/20 got built-linux (3 legs)',
    'leg mac/20 got built-mac (3 legs)',
    'use linux=built-linux mac=built-mac build=success dims=success',
  ]);
  // the legs' names and steps, labelled as tutti github run labels them
  const steps = (s: string) =>
    [...new Set([...s.matchAll(/^([✓✗]) (.+ › .+) (passed|failed) \(/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`))].sort();
  assert.deepEqual(steps(run.stdout), steps(gh.text));
  assert.ok(steps(gh.text).includes('✓ dims (bsd, 22) › Run echo "dims ${{ matrix.os }}-${{ matrix.node }}" passed'), gh.text);
});

test('import: fail-fast and max-parallel, static and computed, as tutti github run applies them', async () => {
  const dir = await repository('import-strategy', 'tutti-gh-import-strategy-');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  await assertChecks(out);
  const marks = join(dir, 'marks');
  const read = (f: string) => readFileSync(join(marks, f), 'utf8').trim().split('\n');
  const serial = ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'];
  const outcomes = {
    serial: 'succeeded',
    'stop-early': 'failed',
    'cancel-running': 'failed',
    'keep-going': 'failed',
    limits: 'succeeded',
    computed: 'failed',
    experimental: 'succeeded',
    report: 'succeeded',
  };
  const lines = (s: string) =>
    [...s.matchAll(/│ (stop-early .*|keep-going .*|experimental .*|failing fails|slow was not cancelled|results .*)$/gm)]
      .map((m) => m[1]!)
      .sort();
  const expected = [
    'experimental 1',
    'experimental 2',
    'experimental 3',
    'failing fails',
    'keep-going 1',
    'keep-going 2',
    'results success failure failure failure failure success',
    'stop-early 1',
  ];

  await mkdir(marks);
  const t0 = Date.now();
  const run = runImported(dir, out, { MARKS: marks });
  // the slow leg (sleep 30) was cancelled by its failing sibling
  assert.ok(Date.now() - t0 < 25_000, 'fail-fast stopped the running leg');
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.deepEqual(melOutcomes(run.stdout), outcomes);
  assert.deepEqual(lines(run.stdout), expected);
  // max-parallel: 1 (given, and computed): one leg at a time, in order
  assert.deepEqual(read('serial'), serial);
  assert.deepEqual(read('computed'), serial);
  assert.ok(existsSync(join(marks, 'slow-started')));
  for (const n of [2, 3])
    assert.match(run.stdout, new RegExp(`stop-early \\(${n}\\) cancelled: another leg of its matrix failed \\(fail-fast\\)`));
  // the running one is told so too
  assert.ok(run.stdout.includes('cancel-running (slow) cancelled: another leg of its matrix failed (fail-fast)'), run.stdout);
  // ... and its step says why it stopped
  assert.ok(run.stdout.includes('The job was cancelled: another leg of its matrix failed (fail-fast).'), run.stdout);

  await rm(marks, { recursive: true });
  await mkdir(marks);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache'), env: { MARKS: marks } });
  assert.equal(gh.status, run.status, gh.text);
  // (the report lists legs: the experimental one failed; the job's result, success, is in the results line)
  assert.deepEqual(ghOutcomesOf(gh.report!), { ...outcomes, experimental: 'failed' });
  assert.deepEqual(lines(gh.text), expected);
  assert.deepEqual(read('serial'), serial);
  assert.deepEqual(read('computed'), serial);
});
