// tutti github import of what it used to leave out, each run with the outcome of
// `tutti github run` on the same workflow: a step's timeout-minutes given by an expression,
// continue-on-error of a job without a matrix, always() and cancelled() steps of a matrix leg
// cancelled by fail-fast.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
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

/**
 * The test folder `fixture` in a scratch git repository, imported (no warnings), checked, run
 * by `tutti run` and by `tutti github run`.
 */
async function importAndRun(
  fixture: string,
  platforms: Record<string, string> = {},
  workflow?: string,
  envOf: (dir: string, tool: 'run' | 'gh') => Promise<Record<string, string>> = async () => ({}),
) {
  const dir = await mkdtemp(join(tmpdir(), `tutti-gh-${fixture}-`));
  dirs.push(dir);
  await cp(fileURLToPath(new URL(`../test/${fixture}`, import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, workflow, out, 'acme/widgets', { platforms });
  assert.deepEqual(r.warnings, []);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...(await envOf(dir, 'run')) },
  });
  const gh = await runCaptured({
    cwd: dir,
    cacheDir: join(dir, 'cache'),
    platforms,
    env: await envOf(dir, 'gh'),
    ...(workflow ? { workflows: workflow } : {}),
  });
  return { dir, run, gh };
}

/** The jobs' outcomes the imported program logs (`job X succeeded|failed|skipped`). */
const melOutcomes = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/(?:info|error): ([\w-]+): job [\w-]+ (succeeded|failed|skipped)$/gm)].map((m) => [m[1]!, m[2]!]));

/** The lines the steps printed that start with one of `prefixes`, sorted. */
const printed = (text: string, prefixes: string[]) =>
  [...text.matchAll(/│ (.*)$/gm)]
    .map((m) => m[1]!)
    .filter((l) => prefixes.some((p) => l.startsWith(p)))
    .sort();

test('import: a step timeout-minutes given by an expression, evaluated as the step starts', async () => {
  const { run, gh } = await importAndRun('import-step-timeout');
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const ghOutcomes: Record<string, string> = {};
  for (const j of gh.report!.jobs) {
    const o = j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result;
    if (ghOutcomes[j.job] !== 'failed') ghOutcomes[j.job] = o;
  }
  assert.deepEqual(ghOutcomes, { plan: 'succeeded', slow: 'failed', quick: 'succeeded', legs: 'failed', tolerated: 'succeeded' });
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomes);
  const prefixes = ['slow', 'quick', 'leg ', 'tolerated', 'after'];
  assert.deepEqual(printed(run.stdout, prefixes), printed(gh.text, prefixes));
  assert.deepEqual(printed(gh.text, prefixes), [
    'after the bad limit',
    'leg 0.02 starts',
    'leg 5 ends',
    'leg 5 starts',
    'quick done',
    'slow cleanup',
    'slow starts',
  ]);
  // GitHub's messages, the limits from the expressions
  for (const text of [run.stdout, gh.text]) {
    assert.ok(text.includes("The action 'Too slow' has timed out after 0.02 minutes."), text);
    assert.ok(text.includes("The action 'Leg step' has timed out after 0.02 minutes."), text);
    assert.ok(text.includes('timeout-minutes must be a positive number'), text);
  }
});

/** The jobs' outcomes in `tutti github run`'s report: a matrix job failed when one leg did. */
function ghOutcomesOf(gh: { report?: { jobs: { job: string; result: string }[] } | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const j of gh.report!.jobs) {
    const o = j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result;
    if (out[j.job] !== 'failed') out[j.job] = o;
  }
  return out;
}

test('import: continue-on-error of a job without a matrix: its failure fails neither the run nor the jobs needing it', async () => {
  const tolerated = await importAndRun('import-job-coe', {}, '.github/workflows/tolerated.yml');
  const { run, gh } = tolerated;
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  // the jobs failed (the report's legs), yet the job needing them ran and saw success
  // (a matrix job: the report lists legs, one failed; the job itself succeeded)
  assert.deepEqual(ghOutcomesOf(gh), { flaky: 'failed', 'by-expression': 'failed', after: 'succeeded', experimental: 'failed' });
  assert.deepEqual(melOutcomes(run.stdout), { ...ghOutcomesOf(gh), experimental: 'succeeded' });
  const prefixes = ['flaky', 'by-expression', 'after', 'experimental'];
  assert.deepEqual(printed(run.stdout, prefixes), printed(gh.text, prefixes));
  assert.deepEqual(printed(gh.text, prefixes), [
    'after saw success kept success',
    'by-expression fails',
    'experimental false',
    'experimental true',
    'flaky cleanup sees failure',
    'flaky fails',
  ]);
  assert.match(run.stdout, /job flaky: its failure does not fail the run \(continue-on-error\)/);

  // an expression that does not hold: the failure fails the run, the needing job is skipped
  const strict = await importAndRun('import-job-coe', {}, '.github/workflows/strict.yml');
  assert.equal(strict.gh.status, 1, strict.gh.text);
  assert.equal(strict.run.status, strict.gh.status, strict.run.stdout + strict.run.stderr);
  assert.deepEqual(ghOutcomesOf(strict.gh), { strict: 'failed', never: 'skipped', 'on-failure': 'succeeded' });
  const { never: _never, ...ran } = ghOutcomesOf(strict.gh);
  assert.deepEqual(melOutcomes(strict.run.stdout), ran);
  const p2 = ['strict', 'never', 'on-failure'];
  assert.deepEqual(printed(strict.run.stdout, p2), printed(strict.gh.text, p2));
  assert.deepEqual(printed(strict.gh.text, p2), ['on-failure saw failure', 'strict fails']);
});

test('import: a leg cancelled by fail-fast runs its always() and cancelled() steps, as tutti github run and GitHub', async () => {
  // each tool its own marks folder: the failing leg waits for the other to have started
  const marks = async (dir: string, tool: 'run' | 'gh') => {
    await mkdir(join(dir, `marks-${tool}`));
    return { MARKS: join(dir, `marks-${tool}`) };
  };
  const { run, gh } = await importAndRun('import-cancelled-leg', {}, undefined, marks);
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const legs = Object.fromEntries(gh.report!.jobs.map((j) => [j.name, j.result]));
  assert.deepEqual(legs, { 'legs (fail)': 'failure', 'legs (slow)': 'cancelled', after: 'success' });
  assert.deepEqual(melOutcomes(run.stdout), { legs: 'failed', after: 'succeeded' });
  const prefixes = ['fail', 'slow', 'always', 'cancelled', 'failure', 'either', 'normal', 'after'];
  assert.deepEqual(printed(run.stdout, prefixes), printed(gh.text, prefixes));
  assert.deepEqual(printed(gh.text, prefixes), [
    'after saw failure',
    'always fail',
    'always slow',
    'cancelled slow',
    'either fail',
    'either slow',
    'fail leg fails',
    'failure fail',
    'slow leg started',
  ]);
  // the slow leg's running step was stopped, not run to its end
  assert.match(run.stdout, /The job was cancelled: another leg of its matrix failed \(fail-fast\)\./);
});
