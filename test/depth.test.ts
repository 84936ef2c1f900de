/**
 * Any depth the checker accepts is checked, lowered and run (issue 8): every walk over
 * program structure keeps an explicit stack. Each program here is 10 000 levels deep in
 * one direction: composites nested in composites (the source at the top, at the bottom,
 * a var expression growing with each level), instances chained in one body, and models
 * derived from models. Recursion of a few frames per level dies near 2 000 levels on
 * Node's default stack, so these fail loudly if a recursive walk comes back.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkPath, launch } from '@tutti/driver';
import { Engine } from '@tutti/engine';
import { cli, H, project, TESTKIT } from './helpers.js';

const N = 10_000;
const HT = `${H}#! require = testkit:1.0.0\n`;

/** Checks, lowers and runs `source` in-process; returns the leaf count and the logged messages. */
async function checkLowerRun(source: string): Promise<{ leaves: number; logs: string[] }> {
  const file = join(project({ 'main.mel': source }), 'main.mel');
  const checked = await checkPath(file, { paths: [TESTKIT] });
  const design = launch(checked);
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`),
    [],
  );
  assert.ok(design !== undefined);
  const logs: string[] = [];
  const outcome = await new Engine(design, { log: (r) => logs.push(`${r.label}: ${r.message}`) }).run();
  assert.equal(outcome.ok, true, logs.join('\n'));
  return { leaves: design.leaves.length, logs };
}

/** `t1` holds `t2` … holds `t<N>`; `bottom` is the body of `t<N>`, `level(i)` the body of the others. */
function nested(head: string, bottom: string, level: (i: number) => string, main: string): string {
  const parts = [head, bottom];
  for (let i = N - 1; i >= 1; i--) parts.push(level(i));
  parts.push(main);
  return parts.join('\n');
}

describe(`programs ${N} levels deep`, () => {
  test(`${N} nested composite treatments check, lower and run (a log at the bottom)`, async () => {
    const source = nested(
      `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\n`,
      `treatment t${N}(var m: string)\n  input go: Block<void>\n{\n    emit<string>(value = m)\n    logInfo(label = "deep")\n    Self.go -> emit.trigger,emit -> logInfo.message\n}\n`,
      (i) => `treatment t${i}(var m: string)\n  input go: Block<void>\n{\n    inner: t${i + 1}(m = m)\n    Self.go -> inner.go\n}\n`,
      `treatment main()\n{\n    startup()\n    t1(m = "bottom")\n    startup.trigger -> t1.go\n}\n`,
    );
    assert.deepEqual(await checkLowerRun(source), { leaves: 3, logs: ['deep: bottom'] });
  });

  test(`a track source at the bottom of ${N} levels, its model passed down through every level, contexts checked`, async () => {
    const source = nested(
      `${HT}use std/flow::emit\nuse std/conv::|to_string\nuse std/engine/log::logInfo\nuse testkit::Counter\nuse testkit::turns\nuse testkit::@Turn\n`,
      `treatment t${N}[c: Counter]()\n  require @Turn\n{\n    turns[counter = c]()\n    emit<string>(value = |to_string<u64>(@Turn[index]))\n    logInfo(label = "turn")\n    turns.started -> emit.trigger,emit -> logInfo.message\n}\n`,
      (i) => `treatment t${i}[c: Counter]()\n{\n    inner: t${i + 1}[c = c]()\n}\n`,
      `treatment main()\n  model counter: Counter(count = 2)\n{\n    t1[c = counter]()\n}\n`,
    );
    const { logs } = await checkLowerRun(source);
    assert.deepEqual(logs.sort(), ['turn: 0', 'turn: 1']);
  });

  test(`a var value that grows by one call per level (${N} nested calls) is evaluated per track`, async () => {
    const source = nested(
      `${HT}use std/flow::emit\nuse std/conv::|to_string\nuse std/ops/num::|add\nuse std/engine/log::logInfo\nuse testkit::Counter\nuse testkit::turns\nuse testkit::@Turn\n`,
      `treatment t${N}(var m: u64)\n  input go: Block<void>\n{\n    emit<string>(value = |to_string<u64>(m))\n    logInfo(label = "sum")\n    Self.go -> emit.trigger,emit -> logInfo.message\n}\n`,
      (i) =>
        `treatment t${i}(var m: u64)\n  input go: Block<void>\n{\n    inner: t${i + 1}(m = |add<u64>(m, 1))\n    Self.go -> inner.go\n}\n`,
      `treatment start()\n  require @Turn\n  input go: Block<void>\n{\n    t1(m = @Turn[index])\n    Self.go -> t1.go\n}\ntreatment main()\n  model counter: Counter(count = 2)\n{\n    turns[counter = counter]()\n    start()\n    turns.started -> start.go\n}\n`,
    );
    const { logs } = await checkLowerRun(source);
    assert.deepEqual(logs.sort(), [`sum: ${N - 1}`, `sum: ${N}`].sort());
  });

  test(`${N} instances chained in one body`, async () => {
    const lines = [
      `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\n`,
      'treatment relay()\n  input i: Block<string>\n  output o: Block<string>\n{\n    Self.i -> Self.o\n}\n',
      'treatment main()\n{\n    startup()\n    emit<string>(value = "through")\n    logInfo(label = "chain")\n    startup.trigger -> emit.trigger',
    ];
    for (let i = 0; i < N; i++) lines.push(`    r${i}: relay()`);
    lines.push('    emit.emit -> r0.i');
    for (let i = 1; i < N; i++) lines.push(`    r${i - 1}.o -> r${i}.i`);
    lines.push(`    r${N - 1}.o -> logInfo.message\n}\n`);
    assert.deepEqual(await checkLowerRun(lines.join('\n')), { leaves: 3, logs: ['chain: through'] });
  });

  test(`a chain of ${N} models, each derived from the previous one`, async () => {
    const parts = [
      `${HT}use std/flow::emit\nuse std/conv::|to_string\nuse std/engine/log::logInfo\nuse testkit::Counter\nuse testkit::turns\nuse testkit::@Turn\n`,
      'model M0(const k: u64 = 2) : Counter\n{\n    count = k\n}\n',
    ];
    for (let i = 1; i < N; i++) parts.push(`model M${i}(const k: u64 = 2) : M${i - 1}\n{\n    k = k\n}\n`);
    parts.push(
      `treatment main()\n  model counter: M${N - 1}(k = 3)\n{\n    turns[counter = counter]()\n    show()\n    turns.started -> show.go\n}\n`,
      'treatment show()\n  require @Turn\n  input go: Block<void>\n{\n    emit<string>(value = |to_string<u64>(@Turn[index]))\n    logInfo(label = "turn")\n    Self.go -> emit.trigger,emit -> logInfo.message\n}\n',
    );
    const { logs } = await checkLowerRun(parts.join('\n'));
    assert.deepEqual(logs.sort(), ['turn: 0', 'turn: 1', 'turn: 2']);
  });

  test(`tutti run on ${N} nested composites exits 0 (end to end)`, () => {
    const source = nested(
      `${H}use std/engine/util::startup\nuse std/engine/log::logInfo\nuse std/flow::emit\n`,
      `treatment t${N}()\n  input go: Block<void>\n{\n    emit<string>(value = "bottom")\n    logInfo(label = "deep")\n    Self.go -> emit.trigger,emit -> logInfo.message\n}\n`,
      (i) => `treatment t${i}()\n  input go: Block<void>\n{\n    inner: t${i + 1}()\n    Self.go -> inner.go\n}\n`,
      'treatment main()\n{\n    startup()\n    t1()\n    startup.trigger -> t1.go\n}\n',
    );
    const r = cli(['run', join(project({ 'main.mel': source }), 'main.mel')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /info: deep: bottom\n$/);
  });
});
