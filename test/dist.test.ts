/**
 * Distribution end to end (issue 10): real `tutti dist` workers on loopback with TLS, and
 * orchestrators run by the built CLI. A program's middle treatment runs on a worker
 * (streams both ways, Blocks, several instances at once); faults end the run, never hang.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { connect, createServer } from 'node:tls';
import { localhostCertificate } from '@tutti/driver';
import { encodeFrame, FrameReader, type Message } from '@tutti/lib-distrib';
import { project, ROOT } from './helpers.js';

const BIN = join(ROOT, 'packages/cli/bin/tutti.js');

const HEADER = `#! name = prog
#! version = 0.1.0
#! require = std:0.10.2 distrib:0.10.2 work:0.10.2 net:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/engine/log::logInfo
use std/engine/log::logDataInfos
use std/engine/log::logDataInfo
use std/ops/num::add
use std/data/map::|map
use std/data/map::|entry
use distrib::DistributionEngine
use distrib::start
use distrib::distribute
use distrib::sendStream
use distrib::sendBlock
use distrib::recvStream
use distrib::recvBlock
use work/access::Access
use work/access::|new_access
use work/distant::DistantEngine
use work/distant::distant
use net/ip::|from_ipv4
use net/ip::|localhost_ipv4

/// Runs on the worker: doubles a stream, echoes a block, logs with the label it is given.
treatment echo(prefix: string)
  input nums: Stream<u64>
  input word: Block<string>
  output doubled: Stream<u64>
  output said: Block<string>
{
  add<u64>()
  logInfo(label = prefix)
  Self.nums -> add.a
  Self.nums -> add.b
  add.sum -> Self.doubled
  Self.word -> logInfo.message
  Self.word -> Self.said
}

/// One distributed instance: sends n values and a word, logs what comes back.
treatment one[dist: DistributionEngine](word: string, n: u128)
  input trigger: Block<void>
{
  distribute[distributor = dist]()
  emitN: emit<u128>(value = n)
  generate<u64>(data = 21)
  emitWord: emit<string>(value = word)
  sendStream<u64>[distributor = dist](name = "nums")
  sendBlock<string>[distributor = dist](name = "word")
  recvStream<u64>[distributor = dist](name = "doubled")
  recvBlock<string>[distributor = dist](name = "said")
  logDataInfos<u64>(label = word)
  logDataInfo<string>(label = "said")
  Self.trigger -> distribute.trigger
  distribute.distribution_id -> sendStream.distribution_id
  distribute.distribution_id -> sendBlock.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  distribute.distribution_id -> recvBlock.distribution_id
  Self.trigger -> emitN.trigger,emit -> generate.length,stream -> sendStream.data
  Self.trigger -> emitWord.trigger,emit -> sendBlock.data
  recvStream.data -> logDataInfos.data
  recvBlock.data -> logDataInfo.data
}
`;

/** main against a worker given by port and keys, with `instances` instances of `n` values. */
const manual = (instances: number, n: number) => `${HEADER}
treatment main(port: u16, rk: string, sk: string)
  model dist: DistributionEngine(treatment = "prog::echo", version = "0.1.0")
{
  startup()
  emitAccess: emit<Access>(value = |new_access([|from_ipv4(|localhost_ipv4())], port, rk, sk))
  start[distributor = dist](params = |map([|entry<string>("prefix", "remote")]))
  logInfo(label = "failed")
${Array.from({ length: instances }, (_, i) => `  one${i}: one[dist = dist](word = "w${i}", n = ${n})\n  start.ready -> one${i}.trigger`).join('\n')}
  startup.trigger -> emitAccess.trigger,emit -> start.access
  start.error -> logInfo.message
}
`;

/** main obtaining its worker from work/distant's local location. */
const viaDistant = (n: number) => `${HEADER}
treatment main()
  model dist: DistributionEngine(treatment = "prog::echo", version = "0.1.0")
  model de: DistantEngine(api_url = _, api_token = _)
{
  startup()
  distant[distant_engine = de](max_duration = 60, memory = 100, cpu = 100, storage = 100, edition = _, arch = _, volumes = [], containers = [], service_containers = [], tags = [])
  start[distributor = dist](params = |map([|entry<string>("prefix", "remote")]))
  one[dist = dist](word = "w", n = ${n})
  startup.trigger -> distant.trigger,access -> start.access
  start.ready -> one.trigger
}
`;

interface Proc {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly exited: Promise<number | null>;
}

function run(args: readonly string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => out.push(l));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => out.push(l));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

interface Worker extends Proc {
  readonly port: number;
  readonly fingerprint: string;
  readonly rk: string;
  readonly sk: string;
}

async function worker(extra: readonly string[] = [], env: Record<string, string> = {}): Promise<Worker> {
  const rk = randomUUID();
  const sk = randomUUID();
  const p = run(['dist', '--port', '0', '--recv-key', rk, '--send-key', sk, '--localhost', ...extra], env);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = p.out.find((l) => l.startsWith('tutti dist ready:'));
    if (line !== undefined) {
      const m = /port (\d+) sha256 (\S+)/.exec(line) as RegExpExecArray;
      return { ...p, port: Number(m[1]), fingerprint: m[2] as string, rk, sk };
    }
    if (Date.now() > deadline) throw new Error(`worker did not start: ${p.out.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);

const waitFor = async (lines: readonly string[], re: RegExp, ms: number) => {
  const deadline = Date.now() + ms;
  while (!lines.some((l) => re.test(l))) {
    if (Date.now() > deadline) throw new Error(`no line matching ${re} in:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a treatment runs on a worker: streams both ways, blocks, three instances at once, logs streamed back', async () => {
  const w = await worker();
  const dir = project({ 'prog.mel': manual(3, 50) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  assert.equal(await within(o.exited, 20_000, 'the orchestrator run'), 0, o.out.join('\n'));
  for (const word of ['w0', 'w1', 'w2']) {
    const doubled = o.out.filter((l) => l.includes(`info: ${word}: `));
    assert.equal(doubled.length, 50, `instance ${word}:\n${o.out.join('\n')}`);
    assert.ok(doubled.every((l) => l.endsWith(': 42')));
    assert.ok(o.out.some((l) => l.endsWith(`info: said: "${word}"`)));
    // The worker's log line, with its label, arrived in the orchestrator's log.
    assert.ok(
      o.out.some((l) => l.endsWith(`info: remote: ${word}`)),
      o.out.join('\n'),
    );
  }
  assert.equal(await within(w.exited, 5000, 'the worker end'), 0, w.out.join('\n'));
  assert.ok(w.out.some((l) => /worker ends: the orchestrator ended/.test(l)));
});

const MAPS = `#! name = maps
#! version = 0.2.0
#! require = std:0.10.2 distrib:0.10.2 work:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/engine/log::logDataInfos
use std/data/string_map::StringMap
use std/data/string_map::|map
use std/data/string_map::|entry
use std/data/string_map::get
use std/data/map::|map as |pmap
use distrib::DistributionEngine
use distrib::start
use distrib::distribute
use distrib::sendStream
use distrib::recvStream
use work/distant::DistantEngine
use work/distant::distant

/// Passes maps back.
treatment tag()
  input maps: Stream<StringMap>
  output tagged: Stream<StringMap>
{
  Self.maps -> Self.tagged
}

treatment main()
  model dist: DistributionEngine(treatment = "maps::tag", version = "0.2.0")
  model de: DistantEngine(api_url = _, api_token = _)
{
  startup()
  distant[distant_engine = de](max_duration = 60, memory = 100, cpu = 100, storage = 100, edition = _, arch = _, volumes = [], containers = [], service_containers = [], tags = [])
  start[distributor = dist](params = |pmap([]))
  distribute[distributor = dist]()
  emit<StringMap>(value = |map([|entry("a", "1"), |entry("b", "2")]))
  stream<StringMap>()
  sendStream<StringMap>[distributor = dist](name = "maps")
  recvStream<StringMap>[distributor = dist](name = "tagged")
  a: get(key = "a")
  b: get(key = "b")
  la: logDataInfos<Option<string>>(label = "a")
  lb: logDataInfos<Option<string>>(label = "b")
  startup.trigger -> distant.trigger,access -> start.access
  start.ready -> distribute.trigger
  distribute.distribution_id -> sendStream.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  start.ready -> emit.trigger,emit -> stream.block,stream -> sendStream.data
  recvStream.data -> a.map,value -> la.data
  recvStream.data -> b.map,value -> lb.data
}
`;

test('StringMap values (Serialize/Deserialize) cross both ways', async () => {
  const dir = project({ 'maps.mel': MAPS });
  const o = run(['run', join(dir, 'maps.mel')]);
  assert.equal(await within(o.exited, 20_000, 'the run'), 0, o.out.join('\n'));
  assert.ok(
    o.out.some((l) => l.endsWith('info: a: "1"')),
    o.out.join('\n'),
  );
  assert.ok(
    o.out.some((l) => l.endsWith('info: b: "2"')),
    o.out.join('\n'),
  );
});

test('wrong keys either way: start fails with a clear error, the run ends', async () => {
  const dir = project({ 'prog.mel': manual(1, 1) });
  for (const [wrong, expected] of [
    ['rk', /failed: the worker refused the connection: wrong key/],
    ['sk', /failed: the worker answered with a wrong key/],
  ] as const) {
    const w = await worker();
    const keys = { rk: w.rk, sk: w.sk, [wrong]: randomUUID() };
    const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', keys.rk, '--sk', keys.sk], {
      TUTTI_DIST_PIN: w.fingerprint,
    });
    await within(o.exited, 15_000, 'the orchestrator run');
    assert.ok(
      o.out.some((l) => expected.test(l)),
      o.out.join('\n'),
    );
    assert.equal(await within(w.exited, 5000, 'the worker end'), 1);
  }
});

test('a treatment version the shipped program does not have: start fails naming the package and versions', async () => {
  const w = await worker();
  const dir = project({ 'prog.mel': manual(1, 1).replace('version = "0.1.0")', 'version = "0.9.0")') });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  await within(o.exited, 15_000, 'the orchestrator run');
  assert.ok(
    o.out.some((l) => /failed: the worker could not launch prog::echo: .*package 'prog' 0\.1\.0 does not satisfy '=0\.9\.0'/.test(l)),
    o.out.join('\n'),
  );
  await within(w.exited, 5000, 'the worker end');
});

test('worker limits: a treatment without inputs, a generic one and one with model parameters are refused at start with the reason', async () => {
  const extra = `
/// No input: nothing of an instance could reach it.
treatment noInput(prefix: string)
  output said: Block<string>
{
  startup()
  emit<string>(value = prefix)
  startup.trigger -> emit.trigger,emit -> Self.said
}

/// Generic: start cannot give T.
treatment passOn<T>()
  input data: Stream<T>
  output same: Stream<T>
{
  Self.data -> Self.same
}

/// A model parameter: start cannot give a model instance.
treatment withModel[other: DistributionEngine]()
  input word: Block<string>
  output said: Block<string>
{
  Self.word -> Self.said
}
`;
  const cases = [
    ['noInput', /prog::noInput has no input; a distributed treatment needs one to be reached in its instances/],
    // Refused by the entry check of the worker's loader (the same as `tutti run` with such an entry), with the location:
    // DistributionEngine names the treatment and start gives it parameters only, no generic arguments nor models.
    ['passOn', /prog\.mel:\d+:\d+: entrypoint 'passOn' cannot be launched: it has generics/],
    ['withModel', /prog\.mel:\d+:\d+: entrypoint 'withModel' cannot be launched: it has configuration models/],
  ] as const;
  await Promise.all(
    cases.map(async ([name, expected]) => {
      const w = await worker();
      const text = manual(1, 1).replace('treatment = "prog::echo"', `treatment = "prog::${name}"`) + extra;
      const dir = project({ 'prog.mel': text });
      const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], {
        TUTTI_DIST_PIN: w.fingerprint,
      });
      await within(o.exited, 20_000, `the orchestrator run (${name})`);
      assert.ok(
        o.out.some((l) => /failed: the worker could not launch /.test(l) && expected.test(l)),
        `${name}:\n${o.out.join('\n')}`,
      );
      await within(w.exited, 5000, `the worker end (${name})`);
    }),
  );
});

test('a send or a receive naming a port the distributed treatment does not have fails the run with the port lists, never a hang', async () => {
  const w = await worker();
  // "doubld": a misspelt output (before, its receive waited for ever); "wrd": a misspelt input.
  const text = manual(1, 3)
    .replace('recvStream<u64>[distributor = dist](name = "doubled")', 'recvStream<u64>[distributor = dist](name = "doubld")')
    .replace('sendBlock<string>[distributor = dist](name = "word")', 'sendBlock<string>[distributor = dist](name = "wrd")');
  const dir = project({ 'prog.mel': text });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  const code = await within(o.exited, 20_000, 'the orchestrator run');
  assert.notEqual(code, 0, o.out.join('\n'));
  const all = o.out.join('\n');
  assert.match(all, /recvStream failed: prog::echo has no output 'doubld' \(its outputs: 'doubled', 'said'\)/);
  assert.match(all, /sendBlock failed: prog::echo has no input 'wrd' \(its inputs: 'nums', 'word'\)/);
  await within(w.exited, 5000, 'the worker end');
});

test('--certificate/--key: the orchestrator verifies the chain (TUTTI_DIST_CA) and the address, or refuses', async () => {
  const cert = await localhostCertificate();
  const dir = project({ 'cert.pem': cert.cert, 'key.pem': cert.key, 'prog.mel': manual(1, 2) });
  for (const trusted of [true, false]) {
    const rk = randomUUID();
    const sk = randomUUID();
    const w = run(['dist', '--port', '0', '-r', rk, '-s', sk, '-c', join(dir, 'cert.pem'), '-k', join(dir, 'key.pem'), '--wait', '10']);
    await waitFor(w.out, /^tutti dist ready: port \d+$/, 10_000);
    const port = (/port (\d+)/.exec(w.out.find((l) => l.startsWith('tutti dist ready')) ?? '') as RegExpExecArray)[1] as string;
    const o = run(
      ['run', join(dir, 'prog.mel'), '--port', port, '--rk', rk, '--sk', sk],
      trusted ? { TUTTI_DIST_CA: join(dir, 'cert.pem') } : {},
    );
    assert.equal(await within(o.exited, 15_000, 'the orchestrator run'), 0);
    if (trusted) assert.equal(o.out.filter((l) => l.endsWith('info: w0: 42')).length, 2, o.out.join('\n'));
    else {
      assert.ok(
        o.out.some((l) => /failed: .*certificate/.test(l)),
        o.out.join('\n'),
      );
      w.child.kill('SIGTERM');
    }
    await within(w.exited, 5000, 'the worker end');
  }
});

test('a certificate that is not the pinned one is refused', async () => {
  const w = await worker();
  const dir = project({ 'prog.mel': manual(1, 1) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: 'AA:BB' });
  await within(o.exited, 15_000, 'the orchestrator run');
  assert.ok(
    o.out.some((l) => /failed: .*is not the pinned one/.test(l)),
    o.out.join('\n'),
  );
  w.child.kill('SIGTERM');
  await within(w.exited, 5000, 'the worker end');
});

test('version mismatch: the worker refuses a newer protocol, the orchestrator refuses an older Mélodium', async () => {
  // Worker side: a peer speaking protocol 99.
  const w = await worker();
  const s = connect({ host: '127.0.0.1', port: w.port, rejectUnauthorized: false });
  await once(s, 'secureConnect');
  s.write(encodeFrame({ t: 'ask', protocol: 99, melodium_version: '0.10.2', key: w.rk, run_id: 'r', group_id: 'g' }));
  const reader = new FrameReader();
  const [answer] = (await new Promise<Message[]>((r) => s.on('data', (d: Buffer) => r(reader.push(d))))) as Message[];
  assert.equal(answer?.t, 'confirm');
  assert.equal((answer as { accept: boolean }).accept, false);
  assert.match((answer as { reason: string }).reason, /version mismatch: the orchestrator speaks protocol 99/);
  assert.equal((answer as { key: string }).key, '', 'no key revealed to a refused peer');
  s.destroy();
  assert.equal(await within(w.exited, 5000, 'the worker end'), 1);

  // Orchestrator side: a peer answering for Mélodium 0.9.
  const cert = await localhostCertificate();
  const server = createServer({ cert: cert.cert, key: cert.key }, (sock) => {
    const r = new FrameReader();
    sock.on('data', (d: Buffer) => {
      for (const m of r.push(d))
        if (m.t === 'ask')
          sock.write(
            encodeFrame({
              t: 'confirm',
              accept: true,
              protocol: 1,
              melodium_version: '0.9.0',
              key: 'k',
              run_id: m.run_id,
              group_id: m.group_id,
            }),
          );
    });
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const dir = project({ 'prog.mel': manual(1, 1) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(port), '--rk', randomUUID(), '--sk', randomUUID()], {
    TUTTI_DIST_PIN: cert.fingerprint,
  });
  await within(o.exited, 15_000, 'the orchestrator run');
  server.close();
  assert.ok(
    o.out.some((l) => /failed: version mismatch: the worker speaks protocol 1 for Mélodium 0.9.0/.test(l)),
    o.out.join('\n'),
  );
});

test('a worker killed mid-stream ends the run with the lost connection reported', async () => {
  const w = await worker();
  const dir = project({ 'prog.mel': manual(1, 100_000_000) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  await waitFor(o.out, /info: w0: 42/, 15_000);
  w.child.kill('SIGKILL');
  await within(o.exited, 10_000, 'the orchestrator end');
  assert.ok(
    o.out.some((l) => /connection to the worker lost/.test(l)),
    o.out.slice(-5).join('\n'),
  );
});

/** Pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an orchestrator killed mid-stream: its worker ends by itself', async () => {
  const w = await worker();
  const dir = project({ 'prog.mel': manual(1, 100_000_000) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  await waitFor(o.out, /info: w0: 42/, 15_000);
  o.child.kill('SIGKILL');
  assert.equal(await within(w.exited, 5000, 'the worker end'), 1);
  assert.ok(
    w.out.some((l) => /worker ends: the orchestrator is gone/.test(l)),
    w.out.join('\n'),
  );
});

test('keep-alive: a frozen peer is declared gone after 3 unanswered probes, on either side', async () => {
  const probes = { TUTTI_DIST_PROBE_INTERVAL_MS: '200', TUTTI_DIST_PROBE_DELAY_MS: '100' };
  // A frozen orchestrator (SIGSTOP): the worker ends by itself.
  const w = await worker([], probes);
  const dir = project({ 'prog.mel': manual(1, 100_000_000) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  await waitFor(o.out, /info: w0: 42/, 15_000);
  o.child.kill('SIGSTOP');
  try {
    assert.equal(await within(w.exited, 5000, 'the worker end'), 1);
    assert.ok(
      w.out.some((l) => /the peer did not answer 3 keep-alive probes/.test(l)),
      w.out.join('\n'),
    );
  } finally {
    o.child.kill('SIGKILL');
  }
  // A frozen worker: the orchestrator's run ends with the lost connection reported.
  const w2 = await worker();
  const o2 = run(['run', join(dir, 'prog.mel'), '--port', String(w2.port), '--rk', w2.rk, '--sk', w2.sk], {
    TUTTI_DIST_PIN: w2.fingerprint,
    ...probes,
  });
  await waitFor(o2.out, /info: w0: 42/, 15_000);
  w2.child.kill('SIGSTOP');
  try {
    await within(o2.exited, 8000, 'the orchestrator end');
    assert.ok(
      o2.out.some((l) => /connection to the worker lost: the peer did not answer 3 keep-alive probes/.test(l)),
      o2.out.slice(-5).join('\n'),
    );
  } finally {
    w2.child.kill('SIGKILL');
  }
});

test('--wait and --duration end a worker', async () => {
  const idle = await worker(['--wait', '1']);
  assert.equal(await within(idle.exited, 5000, 'the --wait end'), 1);
  assert.ok(idle.out.some((l) => /no orchestrator connected within 1 s/.test(l)));

  const w = await worker(['--duration', '2']);
  const dir = project({ 'prog.mel': manual(1, 100_000_000) });
  const o = run(['run', join(dir, 'prog.mel'), '--port', String(w.port), '--rk', w.rk, '--sk', w.sk], { TUTTI_DIST_PIN: w.fingerprint });
  assert.equal(await within(w.exited, 8000, 'the --duration end'), 1);
  assert.ok(
    w.out.some((l) => /the duration of 2 s is over/.test(l)),
    w.out.join('\n'),
  );
  await within(o.exited, 10_000, 'the orchestrator end');
});

test('work/distant local: the worker is a child of the run, gone within 5 s of SIGTERM mid-stream', async () => {
  const dir = project({ 'prog.mel': viaDistant(100_000_000), 'small.mel': viaDistant(3) });
  const small = run(['run', join(dir, 'small.mel')]);
  assert.equal(await within(small.exited, 20_000, 'the run'), 0, small.out.join('\n'));
  assert.equal(small.out.filter((l) => l.endsWith('info: w: 42')).length, 3, small.out.join('\n'));

  const o = run(['run', join(dir, 'prog.mel')]);
  await waitFor(o.out, /info: w: 42/, 20_000);
  const workers = childrenOf(o.child.pid as number);
  assert.equal(workers.length, 1);
  o.child.kill('SIGTERM');
  await within(o.exited, 5000, 'the orchestrator end');
  const deadline = Date.now() + 5000;
  while (alive(workers[0] as number) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(workers[0] as number), false, 'the worker is gone');
});

test('--path packages go with the program: the distributed treatment lives in one, the worker loads it', async () => {
  const dir = project({
    'lib/shared.mel': `#! name = shared
#! version = 0.2.0
#! require = std:0.10.2

use std/ops/num::add

/// Doubles a stream; runs on the worker.
treatment double()
  input nums: Stream<u64>
  output doubled: Stream<u64>
{
  add<u64>()
  Self.nums -> add.a
  Self.nums -> add.b
  add.sum -> Self.doubled
}
`,
    'prog.mel': `#! name = prog
#! version = 0.1.0
#! require = std:0.10.2 distrib:0.10.2 work:0.10.2 shared:0.2.0

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/engine/log::logDataInfos
use std/data/map::|map
use distrib::DistributionEngine
use distrib::start
use distrib::distribute
use distrib::sendStream
use distrib::recvStream
use work/distant::DistantEngine
use work/distant::distant

treatment main()
  model dist: DistributionEngine(treatment = "shared::double", version = "0.2.0")
  model de: DistantEngine(api_url = _, api_token = _)
{
  startup()
  distant[distant_engine = de](max_duration = 60, memory = 100, cpu = 100, storage = 100, edition = _, arch = _, volumes = [], containers = [], service_containers = [], tags = [])
  start[distributor = dist](params = |map([]))
  distribute[distributor = dist]()
  n: emit<u128>(value = 3)
  generate<u64>(data = 21)
  sendStream<u64>[distributor = dist](name = "nums")
  recvStream<u64>[distributor = dist](name = "doubled")
  logDataInfos<u64>(label = "doubled")
  startup.trigger -> distant.trigger,access -> start.access
  start.ready -> distribute.trigger
  distribute.distribution_id -> sendStream.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  start.ready -> n.trigger,emit -> generate.length,stream -> sendStream.data
  recvStream.data -> logDataInfos.data
}
`,
  });
  // A folder of packages given with --path (the same works with the .mel file itself).
  const o = run(['run', '--path', join(dir, 'lib'), join(dir, 'prog.mel')]);
  assert.equal(await within(o.exited, 30_000, 'the run'), 0, o.out.join('\n'));
  assert.equal(o.out.filter((l) => l.endsWith('info: doubled: 42')).length, 3, o.out.join('\n'));
});

test('distribute without a start fails with "Distribution failed"; stop without a start returns; the run ends', async () => {
  const dir = project({
    'prog.mel': `${HEADER}
use distrib::stop

treatment main()
  model dist: DistributionEngine(treatment = "prog::echo", version = "0.1.0")
{
  startup()
  distribute[distributor = dist]()
  stop[distributor = dist]()
  logInfo(label = "error")
  startup.trigger -> distribute.trigger
  startup.trigger -> stop.trigger
  distribute.error -> logInfo.message
}
`,
  });
  const o = run(['run', join(dir, 'prog.mel')]);
  assert.equal(await within(o.exited, 10_000, 'the run'), 0, o.out.join('\n'));
  assert.ok(
    o.out.some((l) => l.endsWith('info: error: Distribution failed')),
    o.out.join('\n'),
  );
});

test('tutti dist: usage errors exit 2 with a message', async () => {
  for (const [args, re] of [
    [['dist'], /--port is required/],
    [['dist', '-p', '1', '-r', 'x', '-s', randomUUID(), '--localhost'], /--recv-key must be a UUID/],
    [['dist', '-p', '1', '-r', randomUUID(), '-s', randomUUID()], /TLS needs --certificate and --key, or --localhost/],
  ] as const) {
    const p = run(args);
    assert.equal(await p.exited, 2);
    assert.ok(
      p.out.some((l) => re.test(l)),
      p.out.join('\n'),
    );
  }
  const h = run(['dist', '--help']);
  assert.equal(await h.exited, 0);
  assert.ok(h.out.some((l) => l.includes('--recv-key UUID')));
});

test('tutti serve (a bundle of its own) hands the worker command to its programs: work/distant local starts the worker', async () => {
  const repo = project({ 'prog.mel': viaDistant(3) });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '--quiet', '--initial-branch=main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '-m', 'prog');
  const token = 'write-token-0123456789abcdef';
  const config = join(repo, '..', `${basename(repo)}-serve.json`);
  writeFileSync(
    config,
    JSON.stringify({
      port: 0,
      data: join(repo, '..', `${basename(repo)}-data`),
      tokens: [{ token }],
      projects: [{ name: 'p', repository: repo, pipelines: [{ name: 'dist', program: 'prog.mel', on: ['manual'] }] }],
    }),
  );
  // No TUTTI_DIST_COMMAND to fall back on: the command can only come from the CLI.
  const s = run(['serve', '--config', config], { TUTTI_DIST_COMMAND: '' });
  try {
    await waitFor(s.out, /listening on http:/, 20_000);
    const url = /listening on (http:\/\/[0-9.:]+)/.exec(s.out.join('\n'))?.[1] as string;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = (await (await fetch(`${url}/api/projects/p/pipelines/dist/runs`, { method: 'POST', headers, body: '{}' })).json()) as {
      id: number;
    };
    let state = 'queued';
    for (let i = 0; i < 400 && (state === 'queued' || state === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = ((await (await fetch(`${url}/api/runs/${created.id}`, { headers })).json()) as { run: { state: string } }).run.state;
    }
    const logs = (await (await fetch(`${url}/api/runs/${created.id}/logs?job=main`, { headers })).json()) as {
      lines: { label: string; message: string }[];
    };
    assert.equal(state, 'passed', JSON.stringify(logs.lines));
    assert.equal(logs.lines.filter((l) => l.label === 'w' && l.message === '42').length, 3, JSON.stringify(logs.lines));
  } finally {
    s.child.kill('SIGTERM');
    await within(s.exited, 10_000, 'the server end');
    rmSync(join(repo, '..', `${basename(repo)}-data`), { recursive: true, force: true });
    rmSync(config, { force: true });
    rmSync(repo, { recursive: true, force: true });
  }
});
