/**
 * The `compose` location with docker's CLI (issue 10: "works with podman and with docker").
 * No Docker daemon runs on the project's machines, but podman serves the Docker API: this test
 * starts `podman system service` on a private socket, then runs the container-set tests
 * (packages/libs/work/src/containers/containers.test.ts) and the `compose` end-to-end tests
 * (test/compose.test.ts) again with `TUTTI_CONTAINER_ENGINE=docker` and `DOCKER_HOST` on that
 * socket, keeping the podman flags of `TUTTI_CONTAINER_ENGINE_ARGS` that a machine set up for
 * podman exports (docker must not be given them), and stops the service afterwards.
 *
 * Skipped (with the reason) when docker's CLI or podman is missing; in CI (CI=true) both are
 * installed by `.ci/run` and a missing one fails.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineArgs, findOnPath } from '@tutti/lib-work';
import { type ContainerSetup, containerSetupForTests, ROOT } from './helpers.js';

let skip: string | undefined;
let setup: ContainerSetup = { skip: 'not set up' };
let service: ChildProcess | undefined;
let serviceExit: Promise<void> | undefined;
let serviceLog = '';
const dir = mkdtempSync(join(tmpdir(), 'tutti-docker-'));
const socket = join(dir, 'podman.sock');

before(async () => {
  const docker = findOnPath('docker');
  const podman = findOnPath('podman');
  if (docker === undefined || podman === undefined) {
    skip = `needs docker's CLI and podman (found: ${docker === undefined ? 'no docker' : 'docker'}, ${podman === undefined ? 'no podman' : 'podman'})`;
    if (process.env.CI === 'true') throw new Error(`the docker test needs both in CI: ${skip}`);
    return;
  }
  // The base image, in podman's store (which the service serves).
  const env: NodeJS.ProcessEnv = { ...process.env, TUTTI_CONTAINER_ENGINE: 'podman' };
  const saved = process.env.TUTTI_CONTAINER_ENGINE;
  process.env.TUTTI_CONTAINER_ENGINE = 'podman';
  try {
    setup = await containerSetupForTests();
  } finally {
    if (saved === undefined) delete process.env.TUTTI_CONTAINER_ENGINE;
    else process.env.TUTTI_CONTAINER_ENGINE = saved;
  }
  if (setup.skip !== undefined) {
    skip = setup.skip;
    return;
  }
  Object.assign(env, setup.env);
  const podmanArgs = engineArgs('podman', env.TUTTI_CONTAINER_ENGINE_ARGS).args;
  service = spawn(podman, [...podmanArgs, 'system', 'service', '--time=0', `unix://${socket}`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serviceExit = new Promise((r) => service?.once('exit', () => r()));
  service.stderr?.on('data', (b: Buffer) => {
    serviceLog = (serviceLog + b.toString()).slice(-4000);
  });
  // Ready when docker's CLI gets an answer through the socket.
  for (let i = 0; i < 100; i++) {
    if (existsSync(socket) && dockerCli(['version', '--format', '{{.Server.Version}}']).status === 0) return;
    await sleep(100);
  }
  throw new Error(`podman's Docker API service did not answer on ${socket}:\n${serviceLog}`);
});

after(async () => {
  if (service !== undefined && service.exitCode === null && service.signalCode === null) {
    service.kill('SIGTERM');
    const killed = setTimeout(() => service?.kill('SIGKILL'), 3000);
    await serviceExit;
    clearTimeout(killed);
  }
  rmSync(dir, { recursive: true, force: true });
});

const dockerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  ...setup.env,
  TUTTI_CONTAINER_ENGINE: 'docker',
  DOCKER_HOST: `unix://${socket}`,
});

function dockerCli(args: string[]) {
  return spawnSync('docker', args, { env: dockerEnv(), encoding: 'utf8' });
}

test("the compose location's container tests pass with docker's CLI against podman's Docker API service", {
  timeout: 300_000,
}, async (t) => {
  if (skip !== undefined) {
    t.skip(skip);
    return;
  }
  // The machine's podman flags stay in the environment: the library must leave them out for docker.
  assert.match(dockerEnv().TUTTI_CONTAINER_ENGINE_ARGS ?? '', /--runtime/);
  const files = ['packages/libs/work/src/containers/containers.test.ts', 'test/compose.test.ts'];
  // A test run of its own (NODE_TEST_CONTEXT would make it a subtest of this one, which node refuses).
  const { NODE_TEST_CONTEXT: _, ...env } = dockerEnv();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out)?.[1] ?? Number.NaN);
  assert.equal(code, 0, out.slice(-6000));
  assert.equal(count('fail'), 0, out.slice(-6000));
  assert.equal(count('skipped'), 0, `tests were skipped under docker:\n${out.slice(-6000)}`);
  assert.ok(count('pass') >= 15, `expected the whole subset to run:\n${out.slice(-3000)}`);
});
