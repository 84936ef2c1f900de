/**
 * The 0.9 shapes of `work`, `distrib` and `process` (docs/legacy.md): a program that
 * requires `^0.9` of them (or pins a 0.9 pre-release, as the reference's own test programs
 * do) gets `DistantEngine(address, key)`, `distant`'s `failure`/`error`, the `ready` and
 * `distributionFailure` sources, `distribute(params)`, `getExecutor(name)` with `trigger`
 * and `spawn(command, environment)` with `launch`, each over the 0.10 element; with 0.10.2
 * requirements the same program is refused, naming the 0.10 shapes. Runs through the built
 * CLI against a real worker (`tutti dist`, started by the `local` location).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiagnosticSink, formatType } from '@tutti/core';
import { checkPath } from '@tutti/driver';
import { checkProgram, type TreatmentSymbol } from '@tutti/lang';
import { check, project, ROOT } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (files: Record<string, string>) => {
  const d = project(files);
  dirs.push(d);
  return d;
};

/** Runs the CLI in `cwd` (where the program writes its .log files). */
function tutti(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/**
 * The shape of the reference's `tests/command_distributed.mel` (0.9): a worker from
 * `DistantEngine`, `ready`/`distributionFailure` tracks, and a distributed treatment that
 * spawns `head --bytes 1024 -` with the 0.9 `getExecutor` and `spawn`.
 */
const program = (
  require: string,
  o: { treatment?: string; distributeParams?: string; version?: [string, string] } = {},
) => `#! name = legacy_dist
#! version = ${o.version?.[0] ?? '0.1.0'}
#! require = ${require}

use std/flow::emit
use std/flow::trigger
use std/flow::stream
use std/flow/vec::flatten
use std/data/map::|map
use std/data/map::|entry
use std/engine/util::startup
use work/distant::DistantEngine
use work/distant::distant
use work/resources::getExecutor
use process/exec::spawn
use process/command::|command
use fs/local::writeTextLocal
use fs/local::writeLocal
use fs/local::readLocal
use distrib::DistributionEngine
use distrib::distribute
use distrib::ready
use distrib::start
use distrib::stop
use distrib::sendStream
use distrib::recvStream
use distrib::distributionFailure

treatment main(const address: string, var input_data: string, var output_data: string)
  model distant: DistantEngine(address = address, key = "")
  model distributor: DistributionEngine(treatment = "legacy_dist::${o.treatment ?? 'command'}", version = "${o.version?.[1] ?? '0.1.0'}")
{
    startup()
    distant[distant_engine = distant](max_duration = 600, memory = 280, cpu = 1000, storage = 256)
    start[distributor = distributor](params = |map([]))
    stop[distributor = distributor]()
    distributedCommand[distributor = distributor]()
    startup.trigger -> distant.trigger,access -> start.access

    writeDistantFailure: writeTextLocal(path = "distant_failure.log")
    streamDistantFailure: stream<Vec<string>>()
    flatten<string>()
    distant.failure -> streamDistantFailure.block,stream -> flatten.vector,value -> writeDistantFailure.text

    emitOk: emit<string>(value = "ok")
    streamOk: stream<string>()
    writeOk: writeTextLocal(path = "ok.log")
    ready[distribution_engine = distributor]()
    writeDistribFailure: writeTextLocal(path = "distrib_failure.log")
    streamDistribFailure: stream<string>()
    distributionFailure[distribution_engine = distributor]()

    distributionFailure.error -> streamDistribFailure.block,stream -> writeDistribFailure.text
    ready.trigger -> emitOk.trigger,emit -> streamOk.block,stream -> writeOk.text

    readLocal(path = input_data)
    writeLocal(path = output_data)

    ready.trigger -> readLocal.trigger,data -> distributedCommand.data,data -> writeLocal.data,finished -> stop.trigger
}

treatment command()
  input data:  Stream<byte>
  output data: Stream<byte>
{
    trigger<byte>()
    getExecutor(name = _)
    spawn(command = |command("head", ["--bytes", "1024", "-"]), environment = _)

    Self.data -> trigger.stream,start -> getExecutor.trigger,executor -> spawn.executor
                 trigger.start ----------------------------------------> spawn.launch
    Self.data ---------------------------------------------------------> spawn.stdin,stdout -> Self.data
}

treatment distributedCommand[distributor: DistributionEngine]()
  input data: Stream<byte>
  output data: Stream<byte>
{
    trigger<byte>()
    distribute[distributor = distributor](params = ${o.distributeParams ?? '|map([])'})

    Self.data -> trigger.stream,start -> distribute.trigger

    sendStream<byte>[distributor = distributor](name = "data")
    recvStream<byte>[distributor = distributor](name = "data")

    distribute.distribution_id -> sendStream.distribution_id
    distribute.distribution_id -> recvStream.distribution_id

    Self.data -> sendStream.data
    recvStream.data -> Self.data
}
`;

const REQUIRE_09 = 'std:^0.9 work:^0.9 distrib:^0.9 process:^0.9 fs:^0.9';
/** As the reference's test programs pin them. */
const REQUIRE_PRE = 'std:=0.9.2-pre.0 work:=0.9.2-pre.0 distrib:=0.9.2-pre.0 process:=0.9.2-pre.0 fs:=0.9.2-pre.0';

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('a 0.9 program runs its treatment on a local worker: DistantEngine(address, key), ready, distribute(params), getExecutor(name), spawn with launch', () => {
  // The last as the reference's test program: a pre-release, given to DistributionEngine as a requirement.
  for (const [require, version] of [
    [REQUIRE_09, undefined],
    [REQUIRE_PRE, undefined],
    [REQUIRE_PRE, ['0.9.2-pre.0', '=0.9.2-pre.0']],
  ] as const) {
    const input = randomBytes(3000);
    const dir = tmp({ 'prog.mel': program(require, version === undefined ? {} : { version: [...version] }) });
    writeFileSync(join(dir, 'in.bin'), input);
    const r = tutti(['run', 'prog.mel', '--address', 'local', '--input_data', 'in.bin', '--output_data', 'out.bin'], dir);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(readFileSync(join(dir, 'out.bin')), input.subarray(0, 1024), 'the first KiB came back through head on the worker');
    assert.equal(readFileSync(join(dir, 'ok.log'), 'utf8'), 'ok', 'the ready track ran');
    assert.equal(existsSync(join(dir, 'distant_failure.log')), false);
    assert.equal(existsSync(join(dir, 'distrib_failure.log')), false);
  }
});

test('0.9 failures: distant gives its messages on failure, distributionFailure the reason of a failed start', async () => {
  const dir = tmp({ 'prog.mel': program(REQUIRE_09), 'missing.mel': program(REQUIRE_09, { treatment: 'missing' }) });
  writeFileSync(join(dir, 'in.bin'), 'data');
  // An address other than a location's name is the Mélodium API's: nobody answers there.
  const api = `http://127.0.0.1:${await closedPort()}`;
  const a = tutti(['run', 'prog.mel', '--address', api, '--input_data', 'in.bin', '--output_data', 'out.bin'], dir);
  assert.equal(a.status, 0, a.out);
  assert.match(readFileSync(join(dir, 'distant_failure.log'), 'utf8'), /fetch failed|ECONNREFUSED/);
  assert.equal(existsSync(join(dir, 'ok.log')), false);

  const b = tutti(['run', 'missing.mel', '--address', 'local', '--input_data', 'in.bin', '--output_data', 'out.bin'], dir);
  assert.equal(b.status, 0, b.out);
  assert.match(
    readFileSync(join(dir, 'distrib_failure.log'), 'utf8'),
    /^the worker could not launch legacy_dist::missing: .*declares no treatment 'missing'/,
  );
  assert.equal(existsSync(join(dir, 'ok.log')), false);
});

test("distribute's 0.9 params: parameters for one instance fail it with the reason (the protocol gives them at start)", () => {
  const dir = tmp({ 'prog.mel': program(REQUIRE_09, { distributeParams: '|map([|entry<string>("prefix", "x")])' }) });
  writeFileSync(join(dir, 'in.bin'), 'data');
  const r = tutti(['run', 'prog.mel', '--address', 'local', '--input_data', 'in.bin', '--output_data', 'out.bin'], dir);
  assert.match(
    r.out,
    /distribute cannot give parameters \('prefix'\) to one instance: a distributed treatment gets its parameters once, from start/,
  );
  assert.equal(readFileSync(join(dir, 'ok.log'), 'utf8'), 'ok');
});

test('the same program requiring 0.10.2 is refused, each diagnostic naming the 0.10 shape', async () => {
  const dir = tmp({ 'v10.mel': program('std:0.10.2 work:0.10.2 distrib:0.10.2 process:0.10.2 fs:0.10.2') });
  const found = await check(join(dir, 'v10.mel'));
  const has = (code: string, re: RegExp) =>
    assert.ok(
      found.some((d) => d.code === code && re.test(d.message)),
      `${code} ${re}: ${JSON.stringify(found.map((d) => `${d.code} ${d.message}`))}`,
    );
  has('E_UNKNOWN_ELEMENT', /cannot import\s'distrib::ready': area 'distrib' has no element 'ready'/);
  has('E_UNKNOWN_ELEMENT', /cannot import\s'distrib::distributionFailure'/);
  has('E_MISSING_PARAMETER', /model 'DistantEngine' needs parameters 'api_url', 'api_token'/);
  has('E_UNKNOWN_PARAMETER', /model 'DistantEngine' has no parameter 'address'/);
  has(
    'E_MISSING_PARAMETER',
    /treatment 'distant' needs parameters 'edition', 'arch', 'volumes', 'containers', 'service_containers', 'tags'/,
  );
  has('E_UNKNOWN_OUTPUT', /'distant' \(distant\) has no output 'failure'/);
  has('E_UNKNOWN_PARAMETER', /treatment 'getExecutor' has no parameter 'name'/);
  has('E_UNKNOWN_INPUT', /'getExecutor' \(getExecutor\) has no input 'trigger'/);
  has('E_UNKNOWN_PARAMETER', /treatment 'spawn' has no parameter 'command'/);
  has('E_UNKNOWN_INPUT', /'spawn' \(spawn\) has no input 'launch'/);
  has('E_UNKNOWN_PARAMETER', /treatment 'distribute' has no parameter 'params'/);
});

test('getFileSystem(name) with trigger: the volume a worker is given, or a failure naming it', () => {
  const dir = tmp({
    'fs.mel': `#! name = legacy_fs
#! require = std:^0.9 work:^0.9 fs:^0.9
use std/engine/util::startup
use std/engine/log::logInfo
use std/flow::emit
use std/flow::stream
use std/text/convert/string::toUtf8
use work/resources::getFileSystem
use fs/file::write

treatment main()
{
    startup()
    getFileSystem(name = "shared")
    emitPath: emit<string>(value = "shared.data")
    emitText: emit<string>(value = "on the volume")
    stream<string>()
    toUtf8()
    write()
    logInfo(label = "volume")
    startup.trigger -> getFileSystem.trigger,filesystem -> write.filesystem
    startup.trigger -> emitPath.trigger,emit -> write.path
    startup.trigger -> emitText.trigger,emit -> stream.block,stream -> toUtf8.text,encoded -> write.data
    getFileSystem.error -> logInfo.message
}
`,
  });
  const failed = tutti(['run', 'fs.mel'], dir);
  assert.equal(failed.status, 0, failed.out);
  assert.match(failed.out, /info: volume: .*'shared'/);
  // What a worker's volumes look like to the program (docs/distribution.md).
  const volume = join(dir, 'volume');
  const given = tutti(['run', 'fs.mel'], dir, { MELODIUM_RUN_VOLUMES: 'shared', MELODIUM_RUN_VOLUME_shared: volume });
  assert.equal(given.status, 0, given.out);
  assert.doesNotMatch(given.out, /volume:/);
  assert.equal(readFileSync(join(volume, 'shared.data'), 'utf8'), 'on the volume');
});

test('on a local worker, the 0.9 getFileSystem(name) gives a volume distant asked for', () => {
  const dir = tmp({
    'v.mel': `#! name = v09dist
#! version = 0.1.0
#! require = std:^0.9 work:^0.9 distrib:^0.9 process:^0.9 fs:^0.9

use std/flow::emit
use std/flow::trigger
use std/data/map::|map
use std/engine/util::startup
use std/engine/log::logInfo
use std/flow::stream
use std/text/convert/string::toUtf8
use work/resources::getFileSystem
use work/resources::|volume
use fs/file::write
use work/distant::DistantEngine
use work/distant::distant
use fs/local::writeLocal
use fs/local::readLocal
use distrib::DistributionEngine
use distrib::distribute
use distrib::start
use distrib::stop
use distrib::sendStream
use distrib::recvStream

treatment main(var input_data: string, var output_data: string)
  model de: DistantEngine(address = "local", key = "")
  model distributor: DistributionEngine(treatment = "v09dist::command", version = "0.1.0")
{
    startup()
    distant[distant_engine = de](max_duration = 60, memory = 100, cpu = 100, storage = 100, volumes = [|volume("sharedfolder", 50)])
    start[distributor = distributor](params = |map([]))
    stop[distributor = distributor]()
    startup.trigger -> distant.trigger,access -> start.access
    trigger<byte>()
    distribute[distributor = distributor](params = |map([]))
    sendStream<byte>[distributor = distributor](name = "data")
    recvStream<byte>[distributor = distributor](name = "data")
    readLocal(path = input_data)
    writeLocal(path = output_data)
    start.ready -> readLocal.trigger,data -> trigger.stream,start -> distribute.trigger
    distribute.distribution_id -> sendStream.distribution_id
    distribute.distribution_id -> recvStream.distribution_id
    readLocal.data -> sendStream.data
    recvStream.data -> writeLocal.data,finished -> stop.trigger
}

treatment command()
  input data:  Stream<byte>
  output data: Stream<byte>
{
    // The answer is sent once the input is on the volume: the orchestrator stops the worker
    // when the answer is in, so nothing is cut short.
    trigger<byte>()
    getFileSystem(name = "sharedfolder")
    emitPath: emit<string>(value = "shared.data")
    write()
    errLog: logInfo(label = "volume")
    emitDone: emit<string>(value = "written")
    stream<string>()
    toUtf8()
    Self.data -> trigger.stream,start -> getFileSystem.trigger,filesystem -> write.filesystem
    trigger.start -> emitPath.trigger,emit -> write.path
    Self.data -> write.data
    getFileSystem.error -> errLog.message
    write.finished -> emitDone.trigger,emit -> stream.block,stream -> toUtf8.text,encoded -> Self.data
}
`,
  });
  writeFileSync(join(dir, 'in.bin'), randomBytes(100));
  const r = tutti(['run', 'v.mel', '--input_data', 'in.bin', '--output_data', 'out.bin'], dir);
  assert.equal(r.status, 0, r.out);
  assert.doesNotMatch(r.out, /info: volume:/);
  assert.equal(readFileSync(join(dir, 'out.bin'), 'utf8'), 'written');
});

test('generations mix across packages: a 0.9 program spawns with the 0.9 process while its cicd ^0.9 runs the 0.10 process and work inside', async () => {
  const dir = tmp({
    'mix.mel': `#! name = mix
#! require = std:^0.9 process:^0.9 work:^0.9 log:^0.9 cicd:^0.9
use std/engine/util::startup
use std/flow::close
use std/engine/log::logInfos
use std/text/convert/string::fromUtf8
use work/resources::getExecutor
use process/exec::spawn
use process/command::|command
use process/command::|raw_commands
use cicd/naive::localStep
use log/logger::Logger

treatment main()
  model logger: Logger()
{
    startup()
    getExecutor()
    close<byte>()
    spawn(command = |command("echo", ["from the 0.9 spawn"]))
    fromUtf8()
    logInfos(label = "spawned")
    localStep[logger = logger](name = "inner", commands = |raw_commands(["echo from the 0.10 process of cicd"]))

    startup.trigger -> getExecutor.trigger,executor -> spawn.executor
    startup.trigger -> spawn.launch
    startup.trigger -> close.trigger,closed -> spawn.stdin
    spawn.stdout -> fromUtf8.encoded,text -> logInfos.messages
    startup.trigger -> localStep.trigger
}
`,
  });
  // Each package sees its own generation: the program's process and work are 0.9, those of
  // the 0.10 cicd that the 0.9 cicd wraps are the 0.10 packages (kept as process_0_10, work_0_10).
  const checked = await checkPath(join(dir, 'mix.mel'));
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const packages = checked.loaded?.program.packages;
  const seen = (from: string, dep: string) => packages?.get(from)?.dependencies.get(dep);
  assert.equal(seen('mix', 'process')?.version, '0.9.1');
  assert.equal(seen('mix', 'work')?.version, '0.9.1');
  assert.equal(seen('cicd', 'cicd_0_10')?.version, '0.10.2');
  assert.equal(seen('cicd_0_10', 'process')?.name, 'process_0_10');
  assert.equal(seen('cicd_0_10', 'work')?.name, 'work_0_10');
  assert.equal(seen('cicd_0_10', 'work')?.version, '0.10.2');
  const r = tutti(['run', 'mix.mel', '--progress', 'off'], dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /info: spawned: from the 0\.9 spawn/);
  assert.match(r.out, /inner: from the 0\.10 process of cicd/);
});

test("the 0.9 process wraps every 0.10 .mel treatment with its signature; only spawn has the 0.9 shape (0.10's spawnOnce)", async () => {
  const dir = tmp({ 'p.mel': '#! name = p\n#! require = process:^0.9 std:^0.9\ntreatment main() {}\n' });
  const { loaded } = await checkPath(join(dir, 'p.mel'));
  assert.ok(loaded);
  const v09 = loaded.program.packages.get('process');
  const v10 = loaded.program.packages.get('process_0_10');
  assert.ok(v09 && v10);
  assert.equal(v09.version, '0.9.1');
  const sink = new DiagnosticSink();
  const r09 = checkProgram({ ...loaded.program, root: v09 }, v09.melAreas(), [], sink);
  const r10 = checkProgram({ ...loaded.program, root: v10 }, v10.melAreas(), [], sink);
  assert.deepEqual(
    sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const shape = (t: TreatmentSymbol) => ({
    params: [...t.params.values()].map((p) => [p.name, p.variability, p.type && formatType(p.type), p.hasDefault]),
    inputs: [...t.inputs.values()].map((p) => [p.name, p.flow, p.type && formatType(p.type)]),
    outputs: [...t.outputs.values()].map((p) => [p.name, p.flow, p.type && formatType(p.type)]),
  });
  const treatments = (r: typeof r09, pkg: typeof v09) => {
    const m = new Map<string, TreatmentSymbol>();
    for (const area of r.areas) {
      if (area.pkg !== pkg || area.mel === undefined) continue;
      for (const name of area.declared.keys()) {
        const t = area.lookup('name', name);
        if (t?.kind === 'treatment') m.set(`${area.path.slice(pkg.name.length)}::${name}`, t);
      }
    }
    return m;
  };
  const t09 = treatments(r09, v09);
  const t10 = treatments(r10, v10);
  assert.deepEqual([...t09.keys()].sort(), [...t10.keys()].sort(), 'the same .mel treatments in both generations');
  for (const [key, t] of t10) {
    const expected = key === '/exec::spawn' ? (t10.get('/exec::spawnOnce') as TreatmentSymbol) : t;
    assert.deepEqual(shape(t09.get(key) as TreatmentSymbol), shape(expected), key);
  }
  assert.notDeepEqual(shape(t09.get('/exec::spawn') as TreatmentSymbol), shape(t10.get('/exec::spawn') as TreatmentSymbol));
});
