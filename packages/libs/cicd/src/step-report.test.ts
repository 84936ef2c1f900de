import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalState } from './step-report.js';

type Port = Parameters<typeof finalState>[0]['got'] extends Set<infer P> ? P : never;
const got = (ports: Port[], exit?: number | null) => ({ got: new Set(ports), ...(exit === undefined ? {} : { exit }) });

test('the final state of a step follows its first decisive signal', () => {
  assert.deepEqual(finalState(got(['trigger', 'started', 'completed', 'success'], 0), true), { state: 'passed', detail: 'exit 0' });
  assert.deepEqual(finalState(got(['trigger', 'started', 'failed', 'error'], 2), true), { state: 'failed', detail: 'exit 2' });
  // A container executor reports a non-zero exit as a completion: `error` decides.
  assert.deepEqual(finalState(got(['trigger', 'started', 'completed', 'error'], 1), true), { state: 'failed', detail: 'exit 1' });
  assert.deepEqual(finalState(got(['trigger', 'started', 'error'], null), true), { state: 'failed', detail: 'no exit code' });
  assert.deepEqual(finalState(got(['trigger', 'failed']), true), { state: 'failed', detail: 'failed' });
  assert.deepEqual(finalState(got(['trigger', 'started', 'terminated', 'failed']), true), { state: 'cancelled', detail: 'terminated' });
  assert.deepEqual(finalState(got([]), false), { state: 'skipped' });
  // Triggered, no command: nothing failed.
  assert.deepEqual(finalState(got(['trigger', 'completed']), true), { state: 'passed' });
  assert.deepEqual(finalState(got(['trigger']), true), { state: 'passed' });
  assert.deepEqual(finalState(got(['trigger', 'started']), false), { state: 'cancelled', detail: 'the run stopped' });
});
