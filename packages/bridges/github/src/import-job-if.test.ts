// tutti github import: the job `if:` of matrix jobs (over needs, status functions) and a job's
// `timeout-minutes` given by an expression, run with the outcome of `tutti github run`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
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

test('import: job if: of matrix jobs over needs and status functions, timeout-minutes by an expression', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-job-if-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-job-if', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  assert.ok(Date.now() - t0 < 25_000, 'the timeouts stopped the 30 s sleeps');
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  const text = gh.text;
  assert.equal(gh.status, 1, text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const melOutcomes = Object.fromEntries(
    [...run.stdout.matchAll(/(?:info|error): ([\w-]+): job [\w-]+ (succeeded|failed|skipped)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const ghOutcomes: Record<string, string> = {};
  for (const j of gh.report!.jobs) {
    const o = j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result;
    if (ghOutcomes[j.job] !== 'failed') ghOutcomes[j.job] = o;
  }
  assert.deepEqual(melOutcomes, ghOutcomes);
  assert.deepEqual(ghOutcomes, {
    plan: 'succeeded',
    broken: 'failed',
    'legs-go': 'succeeded',
    'legs-stay': 'skipped',
    'legs-always': 'succeeded',
    'legs-on-failure': 'succeeded',
    'legs-on-success': 'skipped',
    timed: 'failed',
    'timed-legs': 'failed',
  });
  const lines = (s: string) => [...s.matchAll(/│ ((?:leg|always leg|failure leg|success leg|timed) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(text));
  assert.deepEqual(lines(text), [
    'always leg 1 saw broken failure',
    'always leg 2 saw broken failure',
    'failure leg 1',
    'failure leg 2',
    'leg 1 went',
    'leg 2 went',
    'timed cleanup',
    'timed starts',
  ]);
  // the deadlines came from the expressions, evaluated in each job's (leg's) realm
  assert.equal([...run.stdout.matchAll(/│ The job has timed out \(timeout-minutes\)\./g)].length, 2, run.stdout);
});
