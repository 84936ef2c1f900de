import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { ArtifactStore } from './artifacts.js';
import { CacheStore } from './cache.js';

const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'tutti-pipeline-'));
  dirs.push(d);
  return d;
};
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('artifacts: streamed in, listed, streamed out with their layout; names unique per run', async () => {
  const d = await tmp();
  const store = await ArtifactStore.open(join(d, 'store'));
  const src = join(d, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  await writeFile(join(src, 'a.txt'), 'alpha');
  await writeFile(join(src, 'sub', 'b.txt'), 'beta');
  const info = await store.uploadFiles('dist', src, ['a.txt', 'sub/b.txt']);
  assert.deepEqual(info, { name: 'dist', files: 2, size: 9 });
  // a generated stream, never a file: chunks arrive one by one
  const up = await store.upload('gen');
  await up.add(
    'big.bin',
    Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, i);
      })(),
    ),
  );
  assert.equal((await up.finish()).size, 64 * 64 * 1024);
  assert.deepEqual(
    (await store.list()).map((a) => a.name),
    ['dist', 'gen'],
  );
  await assert.rejects(store.uploadFiles('dist', src, ['a.txt']), /already exists/);
  await store.uploadFiles('dist', src, ['a.txt'], { overwrite: true });
  assert.equal((await store.info('dist'))!.files, 1);
  const out = join(d, 'out');
  await store.download('gen', out);
  const bytes = await readFile(join(out, 'big.bin'));
  assert.equal(bytes.length, 64 * 64 * 1024);
  assert.equal(bytes[64 * 1024 * 3 + 5], 3);
  await assert.rejects(store.download('nope', out), /no artifact named 'nope'/);
  await assert.rejects(store.upload('a/b'), /invalid artifact name/);
  const bad = await store.upload('escape');
  await assert.rejects(bad.add('../x', Readable.from(['x'])), /leaves the artifact/);
  await bad.abort();
});

test('artifacts: a failed upload leaves nothing visible', async () => {
  const d = await tmp();
  const store = await ArtifactStore.open(d);
  await assert.rejects(store.uploadFiles('half', d, ['missing.txt']));
  assert.equal(await store.info('half'), undefined);
});

test('cache: exact key, then restore-key prefixes newest first; entries immutable; versions by paths', async () => {
  const d = await tmp();
  const store = await CacheStore.open(join(d, 'cache'));
  const ws = join(d, 'ws');
  await mkdir(join(ws, 'deps'), { recursive: true });
  await writeFile(join(ws, 'deps', 'v'), 'one');
  assert.equal(await store.save('deps-linux-aaa', ['deps'], ws), true);
  await writeFile(join(ws, 'deps', 'v'), 'two');
  assert.equal(await store.save('deps-linux-aaa', ['deps'], ws), false, 'immutable');
  assert.equal(await store.save('deps-linux-bbb', ['deps'], ws), true);
  await writeFile(join(ws, 'deps', 'v'), 'other');
  assert.equal(await store.save('deps-mac-ccc', ['deps'], ws), true);

  await rm(join(ws, 'deps'), { recursive: true });
  assert.deepEqual(await store.restore('deps-linux-aaa', ['deps-'], ['deps'], ws), { key: 'deps-linux-aaa', exact: true });
  assert.equal(await readFile(join(ws, 'deps', 'v'), 'utf8'), 'one');
  // no exact hit: the first restore key that matches, newest entry among its prefix matches
  assert.deepEqual(await store.restore('deps-linux-zzz', ['deps-linux-', 'deps-'], ['deps'], ws), { key: 'deps-linux-bbb', exact: false });
  assert.equal(await readFile(join(ws, 'deps', 'v'), 'utf8'), 'two');
  assert.deepEqual(await store.restore('deps-zzz', ['deps-'], ['deps'], ws), { key: 'deps-mac-ccc', exact: false });
  // the primary key also matches as a prefix
  assert.deepEqual(await store.restore('deps-linux', [], ['deps'], ws), { key: 'deps-linux-bbb', exact: false });
  // other paths, other version: nothing
  assert.equal(await store.restore('deps-linux-aaa', ['deps-'], ['other'], ws), undefined);
  assert.equal(await store.save('nothing', ['missing'], ws), false);
  await assert.rejects(store.save('a,b', ['deps'], ws), /commas/);
});

test('cache: with overwrite (GitLab), the newest save of a key wins', async () => {
  const root = await tmp();
  const cache = await CacheStore.open(join(root, 'cache'));
  const work = join(root, 'work');
  await mkdir(join(work, 'deps'), { recursive: true });
  await writeFile(join(work, 'deps/lib.txt'), 'v1');
  assert.equal(await cache.save('deps-main', ['deps'], work, { overwrite: true }), true);
  await writeFile(join(work, 'deps/lib.txt'), 'v2');
  assert.equal(await cache.save('deps-main', ['deps'], work), false, 'immutable without overwrite');
  assert.equal(await cache.save('deps-main', ['deps'], work, { overwrite: true }), true);
  const other = join(root, 'other');
  await mkdir(other, { recursive: true });
  await cache.restore('deps-main', [], ['deps'], other);
  assert.equal(await readFile(join(other, 'deps/lib.txt'), 'utf8'), 'v2');
  assert.equal((await cache.entries()).length, 1);
});
