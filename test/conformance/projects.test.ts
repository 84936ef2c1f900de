/**
 * Standalone headers (docs/language.md#the-header-of-a-script) and the project
 * conformance examples P1–P7: a `greeter` project written into a temporary folder, then varied.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { check, cli, errors, project } from '../helpers.js';

const codes = (found: Awaited<ReturnType<typeof check>>) => errors(found).map((e) => e.split('@')[0]);

async function script(text: string, o: Parameters<typeof check>[1] = {}) {
  const dir = project({ 'main.mel': text });
  return check(join(dir, 'main.mel'), o);
}

test('C32: a header without name is E_HEADER on line 1', async () => {
  const found = await script('#!/usr/bin/env melodium\n#! version = 0.1.0\n#! require = std:0.10.2\ntreatment main() {}\n');
  assert.deepEqual(errors(found), ['E_HEADER@1']);
});

test('C32: a blank line before #! name ends the header', async () => {
  const found = await script('#!/usr/bin/env melodium\n\n#! name = late\ntreatment main() {}\n');
  assert.deepEqual(codes(found), ['E_HEADER']);
});

test('C32: runs of spaces separate requirements; lenient spacing is accepted', async () => {
  assert.deepEqual(errors(await script('#! name = two\n#! require = std:0.10.2  fs:0.10.2\ntreatment main() {}\n')), []);
  assert.deepEqual(errors(await script('#!/usr/bin/env melodium\n#!   name   =   spaced\n#! version = 0.1.0\ntreatment main() {}\n')), []);
});

test('C32: a requirement without version, or not SemVer, is E_HEADER on its line', async () => {
  assert.deepEqual(errors(await script('#! name = x\n#! require = std\ntreatment main() {}\n')), ['E_HEADER@2']);
  assert.deepEqual(errors(await script('#! name = x\n#! require = std:0.10.2 fs:ten.two\ntreatment main() {}\n')), ['E_HEADER@2']);
});

test('C32: no main is E_ENTRYPOINT_NOT_FOUND; --force-entry selects another treatment', async () => {
  const text = '#! name = conformance\n#! require = std:0.10.2\ntreatment other() {}\n';
  assert.deepEqual(codes(await script(text)), ['E_ENTRYPOINT_NOT_FOUND']);
  assert.deepEqual(codes(await script(text, { forceEntry: 'conformance::other' })), []);
});

test('a requirement written for the 0.9 generation resolves to the bundled packages (they answer ^0.9.1 too)', async () => {
  assert.deepEqual(errors(await script('#! name = old\n#! require = std:^0.9.1\nuse std/flow::emit\ntreatment main() {}\n')), []);
  assert.deepEqual(codes(await script('#! name = future\n#! require = std:^1.0\ntreatment main() {}\n')), ['E_PACKAGE_NOT_FOUND']);
});

const greeter = {
  'Compo.toml': 'name = "greeter"\nversion = "0.2.0"\n\n[dependencies]\nstd = "0.10.2"\n\n[entrypoints]\nmain = "greeter/app::main"\n',
  'app.mel':
    'use std/engine/util::startup\nuse std/engine/log::logInfo\nuse root/parts/words::phrase\nuse local/helpers::relay\n\ntreatment main()\n{\n    startup()\n    phrase(text = "from parts")\n    relay()\n    logInfo(label = "p1")\n    startup.trigger -> phrase.go,said -> relay.inp,out -> logInfo.message\n}\n',
  'parts/words.mel':
    'use std/flow::emit\n\ntreatment phrase(var text: string)\n  input  go: Block<void>\n  output said: Block<string>\n{\n    emit<string>(value = text)\n    Self.go -> emit.trigger,emit -> Self.said\n}\n',
  'app/helpers.mel': 'treatment relay()\n  input  inp: Block<string>\n  output out: Block<string>\n{\n    Self.inp -> Self.out\n}\n',
};

async function greeterWith(changes: Record<string, string>, o: Parameters<typeof check>[1] = {}) {
  const dir = project({ ...greeter, ...changes });
  return check(join(dir, 'Compo.toml'), o);
}

test('P1: the greeter project checks', async () => {
  assert.deepEqual(errors(await greeterWith({})), []);
});

test('P2: use local/words from app.mel names greeter/app/words, which does not exist', async () => {
  const found = await greeterWith({ 'app.mel': greeter['app.mel'].replace('use root/parts/words::phrase', 'use local/words::phrase') });
  assert.ok(errors(found).includes('E_UNKNOWN_ELEMENT@3'));
});

test('P3: a package is not its own dependency', async () => {
  const found = await greeterWith({
    'app.mel': greeter['app.mel'].replace('use root/parts/words::phrase', 'use greeter/parts/words::phrase'),
  });
  assert.ok(errors(found).includes('E_UNKNOWN_DEPENDENCY@3'));
});

test('P4: without std in [dependencies], each use of std is E_UNKNOWN_DEPENDENCY', async () => {
  const found = await greeterWith({ 'Compo.toml': greeter['Compo.toml'].replace('std = "0.10.2"\n', '') });
  const e = errors(found);
  assert.ok(e.includes('E_UNKNOWN_DEPENDENCY@1') && e.includes('E_UNKNOWN_DEPENDENCY@2'), e.join(' '));
});

test('P5: an unknown command is E_ENTRYPOINT_NOT_FOUND, exit status 1', () => {
  const dir = project(greeter);
  const r = cli(['run', join(dir, 'Compo.toml'), 'shout']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /E_ENTRYPOINT_NOT_FOUND.*shout/);
});

test('P6: use root::banner resolves to lib-root.mel', async () => {
  const found = await greeterWith({
    'lib-root.mel': 'treatment banner() {}\n',
    'app.mel': `use root::banner\n${greeter['app.mel'].replace('    relay()\n', '    relay()\n    banner()\n')}`,
  });
  assert.deepEqual(errors(found), []);
});

test('P7: parts/words.mel importing root/app::main closes an import cycle', async () => {
  const found = await greeterWith({ 'parts/words.mel': `use root/app::main\n${greeter['parts/words.mel']}` });
  assert.ok(errors(found).includes('E_IMPORT_CYCLE@1'), errors(found).join(' '));
});

test('check --all covers files the entrypoint does not reach', async () => {
  const broken = { 'tools/unused.mel': 'treatment unused() {\n  ghost()\n}\n' };
  assert.deepEqual(errors(await greeterWith(broken)), []);
  assert.deepEqual(errors(await greeterWith(broken, { all: true })), ['E_UNKNOWN_ELEMENT@2']);
});

test('diagnostics in a sub-area name that file relative to the project', async () => {
  const found = await greeterWith({
    'app/helpers.mel': greeter['app/helpers.mel'].replace('Self.inp -> Self.out', 'Self.inp -> Self.outt'),
  });
  const d = found.find((x) => x.code === 'E_UNKNOWN_INPUT');
  assert.ok(d?.file?.endsWith('app/helpers.mel'), d?.file);
  assert.equal(d?.line, 5);
});

test('info lists entrypoints and their options', () => {
  const dir = project({
    'main.mel': '#! name = hi\n#! require = std:0.10.2\n/// Greets.\ntreatment main(who: string, var times: u8 = 2) {}\n',
  });
  const r = cli(['info', join(dir, 'main.mel')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hi 0\.1\.0/);
  assert.match(r.stdout, /Greets\./);
  assert.match(r.stdout, /--who <string> {2}\(required\)/);
  assert.match(r.stdout, /--times <u8> {2}\(default 2\)/);
});
