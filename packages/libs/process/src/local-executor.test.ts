import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StringMapValue } from '@tutti/lib-std';
import { CommandValue } from './command-value.js';
import { EnvironmentValue } from './environment-value.js';
import type { ByteSink, ByteSource, RunControl } from './executor.js';
import { errorText, LocalExecutor } from './local-executor.js';
import { trackedGroups } from './process-groups.js';
import { spawnerReady } from './spawner.js';

/**
 * The same tests run twice: here with every command spawned from this process, and from
 * spawner.test.ts with every command going through the long-lived spawner.
 */
const SPAWNER = process.env.TUTTI_TEST_SPAWNER === 'always' ? 'always' : 'off';
const local = new LocalExecutor(SPAWNER);
const cmd = (program: string, ...args: string[]) => new CommandValue(program, args);
const sh = (script: string) => cmd('sh', '-c', script);
const ENOENT = 'No such file or directory (os error 2)';
const stops: AbortController[] = [];

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-process-'));
  if (SPAWNER === 'always') await spawnerReady();
});
after(async () => {
  for (const s of stops) s.abort();
  await rm(dir, { recursive: true, force: true });
});

/** A run control whose stop aborts at the end of the tests (as the engine's at the end of a run). */
function control(terminate?: AbortSignal, stop?: AbortSignal): RunControl & { starts: number } {
  const own = new AbortController();
  stops.push(own);
  const c = {
    starts: 0,
    started: () => {
      c.starts++;
    },
    terminate: terminate ?? new AbortController().signal,
    stop: stop ?? own.signal,
  };
  return c;
}

/** A sink collecting bytes, optionally slow or refusing. */
function collector(o: { delayEvery?: number; refuse?: boolean } = {}) {
  const chunks: Uint8Array[] = [];
  let n = 0;
  const sink: ByteSink = async (chunk) => {
    if (o.refuse === true) return false;
    chunks.push(chunk);
    if (o.delayEvery !== undefined && ++n % o.delayEvery === 0) await sleep(5);
    return true;
  };
  return {
    sink,
    chunks,
    size: () => chunks.reduce((s, c) => s + c.length, 0),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

function source(chunks: readonly Uint8Array[]): ByteSource & { cancelled: boolean } {
  let i = 0;
  const s = {
    cancelled: false,
    next: async () => (s.cancelled || i >= chunks.length ? null : (chunks[i++] as Uint8Array)),
    cancel: () => {
      s.cancelled = true;
    },
  };
  return s;
}

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

async function pidsIn(file: string, count: number): Promise<number[]> {
  assert.ok(await eventually(() => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length >= count));
  return readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

test('exec: exit codes, whatever their value, are completions', async () => {
  const c = control();
  assert.deepEqual(await local.exec(cmd('true'), null, c), { status: 'completed', exit: 0 });
  assert.deepEqual(await local.exec(cmd('false'), null, c), { status: 'completed', exit: 1 });
  assert.deepEqual(await local.exec(sh('exit 3'), null, c), { status: 'completed', exit: 3 });
  assert.equal(c.starts, 3);
});

test('a missing program, an empty name or a bad argument fail without starting', async () => {
  const c = control();
  assert.deepEqual(await local.exec(cmd('tutti-no-such-program'), null, c), { status: 'failed', error: ENOENT });
  assert.deepEqual(await local.exec(cmd(''), null, c), { status: 'failed', error: ENOENT });
  const nul = await local.exec(cmd('echo', 'a\0b'), null, c);
  assert.equal(nul.status, 'failed');
  assert.equal(typeof (nul as { error?: unknown }).error, 'string');
  const out = collector();
  assert.deepEqual(await local.spawnOut(cmd('tutti-no-such-program'), null, c, { stdout: out.sink, stderr: out.sink }), {
    status: 'failed',
    error: ENOENT,
  });
  const stdin = source([Buffer.from('x')]);
  const spawned = await local.spawn(cmd('tutti-no-such-program'), null, c, { stdin, stdout: out.sink, stderr: out.sink });
  assert.deepEqual(spawned, { status: 'failed', error: ENOENT });
  assert.ok(stdin.cancelled);
  assert.equal(c.starts, 0);
});

test('system errors read as the reference prints them', () => {
  assert.equal(errorText({ errno: -13 }), 'Permission denied (os error 13)');
  assert.equal(errorText(new Error('plain')), 'plain');
});

test('a process killed by a signal has no exit code; spawnOut counts it as a failure', async () => {
  const c = control();
  assert.deepEqual(await local.exec(sh('kill -9 $$'), null, c), { status: 'completed', exit: null });
  const out = collector();
  assert.deepEqual(await local.spawnOut(sh('kill -9 $$'), null, c, { stdout: out.sink, stderr: out.sink }), {
    status: 'failed',
    exit: null,
  });
  const stdin = source([]);
  assert.deepEqual(await local.spawn(sh('kill -9 $$'), null, c, { stdin, stdout: out.sink, stderr: out.sink }), {
    status: 'completed',
    exit: null,
  });
});

test('spawnOut: zero is a completion, non-zero a failure carrying the code (local backend, as the reference)', async () => {
  const out = collector();
  const err = collector();
  const c = control();
  assert.deepEqual(await local.spawnOut(sh('echo out; echo err >&2; exit 4'), null, c, { stdout: out.sink, stderr: err.sink }), {
    status: 'failed',
    exit: 4,
  });
  assert.equal(out.text(), 'out\n');
  assert.equal(err.text(), 'err\n');
  assert.deepEqual(await local.spawnOut(cmd('true'), null, c, { stdout: out.sink, stderr: err.sink }), { status: 'completed', exit: 0 });
});

test('environment: variables, expansion, working directory, cleared environment', async () => {
  const out = collector();
  const c = control();
  const vars = StringMapValue.from({ TUTTI_A: 'a', TUTTI_B: '<${HOME}>', TUTTI_C: '$HOME' });
  const env = new EnvironmentValue(vars, dir, true, false);
  const script = 'printf "%s|%s|%s|%s|%s" "$TUTTI_A" "$TUTTI_B" "$TUTTI_C" "$(pwd)" "${PATH:+path}"';
  assert.deepEqual(await local.spawnOut(sh(script), env, c, { stdout: out.sink, stderr: out.sink }), { status: 'completed', exit: 0 });
  assert.equal(out.text(), `a|<${process.env.HOME ?? ''}>|$HOME|${dir}|path`);

  const cleared = collector();
  const only = new EnvironmentValue(StringMapValue.from({ ONLY: 'x' }), null, false, true);
  assert.deepEqual(await local.spawnOut(cmd('/usr/bin/env'), only, c, { stdout: cleared.sink, stderr: cleared.sink }), {
    status: 'completed',
    exit: 0,
  });
  assert.equal(cleared.text(), 'ONLY=x\n');

  const missing = new EnvironmentValue(StringMapValue.empty, join(dir, 'missing'), false, false);
  assert.deepEqual(await local.exec(cmd('true'), missing, c), { status: 'failed', error: ENOENT });
});

test('spawn: stdin is piped through, and closed at its end', async () => {
  const out = collector();
  const c = control();
  const stdin = source([Buffer.from('hello '), Buffer.from('world')]);
  assert.deepEqual(await local.spawn(cmd('cat'), null, c, { stdin, stdout: out.sink, stderr: out.sink }), {
    status: 'completed',
    exit: 0,
  });
  assert.equal(out.text(), 'hello world');
});

test('large output is never truncated, even through a slow consumer, and its tail arrives (the reference may lose it)', async () => {
  const out = collector({ delayEvery: 16 });
  const err = collector();
  const c = control();
  const script = 'head -c 20000000 /dev/zero; head -c 3000000 /dev/zero >&2; printf tail';
  assert.deepEqual(await local.spawnOut(sh(script), null, c, { stdout: out.sink, stderr: err.sink }), { status: 'completed', exit: 0 });
  assert.equal(out.size(), 20_000_004);
  assert.equal(err.size(), 3_000_000);
  assert.equal(Buffer.concat(out.chunks).subarray(-4).toString(), 'tail');
  assert.ok(out.chunks.every((ch) => ch instanceof Uint8Array && ch.length > 0 && ch.length <= 1 << 20));
});

test('large input and output cross each other through cat', async () => {
  const out = collector({ delayEvery: 8 });
  const c = control();
  const chunks = Array.from({ length: 160 }, (_, i) => new Uint8Array(65_536).fill(i));
  const stdin = source(chunks);
  assert.deepEqual(await local.spawn(cmd('cat'), null, c, { stdin, stdout: out.sink, stderr: out.sink }), { status: 'completed', exit: 0 });
  assert.ok(Buffer.concat(out.chunks).equals(Buffer.concat(chunks)));
});

test('output nobody consumes is drained and dropped: the process is not killed by a broken pipe', async () => {
  const gone = collector({ refuse: true });
  const c = control();
  assert.deepEqual(await local.spawnOut(cmd('head', '-c', '10000000', '/dev/zero'), null, c, { stdout: gone.sink, stderr: gone.sink }), {
    status: 'completed',
    exit: 0,
  });
});

test('input the process does not read is cancelled when it exits', async () => {
  const out = collector();
  const c = control();
  const stdin = source(Array.from({ length: 400 }, () => new Uint8Array(65_536)));
  assert.deepEqual(await local.spawn(cmd('true'), null, c, { stdin, stdout: out.sink, stderr: out.sink }), {
    status: 'completed',
    exit: 0,
  });
  assert.ok(stdin.cancelled);
});

test('terminate kills the whole process tree (spawn)', async () => {
  const terminate = new AbortController();
  const c = control(terminate.signal);
  const pids: number[] = [];
  let text = '';
  const stdout: ByteSink = async (chunk) => {
    text += Buffer.from(chunk).toString();
    const lines = text.split('\n').filter((l) => l !== '');
    if (lines.length >= 3 && pids.length === 0) {
      pids.push(...lines.map(Number));
      terminate.abort();
    }
    return true;
  };
  const stdin = source([]);
  const outcome = await local.spawn(sh('echo $$; sleep 30 & echo $!; sleep 30 & echo $!; wait'), null, c, {
    stdin,
    stdout,
    stderr: stdout,
  });
  assert.deepEqual(outcome, { status: 'terminated' });
  assert.equal(pids.length, 3);
  assert.ok(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive)}`);
});

test('terminate kills the whole process tree (exec, sh -c "sleep 30 & sleep 30")', async () => {
  const terminate = new AbortController();
  const c = control(terminate.signal);
  const file = join(dir, 'tree-pids');
  const run = local.exec(sh(`echo $$ > ${file}; sleep 30 & echo $! >> ${file}; sleep 30`), null, c);
  const pids = await pidsIn(file, 2);
  assert.ok(pids.every(alive));
  terminate.abort();
  assert.deepEqual(await run, { status: 'terminated' });
  assert.ok(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive)}`);
});

test('a termination requested before the start kills the process at once', async () => {
  const terminate = new AbortController();
  terminate.abort();
  const c = control(terminate.signal);
  const t0 = Date.now();
  assert.deepEqual(await local.exec(cmd('sleep', '30'), null, c), { status: 'terminated' });
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(c.starts, 1);
});

test('stopping the engine kills running trees and background jobs left behind', async () => {
  const stop = new AbortController();
  const c = control(undefined, stop.signal);
  const lingering = join(dir, 'lingering-pid');
  // The shell exits at once, its background job stays in its group.
  assert.deepEqual(await local.exec(sh(`sleep 30 & echo $! > ${lingering}`), null, c), { status: 'completed', exit: 0 });
  const [background] = await pidsIn(lingering, 1);
  const runningFile = join(dir, 'running-pids');
  const running = local.exec(sh(`echo $$ > ${runningFile}; sleep 30 & echo $! >> ${runningFile}; sleep 30`), null, c);
  const pids = [...(await pidsIn(runningFile, 2)), background as number];
  assert.ok(pids.every(alive));
  const before = trackedGroups();
  assert.ok(before >= 2);
  stop.abort();
  await running;
  assert.ok(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive)}`);
  assert.ok(trackedGroups() <= before - 2);
});

test('groups are forgotten when their leader exits alone', async () => {
  const c = control();
  const before = trackedGroups();
  for (let i = 0; i < 5; i++) await local.exec(cmd('true'), null, c);
  assert.equal(trackedGroups(), before);
});
