import assert from 'node:assert/strict';
import { resolve } from 'node:path';
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
