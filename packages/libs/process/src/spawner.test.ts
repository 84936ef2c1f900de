/**
 * The local executor through the long-lived spawner: the whole executor suite again, with
 * every command started by the spawner, then what only the spawner has (it leaves nothing
 * behind when the engine is killed, and the engine goes on without it when it dies).
 * The spawner is Python's where `python3` runs; spawner-node.test.ts runs all of it with Node's.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

process.env.TUTTI_TEST_SPAWNER = 'always';
await import('./local-executor.test.js');
const { LocalExecutor } = await import('./local-executor.js');
const { CommandValue } = await import('./command-value.js');
const { pythonProgram, spawnerReady } = await import('./spawner.js');

/** The spawner this run should have: TUTTI_SPAWNER's choice, else Python's where a python3 program is on the PATH. */
const expectedKind = process.env.TUTTI_SPAWNER === 'node' || pythonProgram() === null ? 'node' : 'python';

test(`the suite above went through the spawner (${expectedKind})`, async () => {
  const spawner = await spawnerReady();
  assert.ok(spawner.requested >= 20);
  assert.equal(spawner.kind, expectedKind);
});

test('a Python that cannot run the spawner gives way to the Node one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-spawner-'));
  try {
    // The only `python3` on the PATH exits at once, as one too old would.
    await writeFile(join(dir, 'python3'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const engine = `
      const { spawnerReady } = await import(${JSON.stringify(new URL('./spawner.ts', import.meta.url).href)});
      const { LocalExecutor } = await import(${JSON.stringify(new URL('./local-executor.ts', import.meta.url).href)});
      const { CommandValue } = await import(${JSON.stringify(new URL('./command-value.ts', import.meta.url).href)});
      const spawner = await spawnerReady();
      const control = { started() {}, terminate: new AbortController().signal, stop: new AbortController().signal };
      const outcome = await new LocalExecutor('always').exec(new CommandValue('/bin/true', []), null, control);
      process.stdout.write(JSON.stringify({ kind: spawner.kind, requested: spawner.requested, outcome }));
      spawner.close();
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', engine], {
      encoding: 'utf8',
      env: { ...process.env, PATH: dir, TUTTI_SPAWNER: 'python' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { kind: 'node', requested: 1, outcome: { status: 'completed', exit: 0 } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('when the spawner dies, what it ran ends as killed and later commands run directly', async () => {
  const spawner = await spawnerReady();
  const local = new LocalExecutor('always');
  const stop = new AbortController();
  let running!: () => void;
  const started = new Promise<void>((resolve) => {
    running = resolve;
  });
  const control = { started: () => running(), terminate: new AbortController().signal, stop: stop.signal };
  const sink = async () => true;
  const long = local.spawnOut(new CommandValue('sleep', ['30']), null, control, { stdout: sink, stderr: sink });
  // Killed once the command runs (the spawner told its pid), however long that takes.
  await started;
  process.kill(spawner.pid as number, 'SIGKILL');
  assert.deepEqual(await long, { status: 'failed', exit: null });
  const before = spawner.requested;
  const out: Uint8Array[] = [];
  const next = await local.spawnOut(new CommandValue('echo', ['direct']), null, control, {
    stdout: async (c) => {
      out.push(c);
      return true;
    },
    stderr: sink,
  });
  assert.deepEqual(next, { status: 'completed', exit: 0 });
  assert.equal(Buffer.concat(out).toString(), 'direct\n');
  assert.equal(spawner.requested, before);
  stop.abort();
});

/** Whether process `pid` still exists (zombies count as gone: they hold nothing). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('an engine killed with SIGKILL leaves no command behind: the spawner kills their groups', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-spawner-'));
  try {
    // An engine that starts two long commands through the spawner, prints their pids, and waits.
    const engine = `
      const { LocalExecutor } = await import(${JSON.stringify(new URL('./local-executor.ts', import.meta.url).href)});
      const { CommandValue } = await import(${JSON.stringify(new URL('./command-value.ts', import.meta.url).href)});
      const { spawnerReady } = await import(${JSON.stringify(new URL('./spawner.ts', import.meta.url).href)});
      await spawnerReady();
      const local = new LocalExecutor('always');
      const stop = new AbortController();
      for (let i = 0; i < 2; i++) {
        const control = { started() {}, terminate: new AbortController().signal, stop: stop.signal };
        void local.spawnOut(new CommandValue('sh', ['-c', 'echo $$; sleep 30 & sleep 30']), null, control, {
          stdout: async (c) => { process.stdout.write(c); return true; },
          stderr: async () => true,
        });
      }
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', engine], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    while (text.split('\n').filter(Boolean).length < 2) await sleep(20);
    const pids = text.split('\n').filter(Boolean).map(Number);
    assert.ok(pids.every(alive));
    child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (pids.some(alive) && Date.now() < deadline) await sleep(20);
    assert.deepEqual(pids.filter(alive), [], 'the commands outlived their engine by 5 s');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
