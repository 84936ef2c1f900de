import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extension, fileName, fileStem, parent } from './path-syntax.js';

/** [path, file_name, extension, file_stem, parent], generated with Rust's `std::path` on Linux. */
const TABLE: readonly (readonly [string, string | null, string | null, string | null, string | null])[] = [
  ['', null, null, null, null],
  ['/', null, null, null, null],
  ['//', null, null, null, null],
  ['///usr', 'usr', null, 'usr', '/'],
  ['/usr/bin', 'bin', null, 'bin', '/usr'],
  ['/usr/bin/', 'bin', null, 'bin', '/usr'],
  ['/usr/bin//', 'bin', null, 'bin', '/usr'],
  ['etc/./', 'etc', null, 'etc', ''],
  ['etc/.', 'etc', null, 'etc', ''],
  ['etc/..', null, null, null, 'etc'],
  ['..', null, null, null, ''],
  ['.', null, null, null, ''],
  ['./', null, null, null, ''],
  ['./.', null, null, null, ''],
  ['././foo', 'foo', null, 'foo', '.'],
  ['./foo', 'foo', null, 'foo', '.'],
  ['foo', 'foo', null, 'foo', ''],
  ['foo/', 'foo', null, 'foo', ''],
  ['foo/bar', 'bar', null, 'bar', 'foo'],
  ['foo/./bar', 'bar', null, 'bar', 'foo'],
  ['foo//bar//', 'bar', null, 'bar', 'foo'],
  ['/..', null, null, null, '/'],
  ['a/..', null, null, null, 'a'],
  ['a/../b', 'b', null, 'b', 'a/..'],
  ['../a', 'a', null, 'a', '..'],
  ['.bashrc', '.bashrc', null, '.bashrc', ''],
  ['/home/me/.bashrc', '.bashrc', null, '.bashrc', '/home/me'],
  ['a.tar.gz', 'a.tar.gz', 'gz', 'a.tar', ''],
  ['a.', 'a.', '', 'a', ''],
  ['..x', '..x', 'x', '.', ''],
  ['...', '...', '', '..', ''],
  ['.a.b', '.a.b', 'b', '.a', ''],
  ['x/.hidden.txt', '.hidden.txt', 'txt', '.hidden', 'x'],
  ['/.', null, null, null, null],
  ['/./', null, null, null, null],
  ['/a/.', 'a', null, 'a', '/'],
  ['.foo/', '.foo', null, '.foo', ''],
  ['a/b/c.d/', 'c.d', 'd', 'c', 'a/b'],
  ['dir.ext/file', 'file', null, 'file', 'dir.ext'],
  ['foo.rs/..', null, null, null, 'foo.rs'],
  ['é/ü.ñ', 'ü.ñ', 'ñ', 'ü', 'é'],
  ['a b/c d.e f', 'c d.e f', 'e f', 'c d', 'a b'],
  ['./..', null, null, null, '.'],
  ['foo/..//', null, null, null, 'foo'],
];

for (const [path, name, ext, stem, up] of TABLE) {
  test(`path syntax of ${JSON.stringify(path)}`, () => {
    assert.equal(fileName(path), name, 'file_name');
    assert.equal(extension(path), ext, 'extension');
    assert.equal(fileStem(path), stem, 'file_stem');
    assert.equal(parent(path), up, 'parent');
  });
}
