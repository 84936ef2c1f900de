#!/usr/bin/env node
// Distribution benchmarks (issue 10). Every figure is compared with a baseline measured in
// the same run, on this machine:
//  (a) bytes   bytes/s of a SIZE byte stream sent to a `tutti dist` worker and back (TLS on
//              loopback; the orchestrator reads a file, the worker passes the stream back, the
//              orchestrator consumes it), vs a raw node:tls echo of the same file between two
//              processes. Fixed costs (process start, check, handshake, the worker's check of
//              the program) are removed by subtracting the same run with a 1-byte file.
//              Target: ≥ 50 % of the raw echo.
//  (b) values  values/s of a Stream<u64> of COUNT values through a distributed pass-through,
//              vs the same program with the treatment local (50 × COUNT values; report).
//  (c) block   round-trip ms of one Block through a distributed treatment: from `start.ready`
//              to the value back (distribute + send + receive), median of ROUNDS (report).
//  (d) start   work/distant's local location: ms until the worker's Access is ready, vs
//              `node -e 0` (report).
// Environment: SIZE (bytes, default 1 GiB), COUNT (values, default 10 000 000), ROUNDS (3),
// TUTTI_CLI (the tutti entry to measure, default this tree's).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { median, printMachine } from './lib.mjs';

const nodeMs = printMachine();

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.TUTTI_CLI ?? join(ROOT, 'packages/cli/bin/tutti.js');
const SIZE = Number(process.env.SIZE ?? 1024 ** 3);
const COUNT = Number(process.env.COUNT ?? 10_000_000);
// The local run moves values between treatments by sharing batches: it needs far more
// values than the distributed one for a measurable time.
const LOCAL_COUNT = COUNT * 50;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-dist-'));
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });

const HEADER = `#! name = benchdist
#! version = 0.1.0
#! require = std:0.10.2 distrib:0.10.2 work:0.10.2 net:0.10.2 fs:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/flow::consume
use std/engine/log::logInfo
use std/engine/log::logInfoMessage
use std/engine/log::logDataInfo
use std/data/map::|map
use distrib::DistributionEngine
use distrib::start
use distrib::distribute
use distrib::sendStream
use distrib::sendBlock
use distrib::recvStream
use distrib::recvBlock
use work/access::Access
use work/access::|new_access
use net/ip::|from_ipv4
use net/ip::|localhost_ipv4
use fs/local::readLocal

treatment bytes()
  input data: Stream<byte>
  output data: Stream<byte>
{
  Self.data -> Self.data
}

treatment numbers()
  input data: Stream<u64>
  output data: Stream<u64>
{
  Self.data -> Self.data
}

treatment word()
  input data: Block<string>
  output data: Block<string>
{
  Self.data -> Self.data
}
`;

/** A distributed program: start, one instance, `body` wires the instance (d = distribution id). */
const distributed = (treatment, params, body) => `${HEADER}
treatment main(port: u16, rk: string, sk: string${params})
  model dist: DistributionEngine(treatment = "benchdist::${treatment}", version = "0.1.0")
{
  startup()
  emitAccess: emit<Access>(value = |new_access([|from_ipv4(|localhost_ipv4())], port, rk, sk))
  start[distributor = dist](params = |map([]))
  distribute[distributor = dist]()
  failed: logInfo(label = "failed")
  startup.trigger -> emitAccess.trigger,emit -> start.access
  start.error -> failed.message
  start.ready -> distribute.trigger
${body}
}
`;

const files = {
  bytes: distributed(
    'bytes',
    ', file: string',
    `  readLocal(path = file)
  sendStream<byte>[distributor = dist](name = "data")
  recvStream<byte>[distributor = dist](name = "data")
  consume<byte>()
  start.ready -> readLocal.trigger
  readLocal.data -> sendStream.data
  distribute.distribution_id -> sendStream.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  recvStream.data -> consume.stream`,
  ),
  numbers: distributed(
    'numbers',
    ', n: u128',
    `  emitN: emit<u128>(value = n)
  generate<u64>(data = 7)
  sendStream<u64>[distributor = dist](name = "data")
  recvStream<u64>[distributor = dist](name = "data")
  consume<u64>()
  start.ready -> emitN.trigger,emit -> generate.length,stream -> sendStream.data
  distribute.distribution_id -> sendStream.distribution_id
  distribute.distribution_id -> recvStream.distribution_id
  recvStream.data -> consume.stream`,
  ),
  numbersLocal: `${HEADER}
treatment main(n: u128)
{
  startup()
  emitN: emit<u128>(value = n)
  generate<u64>(data = 7)
  numbers()
  consume<u64>()
  startup.trigger -> emitN.trigger,emit -> generate.length,stream -> numbers.data,data -> consume.stream
}
`,
  block: distributed(
    'word',
    '',
    `  emitWord: emit<string>(value = "ping")
  sendBlock<string>[distributor = dist](name = "data")
  recvBlock<string>[distributor = dist](name = "data")
  ready: logInfoMessage(label = "t0", message = "ready")
  back: logDataInfo<string>(label = "t1")
  start.ready -> emitWord.trigger,emit -> sendBlock.data
  start.ready -> ready.trigger
  distribute.distribution_id -> sendBlock.distribution_id
  distribute.distribution_id -> recvBlock.distribution_id
  recvBlock.data -> back.data`,
  ),
};
const paths = {};
for (const [k, text] of Object.entries(files)) {
  paths[k] = join(work, `${k}.mel`);
  writeFileSync(paths[k], text);
}

/** Starts a `tutti dist --localhost` worker; resolves to its port, fingerprint, keys and process. */
async function worker() {
  const rk = randomUUID();
  const sk = randomUUID();
  const child = spawn(process.execPath, [CLI, 'dist', '--port', '0', '-r', rk, '-s', sk, '--localhost', '--wait', '30'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const m = /^tutti dist ready: port (\d+) sha256 (\S+)$/.exec(line);
    if (m !== null) {
      lines.on('line', () => {});
      return { port: m[1], fingerprint: m[2], rk, sk, child, exited };
    }
  }
  throw new Error('worker did not start');
}

/** Runs `program` against a fresh worker; resolves to wall ms and the output lines. */
async function runAgainstWorker(program, args) {
  const w = await worker();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'run', program, '--port', w.port, '--rk', w.rk, '--sk', w.sk, ...args], {
    env: { ...process.env, TUTTI_DIST_PIN: w.fingerprint },
    // (stderr: the check's warnings about the shared header's unused imports)
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out = [];
  createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
  const [code] = await once(child, 'exit');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await w.exited;
  if (code !== 0 || out.some((l) => l.includes('failed:'))) throw new Error(`run failed:\n${out.join('\n')}`);
  return { ms, out };
}

/** Runs `program` with no worker; resolves to wall ms. */
async function runLocal(program, args) {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'run', program, ...args], { stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error('local run failed');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Raw baseline: the file through a node:tls echo in another process and back. */
async function rawEcho(file) {
  const { localhostCertificate } = await import('@tutti/driver');
  const cert = await localhostCertificate();
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const tls=require('tls');const s=tls.createServer({cert:process.env.C,key:process.env.K},(c)=>c.pipe(c));s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`,
    ],
    { env: { ...process.env, C: cert.cert, K: cert.key }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = await once(createInterface({ input: server.stdout }), 'line');
  const t0 = process.hrtime.bigint();
  const socket = connect({ host: '127.0.0.1', port: Number(line), rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  let got = 0;
  const done = new Promise((r) =>
    socket.on('data', (d) => {
      got += d.length;
      if (got >= SIZE) r();
    }),
  );
  createReadStream(file, { highWaterMark: 1 << 16 }).pipe(socket, { end: false });
  await done;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  socket.destroy();
  server.kill();
  return ms;
}

// (a) bytes
const big = join(work, 'big.bin');
const fd = openSync(big, 'w');
const block = Buffer.alloc(1 << 20, 7);
for (let i = 0; i < SIZE; i += block.length) writeSync(fd, block, 0, Math.min(block.length, SIZE - i));
closeSync(fd);
const tiny = join(work, 'tiny.bin');
writeFileSync(tiny, 'x');
const raw = [];
const ours = [];
const fixed = [];
for (let r = 0; r < ROUNDS; r++) {
  raw.push(await rawEcho(big));
  fixed.push((await runAgainstWorker(paths.bytes, ['--file', tiny])).ms);
  ours.push((await runAgainstWorker(paths.bytes, ['--file', big])).ms);
}
const rawMs = median(raw);
const oursMs = median(ours) - median(fixed);
const gib = SIZE / 1024 ** 3;
console.log(
  `(a) ${fmt(SIZE)} bytes there and back: raw node:tls echo ${fmt((2 * SIZE) / 1024 ** 2 / (rawMs / 1000))} MiB/s (${fmt(rawMs)} ms); ` +
    `distributed ${fmt((2 * SIZE) / 1024 ** 2 / (oursMs / 1000))} MiB/s (${fmt(median(ours))} ms run − ${fmt(median(fixed))} ms fixed); ` +
    `ratio ${fmt((100 * rawMs) / oursMs, 1)} % (target ≥ 50 %) [${fmt(gib, 2)} GiB]`,
);
rmSync(big);

// (b) values
const local = [];
const localFixed = [];
const dist = [];
const distFixed = [];
for (let r = 0; r < ROUNDS; r++) {
  localFixed.push(await runLocal(paths.numbersLocal, ['--n', '1']));
  local.push(await runLocal(paths.numbersLocal, ['--n', String(LOCAL_COUNT)]));
  distFixed.push((await runAgainstWorker(paths.numbers, ['--n', '1'])).ms);
  dist.push((await runAgainstWorker(paths.numbers, ['--n', String(COUNT)])).ms);
}
const localRate = LOCAL_COUNT / (Math.max(1, median(local) - median(localFixed)) / 1000);
const distRate = COUNT / ((median(dist) - median(distFixed)) / 1000);
console.log(
  `(b) Stream<u64>: local ${fmt(localRate)} values/s (${fmt(LOCAL_COUNT)} values: ${fmt(median(local))} − ${fmt(median(localFixed))} ms), ` +
    `distributed ${fmt(distRate)} values/s (${fmt(COUNT)} values: ${fmt(median(dist))} − ${fmt(median(distFixed))} ms); distributed/local ${fmt((100 * distRate) / localRate, 1)} %`,
);

// (c) block round trip
const trips = [];
for (let r = 0; r < Math.max(ROUNDS, 5); r++) {
  const { out } = await runAgainstWorker(paths.block, []);
  const at = (label) => Date.parse(/^\[([^\]]+)\]/.exec(out.find((l) => l.includes(`: ${label}: `)) ?? '')?.[1] ?? 'x');
  trips.push(at('t1') - at('t0'));
}
console.log(
  `(c) Block round trip (distribute + send + receive): median ${fmt(median(trips), 1)} ms of ${trips.length} (${trips.join(', ')})`,
);

// (d) local worker start-up
const { localLocation, setWorkerCommand } = await import('@tutti/lib-work');
setWorkerCommand([process.execPath, CLI]);
const starts = [];
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  const w = await localLocation(
    { document: {}, remoteKey: randomUUID(), selfKey: randomUUID(), maxDuration: 0 },
    { apiUrl: undefined, apiToken: undefined, log: () => {}, signal: new AbortController().signal },
  );
  starts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  await w.stop();
}
console.log(
  `(d) local worker ready in ${fmt(median(starts))} ms (median of 5) vs node -e 0 ${fmt(nodeMs, 1)} ms: ${fmt(median(starts) / nodeMs, 1)}×`,
);
rmSync(work, { recursive: true, force: true });
