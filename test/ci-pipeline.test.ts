/**
 * ci/ — Tutti's own CI as a Tutti pipeline (the README's main command). Running it on this
 * repository from inside the test suite would run the suite again, so its steps are run on
 * a small repository whose npm scripts record what they see: build first, then lint and
 * test at the same time; a failing step fails the pipeline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli, ROOT } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Each of lint and test waits (5 s at most) for the other's marker: they must overlap. */
const waitFor = (self: string, other: string) =>
  `sh -c 'test -e built.txt || exit 4; touch ${self}.started; for i in $(seq 100); do [ -e ${other}.started ] && echo ${self} saw ${other} && exit 0; sleep 0.05; done; exit 3'`;

function fakeRepository(lint = waitFor('lint', 'test')): string {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-ci-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'fake',
      private: true,
      scripts: { build: "sh -c 'echo built > built.txt && echo build done'", lint, 'test:unit': waitFor('test', 'lint') },
    }),
  );
  return dir;
}

function run(repository: string): Promise<{ status: number; stdout: string; stderr: string }> {
  // From the repository given (step log files go under its .tutti/), without the live view
  // (--progress off: the log lines as they are, for the assertions).
  const args = ['run', join(ROOT, 'ci'), '--progress', 'off', '--repository', repository];
  const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), ...args], {
    cwd: repository,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ status: code ?? -1, stdout, stderr })));
}

test('ci/ checks', () => {
  const r = cli(['check', '--all', 'ci']);
  assert.equal(r.status, 0, r.stderr);
});

test('ci/: build, then lint and test in parallel, each step logged under its name', async () => {
  const r = await run(fakeRepository());
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const at = (re: RegExp) => r.stdout.search(re);
  assert.ok(at(/debug: build: build done$/m) >= 0, r.stdout);
  assert.ok(at(/debug: lint: lint saw test$/m) > at(/debug: build: build done$/m), r.stdout);
  assert.ok(at(/debug: test: test saw lint$/m) > at(/debug: build: build done$/m), r.stdout);
  assert.match(r.stdout, /info: ci: passed: build, lint and test$/m);
});

test('ci/: a failing step makes the pipeline fail, and the other still runs', async () => {
  const r = await run(fakeRepository("sh -c 'touch lint.started; echo 2 problems; exit 1'"));
  assert.match(r.stdout, /debug: lint: 2 problems$/m);
  assert.match(r.stdout, /error: lint: Commands failed \(non-zero exit\)$/m);
  assert.match(r.stdout, /debug: test: test saw lint$/m);
  assert.match(r.stdout, /error: ci: failed$/m);
  assert.doesNotMatch(r.stdout, /ci: passed/);
});
