/**
 * What real programs of the reference need beyond the first reading of the language:
 * cycles among instances are legal and run on the engine with the usual closing rules, a
 * cycle whose tasks all wait on each other ends with the deadlock report; run options
 * before or after the program path (`--` ends them); the log and live debug files
 * (parent folders created, the debug file readable while the run goes on).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { check, cli, errors, H, project, ROOT } from '../helpers.js';

/** Log lines without their `[timestamp] ` prefix. */
function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\[[^\]]+\] /, ''));
}

const HTTP_HEADER = `#!/usr/bin/env melodium
#! name = webapp
#! version = 0.1.0
#! require = std:0.10.2 http:0.10.2 net:0.10.2
`;

describe('cycles among instances', () => {
  test('the request/response wiring of an HTTP server and an echo self-loop check clean', async () => {
    // The usual shape of a server: the request body, through a few instances, back into
    // the same connection's status and body; and an echo answering with the request itself.
    const p = project({
      'server.mel': `${HTTP_HEADER}
use std/engine/util::startup
use std/flow::emit
use std/flow::trigger
use std/data/string_map::StringMap
use std/data/string_map::|map
use http/server::HttpServer
use http/server::start
use http/server::connection
use http/method::|post
use http/status::HttpStatus
use http/status::|ok
use net/ip::|from_ipv4
use net/ip::|localhost_ipv4

treatment main()
  model site: HttpServer(host = |from_ipv4(|localhost_ipv4()), port = 18080)
{
    startup()
    start[http_server = site]()
    startup.trigger -> start.trigger

    answer: connection[http_server = site](method = |post(), route = "/answer")
    seen: trigger<byte>()
    status: emit<HttpStatus>(value = |ok())
    headers: emit<StringMap>(value = |map([]))
    answer.data -> seen.stream,start -> status.trigger,emit -> answer.status
    seen.start -> headers.trigger,emit -> answer.headers
    answer.data -> answer.data

    echo: connection[http_server = site](method = |post(), route = "/echo")
    echo.data -> echo.data
    echoStatus: emit<HttpStatus>(value = |ok())
    echoHeaders: emit<StringMap>(value = |map([]))
    echo.started -> echoStatus.trigger,emit -> echo.status
    echo.started -> echoHeaders.trigger,emit -> echo.headers
}
`,
    });
    const found = await check(join(p, 'server.mel'));
    assert.deepEqual(errors(found), []);
    assert.ok(!found.some((d) => d.code === ('E_CYCLE' as string)));
  });

  test('a cycle that ends by itself runs to its end', () => {
    // merge → trigger → emit → stream → merge: the first value comes back once, then
    // both inputs of merge close and the loop drains.
    const p = project({
      'loop.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/flow::merge
use std/flow::trigger
use std/engine/log::logInfos

treatment main()
{
    startup()
    first: emit<string>(value = "ping")
    firstStream: stream<string>()
    merge<string>()
    trigger<string>()
    back: emit<string>(value = "pong")
    backStream: stream<string>()
    logInfos(label = "loop")
    startup.trigger -> first.trigger,emit -> firstStream.block,stream -> merge.a
    merge.value -> trigger.stream,start -> back.trigger,emit -> backStream.block,stream -> merge.b
    merge.value -> logInfos.messages
}
`,
    });
    const r = cli(['run', join(p, 'loop.mel')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: loop: ping', 'info: loop: pong']);
  });

  test('a self-loop whose tasks all wait on each other ends with the deadlock report', () => {
    // chain reads \`first\` to its end before \`second\`, and its own output feeds \`first\`.
    const p = project({
      'self.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/flow::chain

treatment main()
{
    startup()
    emit<u8>(value = 7)
    stream<u8>()
    chain<u8>()
    startup.trigger -> emit.trigger,emit -> stream.block,stream -> chain.second
    chain.chained -> chain.first
}
`,
    });
    const r = cli(['run', join(p, 'self.mel')]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error: engine: deadlock: every live treatment waits on another/);
    assert.match(r.stdout, /main\/chain \(track 1\): receiving on 'first'/);
  });

  test('a cycle that keeps feeding itself runs until stopped, and SIGTERM stops it', async () => {
    // merge sends every value it gets back into itself: the loop never ends by itself.
    const p = project({
      'forever.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/flow::merge
use std/flow::consume

treatment main()
{
    startup()
    emit<u8>(value = 7)
    stream<u8>()
    merge<u8>()
    consume<u8>()
    startup.trigger -> emit.trigger,emit -> stream.block,stream -> merge.a
    merge.value -> merge.b
    merge.value -> consume.stream
}
`,
    });
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), 'run', join(p, 'forever.mel')], { stdio: 'pipe' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(child.exitCode, null, 'the loop is still running');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    assert.equal(await exited, 143);
    clearTimeout(timer);
  });
});

const ECHO = `${H}
use std/engine/util::startup
use std/flow::emit
use std/engine/log::logInfo

treatment main(text: string, times: u8 = 1)
{
    startup()
    emit<string>(value = text)
    logInfo(label = "echo")
    startup.trigger -> emit.trigger,emit -> logInfo.message
}
`;

describe('run command lines: options before or after the program path', () => {
  test('run options after the program, and -- before the program arguments', () => {
    const p = project({ 'echo.mel': ECHO });
    const logs = join(p, 'deep/er/run.log');
    const r = cli(['run', join(p, 'echo.mel'), '--logs', logs, '--', '--text', 'hi']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: echo: hi']);
    assert.deepEqual(lines(readFileSync(logs, 'utf8')), ['info: echo: hi']);
  });

  test('options before the program, and --name=value', () => {
    const p = project({ 'echo.mel': ECHO });
    const r = cli(['run', '--logs', join(p, 'a.log'), join(p, 'echo.mel'), '--text=a b']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: echo: a b']);
  });

  test('a project: options after Compo.toml, then the entrypoint and its arguments', () => {
    const p = project({
      'Compo.toml': 'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\n\n[entrypoints]\nshout = "app/main::main"\n',
      'main.mel': ECHO.split('\n').slice(4).join('\n'),
    });
    const debug = join(p, 'out/debug.jsonl');
    const r = cli(['run', join(p, 'Compo.toml'), '--debug', debug, 'shout', '--text', 'yo']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: echo: yo']);
    assert.ok(existsSync(debug));
    const viaDash = cli(['run', join(p, 'Compo.toml'), '--', 'shout', '--text', 'yo']);
    assert.equal(viaDash.status, 0, viaDash.stderr);
  });

  test('an unknown entry option is an argument error with its place on the command line', () => {
    const p = project({ 'echo.mel': ECHO });
    const r = cli(['run', join(p, 'echo.mel'), '--text', 'x', '--times', '300']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error\[E_ARGUMENT\]: command line:1:18: invalid value for --times \(u8\): 300 is out of the range of u8/);
    assert.match(r.stderr, /\n1 \| --text x --times 300\n {2}\| {18}\^\^\^\n/);
    assert.match(r.stderr, /parameter 'times' of 'main' is declared here at .*echo\.mel:10:30/);
    const json = cli(['run', '--format', 'json', join(p, 'echo.mel'), '--nope', '1']);
    assert.equal(json.status, 2);
    const found = JSON.parse(json.stdout) as { code: string; file: string; message: string }[];
    assert.deepEqual(
      found.map((d) => [d.code, d.file]),
      [
        ['E_ARGUMENT', 'command line'],
        ['E_ARGUMENT', 'command line'],
      ],
    );
    const messages = found.map((d) => d.message).join('\n');
    assert.match(messages, /unknown option '--nope' for entrypoint 'main'/);
    assert.match(messages, /no valid value for launch: missing --text <string>/);
  });
});

describe('log and debug files', () => {
  test('a log or debug path that cannot be created is a usage error before anything runs', () => {
    const p = project({ 'echo.mel': ECHO });
    for (const flag of ['--logs', '--debug']) {
      const r = cli(['run', flag, '/proc/x/y.log', join(p, 'echo.mel'), '--text', 'never']);
      assert.equal(r.status, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, /cannot write the (log|debug) file '\/proc\/x\/y\.log'/);
      assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
      assert.equal(r.stdout, '');
    }
  });

  test('the debug file names tracks, treatments with parameters, and values on connections', () => {
    const p = project({ 'echo.mel': ECHO });
    const file = join(p, 'd/e.jsonl');
    const r = cli(['run', '--debug', file, join(p, 'echo.mel'), '--text', 'x'.repeat(500)]);
    assert.equal(r.status, 0, r.stderr);
    const events = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(events[0]?.kind, 'run-started');
    assert.equal(events.at(-1)?.kind, 'run-ended');
    const started = events.find((e) => e.kind === 'treatment-started' && e.path === 'main/emit');
    assert.equal(started?.treatment, 'std/flow::emit');
    assert.match(String((started?.params as { value: string }).value), /^x{120}… \(500 characters\)$/);
    const sent = events.find((e) => e.kind === 'values' && e.from === 'main/emit.emit');
    assert.match(String((sent?.to as string[])[0]), /^main\/logInfo\/[a-zA-Z]+\.[a-z]+$/);
    assert.equal(sent?.count, 1);
    for (const e of events) assert.match(String(e.time), /^\d{4}-\d\d-\d\dT/);
  });
});
