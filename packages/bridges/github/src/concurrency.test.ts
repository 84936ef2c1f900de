// `concurrency:` groups across separate `tutti github run` processes (the built CLI), sharing
// one lock directory: a run waits for the group another holds (and says who holds it), a later
// arrival takes the waiting place, cancel-in-progress cancels the other run's workflow, and a
// holder that was SIGKILLed does not hold the group any more. Orderings come from marker files
// the steps write and wait for, not from durations.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConcurrencyGroups } from './concurrency.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function repository(): Promise<{ dir: string; marks: string; locks: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-concurrency-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/concurrency', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const marks = join(dir, 'marks');
  await mkdir(marks);
  return { dir, marks, locks: join(dir, 'locks') };
}

interface Run {
  readonly child: ChildProcess;
  out: string;
  readonly exit: Promise<number | null>;
}

/** `tutti github run -W <workflow>` as run `name` (`$RUN` in its steps). */
function start(r: { dir: string; marks: string; locks: string }, workflow: string, name: string): Run {
  const child = spawn(
    process.execPath,
    [TUTTI, 'github', 'run', '-W', `.github/workflows/${workflow}`, '--progress', 'plain', '--concurrency-dir', r.locks],
    { cwd: r.dir, env: { ...process.env, CI: 'true', RUN: name, MARKS: r.marks }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const run: Run = {
    child,
    out: '',
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (c) => {
    run.out += c;
  });
  child.stderr!.on('data', (c) => {
    run.out += c;
  });
  return run;
}

/** Waits until `ok()` holds (polling), failing with `what` after 60 s. */
async function until(ok: () => boolean, what: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 60_000) assert.fail(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a run waits for the group another run holds, saying who holds it; a later arrival takes the waiting place', async () => {
  const r = await repository();
  const marked = (f: string) => existsSync(join(r.marks, f));
  const one = start(r, 'deploy.yml', 'one');
  await until(
    () => marked('one-started'),
    () => one.out,
  );
  const two = start(r, 'deploy.yml', 'two');
  await until(
    () => two.out.includes(`waiting for concurrency group 'deploy' (held by deploy in another tutti github run (pid ${one.child.pid}))`),
    () => two.out,
  );
  // a third run takes the waiting place: the second ends cancelled without running
  const three = start(r, 'deploy.yml', 'three');
  await until(
    () => three.out.includes("waiting for concurrency group 'deploy'"),
    () => three.out,
  );
  assert.equal(await two.exit, 1, two.out);
  assert.ok(two.out.includes("a later job of concurrency group 'deploy' took its place"), two.out);
  assert.ok(!marked('two-started') && !marked('three-started'), 'nothing ran beside the holder');
  // the holder ends: the one waiting runs
  writeFileSync(join(r.marks, 'one-release'), '');
  assert.equal(await one.exit, 0, one.out);
  await until(
    () => marked('three-started'),
    () => three.out,
  );
  writeFileSync(join(r.marks, 'three-release'), '');
  assert.equal(await three.exit, 0, three.out);
  assert.ok(three.out.includes('│ deploy three done'), three.out);
  assert.ok(!marked('two-started'));
});

test('cancel-in-progress cancels the workflow another run is running; that run says so and fails', async () => {
  const r = await repository();
  const marked = (f: string) => existsSync(join(r.marks, f));
  const one = start(r, 'ship.yml', 'one');
  await until(
    () => marked('one-started'),
    () => one.out,
  );
  writeFileSync(join(r.marks, 'two-release'), '');
  const two = start(r, 'ship.yml', 'two');
  // the holder is told, its job cancelled (its step stopped long before its 30 s)
  assert.equal(await one.exit, 1, one.out);
  assert.ok(one.out.includes(`cancelled by .github/workflows/ship.yml of another tutti github run (pid ${two.child.pid})`), one.out);
  assert.ok(!one.out.includes('│ ship one done'), one.out);
  assert.equal(await two.exit, 0, two.out);
  assert.ok(two.out.includes('│ ship two done'), two.out);
});

test('a holder that was SIGKILLed does not hold the group', async () => {
  const r = await repository();
  const marked = (f: string) => existsSync(join(r.marks, f));
  const one = start(r, 'deploy.yml', 'one');
  await until(
    () => marked('one-started'),
    () => one.out,
  );
  one.child.kill('SIGKILL');
  await one.exit;
  // its step, in a process group of its own, outlived it: let it end
  writeFileSync(join(r.marks, 'one-release'), '');
  writeFileSync(join(r.marks, 'two-release'), '');
  const two = start(r, 'deploy.yml', 'two');
  assert.equal(await two.exit, 0, two.out);
  assert.ok(!two.out.includes('waiting for concurrency group'), two.out);
  assert.ok(two.out.includes('│ deploy two done'), two.out);
});

test('a lock directory that cannot be written: a warning, and the run goes on', async () => {
  const r = await repository();
  writeFileSync(join(r.marks, 'one-release'), '');
  const one = start({ ...r, locks: '/dev/null/locks' }, 'deploy.yml', 'one');
  assert.equal(await one.exit, 0, one.out);
  assert.ok(one.out.includes('warning: the concurrency lock directory /dev/null/locks cannot be written'), one.out);
  assert.ok(one.out.includes('│ deploy one done'), one.out);
});

test('a lock and an entry left by a dead process are taken over; the group folder is left empty', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tutti-gh-locks-'));
  dirs.push(root);
  // a pid that no longer runs
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  const dir = join(root, createHash('sha256').update('/repo\0deploy').digest('hex').slice(0, 32));
  mkdirSync(join(dir, '.lock'), { recursive: true });
  writeFileSync(join(dir, '.lock', 'owner'), `${pid} `);
  writeFileSync(
    join(dir, '000000000000001-1-000001.json'),
    JSON.stringify({ pid, start: null, name: 'gone', repository: '/repo', state: 'running' }),
  );
  let waited = false;
  const groups = new ConcurrencyGroups(root, '/repo');
  const r = await groups.run(
    'deploy',
    { cancelInProgress: false, name: 'deploy', onWait: () => (waited = true) },
    async () => 'ran',
    () => 'cancelled',
  );
  assert.equal(r, 'ran');
  assert.equal(waited, false);
  assert.deepEqual(readdirSync(dir), []);
});
