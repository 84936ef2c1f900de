/**
 * No treatment may keep SIGINT/SIGTERM from ending a run within 5 s (issue 8). A script
 * in an infinite loop runs until its 10 s time limit; the realm lives in a worker thread
 * (javascript/remote-realm.ts), so the CLI's signal handler runs at once and the run ends.
 * The bound asserted is generous but well below what waiting for the time limit takes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { H, project, ROOT } from './helpers.js';

const LOOP = `${H}#! require = json:0.10.2 javascript:0.10.2
use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use json::Json
use json::toJson
use javascript::JavaScriptEngine
use javascript::process
use std/flow::consume
use std/ops/option::unwrap

treatment main()
  model engine: JavaScriptEngine()
{
    startup()
    emit<string>(value = "1")
    stream<string>()
    toJson()
    parsed: unwrap<Json>()
    process[engine = engine](code = "while (true) {}")
    consume<Option<Json>>()
    startup.trigger -> emit.trigger,emit -> stream.block,stream -> toJson.text
    toJson.json -> parsed.option,value -> process.value,result -> consume.stream
}
`;

for (const [signal, status] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal} ends a run whose JavaScript is in an infinite loop, long before the script's 10 s limit`, async () => {
    const file = join(project({ 'main.mel': LOOP }), 'main.mel');
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // Long enough for the check, the realm and the loop to start.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(child.exitCode, null, `the run ended before the signal: ${stderr}`);
    const sent = Date.now();
    child.kill(signal);
    const [code] = await exited;
    const took = Date.now() - sent;
    assert.equal(code, status, stderr);
    assert.ok(took < 6000, `exit took ${took} ms after ${signal}`);
    assert.match(stdout, new RegExp(`warning: engine: interrupted by ${signal}`));
  });
}
