import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { END, type FunctionDescriptor, type TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { path } from './path.js';

const element = (name: string) => path.find((e) => e.name === name) as TreatmentDescriptor;
const call = (name: string, arg: string) => (path.find((e) => e.name === name) as FunctionDescriptor).impl?.([arg], {});

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-fs-path-'));
  await writeFile(join(dir, 'five.txt'), 'hello');
  await mkdir(join(dir, 'sub'));
  await symlink(join(dir, 'five.txt'), join(dir, 'link'));
  await symlink(join(dir, 'missing'), join(dir, 'broken'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the functions follow Rust path rules', () => {
  assert.equal(call('file_name', '/usr/bin/'), 'bin');
  assert.equal(call('file_name', 'etc/./'), 'etc');
  assert.equal(call('file_name', 'a/..'), null);
  assert.equal(call('extension', '.bashrc'), null);
  assert.equal(call('extension', 'a.tar.gz'), 'gz');
  assert.equal(call('file_stem', '.bashrc'), '.bashrc');
  assert.equal(call('file_stem', 'a.tar.gz'), 'a.tar');
  assert.equal(call('parent', 'foo'), '');
  assert.equal(call('parent', '/usr/bin'), '/usr');
  assert.equal(call('parent', '/'), null);
  assert.equal(call('parent', ''), null);
});

test('composition gives one value per path on each output, in order', async () => {
  const r = await runTreatment(element('composition'), {
    inputs: {
      path: {
        batches: [
          ['/usr/bin/', 'a.tar.gz'],
          ['/', '.bashrc'],
        ],
      },
    },
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.file_name, ['bin', 'a.tar.gz', null, '.bashrc']);
  assert.deepEqual(r.outputs.extension, [null, 'gz', null, null]);
  assert.deepEqual(r.outputs.file_stem, ['bin', 'a.tar', null, '.bashrc']);
  assert.deepEqual(r.outputs.parent, ['/usr', '', null, '']);
});

test('composition of an empty stream emits nothing', async () => {
  const r = await runTreatment(element('composition'), { inputs: { path: [] } });
  assert.deepEqual(r.outputs, { extension: [], file_name: [], file_stem: [], parent: [] });
});

test('composition goes on while one output is consumed', async () => {
  const gone = { unconnected: true } as const;
  const r = await runTreatment(element('composition'), {
    inputs: { path: { batches: [['a.x'], ['b.y'], ['c.z']] } },
    outputs: { extension: gone, file_name: gone, file_stem: gone },
  });
  assert.deepEqual(r.outputs.parent, ['', '', '']);
});

/** Runs `d` on a `path` stream of 5 batches whose outputs all refuse values; resolves to the batches it took. */
async function batchesTakenWithoutConsumers(d: TreatmentDescriptor): Promise<number> {
  let taken = 0;
  const refuse = { name: 'x', usable: false, sendOne: async () => false, sendMany: async () => false, close: () => undefined };
  const input = {
    name: 'path',
    recvMany: async () => (++taken > 5 ? END : [dir]),
  };
  const outputs = Object.fromEntries(d.outputs.map((o) => [o.name, refuse]));
  await d.run?.({ inputs: { path: input }, outputs, params: {}, generics: {} } as unknown as Parameters<
    NonNullable<TreatmentDescriptor['run']>
  >[0]);
  return taken;
}

test('composition, exists and meta stop once every output is gone (rule C)', async () => {
  for (const name of ['composition', 'exists', 'meta']) assert.equal(await batchesTakenWithoutConsumers(element(name)), 1, name);
});

test('exists follows links; broken links and missing paths are false', async () => {
  const paths = ['five.txt', 'sub', 'link', 'broken', 'missing', 'five.txt/x'].map((p) => join(dir, p));
  const r = await runTreatment(element('exists'), { inputs: { path: [...paths, ''] } });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.exists, [true, true, true, false, false, false, false]);
});

test('exists answers a long stream in order', async () => {
  const paths: string[] = [];
  for (let i = 0; i < 700; i++) paths.push(join(dir, i % 2 === 0 ? 'five.txt' : 'nothing'));
  const r = await runTreatment(element('exists'), { inputs: { path: paths } });
  assert.deepEqual(
    r.outputs.exists,
    paths.map((_, i) => i % 2 === 0),
  );
});

test('meta gives directory, file and length, following links', async () => {
  const paths = ['five.txt', 'sub', 'link', 'broken', 'missing'].map((p) => join(dir, p));
  const r = await runTreatment(element('meta'), { inputs: { path: paths } });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.is_dir, [false, true, false, false, false]);
  assert.deepEqual(r.outputs.is_file, [true, false, true, false, false]);
  assert.equal(r.outputs.length?.[0], 5);
  assert.equal(r.outputs.length?.[2], 5);
  assert.deepEqual(r.outputs.length?.slice(3), [0, 0]);
});

test('meta goes on while one output is consumed', async () => {
  const gone = { unconnected: true } as const;
  const r = await runTreatment(element('meta'), {
    inputs: { path: { batches: [[dir], [dir]] } },
    outputs: { is_dir: gone, is_file: gone },
  });
  assert.equal(r.outputs.length?.length, 2);
});
