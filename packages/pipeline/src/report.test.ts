import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProgressBoard } from './progress.js';
import { buildReport, toJUnit, writeReport } from './report.js';

function board() {
  const b = new ProgressBoard(() => 0);
  b.update({ name: 'build', state: 'running', time: 1_000_000 });
  b.update({ name: 'build/compile', group: 'build', state: 'running', time: 1_000_000 });
  b.update({ name: 'build/compile', state: 'passed', time: 1_001_000 });
  b.update({ name: 'build/check <all>', group: 'build', state: 'failed', time: 1_001_000, detail: 'exit code 1 & "more"' });
  b.update({ name: 'build', state: 'failed', time: 1_002_000 });
  b.update({ name: 'deploy', state: 'skipped', time: 1_002_000, needs: ['build'] });
  return b;
}

test('the JSON report has each step with its outcome, times, duration, log file and extras', () => {
  const r = buildReport(board(), {
    name: 'ci.mel',
    logFile: (n) => (n === 'build/compile' ? 'logs/compile.log' : undefined),
    extra: (s) => (s.name === 'build' ? { outputs: { version: 'tok-123' } } : undefined),
    mask: (t) => t.replaceAll('tok-123', '***'),
    select: (s) => s.group === undefined,
  });
  assert.equal(r.ok, false);
  assert.equal(r.durationMs, 2000);
  assert.equal(r.started, new Date(1_000_000).toISOString());
  assert.deepEqual(r.criticalPath, { steps: ['build'], durationMs: 2000, inferred: false });
  assert.deepEqual(r.steps[0], {
    name: 'build',
    state: 'failed',
    started: new Date(1_000_000).toISOString(),
    ended: new Date(1_002_000).toISOString(),
    durationMs: 2000,
    outputs: { version: '***' },
  });
  assert.equal(r.steps[1]?.logFile, 'logs/compile.log');
  assert.deepEqual(r.steps[3]?.needs, ['build']);
  assert.equal(r.counts.failed, 2);
});

test('JUnit XML: ungrouped steps in the run suite, groups as suites, escaped text', () => {
  const xml = toJUnit(buildReport(board(), { name: 'ci.mel', logFile: (n) => (n === 'build/compile' ? 'logs/compile.log' : undefined) }));
  assert.equal(
    xml,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="ci.mel" tests="3" failures="1" skipped="1" time="2.000">',
      '  <testsuite name="ci.mel" tests="1" failures="0" errors="0" skipped="1" time="0.000">',
      '    <testcase name="deploy" classname="ci.mel" time="0.000">',
      '      <skipped message="skipped"/>',
      '    </testcase>',
      '  </testsuite>',
      `  <testsuite name="build" tests="2" failures="1" errors="0" skipped="0" time="2.000" timestamp="${new Date(1_000_000).toISOString()}">`,
      '    <testcase name="build/compile" classname="build" time="1.000">',
      '      <system-out>[[ATTACHMENT|logs/compile.log]]</system-out>',
      '    </testcase>',
      '    <testcase name="build/check &lt;all&gt;" classname="build" time="0.000">',
      '      <failure message="exit code 1 &amp; &quot;more&quot;" type="failed"/>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'),
  );
});

test('writeReport picks the format from the file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-report-'));
  try {
    const r = buildReport(board(), { name: 'ci.mel' });
    writeReport(join(dir, 'r.json'), r);
    writeReport(join(dir, 'r.XML'), r);
    assert.equal(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).steps.length, 4);
    assert.ok(readFileSync(join(dir, 'r.XML'), 'utf8').startsWith('<?xml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
