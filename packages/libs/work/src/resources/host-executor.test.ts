import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CommandValue, EnvironmentValue } from '@tutti/lib-process';
import { StringMapValue } from '@tutti/lib-std';
import { makeLocalVolumes } from '../local-volumes.js';
import { mapMountPoints } from './host-executor.js';
import { executorFor } from './resources.js';
import { ContainerValue, MountValue, VolumeValue } from './values.js';

test('mount points are replaced where they stand as whole paths only', () => {
  const mounts = [
    { point: '/mnt/data/cache', dir: '/v/cache' },
    { point: '/mnt/data', dir: '/v/data' },
  ];
  assert.equal(mapMountPoints('/mnt/data', mounts), '/v/data');
  assert.equal(
    mapMountPoints('cp a /mnt/data/b "/mnt/data" x=/mnt/data:/mnt/data/cache/c', mounts),
    'cp a /v/data/b "/v/data" x=/v/data:/v/cache/c',
  );
  assert.equal(
    mapMountPoints('/mnt/database /x/mnt/data a/mnt/data /mnt/data.old', mounts),
    '/mnt/database /x/mnt/data a/mnt/data /mnt/data.old',
  );
  assert.equal(mapMountPoints('no path here', mounts), 'no path here');
});

test('on a local worker a container is a folder: its commands run there on the host, mount points standing for volumes, non-zero exits completed', async () => {
  const local = makeLocalVolumes(
    [new VolumeValue('data', 10)],
    [new ContainerValue('box', 100, 100, 100, undefined, [new MountValue('data', '/mnt/data')], 'any/image:1', '{}')],
  );
  assert.ok(local !== undefined);
  try {
    assert.equal(local.env.MELODIUM_RUN_EXECUTOR, 'host');
    const env = { ...process.env, ...local.env };
    const got = executorFor('box', env);
    assert.ok('executor' in got, JSON.stringify(got));
    assert.deepEqual(executorFor('other', env), { error: "No container 'other' listed as available" });
    const out: Buffer[] = [];
    const control = { started() {}, terminate: new AbortController().signal, stop: new AbortController().signal };
    const variables = new EnvironmentValue(StringMapValue.from({ TARGET: '/mnt/data/out.txt' }), null, false, false);
    const outcome = await got.executor.spawnOut(new CommandValue('sh', ['-c', 'pwd; echo made > "$TARGET"; exit 3']), variables, control, {
      stdout: async (b) => {
        out.push(Buffer.from(b));
        return true;
      },
      stderr: async () => true,
    });
    assert.deepEqual(outcome, { status: 'completed', exit: 3 });
    assert.equal(Buffer.concat(out).toString().trim(), local.env.MELODIUM_RUN_CONTAINER_box);
    assert.equal(readFileSync(join(local.env.MELODIUM_RUN_VOLUME_data as string, 'out.txt'), 'utf8'), 'made\n');
  } finally {
    local.remove();
  }
  assert.throws(
    () => makeLocalVolumes([], [new ContainerValue('box', 1, 1, 1, undefined, [new MountValue('nope', '/x')], 'i', '{}')]),
    /Container 'box' mounts volume 'nope', which the request does not declare/,
  );
});
