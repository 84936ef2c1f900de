import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Batch, END, type End, type InputPort, type OutputPort, type TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { CommandValue } from './command-value.js';
import { exec } from './exec.js';
import { LocalExecutor } from './local-executor.js';

const byName = (name: string) => exec.find((e) => e.name === name) as TreatmentDescriptor;
const execOne = byName('execOneTerminable');
const execMany = byName('execTerminable');
const spawnOne = byName('spawnOneTerminable');
const spawnMany = byName('spawnTerminable');
const local = new LocalExecutor();
const cmd = (program: string, ...args: string[]) => new CommandValue(program, args);
const sh = (script: string) => cmd('sh', '-c', script);
const ENOENT = 'No such file or directory (os error 2)';
const V = undefined;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-exec-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (bytes: readonly unknown[] | undefined) => Buffer.from((bytes ?? []) as number[]).toString('utf8');

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

test('execOneTerminable: started, completed, exit, finished last', async () => {
  const r = await runTreatment(execOne, { inputs: { executor: [local], command: [sh('exit 3')], environment: [null] } });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs, {
    started: [V],
    finished: [V],
    completed: [V],
    failed: [],
    terminated: [],
    error: [],
    exit: [3],
  });
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('execOneTerminable: a missing program gives failed and the error, no exit', async () => {
  const r = await runTreatment(execOne, { inputs: { executor: [local], command: [cmd('tutti-missing')], environment: [null] } });
  assert.deepEqual(r.outputs, { started: [], finished: [V], completed: [], failed: [V], terminated: [], error: [ENOENT], exit: [] });
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('execOneTerminable: a signal gives a completion with no exit code', async () => {
  const r = await runTreatment(execOne, { inputs: { executor: [local], command: [sh('kill -9 $$')], environment: [null] } });
  assert.deepEqual(r.outputs.completed, [V]);
  assert.deepEqual(r.outputs.exit, [null]);
});

test('execOneTerminable: terminate given at once kills it: finished then terminated', async () => {
  const t0 = Date.now();
  const r = await runTreatment(execOne, {
    inputs: { executor: [local], command: [cmd('sleep', '30')], environment: [null], terminate: [V] },
  });
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(r.outputs, { started: [V], finished: [V], completed: [], failed: [], terminated: [V], error: [], exit: [] });
  assert.deepEqual(r.closeOrder.slice(-2), ['finished', 'terminated']);
});

test('rule B: nothing without executor, environment or command', async () => {
  const full = { executor: [local], command: [cmd('true')], environment: [null] };
  for (const missing of ['executor', 'command', 'environment']) {
    const r = await runTreatment(execOne, { inputs: { ...full, [missing]: 'closed' } });
    assert.ok(
      Object.values(r.outputs).every((v) => v.length === 0),
      missing,
    );
  }
  const many = await runTreatment(execMany, { inputs: { executor: 'closed', commands: [cmd('true')], environment: [null] } });
  assert.ok(Object.values(many.outputs).every((v) => v.length === 0));
});

test('execTerminable: exit codes streamed, non-zero exits do not stop it', async () => {
  const r = await runTreatment(execMany, {
    inputs: { executor: [local], commands: { batches: [[cmd('true'), cmd('false')], [sh('exit 3')]] }, environment: [null] },
  });
  assert.deepEqual(r.outputs, { started: [V], finished: [V], completed: [V], failed: [], terminated: [], error: [], exit: [0, 1, 3] });
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('execTerminable: stops at the first executor failure', async () => {
  const marker = join(dir, 'not-run');
  const r = await runTreatment(execMany, {
    inputs: { executor: [local], commands: [cmd('true'), cmd('tutti-missing'), cmd('touch', marker)], environment: [null] },
  });
  assert.deepEqual(r.outputs, { started: [V], finished: [V], completed: [], failed: [V], terminated: [], error: [ENOENT], exit: [0] });
  assert.ok(!existsSync(marker));
});

test('execTerminable: no command, no start; a completion', async () => {
  const r = await runTreatment(execMany, { inputs: { executor: [local], commands: [], environment: [null] } });
  assert.deepEqual(r.outputs, { started: [], finished: [V], completed: [V], failed: [], terminated: [], error: [], exit: [] });
});

test('execTerminable: terminate while waiting for commands ends it as terminated', async () => {
  const r = await runTreatment(execMany, { inputs: { executor: [local], commands: 'open', environment: [null], terminate: [V] } });
  assert.deepEqual(r.outputs, { started: [], finished: [V], completed: [], failed: [], terminated: [V], error: [], exit: [] });
  assert.deepEqual(r.closeOrder.slice(-2), ['terminated', 'finished']);
});

test('spawnOneTerminable: stdin piped (bytes or numbers), outputs drained before the statuses', async () => {
  const r = await runTreatment(spawnOne, {
    capacity: 1,
    inputs: {
      executor: [local],
      command: [sh('cat; echo err >&2')],
      environment: [null],
      stdin: { batches: [Buffer.from('abc'), [100, 101], Buffer.from('\n')] },
    },
  });
  assert.equal(r.error, undefined);
  assert.equal(text(r.outputs.stdout), 'abcde\n');
  assert.equal(text(r.outputs.stderr), 'err\n');
  assert.deepEqual(r.outputs.completed, [V]);
  assert.deepEqual(r.outputs.exit, [0]);
  assert.ok(r.batches.stdout?.every((b) => b instanceof Uint8Array));
  const order = r.closeOrder;
  assert.ok(order.indexOf('stdout') < order.indexOf('completed'));
  assert.ok(order.indexOf('stderr') < order.indexOf('completed'));
  assert.equal(order.at(-1), 'finished');
});

test('spawnOneTerminable: large output is complete, and a consumer leaving does not kill the process', async () => {
  const big = await runTreatment(spawnOne, {
    inputs: { executor: [local], command: [sh('head -c 5000000 /dev/zero; printf end')], environment: [null], stdin: [] },
  });
  assert.equal(big.outputs.stdout?.length, 5_000_003);
  assert.equal(text(big.outputs.stdout?.slice(-3)), 'end');
  const gone = await runTreatment(spawnOne, {
    inputs: { executor: [local], command: [cmd('head', '-c', '5000000', '/dev/zero')], environment: [null], stdin: [] },
    outputs: { stdout: { take: 1 }, stderr: { unconnected: true } },
  });
  assert.deepEqual(gone.outputs.completed, [V]);
  assert.deepEqual(gone.outputs.exit, [0]);
});

test('spawnOneTerminable: a stdin that never closes does not hold the run after the exit', async () => {
  const r = await runTreatment(spawnOne, {
    inputs: { executor: [local], command: [cmd('true')], environment: [null], stdin: 'open' },
  });
  assert.deepEqual(r.outputs.exit, [0]);
  assert.deepEqual(r.outputs.finished, [V]);
});

test('spawnTerminable: outputs concatenated, stops after a non-zero exit with failed (local backend, as the reference)', async () => {
  const ok = await runTreatment(spawnMany, {
    inputs: { executor: [local], commands: [cmd('echo', 'a'), sh('echo b; echo e >&2')], environment: [null] },
  });
  assert.equal(text(ok.outputs.stdout), 'a\nb\n');
  assert.equal(text(ok.outputs.stderr), 'e\n');
  assert.deepEqual(ok.outputs.exit, [0, 0]);
  assert.deepEqual(ok.outputs.completed, [V]);
  assert.deepEqual(ok.outputs.failed, []);

  const bad = await runTreatment(spawnMany, {
    inputs: { executor: [local], commands: [cmd('echo', 'a'), sh('echo b; exit 2'), cmd('echo', 'c')], environment: [null] },
  });
  assert.equal(text(bad.outputs.stdout), 'a\nb\n');
  assert.deepEqual(bad.outputs, { ...bad.outputs, started: [V], exit: [0, 2], failed: [V], completed: [], error: [], finished: [V] });
  assert.equal(bad.closeOrder.at(-1), 'finished');

  const killed = await runTreatment(spawnMany, { inputs: { executor: [local], commands: [sh('kill -9 $$')], environment: [null] } });
  assert.deepEqual(killed.outputs.exit, [null]);
  assert.deepEqual(killed.outputs.failed, [V]);
});

// ---- terminate arriving later, and engine stop: hand-made ports --------------------------

/** An input fed by the test: values pushed one at a time, then closed. */
class FakeInput implements InputPort {
  private queue: unknown[] = [];
  private closed = false;
  private waiter: ((v: unknown) => void) | undefined;
  constructor(
    readonly name: string,
    values: readonly unknown[] = [],
    close = true,
  ) {
    this.queue.push(...values);
    this.closed = close;
  }
  push(v: unknown): void {
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w(v);
    } else this.queue.push(v);
  }
  recvOne(): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    if (this.closed) return Promise.resolve(END);
    return new Promise((r) => {
      this.waiter = r;
    });
  }
  async recvMany(): Promise<Batch | End> {
    const v = await this.recvOne();
    return v === END ? END : [v];
  }
  close(): void {
    this.closed = true;
    this.queue = [];
    this.waiter?.(END);
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    for (;;) {
      const b = await this.recvMany();
      if (b === END) return;
      yield b;
    }
  }
}

class FakeOutput implements OutputPort {
  values: unknown[] = [];
  usable = true;
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}
  async sendOne(v: unknown): Promise<boolean> {
    this.values.push(v);
    this.log.push(this.name);
    return true;
  }
  async sendMany(b: Batch): Promise<boolean> {
    for (const v of b) this.values.push(v);
    return true;
  }
  close(): void {
    this.usable = false;
  }
}

function context(d: TreatmentDescriptor, inputs: Record<string, FakeInput>, signal: AbortSignal) {
  const log: string[] = [];
  const outputs: Record<string, FakeOutput> = {};
  for (const p of d.outputs) outputs[p.name] = new FakeOutput(p.name, log);
  for (const p of d.inputs) inputs[p.name] ??= new FakeInput(p.name);
  const ctx = {
    inputs,
    outputs,
    params: {},
    generics: {},
    models: {},
    contexts: new Map(),
    track: 1,
    path: `test/${d.name}`,
    signal,
    log: () => undefined,
  };
  return { ctx, outputs, log };
}

test('execOneTerminable: terminate during the run kills the whole tree', async () => {
  const file = join(dir, 'one-tree');
  const terminate = new FakeInput('terminate', [], false);
  const stop = new AbortController();
  const { ctx, outputs, log } = context(
    execOne,
    {
      executor: new FakeInput('executor', [local]),
      command: new FakeInput('command', [sh(`echo $$ > ${file}; sleep 30 & echo $! >> ${file}; sleep 30`)]),
      environment: new FakeInput('environment', [null]),
      terminate,
    },
    stop.signal,
  );
  const done = execOne.run?.(ctx);
  const pids = await pidsIn(file, 2);
  assert.ok(pids.every(alive));
  terminate.push(V);
  await done;
  stop.abort();
  assert.deepEqual(log, ['started', 'finished', 'terminated']);
  assert.deepEqual(outputs.exit?.values, []);
  assert.ok(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive)}`);
});

test('spawnTerminable: terminate mid-sequence kills the running command and skips the rest', async () => {
  const terminate = new FakeInput('terminate', [], false);
  const stop = new AbortController();
  const marker = join(dir, 'skipped');
  const { ctx, outputs, log } = context(
    spawnMany,
    {
      executor: new FakeInput('executor', [local]),
      commands: new FakeInput('commands', [cmd('echo', 'first'), sh('echo second; sleep 30'), cmd('touch', marker)]),
      environment: new FakeInput('environment', [null]),
      terminate,
    },
    stop.signal,
  );
  const done = spawnMany.run?.(ctx);
  assert.ok(await eventually(() => text(outputs.stdout?.values).includes('second')));
  terminate.push(V);
  await done;
  stop.abort();
  assert.equal(text(outputs.stdout?.values), 'first\nsecond\n');
  assert.deepEqual(outputs.exit?.values, [0]);
  assert.deepEqual(log, ['started', 'exit', 'terminated', 'finished']);
  assert.ok(!existsSync(marker));
});

test('engine stop: the run ends silently and its tree is killed', async () => {
  const file = join(dir, 'stopped-tree');
  const stop = new AbortController();
  const { ctx, log } = context(
    spawnOne,
    {
      executor: new FakeInput('executor', [local]),
      command: new FakeInput('command', [sh(`echo $$ > ${file}; sleep 30 & echo $! >> ${file}; sleep 30`)]),
      environment: new FakeInput('environment', [null]),
      stdin: new FakeInput('stdin', [], false),
    },
    stop.signal,
  );
  const done = spawnOne.run?.(ctx);
  const pids = await pidsIn(file, 2);
  stop.abort();
  await done;
  assert.deepEqual(log, ['started']);
  assert.ok(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive)}`);
});
