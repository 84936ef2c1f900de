#!/usr/bin/env node
// HTTP benchmarks (issue 9). Every figure is compared with a baseline measured in the same
// run, on this machine, loaded or fetched by the same tool:
//  (a) server  requests/s of a .mel server (`tutti run`, one track per request) answering
//              a small JSON body, vs a minimal node:http server answering the same bytes on
//              the same port; both loaded by `wrk` (Debian) with the same settings. Each
//              round measures both, in alternating order, and the target is on the median
//              of the rounds' ratios (the machine drifts between a fast and a slow phase).
//              Target: .mel ≥ 60 % of node:http.
//  (b) client  bytes/s of a SIZE download through `http/client/util::get` into
//              `fs/local::writeLocal` (`tutti run`), vs `curl -o` of the same URL from the
//              same local node:http server (which sends one buffer again and again, so the
//              server costs little). Alternating rounds, with `sync` before each so neither
//              copy pays the other's writeback; median of the rounds' ratios.
//              Target: .mel ≥ 50 % of curl.
// Environment: DURATION (s per wrk round, default 5), CONNECTIONS (32), ROUNDS (3),
// SIZE (bytes, default 1 GiB), TUTTI_CLI (the tutti entry to measure, default this tree's).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { median, printMachine } from './lib.mjs';

printMachine();

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// TUTTI_CLI: another build's entry (e.g. a copy of an earlier bundle) to compare in the same sitting.
const CLI = process.env.TUTTI_CLI ?? join(ROOT, 'packages/cli/bin/tutti.js');
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SIZE = Number(process.env.SIZE ?? 1024 ** 3);
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-http-'));
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const BODY = '{"status":"ok","service":"tutti","items":[1,2,3]}';

const serverProgram = `#! name = bench_http_server
#! version = 0.1.0
#! require = std:0.10.2 http:0.10.2 net:0.10.2 encoding:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/data/string_map::StringMap
use std/data/string_map::|map
use std/data/string_map::|entry
use http/server::HttpServer
use http/server::start
use http/server::connection
use http/method::|get
use http/status::HttpStatus
use http/status::|ok
use net/ip::|from_ipv4
use net/ip::|localhost_ipv4
use encoding::encode

treatment main(const port: u16 = 8080)
  model server: HttpServer(host = |from_ipv4(|localhost_ipv4()), port = port)
{
    startup()
    start[http_server = server]()
    startup.trigger -> start.trigger

    api: connection[http_server = server](method = |get(), route = "/json")
    status: emit<HttpStatus>(value = |ok())
    headers: emit<StringMap>(value = |map([|entry("content-type", "application/json")]))
    body: emit<string>(value = ${JSON.stringify(BODY)})
    stream<string>()
    encode()
    api.started -> status.trigger,emit -> api.status
    api.started -> headers.trigger,emit -> api.headers
    api.started -> body.trigger,emit -> stream.block,stream -> encode.text,data -> api.data
}
`;

const clientProgram = `#! name = bench_http_client
#! version = 0.1.0
#! require = std:0.10.2 http:0.10.2 fs:0.10.2

use std/engine/util::startup
use std/engine/log::logError
use http/client/util::get
use fs/local::writeLocal

treatment main(url: string, out: string)
{
    startup()
    get(url = url)
    writeLocal(path = out)
    startup.trigger -> get.trigger
    get.data -> writeLocal.data
    failure: logError(label = "download")
    get.error -> failure.message
}
`;

const plainServer = `import { createServer } from 'node:http';
const body = Buffer.from(${JSON.stringify(BODY)});
createServer((req, res) => {
  res.writeHead(200, { server: 'http-mel/0.10.2', 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1');
`;

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

async function untilListening(port) {
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/json`);
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Starts `args` (a server on `port`), loads it with wrk, stops it; returns requests/s. */
async function load(args, port) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await untilListening(port);
    // A short warm-up (JIT, connection set-up), then the measure.
    spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, '-d1s', `http://127.0.0.1:${port}/json`]);
    const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, `http://127.0.0.1:${port}/json`], { encoding: 'utf8' });
    const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
    if (m === null) throw new Error(`wrk said:\n${r.stdout}${r.stderr}`);
    if (/Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors:\n${r.stdout}`);
    return Number(m[1]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function serverBench() {
  if (!has('wrk')) {
    console.log('(a) server: skipped, `wrk` is not installed (apt-get install -y wrk)');
    return;
  }
  const melFile = join(work, 'server.mel');
  const plainFile = join(work, 'plain.mjs');
  writeFileSync(melFile, serverProgram);
  writeFileSync(plainFile, plainServer);
  const port = await freePort();
  const plain = [];
  const mel = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Each round measures both, in alternating order, and gives one ratio: this machine
    // drifts between a fast and a slow phase, and a ratio of medians taken across phases
    // moved by ±10 points from one run to the next.
    const pair = [
      async () => plain.push(await load([plainFile, String(port)], port)),
      async () => mel.push(await load([CLI, 'run', melFile, '--port', String(port)], port)),
    ];
    if (r % 2 === 1) pair.reverse();
    for (const f of pair) await f();
    ratios.push(mel[r] / plain[r]);
  }
  const ratio = median(ratios);
  console.log(`(a) server: wrk -t1 -c${CONNECTIONS} -d${DURATION}s, GET of a ${BODY.length}-byte JSON body (${ROUNDS} rounds, medians)`);
  console.log(`    node:http minimal server: ${fmt(median(plain))} requests/s`);
  console.log(`    .mel server (tutti run):  ${fmt(median(mel))} requests/s`);
  console.log(
    `    .mel ÷ node:http per round: ${ratios.map((x) => `${fmt(100 * x, 1)} %`).join(', ')}; median ${fmt(100 * ratio, 1)} % (target ≥ 60 %) ${ratio >= 0.6 ? 'ok' : 'MISSED'}`,
  );
}

async function clientBench() {
  if (!has('curl')) {
    console.log('(b) client: skipped, `curl` is not installed');
    return;
  }
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  const source = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': SIZE });
    let left = SIZE;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise((r) => source.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${source.address().port}/file`;
  const melFile = join(work, 'client.mel');
  writeFileSync(melFile, clientProgram);
  const out = join(work, 'download.bin');
  const timed = async (cmd, args) => {
    rmSync(out, { force: true });
    spawnSync('sync');
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise((r) => child.once('exit', r));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (code !== 0 || statSync(out).size !== SIZE) throw new Error(`${cmd} failed (exit ${code})`);
    return SIZE / s;
  };
  const curl = [];
  const mel = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order, so neither always runs on a cooler cache.
      const pair = [
        async () => curl.push(await timed('curl', ['-sS', '-o', out, url])),
        async () => mel.push(await timed(process.execPath, [CLI, 'run', melFile, '--url', url, '--out', out])),
      ];
      if (r % 2 === 1) pair.reverse();
      for (const f of pair) await f();
    }
  } finally {
    source.close();
    rmSync(out, { force: true });
  }
  const ratios = mel.map((m, r) => m / curl[r]);
  const ratio = median(ratios);
  const mib = (x) => `${fmt(x / 1024 ** 2, 1)} MiB/s`;
  console.log(`(b) client: download of ${fmt(SIZE / 1024 ** 2)} MiB from a local node:http server to a file (${ROUNDS} rounds, medians)`);
  console.log(`    curl -o:                            ${mib(median(curl))}`);
  console.log(`    .mel http/client get → writeLocal:  ${mib(median(mel))}`);
  console.log(
    `    .mel ÷ curl per round: ${ratios.map((x) => `${fmt(100 * x, 1)} %`).join(', ')}; median ${fmt(100 * ratio, 1)} % (target ≥ 50 %) ${ratio >= 0.5 ? 'ok' : 'MISSED'}`,
  );
}

try {
  await serverBench();
  await clientBench();
} finally {
  rmSync(work, { recursive: true, force: true });
}
