import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { stepLogsDir } from './steps.js';

test('the step logs folder: --step-logs, else beside --logs, else .tutti/logs/<run start>', () => {
  const at = new Date('2026-12-04T10:15:30.123Z');
  assert.equal(stepLogsDir({ stepLogs: 'x', logs: 'out/run.log' }, at, '/w'), 'x');
  assert.equal(stepLogsDir({ logs: 'out/run.log' }, at, '/w'), join('out', 'run.steps'));
  assert.equal(stepLogsDir({ logs: 'logs' }, at, '/w'), 'logs.steps');
  assert.equal(stepLogsDir({}, at, '/w'), join('/w', '.tutti', 'logs', '2026-12-04T10-15-30-123Z'));
});
