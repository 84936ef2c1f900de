import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticSink, type PackageDescriptor } from '@tutti/core';
import { loadProgram } from './load.js';

// Two bundled 0.10 packages, `a` and `b` (which requires `a` 0.10.2), and a 0.9 layer of `a`
// that reaches the 0.10 one as `a_0_10`.
const pkg = (name: string, version: string, dependencies: Record<string, string> = {}): PackageDescriptor => ({
  name,
  version,
  doc: '',
  dependencies,
  elements: [],
});
const bundled = [pkg('a', '0.10.2'), pkg('b', '0.10.2', { a: '0.10.2' })];
const legacy = [pkg('a', '0.9.1', { a_0_10: '=0.10.2' })];

async function load(require: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-load-'));
  try {
    writeFileSync(join(dir, 'p.mel'), `#! name = p\n#! version = 0.1.0\n#! require = ${require}\n\ntreatment main() {}\n`);
    const sink = new DiagnosticSink();
    const loaded = await loadProgram(join(dir, 'p.mel'), { bundled, legacy }, sink);
    return { sink, packages: loaded?.program.packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('each package sees its own generation of a dependency: the program the 0.9 layer, the 0.10 packages the 0.10 one', async () => {
  const { sink, packages } = await load('a:^0.9 b:0.10.2');
  assert.deepEqual(sink.items, []);
  const dep = (from: string, name: string) => packages?.get(from)?.dependencies.get(name);
  assert.equal(dep('p', 'a')?.version, '0.9.1');
  assert.equal(dep('b', 'a')?.name, 'a_0_10', 'b requires a 0.10.2: it gets the 0.10 package under the name a');
  assert.equal(dep('b', 'a')?.version, '0.10.2');
  assert.equal(dep('a', 'a_0_10'), dep('b', 'a'), 'one 0.10 package, seen under two names');
});

test('a 0.9 pre-release pin picks the 0.9 layer; 0.10 requirements and >=0.9 the bundled package, without an alias', async () => {
  assert.equal((await load('a:=0.9.2-pre.0')).packages?.get('a')?.version, '0.9.1');
  for (const require of ['a:0.10.2', 'a:>=0.9']) {
    const { sink, packages } = await load(require);
    assert.deepEqual(sink.items, []);
    assert.equal(packages?.get('a')?.version, '0.10.2', require);
    assert.equal(packages?.has('a_0_10'), false, require);
  }
});
