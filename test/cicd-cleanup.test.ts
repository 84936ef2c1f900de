/**
 * CI/CD pipelines as a user runs them (the built CLI): the reference's examples/16_ci_pipeline
 * shape on `compose` (podman; the binary crosses from one container to another byte for byte),
 * and cleanup: runs killed with SIGINT or SIGTERM at random points, on `local` and on `compose`,
 * leave no worker, command, container, network or temporary directory after 5 s.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { runProgram } from './cicd-run.js';
import { type ContainerSetup, containerSetupForTests, ROOT } from './helpers.js';

const BIN = join(ROOT, 'packages/cli/bin/tutti.js');

let setup: ContainerSetup = { skip: 'not set up' };

before(async () => {
  setup = await containerSetupForTests();
});

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Every process seen below the run so far (pid → command line). */
  readonly descendants: Map<number, string>;
  /** The run's own temporary directory (its TMPDIR). */
  readonly tmp: string;
}

/** Pids of every process below `pid`. */
function below(pid: number): Map<number, string> {
  const table = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout.split('\n');
  const children = new Map<number, { ppid: number; args: string }>();
  for (const line of table) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m !== null) children.set(Number(m[1]), { ppid: Number(m[2]), args: m[3] as string });
  }
  const found = new Map<number, string>();
  let frontier = [pid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [p, c] of children)
      if (frontier.includes(c.ppid) && !found.has(p)) {
        found.set(p, c.args);
        next.push(p);
      }
    frontier = next;
  }
  return found;
}

/** Whether `pid` still runs (a zombie, ended and waiting to be reaped by an init that may never do so here, does not). */
const alive = (pid: number) => {
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
};

function start(args: readonly string[]): Run {
  const tmp = mkdtempSync(join(tmpdir(), 'tutti-cicd-run-'));
  const env = { ...process.env, ...setup.env, TMPDIR: tmp } as Record<string, string>;
  const child = spawn(process.execPath, [BIN, 'run', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const descendants = new Map<number, string>();
  const watch = setInterval(() => {
    for (const [p, a] of below(child.pid as number)) descendants.set(p, a);
  }, 100);
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      r(code ?? (signal === null ? null : 128));
    }),
  );
  return { child, exited, output: () => output, descendants, tmp };
}

function engine(args: readonly string[]): string[] {
  const env = { ...process.env, ...setup.env } as Record<string, string>;
  const global = (env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(' ').filter(Boolean);
  return spawnSync(setup.engine as string, [...global, ...args], { env, encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.trim() !== '');
}

/** Run ids of the container sets whose directory is under `tmp` (their network's `tutti.dir` label). */
function setsUnder(tmp: string): string[] {
  const ids: string[] = [];
  for (const labels of engine(['network', 'ls', '--filter', 'label=tutti.dir', '--format', '{{.Labels}}'])) {
    const dir = /tutti\.dir=([^,\s\]]+)/.exec(labels)?.[1];
    const id = /tutti\.run=([^,\s\]]+)/.exec(labels)?.[1];
    if (dir?.startsWith(tmp) === true && id !== undefined) ids.push(id);
  }
  return ids;
}

/** Containers and networks left of the sets `ids`. */
const leftOf = (ids: Iterable<string>) =>
  [...ids].flatMap((id) => [
    ...engine(['ps', '--all', '--quiet', '--filter', `label=tutti.run=${id}`]),
    ...engine(['network', 'ls', '--quiet', '--filter', `label=tutti.run=${id}`]),
  ]);

/** Waits for `cond` up to `ms`. */
async function within(ms: number, cond: () => boolean): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/**
 * Kills `run` with `signal`; checks it ended within 5 s and left no process nor temporary file;
 * returns the milliseconds since the kill.
 */
async function killAndCheck(run: Run, signal: NodeJS.Signals): Promise<number> {
  for (const [p, a] of below(run.child.pid as number)) run.descendants.set(p, a);
  const t0 = Date.now();
  run.child.kill(signal);
  const code = await run.exited;
  const took = Date.now() - t0;
  assert.ok(took < 5000, `the run took ${took} ms to end after ${signal}\n${run.output()}`);
  assert.notEqual(code, 0, run.output());
  const gone = await within(5000 - took, () => [...run.descendants.keys()].every((p) => !alive(p)));
  const left = [...run.descendants].filter(([p]) => alive(p));
  assert.ok(gone, `processes left after ${signal}: ${JSON.stringify(left)}`);
  await within(5000 - (Date.now() - t0), () => readdirSync(run.tmp).length === 0);
  const files = readdirSync(run.tmp, { recursive: true });
  assert.deepEqual(files, [], `temporary files left after ${signal} (${took} ms):\n${run.output()}`);
  return Date.now() - t0;
}

/** The size and SHA-256 of the one file in the gzipped tar `path` (a 512-byte header, then the bytes). */
function tarredFile(path: string): { size: number; sha256: string } {
  const tar = gunzipSync(readFileSync(path));
  const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').trim(), 8);
  return {
    size,
    sha256: createHash('sha256')
      .update(tar.subarray(512, 512 + size))
      .digest('hex'),
  };
}

test('examples/16 shape on compose: build and test in containers, package fed the build binary byte for byte; nothing left', async (t) => {
  if (setup.skip !== undefined) {
    t.skip(setup.skip);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'tutti-cicd-out-'));
  const artifact = join(out, 'artifact.tar.gz');
  // --progress off: the step lines as log records, which the assertions read.
  const run = start(['examples/cicd/ci_pipeline.mel', '--progress', 'off', '--image', setup.image as string, '--output', artifact]);
  const seen = new Set<string>();
  let done = false;
  void run.exited.then(() => (done = true));
  try {
    while (!done) {
      for (const id of setsUnder(run.tmp)) seen.add(id);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await run.exited, 0, run.output());
    const hashes = (step: string) =>
      [...run.output().matchAll(new RegExp(`debug: ${step}: ([0-9a-f]{64})  /mnt/data/binary`, 'g'))].map((m) => m[1]);
    const [built] = hashes('build');
    assert.ok(built !== undefined, run.output());
    assert.deepEqual(hashes('package'), [built]);
    // The archive that came back holds that binary (a one-file tar: 512-byte header, then the bytes).
    assert.deepEqual(tarredFile(artifact), { size: 3_000_000, sha256: built });
    assert.match(run.output(), /info: ci: artifact written/);
    assert.equal(seen.size, 3, `three runners expected, saw ${[...seen].join(', ')}`);
    assert.deepEqual(leftOf(seen), []);
    assert.ok([...run.descendants.keys()].every((p) => !alive(p)));
    assert.deepEqual(readdirSync(run.tmp), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(run.tmp, { recursive: true, force: true });
  }
});

test('examples/16 shape on local: the container steps run as host processes (one notice for the image), package gets the build binary byte for byte; nothing left', async () => {
  const out = mkdtempSync(join(tmpdir(), 'tutti-cicd-out-'));
  const artifact = join(out, 'artifact.tar.gz');
  const image = 'example.invalid/never-pulled:1';
  const run = start(['examples/cicd/ci_pipeline.mel', '--progress', 'off', '--location', 'local', '--image', image, '--output', artifact]);
  try {
    assert.equal(await run.exited, 0, run.output());
    // The mount point /mnt/data stood for the runner's volume folder: sha256sum printed that folder.
    const hashes = (step: string) =>
      [...run.output().matchAll(new RegExp(`debug: ${step}: ([0-9a-f]{64})  (\\S+)/binary`, 'g'))].map((m) => [m[1], m[2]]);
    const [built] = hashes('build');
    assert.ok(built !== undefined, run.output());
    assert.ok(built[1]?.startsWith(run.tmp) && built[1].endsWith('/volumes/data'), `volume folder: ${built[1]}`);
    assert.deepEqual(
      hashes('package').map(([h]) => h),
      [built[0]],
    );
    assert.deepEqual(tarredFile(artifact), { size: 3_000_000, sha256: built[0] });
    assert.match(run.output(), /info: ci: artifact written/);
    assert.doesNotMatch(run.output(), /Executor name not set/);
    // One notice for the three runners, naming the image.
    const notices = run.output().match(/location "local" has no containers: [^\n]*/g) ?? [];
    assert.equal(notices.length, 1, run.output());
    assert.ok(notices[0]?.includes(`image '${image}' ignored`), notices[0]);
    assert.ok([...run.descendants.keys()].every((p) => !alive(p)));
    assert.deepEqual(readdirSync(run.tmp), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(run.tmp, { recursive: true, force: true });
  }
});

test('cleanup on local: SIGINT and SIGTERM at random points leave no worker, command or temporary file', async () => {
  for (let i = 0; i < 4; i++) {
    const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
    const run = start(['test/cicd/long_steps.mel']);
    try {
      // Between start-up and the steps running on the runner.
      const delay = 200 + Math.floor(Math.random() * 2800);
      await new Promise((r) => setTimeout(r, delay));
      if (existsSync(run.tmp) && run.child.exitCode === null) await killAndCheck(run, signal);
      else assert.fail(`the run ended by itself: ${run.output()}`);
    } finally {
      rmSync(run.tmp, { recursive: true, force: true });
    }
  }
});

test('cleanup on compose: SIGINT and SIGTERM at random points leave no container, network, worker or temporary file', async (t) => {
  if (setup.skip !== undefined) {
    t.skip(setup.skip);
    return;
  }
  for (let i = 0; i < 3; i++) {
    const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGTERM' : 'SIGINT';
    const run = start(['test/cicd/long_containers.mel', '--image', setup.image as string]);
    const seen = new Set<string>();
    try {
      // Anywhere from the sets being created to the second step running.
      const until = Date.now() + 500 + Math.floor(Math.random() * 7000);
      while (Date.now() < until && run.child.exitCode === null) {
        for (const id of setsUnder(run.tmp)) seen.add(id);
        await new Promise((r) => setTimeout(r, 500));
      }
      const since = await killAndCheck(run, signal);
      // The containers and networks go within the same 5 s (the last ones, when the process
      // had to exit first, by the engine commands its exit hook started).
      const gone = await within(5000 - since, () => leftOf(seen).length === 0 && setsUnder(run.tmp).length === 0);
      assert.ok(gone, `left after ${signal}: ${leftOf(seen).join(', ')} ${setsUnder(run.tmp).join(', ')}`);
    } finally {
      rmSync(run.tmp, { recursive: true, force: true });
    }
  }
});

test('prepared ahead on compose: runners are ready before their trigger, the step starts without a setup, one never triggered is skipped', async (t) => {
  if (setup.skip !== undefined) {
    t.skip(setup.skip);
    return;
  }
  Object.assign(process.env, setup.env);
  const r = await runProgram(join(ROOT, 'test/cicd/prepared.mel'), ['--image', setup.image as string]);
  assert.equal(r.ok, true);
  const at = (name: string, state: string, detail?: string) =>
    r.steps.find((s) => s.name === name && s.state === state && (detail === undefined || s.detail === detail))?.time.getTime() ??
    Number.NaN;
  assert.equal(r.last('prep-first')?.state, 'failed');
  // Both later runners were set up while the first step ran.
  assert.ok(at('prep-after', 'waiting', 'runner ready') < at('prep-first', 'failed'), JSON.stringify(r.steps));
  assert.ok(at('prep-never', 'waiting', 'runner ready') < at('prep-first', 'failed'), JSON.stringify(r.steps));
  // The prepared step starts without a setup of its own: well under a runner setup after its trigger.
  const setupTime = at('prep-first', 'running') - at('prep-first', 'preparing');
  const startDelay = at('prep-after', 'running') - at('prep-first', 'failed');
  assert.ok(startDelay < setupTime, `started ${startDelay} ms after its trigger; a setup took ${setupTime} ms`);
  assert.deepEqual(r.lines('prep-after'), ['prepared']);
  assert.equal(r.last('prep-never')?.state, 'skipped');
  assert.deepEqual(r.lines('prep-never'), []);
});
