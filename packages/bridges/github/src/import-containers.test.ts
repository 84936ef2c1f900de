// tutti github import of jobs with container: and services:, against the real container engine
// (podman here), each imported project run by `tutti run` and compared with `tutti github run`
// on the same workflow; and nothing left behind: after a failed step, after SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPath } from '@tutti/driver';
import { containerLeftovers, runCaptured, useContainerEngine } from '../test/support.js';
import { githubImport } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const SVC = fileURLToPath(new URL('../test/containers/svc', import.meta.url));
let dir = '';

before(async () => {
  useContainerEngine();
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-containers-'));
  await cp(fileURLToPath(new URL('../test/import-containers', import.meta.url)), dir, { recursive: true });
  for (const f of ['.github/workflows/ci.yml', 'fail.yml'])
    await writeFile(join(dir, f), (await readFile(join(dir, f), 'utf8')).replaceAll('@SVC@', SVC));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The folders of job environments left in the temp folder. */
const jobDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tutti-github-job-'));

/**
 * The containers and networks the job environments of this output made that are still there
 * (only these: other runs may use the engine at the same time).
 */
function leftBehind(output: string): string[] {
  const nets = new Set([...output.matchAll(/Job environment up \(network (tutti-gh-[0-9a-f]+)\)/g)].map((m) => m[1]!));
  assert.ok(nets.size > 0, output);
  return containerLeftovers().filter((n) => [...nets].some((x) => n === x || n.startsWith(`${x}-`)));
}

/** Imports `workflows` into `out` and checks the project (as `tutti check`). */
async function imported(workflows: string | undefined, out: string): Promise<string> {
  const r = await githubImport(dir, workflows, join(dir, out), 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const checked = await checkPath(join(dir, out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return readFile(join(dir, out, r.files[1]!), 'utf8');
}

const runImported = (out: string) =>
  spawnSync(process.execPath, [TUTTI, 'run', join(dir, out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', HOST_ONLY: 'from-host' },
  });

/** Each job's outcome from the imported program's log lines. */
const melOutcomes = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/(?:info|error): ([\w-]+): job [\w-]+ (succeeded|failed)/g)].map((m) => [m[1]!, m[2]!]));

/** Each job's outcome from `tutti github run`'s report (a matrix job failed when a leg did). */
function ghOutcomes(report: NonNullable<Awaited<ReturnType<typeof runCaptured>>['report']>): Record<string, string> {
  const o: Record<string, string> = {};
  for (const j of report.jobs) o[j.job] = o[j.job] === 'failed' || j.result === 'failure' ? 'failed' : 'succeeded';
  return o;
}

/** The output lines of the steps (`… │ line`), sorted, without the runners' own lines. */
const stepLines = (text: string) =>
  [...text.matchAll(/│ (.*)$/gm)]
    .map((m) => m[1]!)
    .filter(
      (l) =>
        !/^(\+ |Starting |Job environment |Containers started|Copied the working tree|##\[error\]|error: |Pulling |time=|Error: )/.test(l),
    )
    .sort();

test('import: a container job (services by name, GitHub paths, file commands, JavaScript and Docker actions), matrix legs, services of a host job', async () => {
  const mel = await imported('.github/workflows/ci.yml', 'mel');
  for (const s of [
    '// Initialize containers',
    'job_up: runAction',
    "# the step's script, run in the job container by Tutti's GitHub runner (tutti github job step)",
    'job_down: runAction',
  ])
    assert.ok(mel.includes(s), `missing ${s}\n${mel}`);
  const run = runImported('mel');
  const prev = process.env.HOST_ONLY;
  process.env.HOST_ONLY = 'from-host';
  let gh: Awaited<ReturnType<typeof runCaptured>>;
  try {
    gh = await runCaptured({ cwd: dir, cacheDir: join(dir, '.cache') });
  } finally {
    if (prev === undefined) delete process.env.HOST_ONLY;
    else process.env.HOST_ONLY = prev;
  }
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(melOutcomes(run.stdout), ghOutcomes(gh.report!));
  assert.deepEqual(ghOutcomes(gh.report!), { 'in-container': 'succeeded', legs: 'succeeded', 'on-host': 'succeeded' });
  // the same lines from the steps, in the container as tutti github run runs them
  assert.deepEqual(stepLines(run.stdout), stepLines(gh.text));
  for (const line of [
    'debian 12 env=yes wf=wf job=job host-only=unset',
    'workspace at /__w/<repo>/<repo>',
    'temp=/__w/_temp home=/github/home',
    'output file /__w/_temp/_runner_file_commands/set_output',
    'got: pong from pinger',
    'the reply was pong from pinger',
    'in-container-tool',
    'env from a step, set by a step',
    'step env=step-pong from pinger',
    'in the workspace WS/sub: from the working tree',
    "js said 'hello Ada'",
    'docker step on the job network',
    'docker step output d',
    'leg plain in debian 12',
    'leg salted in debian 12',
    'host got: pong from host-pinger',
    'needs said pong from pinger',
  ])
    assert.ok(stepLines(run.stdout).includes(line), `missing ${line}\n${run.stdout}`);
  assert.deepEqual(leftBehind(run.stdout), []);
});

test('import: a failed step in a container job (always() steps run there) and an image that cannot be pulled (no step runs): the jobs fail, nothing is left', async () => {
  await imported('fail.yml', 'mel-fail');
  const run = runImported('mel-fail');
  const gh = await runCaptured({ cwd: dir, workflows: 'fail.yml', cacheDir: join(dir, '.cache') });
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const outcomes = { broken: 'failed', 'no-image': 'failed', after: 'succeeded' };
  assert.deepEqual(melOutcomes(run.stdout), outcomes);
  assert.deepEqual(ghOutcomes(gh.report!), outcomes);
  assert.deepEqual(stepLines(run.stdout), stepLines(gh.text));
  assert.deepEqual(stepLines(run.stdout), ['about to fail', 'cleanup ran in debian 12', 'no-image ended with failure']);
  assert.match(run.stdout, /broken › Stop containers passed/);
  assert.match(run.stdout, /✗ no-image › Initialize containers failed/);
  assert.deepEqual(leftBehind(run.stdout), []);
  assert.deepEqual(jobDirs(), []);
});

test('import: SIGTERM to tutti run while a step runs in the job container removes the containers and network', async () => {
  await writeFile(
    join(dir, 'slow.yml'),
    [
      'name: slow',
      'on: push',
      'jobs:',
      '  slow:',
      '    runs-on: ubuntu-latest',
      '    container: localhost/debian:bookworm',
      '    steps:',
      '      - run: echo "sleeping"; sleep 120',
    ].join('\n'),
  );
  await imported('slow.yml', 'mel-slow');
  const child = spawn(process.execPath, [TUTTI, 'run', join(dir, 'mel-slow', 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 240 && !out.includes('│ sleeping'); i++) await new Promise((r) => setTimeout(r, 250));
  assert.ok(out.includes('│ sleeping'), out);
  assert.equal(leftBehind(out).length, 2, out);
  child.kill('SIGTERM');
  assert.equal(await ended, 143, out);
  // the watcher `job up` started removes them once tutti run is gone
  let left = leftBehind(out);
  for (let i = 0; i < 60 && (left.length > 0 || jobDirs().length > 0); i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = leftBehind(out);
  }
  assert.deepEqual(left, []);
  assert.deepEqual(jobDirs(), []);
});
