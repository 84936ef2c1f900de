/**
 * docs/cicd.md: every `mel` block is the example file it shows (examples/cicd/), which checks
 * and runs — the local pipeline on this host, the runner pipeline on compose (podman; skipped
 * without an engine outside CI). The ci_pipeline example runs in test/cicd-cleanup.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain ESM script without type declarations
import { containerSetup } from '../scripts/container-image.mjs';
import { runProgram } from './cicd-run.js';
import { cli, ROOT } from './helpers.js';

const doc = readFileSync(join(ROOT, 'docs/cicd.md'), 'utf8');
const blocks = [...doc.matchAll(/```mel\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const examples = ['local_pipeline', 'runner_pipeline', 'ci_pipeline'];

test('docs/cicd.md shows the example files as they are, and they check', () => {
  assert.equal(blocks.length, examples.length);
  for (const [i, name] of examples.entries()) {
    const file = join(ROOT, 'examples/cicd', `${name}.mel`);
    assert.equal(blocks[i], readFileSync(file, 'utf8'), `${name}.mel differs from its copy in docs/cicd.md`);
    const r = cli(['check', file]);
    assert.equal(r.status, 0, r.stderr);
  }
});

test('the local pipeline runs: install, then build/lint/test together, then package', async () => {
  const work = mkdtempSync(join(tmpdir(), 'tutti-cicd-doc-'));
  try {
    const r = await runProgram(join(ROOT, 'examples/cicd/local_pipeline.mel'), ['--work', work]);
    assert.equal(r.ok, true);
    for (const s of ['install', 'build', 'lint', 'test', 'package']) assert.equal(r.last(s)?.state, 'passed', s);
    assert.ok(statSync(join(work, 'app.tar.gz')).size > 0);
    const at = (s: string, state: string) => r.steps.find((x) => x.name === s && x.state === state)?.time.getTime() ?? Number.NaN;
    // build, lint and test overlap after install; package comes after all three.
    assert.ok(at('build', 'running') >= at('install', 'passed'));
    assert.ok(at('package', 'running') >= Math.max(at('build', 'passed'), at('lint', 'passed'), at('test', 'passed')));
    assert.ok(r.logs.some((l) => l.label === 'pipeline' && l.message === 'package ready'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the runner pipeline runs on compose: a file through the volume and back through the orchestrator', async (t) => {
  const setup = (await containerSetup().catch((e: Error) => ({ skip: e.message }))) as {
    env?: Record<string, string>;
    image?: string;
    skip?: string;
  };
  if (setup.skip !== undefined) {
    if (process.env.CI === 'true') throw new Error(setup.skip);
    t.skip(setup.skip);
    return;
  }
  Object.assign(process.env, setup.env);
  const r = await runProgram(join(ROOT, 'examples/cicd/runner_pipeline.mel'), ['--image', setup.image as string]);
  assert.equal(r.ok, true);
  assert.deepEqual(r.lines('count'), ['100000 /work/numbers.txt']);
  assert.deepEqual(r.lines('sum'), ['sum: 5000050000']);
  for (const s of ['generate', 'count', 'sum']) assert.equal(r.last(s)?.runner, 'runner');
});
