/**
 * work/distant's `compose` location end to end (issue 10): the orchestrator (the built CLI)
 * asks for a worker with an executor container, a service container and a volume; the
 * distributed treatment runs a command inside the executor container (which reaches the
 * service by name), the command writes into the volume, and the file's bytes come back to the
 * orchestrator through the distribution connection. Afterwards nothing of the set is left.
 * Uses the shared base image of scripts/container-image.mjs; in CI a missing engine fails.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { engineArgs } from '@tutti/lib-work';
import { type ContainerSetup, containerSetupForTests, ROOT } from './helpers.js';

const BIN = join(ROOT, 'packages/cli/bin/tutti.js');

let setup: ContainerSetup = { skip: 'not set up' };

before(async () => {
  setup = await containerSetupForTests();
});

const program = (image: string, pause = 0) => `#! name = prog
#! version = 0.1.0
#! require = std:0.10.2 distrib:0.10.2 work:0.10.2 process:0.10.2 fs:0.10.2 encoding:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/flow::trigger
use std/ops/option::|wrap
use std/data/map::|map
use std/data/map::|entry
use process/command::|command
use process/exec::spawnOnce
use work/resources::getExecutor
use work/resources::getFileSystem
use work/resources::|container
use work/resources::|service_container
use work/resources::|volume
use work/resources::|mount
use work/resources/arch::|amd64
use work/distant::DistantEngine
use work/distant::distant
use distrib::DistributionEngine
use distrib::start
use distrib::distribute
use distrib::sendBlock
use distrib::recvStream
use fs/file::read
use fs/local::writeLocal
use encoding::encode

/// Runs on the worker: writes \`word\` and what the service answered into the volume from
/// inside container "cbox" (after a pause), then streams the file back.
treatment inBox()
  input word: Block<string>
  output data: Stream<byte>
{
  stream<string>()
  encode()
  trigger<string>()
  name: emit<Option<string>>(value = |wrap<string>("cbox"))
  getExecutor()
  run: spawnOnce(command = |command("bash", ["-c", "sleep ${pause}; { cat; echo; for i in $(seq 100); do exec 3<>/dev/tcp/csvc/7000 && break; sleep 0.2; done 2>/dev/null; cat <&3; } > /data/out.txt"]))
  volumeName: emit<string>(value = "data")
  getFileSystem()
  fileName: emit<string>(value = "out.txt")
  read()
  Self.word -> stream.block,stream -> encode.text,data -> run.stdin
  stream.stream -> trigger.stream,start -> name.trigger,emit -> getExecutor.name,executor -> run.executor
  trigger.start -> run.launch
  run.completed -> volumeName.trigger,emit -> getFileSystem.name,filesystem -> read.filesystem
  run.completed -> fileName.trigger,emit -> read.path
  read.data -> Self.data
}

treatment main(out: string)
  model de: DistantEngine(location = "compose", api_url = _, api_token = _)
  model dist: DistributionEngine(treatment = "prog::inBox", version = "0.1.0")
{
  startup()
  distant[distant_engine = de](max_duration = 120, memory = 256, cpu = 500, storage = 100, edition = _, arch = _,
    volumes = [|volume("data", 100)],
    containers = [|container("cbox", 256, 500, 100, |amd64(), [|mount("data", "/data")], "${image}", _)],
    service_containers = [|service_container("csvc", 64, 100, 10, |amd64(), [], "${image}", _, _,
      |wrap<Vec<string>>(["perl", "-MIO::Socket::INET", "-e", "my $s = IO::Socket::INET->new(LocalPort => 7000, Listen => 5, ReuseAddr => 1) or die; while (my $c = $s->accept) { print $c qq(from-service\\n); close $c }"]))],
    tags = [])
  start[distributor = dist](params = |map([]))
  distribute[distributor = dist]()
  word: emit<string>(value = "hello")
  sendBlock<string>[distributor = dist](name = "word")
  recvStream<byte>[distributor = dist](name = "data")
  writeLocal(path = out)
  startup.trigger -> distant.trigger,access -> start.access
  start.ready -> distribute.trigger,distribution_id -> sendBlock.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  start.ready -> word.trigger,emit -> sendBlock.data
  recvStream.data -> writeLocal.data
}
`;

interface Engine {
  readonly env: Record<string, string>;
  /** Runs the container engine with its global arguments; its stdout lines. */
  lines(args: readonly string[]): string[];
}

function engineOf(): Engine {
  const env = { ...process.env, ...setup.env } as Record<string, string>;
  // docker is given only its own global flags, as the library does.
  const global = engineArgs(setup.engine as 'podman' | 'docker', env.TUTTI_CONTAINER_ENGINE_ARGS).args;
  return {
    env,
    lines: (args) =>
      spawnSync(setup.engine as string, [...global, ...args], { env, encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.trim() !== ''),
  };
}

/** The run ids of this file's sets (their executor is named cbox), alive or not. */
const runIds = (e: Engine) =>
  e
    .lines(['ps', '--all', '--filter', 'label=tutti.run', '--format', '{{.Names}}'])
    .filter((n) => n.endsWith('-custom-cbox'))
    .map((n) => n.slice('tutti-'.length, -'-custom-cbox'.length));

/** What is left of run `id`: containers and networks with its label. */
const leftOf = (e: Engine, id: string) => [
  ...e.lines(['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]),
  ...e.lines(['network', 'ls', '--quiet', '--filter', `label=tutti.run=${id}`]),
];

function start(dir: string, e: Engine) {
  const child = spawn(process.execPath, [BIN, 'run', 'main.mel', '--out', join(dir, 'out.txt')], {
    cwd: dir,
    env: e.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      r(code);
    }),
  );
  return { child, exited, output: () => output };
}

test('compose: a command in an executor container reaches a service by name and returns a file through a volume; nothing is left', async (t) => {
  if (setup.skip !== undefined) {
    t.skip(setup.skip);
    return;
  }
  const e = engineOf();
  const before = new Set(runIds(e));
  const dir = mkdtempSync(join(tmpdir(), 'tutti-compose-'));
  try {
    writeFileSync(join(dir, 'main.mel'), program(setup.image as string));
    const run = start(dir, e);
    // The run's set, seen while it lives (its containers carry the label), then gone.
    const seen = new Set<string>();
    let done = false;
    void run.exited.then(() => (done = true));
    while (!done) {
      for (const id of runIds(e)) if (!before.has(id)) seen.add(id);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await run.exited, 0, run.output());
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'hello\nfrom-service\n', run.output());
    assert.equal(seen.size, 1, `one container set expected, saw ${[...seen].join(', ')}`);
    for (const id of seen) assert.deepEqual(leftOf(e, id), [], `run ${id} left objects behind`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compose: SIGTERM mid-step ends the run within 5 s and removes the worker, the containers and the network', async (t) => {
  if (setup.skip !== undefined) {
    t.skip(setup.skip);
    return;
  }
  const e = engineOf();
  const before = new Set(runIds(e));
  const dir = mkdtempSync(join(tmpdir(), 'tutti-compose-'));
  try {
    writeFileSync(join(dir, 'main.mel'), program(setup.image as string, 60));
    const run = start(dir, e);
    // Wait until the step runs inside the container (its set is up and the worker launched the treatment).
    let id: string | undefined;
    for (let i = 0; i < 600 && id === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (run.output().includes('launched prog::inBox')) id = runIds(e).find((x) => !before.has(x));
    }
    assert.ok(id !== undefined, `the set never came up:\n${run.output()}`);
    const workerPid = run.child.pid as number;
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    const code = await run.exited;
    assert.ok(Date.now() - t0 < 5000, `the run took ${Date.now() - t0} ms to end`);
    assert.equal(code, 143, run.output());
    assert.deepEqual(leftOf(e, id), [], 'containers or network left behind');
    // No worker process of that run is left (the worker is a child of the run).
    const children = spawnSync('pgrep', ['-P', String(workerPid)], { encoding: 'utf8' }).stdout.trim();
    assert.equal(children, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
