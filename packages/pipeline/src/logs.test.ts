import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StepLogFiles, stepFileName } from './logs.js';

test('step names become safe file names', () => {
  assert.equal(stepFileName('build'), 'build');
  assert.equal(stepFileName('build: [foo, dev]'), 'build_[foo,_dev]');
  assert.equal(stepFileName('../etc/passwd'), '__etc_passwd');
  assert.equal(stepFileName('a\u0000b'), 'a_b');
  assert.equal(stepFileName('/'), 'step');
});

test('each step gets its file, lines land in order, colliding names are told apart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-logs-'));
  try {
    const logs = new StepLogFiles(join(dir, 'run', 'steps'));
    logs.write('build', 'one');
    logs.write('Build', 'other');
    logs.write('build', 'two');
    await new Promise((r) => setImmediate(r));
    logs.end('build');
    logs.write('build', 'three');
    assert.equal(logs.open('test'), join(dir, 'run', 'steps', 'test.log'));
    logs.close();
    logs.write('build', 'after close');
    assert.deepEqual(readdirSync(join(dir, 'run', 'steps')).sort(), ['Build-2.log', 'build.log', 'test.log']);
    assert.equal(readFileSync(join(dir, 'run', 'steps', 'build.log'), 'utf8'), 'one\ntwo\nthree\n');
    assert.equal(readFileSync(join(dir, 'run', 'steps', 'Build-2.log'), 'utf8'), 'other\n');
    assert.equal(readFileSync(join(dir, 'run', 'steps', 'test.log'), 'utf8'), '');
    assert.equal(logs.pathOf('Build'), join(dir, 'run', 'steps', 'Build-2.log'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
