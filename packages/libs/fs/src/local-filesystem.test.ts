import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { FunctionDescriptor } from '@tutti/core';
import { FileSystemError, failureText, isAnticipated } from './filesystem.js';
import { local } from './local.js';
import { LocalFileSystem } from './local-filesystem.js';

const localFilesystem = (local[0] as FunctionDescriptor).impl!;

test('|local_filesystem always gives a local file system, rooted when a path is given', () => {
  const plain = localFilesystem([null], {}) as LocalFileSystem;
  assert.ok(plain instanceof LocalFileSystem);
  assert.equal(plain.root, undefined);
  assert.equal(plain.display(), 'FileSystem(local)');
  const rooted = localFilesystem(['/srv/data/'], {}) as LocalFileSystem;
  assert.equal(rooted.root, '/srv/data');
  assert.equal(rooted.display(), 'FileSystem(local at /srv/data)');
  assert.equal((localFilesystem(['rel'], {}) as LocalFileSystem).root, resolve('rel'));
});

test('an unrooted file system uses paths as given', () => {
  const fs = new LocalFileSystem();
  for (const p of ['', 'a/../b', '/etc/passwd', '../x']) assert.equal(fs.locate(p), p);
});

test('a rooted file system resolves paths inside the root and rejects escapes', () => {
  const fs = new LocalFileSystem('/srv/data');
  assert.equal(fs.locate('a/b.txt'), '/srv/data/a/b.txt');
  assert.equal(fs.locate('a/../b.txt'), '/srv/data/b.txt');
  assert.equal(fs.locate(''), '/srv/data');
  assert.equal(fs.locate('.'), '/srv/data');
  assert.equal(fs.locate('sub/'), '/srv/data/sub/');
  assert.equal(fs.locate('/srv/data/in.txt'), '/srv/data/in.txt');
  for (const outside of ['..', '../x', 'a/../../x', '/etc/passwd', '/srv/database', '/srv/data/../x']) {
    assert.throws(
      () => fs.locate(outside),
      (e: unknown) => e instanceof FileSystemError && e.message === 'file not found' && e.code === 'ENOENT',
      outside,
    );
  }
});

test('the file-system root itself may be the system root', () => {
  const fs = new LocalFileSystem('/');
  assert.equal(fs.locate('etc/hosts'), '/etc/hosts');
  assert.equal(fs.locate('../../etc'), '/etc');
});

test('failures with a code are data, other errors are rethrown', () => {
  assert.equal(failureText(new FileSystemError('file not found', 'ENOENT')), 'file not found');
  const system = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES' });
  assert.ok(isAnticipated(system));
  assert.equal(failureText(system), "EACCES: permission denied, open '/x'");
  assert.throws(() => failureText(new TypeError('bug')), TypeError);
  assert.throws(() => failureText('text'));
});

for (const [mode, options] of [
  ['on the main thread', {}],
  ['through the pool once a call was slow', { slowCallMs: -1 }],
] as const) {
  test(`a regular file is read in order ${mode}, concurrent reads included; it may grow after a short read`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tutti-fs-local-'));
    try {
      const path = join(dir, 'f');
      await writeFile(path, 'abcdefghij');
      const reader = await new LocalFileSystem(undefined, options).openRead(path);
      assert.equal(reader.parallel ?? 1, 1);
      const text = async (p: Promise<Uint8Array | null>) => {
        const b = await p;
        return b === null ? null : Buffer.from(b).toString();
      };
      // Three reads at once: the third reaches the end of the file.
      const [a, b, c] = [reader.read(4), reader.read(4), reader.read(4)];
      assert.deepEqual(await Promise.all([text(a), text(b), text(c)]), ['abcd', 'efgh', 'ij']);
      assert.equal(await text(reader.read(4)), null);
      // The file grows after the end was seen: reads go on where it ended.
      await appendFile(path, 'XYZ');
      assert.equal(await text(reader.read(4)), 'XYZ');
      assert.equal(await text(reader.read(4)), null);
      await reader.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(`writes land in call order (${mode} for reads): truncated files, appends and devices`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tutti-fs-local-'));
    try {
      const system = new LocalFileSystem(undefined, options);
      const path = join(dir, 'f');
      await writeFile(path, 'an older and longer content');
      const writer = await system.openWrite(path, { append: false, create: true, new: false });
      const big = randomBytes(3 << 20);
      await Promise.all([writer.write(Buffer.from('ab')), writer.write(big), writer.write(Buffer.from('cd'))]);
      await writer.close();
      assert.ok((await readFile(path)).equals(Buffer.concat([Buffer.from('ab'), big, Buffer.from('cd')])));
      const appending = await system.openWrite(path, { append: true, create: true, new: false });
      // Appends are one at a time (parallel 1): the caller waits for each.
      await appending.write(Buffer.from('!'));
      await appending.write(Buffer.from('?'));
      await appending.close();
      assert.equal((await readFile(path)).subarray(-4).toString(), 'cd!?');
      const device = await system.openWrite('/dev/null', { append: false, create: false, new: false });
      await device.write(big);
      await device.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('a failed write (a full device) rejects with the path', async () => {
  for (const options of [{}, { slowCallMs: -1 }]) {
    const writer = await new LocalFileSystem(undefined, options).openWrite('/dev/full', { append: false, create: false, new: false });
    await assert.rejects(writer.write(Buffer.from('x')), /ENOSPC.*\/dev\/full/);
    await writer.close();
  }
});

test('a pipe is read in order, one read at a time', { skip: process.platform === 'win32' && 'no mkfifo' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-fs-local-'));
  try {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer end opens in a child (opening a FIFO blocks until both ends are open).
    const child = spawn('sh', ['-c', `printf 'through a pipe' > '${fifo}'`]);
    const exited = new Promise((done) => child.once('exit', done));
    const reader = await new LocalFileSystem().openRead(fifo);
    assert.equal(reader.parallel ?? 1, 1);
    const chunks: Buffer[] = [];
    for (let b = await reader.read(1 << 20); b !== null; b = await reader.read(1 << 20)) chunks.push(Buffer.from(b));
    await reader.close();
    assert.equal(Buffer.concat(chunks).toString(), 'through a pipe');
    await exited;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
