/**
 * The `cicd` package's steps on this host (libraries §15.3–§15.4): `spawnCommands` through
 * `localStep`/`localStepTerminable`, their logs (one debug record per output line under the
 * step's name) and the step states they tell the host (Tutti's `reportStep`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
