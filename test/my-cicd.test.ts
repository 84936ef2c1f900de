/**
 * The talk's `my_cicd` project (test/programs/my_cicd, written for the 0.9 surface: Logger,
 * manageLogs, `logger` slots) checks and runs through the CLI on `local` and, with podman or
 * docker, on `compose`: the package built on one runner is streamed into the test runner
 * and kept as the artifact, and every step leaves its log file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type ContainerSetup, cli, containerSetupForTests, ROOT } from './helpers.js';

const PROJECT = join(ROOT, 'test/programs/my_cicd/Compo.toml');

let setup: ContainerSetup = { skip: 'not set up' };
before(async () => {
  setup = await containerSetupForTests();
});

/** Runs the project with `args` in a fresh folder; returns the folder, the status and stdout. */
async function run(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ dir: string; status: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-my-cicd-'));
  const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), 'run', PROJECT, '--progress', 'off', ...args], {
    cwd: dir,
    env: { ...process.env, ...env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  return { dir, status, stdout, stderr };
}

function checkOutcome(r: { dir: string; status: number; stdout: string; stderr: string }): void {
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  // The artifact: the package the build step made, received here byte for byte.
  const listing = spawnSync('tar', ['-tzf', join(r.dir, 'dist/my_app.tar.gz')], { encoding: 'utf8' });
  assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['my_app/', 'my_app/run.sh']);
  // Per-step logs, each with its own lines only, and the full log.
  const logs = join(r.dir, 'logs');
  const build = readFileSync(join(logs, 'build.log'), 'utf8');
  assert.match(build, /^\[\S+Z\] debug: build: packaged my_app 1\.0\.0$/m);
  assert.doesNotMatch(build, /answers/);
  assert.match(readFileSync(join(logs, 'test.log'), 'utf8'), /^\[\S+Z\] debug: test: my_app 1\.0\.0 answers$/m);
  assert.match(readFileSync(join(logs, 'builder.log'), 'utf8'), /info: builder: Dispatch requested/);
  const full = readFileSync(join(logs, 'full.log'), 'utf8');
  for (const line of ['build: packaged my_app 1.0.0', 'test: my_app 1.0.0 answers', 'pipeline: my_app built, tested and packaged'])
    assert.ok(full.includes(line), `full.log lacks '${line}':\n${full}`);
  // Each record reaches the terminal once (the host prints them; console adds nothing).
  const printed = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(new Set(printed).size, printed.length, r.stdout);
  assert.ok(
    printed.some((l) => l.endsWith('info: pipeline: my_app built, tested and packaged')),
    r.stdout,
  );
}

test('my_cicd checks (every file), and tutti info reads it', () => {
  const r = cli(['check', '--all', PROJECT]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no errors/);
  const info = cli(['info', PROJECT]);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /--location <string> +\(default "local"\)/);
});

test('my_cicd runs on local: the build artifact, per-step logs', async () => {
  const r = await run([]);
  try {
    checkOutcome(r);
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('my_cicd runs on compose: the same pipeline in containers', async (t) => {
  if (setup.skip !== undefined) return t.skip(setup.skip);
  const r = await run(['--location', 'compose', '--image', setup.image as string], setup.env);
  try {
    checkOutcome(r);
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});
