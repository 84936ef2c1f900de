import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBoard } from './progress.js';
import { chooseViewMode, LiveView } from './view.js';

const tick = () => new Promise((r) => setImmediate(r));

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, columns: 80, rows: 24, write: (t: string) => chunks.push(t) } };
}

test('the mode follows CI, TERM and the stream', () => {
  assert.equal(chooseViewMode({ isTTY: true }, {}), 'tty');
  assert.equal(chooseViewMode({ isTTY: true }, { CI: 'true' }), 'plain');
  assert.equal(chooseViewMode({ isTTY: true }, { CI: 'false' }), 'tty');
  assert.equal(chooseViewMode({ isTTY: true }, { TERM: 'dumb' }), 'plain');
  assert.equal(chooseViewMode({ isTTY: false }, {}), 'plain');
});

test('plain mode prints one line per change and prefixes output with the step name', () => {
  let now = 0;
  const b = new ProgressBoard(() => now);
  const { chunks, out } = sink();
  const view = new LiveView(b, { out, mode: 'plain', mask: (t) => t.replaceAll('s3cret', '***') });
  b.update({ name: 'build', state: 'waiting' });
  b.update({ name: 'build', state: 'running' });
  b.line('build', 'compiling with s3cret');
  view.print('[t] info: main: not a step');
  b.line('build', 'careful', 'warning');
  now = 3200;
  b.update({ name: 'build', state: 'passed' });
  b.update({ name: 'test', state: 'running', runner: 'ci-1' });
  now = 4200;
  b.update({ name: 'test', state: 'failed', detail: 'exit code 2' });
  view.close();
  assert.equal(
    chunks.join(''),
    [
      '▶ build started',
      'build │ compiling with ***',
      '[t] info: main: not a step',
      'build │ warning: careful',
      '✓ build passed (3.2 s)',
      '▶ test started on ci-1',
      '✗ test failed (1.0 s): exit code 2',
      '',
    ].join('\n'),
  );
});

test('grouped mode holds each step output until it ends, in ::group:: on GitHub Actions', () => {
  let now = 0;
  const b = new ProgressBoard(() => now);
  const { chunks, out } = sink();
  const view = new LiveView(b, { out, mode: 'grouped', githubGroups: true });
  b.update({ name: 'a', state: 'running' });
  b.update({ name: 'b', state: 'running' });
  b.line('a', 'a1');
  b.line('b', 'b1');
  b.line('a', 'a2');
  now = 1000;
  b.update({ name: 'b', state: 'passed' });
  b.line('a', 'a3');
  view.close();
  assert.equal(
    chunks.join(''),
    [
      '▶ a started',
      '▶ b started',
      '::group::✓ b passed (1.0 s)',
      '  b1',
      '::endgroup::',
      '::group::▶ a started',
      '  a1',
      '  a2',
      '  a3',
      '::endgroup::',
      '',
    ].join('\n'),
  );
});

test('tty mode redraws the board in place, output above it, and removes it when closed', async () => {
  let now = 0;
  const b = new ProgressBoard(() => now);
  const { chunks, out } = sink(true);
  const view = new LiveView(b, { out, mode: 'tty', refreshMs: 1000 });
  b.update({ name: 'build', state: 'running' });
  b.update({ name: 'test', state: 'waiting' });
  await tick();
  assert.equal(chunks.length, 1, 'changes of one turn are drawn once');
  const first = chunks[0] as string;
  assert.match(first, /build +running +0 ms/);
  assert.match(first, /· test +waiting/);
  assert.match(first, /1 running · 1 waiting/);
  now = 1500;
  b.line('build', 'hello');
  b.update({ name: 'build', state: 'passed' });
  await tick();
  const second = chunks[1] as string;
  // Up three lines (two steps and the counts), clear, then the output line, then the board.
  assert.ok(second.startsWith('\x1b[3F\x1b[J'), JSON.stringify(second));
  assert.ok(second.includes('build │ hello\n'));
  assert.match(second, /✓ build +passed +1\.5 s/);
  view.close();
  assert.equal(chunks.at(-1), '\x1b[3F\x1b[J');
});

test('a tty board of many steps shows the active and recent ones and counts the rest', async () => {
  const b = new ProgressBoard(() => 0);
  const { chunks, out } = sink(true);
  const view = new LiveView(b, { out, mode: 'tty', maxRows: 4 });
  for (let i = 0; i < 100; i++) b.update({ name: `s${i}`, state: 'waiting' });
  b.update({ name: 's1', state: 'running' });
  b.update({ name: 's2', state: 'failed' });
  b.update({ name: 's3', state: 'passed' });
  await tick();
  view.close();
  const drawn = chunks[0] as string;
  const rows = drawn.trimEnd().split('\n');
  assert.equal(rows.length, 4);
  assert.match(rows[0] as string, /s1 +running/);
  assert.match(rows[1] as string, /s2 +failed/);
  assert.match(rows[2] as string, /s3 +passed/);
  assert.match(rows[3] as string, /1 running · 1 passed · 1 failed · 97 waiting \(97 not shown\)/);
});

test('on the tty board, the steps of a job on the board are indented under it', async () => {
  const b = new ProgressBoard(() => 0);
  const { chunks, out } = sink(true);
  const view = new LiveView(b, { out, mode: 'tty' });
  b.update({ name: 'build', state: 'running' });
  b.update({ name: 'build › compile', group: 'build', state: 'running' });
  await tick();
  view.close();
  const rows = (chunks[0] as string).split('\n');
  assert.match(rows[0] as string, /^⠋ build /);
  assert.match(rows[1] as string, /^ {2}⠋ build › compile +running/);
});
