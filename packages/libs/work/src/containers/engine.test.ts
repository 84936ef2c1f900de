import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { engineErrorOf } from '../resources/container-executor.js';
import { ContainerEngine, ContainerError, engineArgs, engineMessage, splitArgs } from './engine.js';

// Fake engine programs on a private PATH: only their presence matters to the choice.
const bin = mkdtempSync(join(tmpdir(), 'tutti-engine-path-'));
const both = join(bin, 'both');
const dockerOnly = join(bin, 'docker-only');
for (const [dir, names] of [
  [both, ['podman', 'docker']],
  [dockerOnly, ['docker']],
] as const) {
  mkdirSync(dir);
  for (const n of names) {
    writeFileSync(join(dir, n), '#!/bin/sh\necho "Error: no such thing" >&2\nexit 125\n');
    chmodSync(join(dir, n), 0o755);
  }
}
after(() => rmSync(bin, { recursive: true, force: true }));

test('engine choice: TUTTI_CONTAINER_ENGINE, else podman before docker on PATH', () => {
  assert.equal(ContainerEngine.fromEnvironment({ PATH: both }).kind, 'podman');
  assert.equal(ContainerEngine.fromEnvironment({ PATH: both, TUTTI_CONTAINER_ENGINE: 'docker' }).kind, 'docker');
  assert.equal(ContainerEngine.fromEnvironment({ PATH: dockerOnly }).kind, 'docker');
  const e = ContainerEngine.fromEnvironment({ PATH: both, TUTTI_CONTAINER_ENGINE_ARGS: ' --runtime runc  --cgroup-manager=cgroupfs ' });
  assert.deepEqual(e.globalArgs, ['--runtime', 'runc', '--cgroup-manager=cgroupfs']);
  assert.equal(e.program, join(both, 'podman'));
});

test('engine choice: clear errors', () => {
  const refused = (env: NodeJS.ProcessEnv, message: string) =>
    assert.throws(
      () => ContainerEngine.fromEnvironment(env),
      (e: unknown) => e instanceof ContainerError && e.code === 'E_CONTAINER_ENGINE' && e.message === message,
    );
  refused({ PATH: both, TUTTI_CONTAINER_ENGINE: 'lxc' }, "TUTTI_CONTAINER_ENGINE is 'lxc': expected 'podman' or 'docker'");
  refused({ PATH: dockerOnly, TUTTI_CONTAINER_ENGINE: 'podman' }, "Container engine 'podman' not found on PATH");
  refused({ PATH: join(bin, 'none') }, 'No container engine found: install podman or docker, or set TUTTI_CONTAINER_ENGINE');
});

test("an engine command's failure carries the engine's Error line", async () => {
  const e = ContainerEngine.fromEnvironment({ PATH: both });
  await assert.rejects(
    e.check(['network', 'create', 'x']),
    (err: unknown) => err instanceof ContainerError && err.message === 'podman network failed: Error: no such thing',
  );
  const missing = new ContainerEngine('podman', join(bin, 'nothing-here'));
  const r = await missing.run(['ps']);
  assert.equal(r.code, null);
  assert.match(r.stderr, /ENOENT/);
  assert.equal(engineMessage({ code: 1, stdout: '', stderr: 'failed to connect to syslog: x\nlast words\n' }), 'last words');
  assert.deepEqual(splitArgs(undefined), []);
});

test("docker gets only docker's global flags out of TUTTI_CONTAINER_ENGINE_ARGS (podman's are ignored)", () => {
  const podmanArgs = '--runtime runc --cgroup-manager=cgroupfs';
  assert.deepEqual(engineArgs('podman', podmanArgs), { args: ['--runtime', 'runc', '--cgroup-manager=cgroupfs'], ignored: [] });
  assert.deepEqual(engineArgs('docker', podmanArgs), { args: [], ignored: ['--runtime', 'runc', '--cgroup-manager=cgroupfs'] });
  assert.deepEqual(engineArgs('docker', '--root /var/x -D --host unix:///tmp/s.sock --log-level=warn --tls --syslog'), {
    args: ['-D', '--host', 'unix:///tmp/s.sock', '--log-level=warn', '--tls'],
    ignored: ['--root', '/var/x', '--syslog'],
  });
  const e = ContainerEngine.fromEnvironment({ PATH: both, TUTTI_CONTAINER_ENGINE: 'docker', TUTTI_CONTAINER_ENGINE_ARGS: podmanArgs });
  assert.deepEqual(e.globalArgs, []);
  assert.deepEqual(e.ignoredArgs, ['--runtime', 'runc', '--cgroup-manager=cgroupfs']);
});

test("an exec's engine error: podman's exit 125, docker's exit 1 with the daemon's answer; a command's own exit is not one", () => {
  assert.equal(
    engineErrorOf('podman', 125, 'Error: no container with name or ID "x" found: no such container\n'),
    'no container with name or ID "x" found: no such container',
  );
  assert.equal(engineErrorOf('docker', 1, 'Error response from daemon: No such container: x\n'), 'No such container: x');
  assert.equal(engineErrorOf('podman', 1, 'Error response from daemon: No such container: x\n'), undefined);
  assert.equal(engineErrorOf('docker', 1, 'grep: nothing\n'), undefined);
  assert.equal(engineErrorOf('docker', 2, 'Error: x\n'), undefined);
});
