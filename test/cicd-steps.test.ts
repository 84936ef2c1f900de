/**
 * The `cicd` package's steps on this host (`cicd/steps`, `cicd/naive`): `spawnCommands` through
 * `localStep`/`localStepTerminable`, their logs (one debug record per output line under the
 * step's name) and the step states they tell the host (Tutti's `reportStep`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runProgram } from './cicd-run.js';
import { ROOT } from './helpers.js';

test('local steps: output lines logged per step, success/error/failed rules, states with exit codes', async () => {
  process.env.TUTTI_TEST_WHO = 'tutti';
  const t0 = Date.now();
  const r = await runProgram(join(ROOT, 'test/cicd/local_steps.mel'));
  assert.equal(r.ok, true);
  // stdout and stderr lines, `\r\n` trimmed, the tail without newline kept.
  assert.deepEqual(r.lines('greet').sort(), ['a', 'b', 'hello tutti']);
  assert.deepEqual(r.states('greet'), ['waiting', 'running', 'passed']);
  assert.equal(r.last('greet')?.detail, 'exit 0');
  // The local executor stops at the non-zero exit: `echo unreachable` never runs.
  assert.deepEqual(r.states('fail'), ['waiting', 'running', 'failed']);
  assert.equal(r.last('fail')?.detail, 'exit 1');
  assert.ok(r.logs.some((l) => l.label === 'fail' && l.level === 'error' && l.message === 'Commands failed (non-zero exit)'));
  assert.deepEqual(r.lines('fail'), []);
  // Never triggered.
  assert.deepEqual(r.states('after'), ['waiting', 'skipped']);
  assert.deepEqual(r.lines('after'), []);
  // No command: neither success nor error, the step passes.
  assert.equal(r.last('empty')?.state, 'passed');
  // Terminated long before its 30 s.
  assert.deepEqual(r.states('long'), ['waiting', 'running', 'cancelled']);
  assert.ok(Date.now() - t0 < 10_000);
});

test('steps on one runner: two in parallel, a failing one stops the runner (stop_on_failure)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-runner-'));
  try {
    const r = await runProgram(join(ROOT, 'test/cicd/runner_steps.mel'), ['--dir', dir]);
    assert.equal(r.ok, true);
    // Each saw the other's marker: they ran at the same time on the one worker.
    assert.deepEqual(r.lines('a'), ['a saw b']);
    assert.deepEqual(r.lines('b'), ['b saw a']);
    for (const s of ['a', 'b']) {
      assert.deepEqual(r.states(s), ['waiting', 'preparing', 'running', 'passed']);
      assert.equal(r.last(s)?.runner, 'box');
    }
    assert.deepEqual(r.states('c'), ['waiting', 'preparing', 'running', 'failed']);
    assert.equal(r.last('c')?.detail, 'exit 7');
    assert.ok(r.logs.some((l) => l.label === 'c' && l.level === 'error' && l.message === 'Step failed'));
    assert.deepEqual(r.states('d'), ['waiting', 'skipped']);
    assert.ok(r.logs.some((l) => l.label === 'box' && l.message === 'Dispatch requested'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runAction: GITHUB_ENV and GITHUB_OUTPUT reach later steps, if skips, continue_on_error continues, the job result follows', async () => {
  const workflow = `wf-${randomUUID()}`;
  const contexts = JSON.stringify({ github: { workflow, repository: 'owner/repo' } });
  try {
    const r = await runProgram(join(ROOT, 'test/cicd/actions.mel'), ['--contexts', contexts]);
    assert.equal(r.ok, true);
    // bash -xe traces on stderr, the echo on stdout.
    assert.ok(r.lines('setup').includes("+ echo 'GREETING=hello from owner/repo'"), r.lines('setup').join('\n'));
    assert.ok(r.lines('Use the values').includes('hello from owner/repo, version 1.2.3'), r.lines('Use the values').join('\n'));
    assert.deepEqual(r.states('setup'), ['waiting', 'running', 'passed']);
    assert.deepEqual(r.states('never'), ['waiting', 'skipped']);
    assert.deepEqual(r.lines('never'), []);
    // continue-on-error: the step's conclusion is success, as on GitHub (its outcome, failure,
    // is in the detail), so the failure does not fail the run.
    assert.deepEqual(r.states('flaky'), ['waiting', 'running', 'passed']);
    assert.equal(r.last('flaky')?.detail, 'exit 4');
    // ⚑ job.status is failure even with continue-on-error (the reference's rule).
    const job = r.logs.find((l) => l.label === 'job');
    assert.deepEqual(JSON.parse(job?.message ?? 'null'), { job: { outputs: { version: '1.2.3' }, result: 'failure' } });
  } finally {
    for (const f of readdirSync(tmpdir())) if (f.startsWith(workflow)) rmSync(join(tmpdir(), f), { recursive: true, force: true });
  }
});

test('runAction: timeout_minutes and the job deadline kill the step (its process group), which fails', async () => {
  const workflow = `wf-${randomUUID()}`;
  const pidFile = join(tmpdir(), `${workflow}.pid`);
  process.env.PID_FILE = pidFile;
  const t0 = Date.now();
  try {
    const deadline = Math.floor(Date.now() / 1000) + 3;
    const r = await runProgram(join(ROOT, 'test/cicd/actions_timeout.mel'), [
      '--contexts',
      JSON.stringify({ github: { workflow, deadline: String(deadline) } }),
    ]);
    assert.equal(r.ok, true);
    assert.equal(r.last('slow')?.state, 'passed', 'continue-on-error: concluded as success');
    assert.ok(r.lines('slow').includes('The step has timed out after 1 s (timeout-minutes).'), r.lines('slow').join('\n'));
    // the whole group went: the background sleep too
    const pid = Number(readFileSync(pidFile, 'utf8'));
    let state = 'gone';
    try {
      // a killed process not yet reaped (its parent died with it) is a zombie: gone as well
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
    } catch {}
    assert.ok(state === 'gone' || state === 'Z', `the background sleep survived (${state})`);
    assert.deepEqual(r.lines('quick'), ['+ echo within the limit', 'within the limit']);
    assert.deepEqual(r.states('quick'), ['waiting', 'running', 'passed']);
    assert.equal(r.last('late')?.state, 'failed');
    assert.ok(r.lines('late').includes('The job has timed out (timeout-minutes).'), r.lines('late').join('\n'));
    assert.ok(Date.now() - t0 < 15_000, 'stopped long before the 30 s sleeps');
  } finally {
    delete process.env.PID_FILE;
    for (const f of readdirSync(tmpdir())) if (f.startsWith(workflow)) rmSync(join(tmpdir(), f), { recursive: true, force: true });
  }
});
