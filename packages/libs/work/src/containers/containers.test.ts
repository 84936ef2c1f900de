/**
 * Container sets and the container executor against the real engine (podman here; docker
 * with TUTTI_CONTAINER_ENGINE=docker), sharing the one base image of
 * scripts/container-image.mjs (built there once, never per test). In CI (CI=true) a missing
 * engine fails the tests; elsewhere they are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CommandValue, EnvironmentValue, type RunControl } from '@tutti/lib-process';
import { StringMapValue } from '@tutti/lib-std';
// @ts-expect-error: a plain ESM script without type declarations
import { containerSetup } from '../../../../../scripts/container-image.mjs';
import { ContainerExecutor } from '../resources/container-executor.js';
import { executorFor, fileSystemFor } from '../resources/resources.js';
import { ContainerEngine, ContainerError } from './engine.js';
import { type ContainerSet, type ContainerSetRequest, removeLeftovers, startContainerSet, validateRequest } from './set.js';

interface Setup {
  engine?: string;
  env?: Record<string, string>;
  image?: string;
  skip?: string;
}

let setup: Setup = { skip: 'not set up' };
let engine: ContainerEngine | undefined;
let image = '';
const runId = `test-${process.pid}-${Date.now().toString(36)}`;
const sets: ContainerSet[] = [];

before(async () => {
  try {
    setup = (await containerSetup()) as Setup;
  } catch (e) {
    // The engine is there but the base image cannot be built here (not root, no mirror).
    setup = { skip: `no base image: ${(e as Error).message}` };
  }
  if (setup.skip !== undefined) {
    if (process.env.CI === 'true') throw new Error(`container tests need an engine in CI: ${setup.skip}`);
    return;
  }
  // The executors of `getExecutor` read the engine's configuration from the process environment.
  for (const [k, v] of Object.entries(setup.env ?? {})) process.env[k] ??= v;
  engine = ContainerEngine.fromEnvironment();
  image = setup.image as string;
});

after(async () => {
  for (const s of sets) await s.close();
  // Whatever a failed test left behind (each test uses its own run id derived from runId).
  if (engine !== undefined)
    for (const suffix of ['main', 'close', 'expire', 'noimage', 'arch', 'crash']) await removeLeftovers(`${runId}-${suffix}`, engine);
});

/** A test needing the engine; skipped with the reason when there is none (outside CI). */
const needs = (name: string, fn: (engine: ContainerEngine) => Promise<void>) =>
  test(name, async (t) => {
    if (engine === undefined) {
      t.skip(setup.skip);
      return;
    }
    await fn(engine);
  });

const container = (name: string, over: Partial<ContainerSetRequest['containers'][number]> = {}) => ({
  name,
  image,
  memory: 0,
  cpu: 0,
  storage: 0,
  arch: undefined,
  mounts: [],
  ...over,
});

function control(terminate = new AbortController()): RunControl & { starts: number } {
  const c = {
    starts: 0,
    started() {
      c.starts++;
    },
    terminate: terminate.signal,
    stop: new AbortController().signal,
  };
  return c;
}

function collect(): { sink: (b: Uint8Array) => Promise<boolean>; text: () => string } {
  const parts: Buffer[] = [];
  const sink = async (b: Uint8Array): Promise<boolean> => {
    parts.push(Buffer.from(b));
    return true;
  };
  return { sink, text: () => Buffer.concat(parts).toString('utf8') };
}

function source(...chunks: string[]) {
  const queue = chunks.map((c) => Buffer.from(c));
  return { next: async () => queue.shift() ?? null, cancel: () => undefined };
}

const engineLines = (e: ContainerEngine, args: string[]) =>
  spawnSync(e.program, [...e.globalArgs, ...args], { env: e.env, encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.trim() !== '');

/** The one set most tests share: an executor with a volume, and a TCP service. */
let shared: ContainerSet | undefined;
const sharedRun = `${runId}-main`;
async function sharedSet(): Promise<ContainerSet> {
  shared ??= await startContainerSet({
    runId: sharedRun,
    maxDuration: 600,
    volumes: [{ name: 'data', storage: 100 }],
    containers: [container('box', { cpu: 500, memory: 128, mounts: [{ name: 'data', point: '/data' }] })],
    serviceContainers: [
      {
        ...container('svc'),
        env: { GREETING: 'hello from svc' },
        command: [
          'perl',
          '-MIO::Socket::INET',
          '-e',
          'my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while (my $c = $s->accept) { print $c "$ENV{GREETING}\\n"; close $c }',
        ],
      },
    ],
  });
  sets.push(shared);
  return shared;
}

const envOf = (set: ContainerSet) => ({ ...process.env, ...set.env });

/** The container executor of `name` in `set`. */
function executorIn(set: ContainerSet, name: string): ContainerExecutor {
  const got = executorFor(name, envOf(set));
  assert.ok('executor' in got && got.executor instanceof ContainerExecutor, JSON.stringify(got));
  return got.executor;
}

needs('a set starts; a command runs in its executor container with streamed output and its exit status', async () => {
  const set = await sharedSet();
  assert.equal(set.env.MELODIUM_RUN_CONTAINERS, 'box');
  assert.equal(set.env.MELODIUM_RUN_SERVICE_CONTAINERS, 'svc');
  assert.equal(set.env.MELODIUM_RUN_VOLUMES, 'data');
  const got = { executor: executorIn(set, 'box') };
  const out = collect();
  const err = collect();
  const c = control();
  const outcome = await got.executor.spawn(new CommandValue('sh', ['-c', 'echo "on $(hostname)"; echo oops >&2; cat; exit 3']), null, c, {
    stdin: source('streamed ', 'input\n'),
    stdout: out.sink,
    stderr: err.sink,
  });
  assert.deepEqual(outcome, { status: 'completed', exit: 3 });
  assert.equal(c.starts, 1);
  assert.equal(out.text(), 'on box\nstreamed input\n');
  assert.equal(err.text(), 'oops\n');
  // Without stdin, a non-zero exit is still a completion with container executors (as in the reference).
  const quiet = await got.executor.spawnOut(new CommandValue('false', []), null, control(), { stdout: out.sink, stderr: err.sink });
  assert.deepEqual(quiet, { status: 'completed', exit: 1 });
  const missing = await got.executor.exec(new CommandValue('no-such-program', []), null, control());
  assert.deepEqual(missing, { status: 'completed', exit: 127 });
  // A container that is gone: the engine's error (podman: exit 125, docker: exit 1 + the daemon's answer) is a failure.
  const gone = await new ContainerExecutor(got.executor.engine, `${got.executor.container}-gone`).exec(
    new CommandValue('true', []),
    null,
    control(),
  );
  assert.equal(gone.status, 'failed', JSON.stringify(gone));
  assert.match((gone as { error: string }).error, /no such container|not found/i);
});

needs('the engine is the one asked for, with only the global flags it accepts', async (e) => {
  const asked = process.env.TUTTI_CONTAINER_ENGINE;
  if (asked === 'podman' || asked === 'docker') assert.equal(e.kind, asked);
  if (e.kind === 'docker')
    assert.ok(!e.globalArgs.some((a) => a.startsWith('--runtime') || a.startsWith('--cgroup-manager')), e.globalArgs.join(' '));
  const set = await sharedSet();
  assert.equal(set.env.MELODIUM_RUN_EXECUTOR, e.kind);
  assert.equal(set.env.TUTTI_CONTAINER_ENGINE_ARGS, e.globalArgs.join(' '));
});

needs('environment: working directory, variables, expansion against the container environment', async () => {
  const set = await sharedSet();
  const got = { executor: executorIn(set, 'box') };
  const vars = StringMapValue.from({ WHERE: 'in ${PATH}', LITERAL: '${PATH}' });
  const out = collect();
  const run = (env: EnvironmentValue) =>
    got.executor.spawnOut(new CommandValue('sh', ['-c', 'pwd; echo "$WHERE"; echo "$LITERAL"']), env, control(), {
      stdout: out.sink,
      stderr: out.sink,
    });
  assert.deepEqual(await run(new EnvironmentValue(vars, '/tmp', true, false)), { status: 'completed', exit: 0 });
  const containerPath = engineLines(got.executor.engine, ['exec', set.env.MELODIUM_RUN_CONTAINER_box as string, 'printenv', 'PATH'])[0];
  assert.ok(containerPath !== undefined && containerPath !== process.env.PATH, 'the container has its own PATH');
  assert.equal(out.text(), `/tmp\nin ${containerPath}\n${containerPath}\n`);
});

needs('a file written in the container is in the volume directory and read back through getFileSystem', async () => {
  const set = await sharedSet();
  const got = { executor: executorIn(set, 'box') };
  const done = await got.executor.exec(
    new CommandValue('sh', ['-c', 'mkdir -p /data/sub && echo written inside > /data/sub/f.txt']),
    null,
    control(),
  );
  assert.deepEqual(done, { status: 'completed', exit: 0 });
  assert.equal(readFileSync(`${set.env.MELODIUM_RUN_VOLUME_data}/sub/f.txt`, 'utf8'), 'written inside\n');
  const fs = fileSystemFor('data', envOf(set));
  assert.ok('filesystem' in fs);
  const reader = await fs.filesystem.openRead('sub/f.txt');
  const bytes = await reader.read(1024);
  await reader.close();
  assert.equal(Buffer.from(bytes as Uint8Array).toString('utf8'), 'written inside\n');
  assert.deepEqual(fileSystemFor('other', envOf(set)), { error: "No volume 'other' available" });
});

needs('a service container is reachable by name from an executor', async () => {
  const set = await sharedSet();
  const got = { executor: executorIn(set, 'box') };
  let text = '';
  // The service may still be starting: retry for a few seconds.
  for (let i = 0; i < 50 && text === ''; i++) {
    const out = collect();
    await got.executor.spawnOut(new CommandValue('bash', ['-c', 'exec 3<>/dev/tcp/svc/8080 && cat <&3']), null, control(), {
      stdout: out.sink,
      stderr: async () => true,
    });
    text = out.text();
    if (text === '') await sleep(100);
  }
  assert.equal(text, 'hello from svc\n');
});

needs('CPU and memory limits are applied, everything carries the run label', async (e) => {
  const set = await sharedSet();
  const box = set.env.MELODIUM_RUN_CONTAINER_box as string;
  const [limits] = engineLines(e, ['inspect', '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}', box]);
  assert.equal(limits, `500000000 ${128 * 1024 * 1024}`);
  const labelled = engineLines(e, ['ps', '--all', '--filter', `label=tutti.run=${sharedRun}`, '--format', '{{.Names}}']).sort();
  assert.deepEqual(labelled, [box, set.env.MELODIUM_RUN_SERVICE_CONTAINER_svc].sort());
});

needs('terminate kills the command inside the container, not only the exec client', async () => {
  const set = await sharedSet();
  const got = { executor: executorIn(set, 'box') };
  const terminate = new AbortController();
  const running = got.executor.exec(new CommandValue('sh', ['-c', 'sleep 4242; echo never']), null, control(terminate));
  await sleep(500);
  terminate.abort();
  // Early: the terminate arrives before the command has started inside the container.
  const early = new AbortController();
  const out = collect();
  const soon = got.executor.spawnOut(new CommandValue('sleep', ['4242']), null, control(early), { stdout: out.sink, stderr: out.sink });
  early.abort();
  assert.deepEqual(await running, { status: 'terminated' });
  assert.deepEqual(await soon, { status: 'terminated' });
  const list = "for d in /proc/[0-9]*; do tr '\\0' ' ' < $d/cmdline 2>/dev/null; echo; done";
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = engineLines(got.executor.engine, ['exec', set.env.MELODIUM_RUN_CONTAINER_box as string, 'sh', '-c', list]).filter((l) =>
      l.includes('4242'),
    );
    if (left.length === 0) break;
    await sleep(100);
  }
  assert.deepEqual(left, []);
});

needs('close removes every container, network and volume directory, within 5 s, idempotently', async (e) => {
  const id = `${runId}-close`;
  const set = await startContainerSet({
    runId: id,
    maxDuration: 600,
    volumes: [{ name: 'v', storage: 10 }],
    containers: [container('a', { mounts: [{ name: 'v', point: '/v' }] }), container('b')],
    serviceContainers: [{ ...container('s'), env: {}, command: ['sleep', '600'] }],
  });
  sets.push(set);
  const dir = set.env.MELODIUM_RUN_VOLUME_v as string;
  assert.ok(existsSync(dir));
  assert.equal(engineLines(e, ['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]).length, 3);
  const t0 = Date.now();
  assert.deepEqual(await set.close(), []);
  assert.ok(Date.now() - t0 < 5000, `closed in ${Date.now() - t0} ms`);
  assert.deepEqual(await set.close(), []);
  assert.deepEqual(engineLines(e, ['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
  assert.deepEqual(engineLines(e, ['network', 'ls', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
  assert.equal(existsSync(dir), false);
});

needs('max_duration closes the set by itself', async (e) => {
  const id = `${runId}-expire`;
  let expired: string[] | undefined;
  const set = await startContainerSet(
    { runId: id, maxDuration: 2, volumes: [], containers: [container('a')], serviceContainers: [] },
    {
      onExpire: (w) => {
        expired = w;
      },
    },
  );
  sets.push(set);
  assert.equal(engineLines(e, ['ps', '--quiet', '--filter', `label=tutti.run=${id}`]).length, 1);
  for (let i = 0; i < 100 && expired === undefined; i++) await sleep(100);
  assert.deepEqual(expired, []);
  assert.deepEqual(engineLines(e, ['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
});

needs('an image that does not exist is a clear error naming it, and nothing is left', async (e) => {
  const id = `${runId}-noimage`;
  await assert.rejects(
    startContainerSet({
      runId: id,
      maxDuration: 60,
      volumes: [],
      containers: [container('a'), container('b', { image: 'localhost/tutti-no-such-image:1' })],
      serviceContainers: [],
    }),
    (err: unknown) =>
      err instanceof ContainerError &&
      err.code === 'E_CONTAINER_IMAGE' &&
      err.message.startsWith("Container image 'localhost/tutti-no-such-image:1' (of container 'b') not found"),
  );
  assert.deepEqual(engineLines(e, ['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
  assert.deepEqual(engineLines(e, ['network', 'ls', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
});

needs('an image of another architecture than requested is refused', async () => {
  const host = process.arch === 'arm64' ? 'amd64' : 'arm64';
  await assert.rejects(
    startContainerSet({
      runId: `${runId}-arch`,
      maxDuration: 60,
      volumes: [],
      containers: [container('a', { arch: host })],
      serviceContainers: [],
    }),
    (err: unknown) => err instanceof ContainerError && /is for (amd64|arm64), but container 'a' asks for/.test(err.message),
  );
});

needs('leftovers of a crashed orchestrator are found by label and removed', async (e) => {
  const id = `${runId}-crash`;
  const set = await startContainerSet({
    runId: id,
    maxDuration: 600,
    volumes: [{ name: 'v', storage: 1 }],
    containers: [container('a')],
    serviceContainers: [],
  });
  const dir = set.env.MELODIUM_RUN_VOLUME_v as string;
  // No close(): as if the orchestrator had died.
  assert.deepEqual(await removeLeftovers(id, e), []);
  assert.deepEqual(engineLines(e, ['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
  assert.deepEqual(engineLines(e, ['network', 'ls', '--quiet', '--filter', `label=tutti.run=${id}`]), []);
  assert.equal(existsSync(dir), false);
});

const CLI = fileURLToPath(new URL('../../../../cli/bin/tutti.js', import.meta.url));

const PROGRAM = `#! name = work_containers
#! version = 0.1.0
#! require = std:0.10.2 process:0.10.2 fs:0.10.2 work:0.10.2

use std/engine/util::startup
use std/flow::close
use std/flow::emit
use std/flow::stream
use std/ops/option::|wrap
use process/command::|command
use process/exec::spawnOnce
use work/resources::getExecutor
use work/resources::getFileSystem
use fs/file::read
use fs/local::writeLocal
use fs/local::writeTextLocal

treatment main(container: string = "box")
{
    startup()
    name: emit<Option<string>>(value = |wrap<string>(container))
    getExecutor()
    inContainer: spawnOnce(command = |command("sh", ["-c", "hostname | tee /data/out.txt"]))
    noInput: close<byte>()
    stdoutCopy: writeLocal(path = "stdout.txt")
    volumeName: emit<string>(value = "data")
    getFileSystem()
    fileName: emit<string>(value = "out.txt")
    read()
    volumeCopy: writeLocal(path = "volume.txt")
    errorText: stream<string>()
    errorCopy: writeTextLocal(path = "error.txt")

    startup.trigger -> name.trigger,emit -> getExecutor.name,executor -> inContainer.executor
    startup.trigger -> inContainer.launch
    startup.trigger -> noInput.trigger,closed -> inContainer.stdin
    inContainer.stdout -> stdoutCopy.data
    inContainer.completed -> volumeName.trigger,emit -> getFileSystem.name,filesystem -> read.filesystem
    inContainer.completed -> fileName.trigger,emit -> read.path
    read.data -> volumeCopy.data
    getExecutor.error -> errorText.block,stream -> errorCopy.text
}
`;

needs('a .mel program runs a command in a container with getExecutor and process/exec, and reads the volume back', async () => {
  const set = await sharedSet();
  const dir = mkdtempSync(join(tmpdir(), 'tutti-work-mel-'));
  try {
    writeFileSync(join(dir, 'main.mel'), PROGRAM);
    const r = spawnSync(process.execPath, [CLI, 'run', 'main.mel'], { cwd: dir, env: envOf(set), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'stdout.txt'), 'utf8'), 'box\n');
    assert.equal(readFileSync(join(dir, 'volume.txt'), 'utf8'), 'box\n');
    assert.equal(existsSync(join(dir, 'error.txt')), false);
    // An unknown container: the reference's message on `error`, nothing run.
    rmSync(join(dir, 'stdout.txt'));
    const unknown = spawnSync(process.execPath, [CLI, 'run', 'main.mel', '--container', 'nope'], {
      cwd: dir,
      env: envOf(set),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(unknown.status, 0, unknown.stderr);
    assert.equal(readFileSync(join(dir, 'error.txt'), 'utf8'), "No container 'nope' listed as available");
    assert.equal(existsSync(join(dir, 'stdout.txt')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('service network aliases must be usable host names', () => {
  const request = (aliases: string[]): ContainerSetRequest => ({
    runId: 'aliases',
    maxDuration: 10,
    volumes: [],
    containers: [],
    serviceContainers: [{ ...container('db'), env: {}, command: undefined, entrypoint: ['sh', '-c'], aliases }],
  });
  validateRequest(request(['db', 'postgres', 'library__postgres', 'registry.example.com-tools-pg']));
  assert.throws(
    () => validateRequest(request(['db', 'no spaces'])),
    (e: unknown) => e instanceof ContainerError && /Network alias 'no spaces' of container 'db' is not valid/.test(e.message),
  );
});
