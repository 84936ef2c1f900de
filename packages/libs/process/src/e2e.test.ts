/**
 * End to end through the CLI (built beforehand, as `npm test` does): whatever ends the
 * engine — a normal end, SIGTERM, SIGINT — no child process it started survives it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));

const PROGRAM = `#! name = process_e2e
#! version = 0.1.0
#! require = std:0.10.2 process:0.10.2

use std/engine/util::startup
use process/command::|command
use process/local::execOnce

treatment main(var script: string = "true")
{
    startup()
    execOnce(command=|command("sh", ["-c", script]))

    startup.trigger -> execOnce.launch
}
`;

let dir = '';
let program = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-process-e2e-'));
  program = join(dir, 'main.mel');
  await writeFile(program, PROGRAM);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const t = readFileSync(stat, 'utf8');
    return t.slice(t.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

/** Starts `tutti run` on the program with `script`; resolves its exit code and output. */
function tutti(script: string) {
  const child = spawn(process.execPath, [CLI, 'run', program, '--script', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, output }));
  });
  return { child, exited };
}

async function pidsIn(file: string, count: number): Promise<number[]> {
  const ok = await eventually(() => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length >= count, 15_000);
  assert.ok(ok, `no pids in ${file}`);
  return readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

for (const [signal, status] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal} to tutti: the command's whole tree is gone`, async () => {
    const file = join(dir, `${signal}.pids`);
    const run = tutti(`echo $$ > ${file}; sleep 30 & echo $! >> ${file}; sleep 30`);
    const pids = await pidsIn(file, 2);
    assert.ok(pids.every(alive), 'the tree runs');
    const t0 = Date.now();
    run.child.kill(signal);
    // Promptly: a live child would also keep tutti running until it ends by itself.
    assert.ok(await eventually(() => pids.every((p) => !alive(p)), 5000), `still alive: ${pids.filter(alive)}`);
    const { code, output } = await run.exited;
    assert.ok(Date.now() - t0 < 5000, `tutti took ${Date.now() - t0} ms to stop`);
    assert.equal(code, status, output);
  });
}

test('normal end: background jobs a command left behind are killed', async () => {
  const file = join(dir, 'background.pids');
  const t0 = Date.now();
  const run = tutti(`sleep 30 & echo $! > ${file}`);
  const { code, output } = await run.exited;
  assert.equal(code, 0, output);
  const [pid] = await pidsIn(file, 1);
  assert.ok(await eventually(() => !alive(pid as number), 5000), `still alive: ${pid}`);
  assert.ok(Date.now() - t0 < 10_000);
});
