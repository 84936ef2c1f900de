import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBoard } from './progress.js';
import { renderSummary } from './summary.js';

test('the summary lists each step, its outcome and duration, then the critical path', () => {
  const b = new ProgressBoard(() => 0);
  const run = (name: string, start: number, end: number, state: 'passed' | 'failed', needs: string[] = [], detail?: string) => {
    b.update({ name, state: 'running', time: start, needs });
    b.update({ name, state, time: end, ...(detail === undefined ? {} : { detail }) });
  };
  run('build', 0, 3200, 'passed');
  run('lint', 0, 1000, 'passed');
  run('test', 3200, 5200, 'failed', ['build'], 'exit code 1');
  b.update({ name: 'package', state: 'skipped', time: 5200, needs: ['test'] });
  assert.equal(renderSummary(new ProgressBoard()), '');
  assert.equal(
    renderSummary(b, { logFile: (n) => `logs/${n}.log` }),
    [
      'Failed: 2 passed, 1 failed, 1 skipped in 5.2 s',
      '  ✓ build    passed        3.2 s',
      '  ✓ lint     passed        1.0 s',
      '  ✗ test     failed        2.0 s  exit code 1  log: logs/test.log',
      '  ↷ package  skipped',
      'Critical path (5.2 s of 5.2 s): build → test',
      '',
    ].join('\n'),
  );
});

test('a long run lists failures and the slowest steps only', () => {
  const b = new ProgressBoard(() => 0);
  for (let i = 0; i < 1000; i++) {
    b.update({ name: `s${i}`, state: 'running', time: 0 });
    b.update({ name: `s${i}`, state: i === 500 ? 'failed' : 'passed', time: i });
  }
  const text = renderSummary(b, { maxSteps: 5 });
  assert.match(renderSummary(b, { maxSteps: 5, headline: 'Interrupted' }), /^Interrupted: 999 passed, 1 failed in /);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 1 + 5 + 2);
  assert.match(text, /s500 +failed/);
  assert.match(text, /s999 +passed/);
  assert.match(text, /995 more steps/);
});
