import assert from 'node:assert/strict';
import { test } from 'node:test';
import { criticalPath } from './critical-path.js';
import { ProgressBoard } from './progress.js';

function clock() {
  let t = 0;
  return { now: () => t, set: (v: number) => (t = v) };
}

test('the board keeps states, times, counts and active steps', () => {
  const c = clock();
  const b = new ProgressBoard(c.now);
  b.update({ name: 'build', state: 'waiting', time: 0 });
  b.update({ name: 'test', state: 'waiting', time: 0 });
  b.update({ name: 'build', state: 'preparing', time: 100 });
  b.update({ name: 'build', state: 'running', time: 300, runner: 'r1' });
  assert.deepEqual(
    [...b.active()].map((s) => s.name),
    ['build'],
  );
  assert.equal(b.counts().running, 1);
  assert.equal(b.counts().waiting, 1);
  assert.equal(b.line('build', 'hello'), true);
  assert.equal(b.line('nobody', 'hello'), false);
  b.update({ name: 'build', state: 'passed', time: 1300 });
  const s = b.get('build');
  assert.equal(s?.readyAt, 100);
  assert.equal(s?.startedAt, 300);
  assert.equal(s?.endedAt, 1300);
  assert.equal(s?.runner, 'r1');
  assert.equal(s?.lines, 1);
  assert.equal(b.duration(s as NonNullable<typeof s>), 1000);
  assert.equal(b.finished, false);
  b.update({ name: 'test', state: 'skipped', time: 1400 });
  assert.equal(b.finished, true);
  assert.equal(b.failed, false);
  assert.equal(b.wall(), 1400);
  assert.deepEqual({ ...b.counts() }, { waiting: 0, preparing: 0, running: 0, passed: 1, failed: 0, cancelled: 0, skipped: 1 });
});

test('a retried step is not ended while it runs again and its duration spans the attempts', () => {
  const b = new ProgressBoard(() => 5000);
  b.update({ name: 'flaky', state: 'running', time: 0 });
  b.update({ name: 'flaky', state: 'failed', time: 1000 });
  b.update({ name: 'flaky', state: 'running', time: 1200 });
  assert.equal(b.get('flaky')?.endedAt, undefined);
  assert.equal(b.duration(b.get('flaky') as NonNullable<ReturnType<ProgressBoard['get']>>), 5000);
  b.update({ name: 'flaky', state: 'passed', time: 2000 });
  assert.equal(b.duration(b.get('flaky') as NonNullable<ReturnType<ProgressBoard['get']>>), 2000);
  assert.equal(b.counts().failed, 0);
});

test('listeners see state changes and lines; unsubscribing stops them', () => {
  const b = new ProgressBoard();
  const seen: string[] = [];
  const off = b.subscribe((c) =>
    seen.push(c.kind === 'line' ? `${c.step.name}:${c.text}` : `${c.step.name}=${c.step.state}<${c.previous}`),
  );
  b.update({ name: 'a', state: 'running' });
  b.line('a', 'x');
  off();
  b.update({ name: 'a', state: 'passed' });
  assert.deepEqual(seen, ['a=running<undefined', 'a:x']);
});

test('critical path through needs is the heaviest chain', () => {
  const b = new ProgressBoard(() => 0);
  // a(1 s) → b(5 s) → d(1 s); a → c(2 s) → d; e(6.5 s) alone
  const run = (name: string, start: number, end: number, needs: string[] = []) => {
    b.update({ name, state: 'running', time: start, needs });
    b.update({ name, state: 'passed', time: end });
  };
  run('a', 0, 1000);
  run('b', 1000, 6000, ['a']);
  run('c', 1000, 3000, ['a']);
  run('d', 6000, 7000, ['b', 'c']);
  run('e', 0, 6500);
  const p = b.criticalPath();
  assert.deepEqual(p.steps, ['a', 'b', 'd']);
  assert.equal(p.duration, 7000);
  assert.equal(p.inferred, false);
});

test('critical path without needs is inferred from when steps became ready', () => {
  const b = new ProgressBoard(() => 0);
  const run = (name: string, ready: number, start: number, end: number) => {
    b.update({ name, state: 'preparing', time: ready });
    b.update({ name, state: 'running', time: start });
    b.update({ name, state: 'passed', time: end });
  };
  run('install', 0, 0, 1000);
  run('lint', 1000, 1010, 1500);
  run('build', 1000, 1010, 3000);
  run('test', 1000, 1010, 2500);
  run('package', 3000, 3005, 3500);
  const p = b.criticalPath();
  assert.deepEqual(p.steps, ['install', 'build', 'package']);
  assert.equal(p.duration, 1000 + 1990 + 495);
  assert.equal(p.inferred, true);
});

test('critical path of a 10 000-step chain needs no recursion', () => {
  const steps = Array.from({ length: 10_000 }, (_, i) => ({
    name: `s${i}`,
    needs: i === 0 ? [] : [`s${i - 1}`],
    startedAt: i,
    endedAt: i + 1,
  }));
  const p = criticalPath(steps, () => 1);
  assert.equal(p.steps.length, 10_000);
  assert.equal(p.steps[0], 's0');
  const q = criticalPath(
    steps.map((s) => ({ ...s, needs: [] })),
    () => 1,
  );
  assert.equal(q.steps.length, 10_000);
});

test('a selection restricts the critical path (jobs, not their steps)', () => {
  const b = new ProgressBoard(() => 0);
  b.update({ name: 'job', state: 'running', time: 0 });
  b.update({ name: 'job/step', group: 'job', state: 'running', time: 0 });
  b.update({ name: 'job/step', state: 'passed', time: 500 });
  b.update({ name: 'job', state: 'passed', time: 600 });
  assert.deepEqual(b.criticalPath((s) => s.group === undefined).steps, ['job']);
});
