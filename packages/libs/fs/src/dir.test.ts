import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TreatmentDescriptor } from '@tutti/core';
import { type RunResult, runTreatment } from '@tutti/engine/testing';
import { dir as elements } from './dir.js';
import type { FileSystem } from './filesystem.js';
import { LocalFileSystem } from './local-filesystem.js';

const create = elements.find((e) => e.name === 'create') as TreatmentDescriptor;
const scan = elements.find((e) => e.name === 'scan') as TreatmentDescriptor;
const local = new LocalFileSystem();
const isRoot = process.getuid?.() === 0;

let dir = '';
let tree = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-fs-dir-'));
  // tree/a.txt, tree/b.txt, tree/sub/c.txt, tree/sub/deep/d.txt, tree/empty/,
  // tree/to-sub -> sub, tree/to-a -> a.txt, tree/broken -> missing
  tree = join(dir, 'tree');
  await mkdir(join(tree, 'sub', 'deep'), { recursive: true });
  await mkdir(join(tree, 'empty'));
  for (const f of ['a.txt', 'b.txt', 'sub/c.txt', 'sub/deep/d.txt']) await writeFile(join(tree, f), f);
  await symlink('sub', join(tree, 'to-sub'));
  await symlink('a.txt', join(tree, 'to-a'));
  await symlink('missing', join(tree, 'broken'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function createWith(path: string, recursive: boolean, system: FileSystem = local): Promise<RunResult> {
  return runTreatment(create, { params: { recursive }, inputs: { path: [path], filesystem: [system] } });
}

function scanWith(path: string, recursive: boolean, follow_links: boolean, system: FileSystem = local, outputs = {}): Promise<RunResult> {
  return runTreatment(scan, { params: { recursive, follow_links }, inputs: { path: [path], filesystem: [system] }, outputs });
}

const sorted = (values: unknown[] | undefined) => [...((values ?? []) as string[])].sort();
const under = (base: string, names: string[]) => names.map((n) => join(base, n)).sort();

test('create makes a directory and its parents when recursive', async () => {
  const path = join(dir, 'made', 'x', 'y');
  const r = await createWith(path, true);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs, { success: [undefined], failure: [], error: [] });
  assert.ok((await stat(path)).isDirectory());
  assert.deepEqual((await createWith(path, true)).outputs, { success: [undefined], failure: [], error: [] }, 'exists already');
});

test('create without recursive needs the parent and a free name', async () => {
  const missingParent = join(dir, 'nope', 'child');
  assert.deepEqual((await createWith(missingParent, false)).outputs, {
    success: [],
    failure: [undefined],
    error: [`ENOENT: no such file or directory, mkdir '${missingParent}'`],
  });
  const path = join(dir, 'single');
  assert.deepEqual((await createWith(path, false)).outputs.success, [undefined]);
  assert.deepEqual((await createWith(path, false)).outputs, {
    success: [],
    failure: [undefined],
    error: [`EEXIST: file already exists, mkdir '${path}'`],
  });
});

test('create over a regular file fails even when recursive', async () => {
  const path = join(dir, 'plain-file');
  await writeFile(path, '');
  assert.deepEqual((await createWith(path, true)).outputs.error, [`EEXIST: file already exists, mkdir '${path}'`]);
});

test('create does nothing when path or file system is missing (rule B)', { timeout: 10_000 }, async () => {
  for (const inputs of [{ filesystem: [local] }, { path: [join(dir, 'rule-b')] }, { path: 'closed', filesystem: 'open' }] as const) {
    const r = await runTreatment(create, { params: { recursive: true }, inputs });
    assert.deepEqual(r.outputs, { success: [], failure: [], error: [] });
  }
});

test('create on a rooted file system stays inside the root', async () => {
  const root = join(dir, 'created-root');
  const rooted = new LocalFileSystem(root);
  assert.deepEqual((await createWith('in/side', true, rooted)).outputs.success, [undefined]);
  assert.ok((await stat(join(root, 'in', 'side'))).isDirectory());
  assert.deepEqual((await createWith('../escaped', true, rooted)).outputs, {
    success: [],
    failure: [undefined],
    error: ['file not found'],
  });
});

test('scan without recursion lists the files and links directly inside', async () => {
  const r = await scanWith(tree, false, true);
  assert.equal(r.error, undefined);
  assert.deepEqual(sorted(r.outputs.entries), under(tree, ['a.txt', 'b.txt', 'broken', 'to-a', 'to-sub']));
  assert.deepEqual(r.outputs.errors, []);
  assert.deepEqual(r.outputs.completed, [undefined]);
  assert.deepEqual(r.outputs.failed, []);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.ok(r.closeOrder.indexOf('finished') < r.closeOrder.indexOf('completed'));
});

test('scan with recursion lists everything below, links listed but not traversed', async () => {
  const r = await scanWith(tree, true, true);
  assert.deepEqual(
    sorted(r.outputs.entries),
    under(tree, ['a.txt', 'b.txt', 'broken', 'empty', 'sub', 'sub/c.txt', 'sub/deep', 'sub/deep/d.txt', 'to-a', 'to-sub']),
  );
  assert.deepEqual(r.outputs.completed, [undefined]);
});

test('scan with follow_links=false skips links', async () => {
  assert.deepEqual(sorted((await scanWith(tree, false, false)).outputs.entries), under(tree, ['a.txt', 'b.txt']));
  assert.deepEqual(
    sorted((await scanWith(tree, true, false)).outputs.entries),
    under(tree, ['a.txt', 'b.txt', 'empty', 'sub', 'sub/c.txt', 'sub/deep', 'sub/deep/d.txt']),
  );
});

test('scan joins entries to the path as given', async () => {
  const r = await scanWith(`${join(tree, 'sub')}/`, false, true);
  assert.deepEqual(r.outputs.entries, [`${join(tree, 'sub')}/c.txt`]);
  const empty = await scanWith(join(tree, 'empty'), true, true);
  assert.deepEqual(empty.outputs.entries, []);
  assert.deepEqual(empty.outputs.completed, [undefined]);
});

test('scan of a missing path fails with finished before failed', async () => {
  const path = join(dir, 'absent');
  const r = await scanWith(path, true, true);
  assert.deepEqual(r.outputs.entries, []);
  assert.deepEqual(r.outputs.errors, [`ENOENT: no such file or directory, opendir '${path}'`]);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.deepEqual(r.outputs.failed, [undefined]);
  assert.deepEqual(r.outputs.completed, []);
  assert.ok(r.closeOrder.indexOf('finished') < r.closeOrder.indexOf('failed'));
});

test('scan of a regular file fails', async () => {
  const path = join(tree, 'a.txt');
  const r = await scanWith(path, false, true);
  assert.deepEqual(r.outputs.errors, [`ENOTDIR: not a directory, opendir '${path}'`]);
  assert.deepEqual(r.outputs.failed, [undefined]);
});

test('scan reports an unreadable sub-directory and goes on', { skip: isRoot && 'root reads every directory' }, async () => {
  const locked = join(dir, 'locked-tree');
  await mkdir(join(locked, 'closed'), { recursive: true });
  await writeFile(join(locked, 'open.txt'), '');
  await chmod(join(locked, 'closed'), 0o000);
  try {
    const r = await scanWith(locked, true, true);
    assert.deepEqual(sorted(r.outputs.entries), under(locked, ['closed', 'open.txt']));
    assert.deepEqual(r.outputs.errors, [`EACCES: permission denied, opendir '${join(locked, 'closed')}'`]);
    assert.deepEqual(r.outputs.failed, [undefined]);
  } finally {
    await chmod(join(locked, 'closed'), 0o755);
  }
});

test('scan on a rooted file system shows entries under the given path', async () => {
  const rooted = new LocalFileSystem(tree);
  const r = await scanWith('sub', true, true, rooted);
  assert.deepEqual(sorted(r.outputs.entries), ['sub/c.txt', 'sub/deep', 'sub/deep/d.txt']);
  const top = await scanWith('', false, false, rooted);
  assert.deepEqual(sorted(top.outputs.entries), ['a.txt', 'b.txt']);
});

test('scan outside a rooted file system fails and still finishes (the reference omits finished there: fixed)', async () => {
  const r = await scanWith('..', true, true, new LocalFileSystem(tree));
  assert.deepEqual(r.outputs.entries, []);
  assert.deepEqual(r.outputs.errors, ['file not found']);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.deepEqual(r.outputs.failed, [undefined]);
});

test('scan stops when entries and errors have no consumer, then completes', async () => {
  const big = join(dir, 'big');
  await mkdir(big);
  for (let i = 0; i < 3000; i++) await writeFile(join(big, `f${i}`), '');
  const r = await scanWith(big, false, true, local, { entries: { take: 1 }, errors: { unconnected: true } });
  assert.equal(r.error, undefined);
  assert.equal(r.outputs.entries?.length, 1);
  assert.equal(r.batches.entries?.length, 1);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.deepEqual(r.outputs.completed, [undefined]);
  const all = await scanWith(big, false, true);
  assert.equal(all.outputs.entries?.length, 3000);
});

test('scan does nothing when path or file system is missing (rule B)', { timeout: 10_000 }, async () => {
  for (const inputs of [{ filesystem: [local] }, { path: [tree] }, { path: 'open', filesystem: 'closed' }] as const) {
    const r = await runTreatment(scan, { params: { recursive: true, follow_links: true }, inputs });
    assert.deepEqual(r.outputs, { entries: [], completed: [], failed: [], finished: [], errors: [] });
  }
});

/** A backend whose scans never end: one error, then entries forever; counts batches and releases. */
function endlessScan(): { system: FileSystem; pulled: () => number; released: () => boolean } {
  let pulled = 0;
  let released = false;
  const system: FileSystem = {
    openRead: async () => {
      throw new Error('unused');
    },
    openWrite: async () => {
      throw new Error('unused');
    },
    createDir: async () => undefined,
    async *scanDir(path) {
      try {
        yield [{ error: `cannot read ${path}/locked` }];
        for (;;) {
          pulled++;
          yield [{ entry: `${path}/x${pulled}` }, { entry: `${path}/y${pulled}` }];
        }
      } finally {
        released = true;
      }
    },
    display: () => 'FileSystem(endless)',
  };
  return { system, pulled: () => pulled, released: () => released };
}

test('scan goes on after an entry error, stops when unconsumed and releases the scan', async () => {
  const { system, pulled, released } = endlessScan();
  const r = await scanWith('top', true, true, system, { entries: { take: 5 }, errors: { take: 1 } });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.entries, ['top/x1', 'top/y1', 'top/x2', 'top/y2', 'top/x3']);
  assert.deepEqual(r.outputs.errors, ['cannot read top/locked']);
  assert.deepEqual(r.outputs.finished, [undefined]);
  assert.deepEqual(r.outputs.failed, [undefined]);
  assert.ok(pulled() <= 4, `${pulled()} batches`);
  assert.ok(released());
});
