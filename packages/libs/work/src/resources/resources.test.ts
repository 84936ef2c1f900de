import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalFileSystem } from '@tutti/lib-fs';
import { LocalExecutor } from '@tutti/lib-process';
import { ContainerError } from '../containers/engine.js';
import { type ContainerSpec, type ServiceContainerSpec, validateRequest } from '../containers/set.js';
import { ContainerExecutor } from './container-executor.js';
import { executorFor, fileSystemFor, resources } from './resources.js';
import { ArchValue, type ContainerValue, type ServiceContainerValue } from './values.js';

const worker = {
  MELODIUM_RUN_EXECUTOR: 'podman',
  MELODIUM_RUN_CONTAINERS: 'box,other',
  MELODIUM_RUN_CONTAINER_box: 'tutti-r-custom-box',
  MELODIUM_RUN_VOLUMES: 'data',
  MELODIUM_RUN_VOLUME_data: '/tmp/somewhere/data',
};

test('getExecutor: none is the local executor; a listed container gets a container executor', () => {
  const local = executorFor(null, {});
  assert.ok('executor' in local && local.executor instanceof LocalExecutor);
  const box = executorFor('box', {
    ...worker,
    MELODIUM_RUN_EXECUTOR_ENTRYPOINT: '/opt/podman',
    TUTTI_CONTAINER_ENGINE_ARGS: '--runtime runc',
  });
  assert.ok('executor' in box && box.executor instanceof ContainerExecutor);
  assert.equal(box.executor.container, 'tutti-r-custom-box');
  assert.equal(box.executor.engine.program, '/opt/podman');
  assert.deepEqual(box.executor.engine.globalArgs, ['--runtime', 'runc']);
  const docker = executorFor('box', { ...worker, MELODIUM_RUN_EXECUTOR: 'docker' });
  assert.ok('executor' in docker && docker.executor instanceof ContainerExecutor && docker.executor.engine.program === 'docker');
});

test('getExecutor: the error messages of the reference', () => {
  assert.deepEqual(executorFor('box', {}), { error: 'Executor name not set' });
  assert.deepEqual(executorFor('box', { ...worker, MELODIUM_RUN_EXECUTOR: 'kubernetes' }), { error: 'Executor name not set' });
  // Listed but without its container name, or not listed at all.
  assert.deepEqual(executorFor('other', worker), { error: "No container 'other' listed as available" });
  assert.deepEqual(executorFor('x', worker), { error: "No container 'x' listed as available" });
});

test('getFileSystem: rooted at the listed volume, else the error of the reference', () => {
  const got = fileSystemFor('data', worker);
  assert.ok('filesystem' in got && got.filesystem instanceof LocalFileSystem);
  assert.equal(got.filesystem.root, '/tmp/somewhere/data');
  assert.deepEqual(fileSystemFor('data', {}), { error: "No volume 'data' available" });
  assert.deepEqual(fileSystemFor('x', { ...worker, MELODIUM_RUN_VOLUME_x: '/tmp' }), { error: "No volume 'x' available" });
});

test('constructors build the values a compose location hands over', () => {
  const fn = (name: string) => {
    const f = resources.find((e) => e.kind === 'function' && e.name === name);
    assert.ok(f !== undefined && f.kind === 'function' && f.impl !== undefined);
    const impl = f.impl;
    return (args: unknown[]) => impl(args, {});
  };
  const amd64 = fn('amd64')([]) as ArchValue;
  assert.equal(amd64.display(), 'amd64');
  assert.equal(String(amd64), 'amd64'); // ToString
  assert.ok(amd64.equals(ArchValue.parse('amd64')));
  assert.ok(!amd64.equals(fn('arm64')([])));
  const mount = fn('mount')(['data', '/data']);
  const c = fn('container')(['box', 256, 500, 1000, amd64, [mount], 'img', null]) as Record<string, unknown>;
  assert.deepEqual(
    { ...c },
    { name: 'box', memory: 256, cpu: 500, storage: 1000, arch: 'amd64', mounts: [mount], image: 'img', pullSecret: '{}' },
  );
  const s = fn('service_container')(['db', 1, 2, 3, amd64, [], 'img', 'secret', null, null]) as Record<string, unknown>;
  assert.deepEqual([s.env, s.command, s.pullSecret], [{}, undefined, 'secret']);
  // A compose location hands the values to startContainerSet as they are.
  const specs: [ContainerSpec, ServiceContainerSpec] = [c as unknown as ContainerValue, s as unknown as ServiceContainerValue];
  assert.equal(specs[0].mounts[0]?.point, '/data');
});

test('requests are checked before anything starts', () => {
  const c = (name: string, over = {}) => ({ name, image: 'img', memory: 0, cpu: 0, storage: 0, arch: undefined, mounts: [], ...over });
  const base = { runId: 'r', maxDuration: 60, volumes: [{ name: 'v', storage: 1 }], containers: [], serviceContainers: [] };
  const refused = (request: object, message: RegExp) =>
    assert.throws(
      () => validateRequest({ ...base, ...request }),
      (e: unknown) => e instanceof ContainerError && e.code === 'E_CONTAINER_REQUEST' && message.test(e.message),
    );
  validateRequest({ ...base, containers: [c('a', { arch: 'amd64' }), c('b')] });
  refused(
    { containers: [c('a', { arch: 'amd64' }), c('b', { arch: 'arm64' })] },
    /^All containers of a request must share one architecture: 'a' is amd64, 'b' is arm64$/,
  );
  refused({ containers: [c('a')], serviceContainers: [{ ...c('a'), env: {}, command: undefined }] }, /^Container 'a' is declared twice$/);
  refused({ containers: [c('a', { mounts: [{ name: 'w', point: '/w' }] })] }, /mounts volume 'w', which the request does not declare/);
  refused({ containers: [c('a', { mounts: [{ name: 'v', point: 'rel' }] })] }, /must be an absolute path/);
  refused({ containers: [c('a b')] }, /^Container name 'a b' is not valid/);
  refused({ maxDuration: 0 }, /^Maximum duration must be positive/);
});
