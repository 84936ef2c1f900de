/**
 * The local executor through the long-lived spawner: the whole executor suite again, with
 * every command started by the spawner, then what only the spawner has (it leaves nothing
 * behind when the engine is killed, and the engine goes on without it when it dies).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

process.env.TUTTI_TEST_SPAWNER = 'always';
await import('./local-executor.test.js');
const { LocalExecutor } = await import('./local-executor.js');
const { CommandValue } = await import('./command-value.js');
const { spawnerReady } = await import('./spawner.js');

test('the suite above went through the spawner', async () => {
  assert.ok((await spawnerReady()).requested >= 20);
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
