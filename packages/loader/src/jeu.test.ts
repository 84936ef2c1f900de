import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { compress, decompress } from './bzip2.js';
import { buildJeu, extractJeu, JEU_HEADER, JEU_LIMITS, JeuError, projectEntries, readJeu } from './jeu.js';

const enc = (s: string) => new TextEncoder().encode(s);
const COMPO = 'name = "shop"\nversion = "1.0.0"\n';

interface Raw {
  name: string;
  data?: string;
  type?: 'file' | 'symlink' | 'link' | 'directory' | 'fifo';
}

/** A .jeu written by hand, entry by entry, so that every malformed shape can be made. */
async function rawJeu(entries: readonly Raw[], tail = new Uint8Array()): Promise<Uint8Array> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'symlink' || type === 'link') p.entry({ name: e.name, type, linkname: 'Compo.toml' });
    else if (type === 'file') p.entry({ name: e.name, type }, e.data ?? '');
    else p.entry({ name: e.name, type });
  }
  p.finalize();
  await done;
  const tar = Buffer.concat([Buffer.concat(chunks), tail]);
  return Buffer.concat([Buffer.from(JEU_HEADER), compress(tar)]);
}

async function refused(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  await assert.rejects(readJeu(bytes), (e: unknown) => e instanceof JeuError && pattern.test(e.message));
}

test('bzip2: round trip, and a stream cut short or over the limit is refused', () => {
  const data = enc('hello '.repeat(10_000));
  const c = compress(data);
  assert.equal(Buffer.from(c.subarray(0, 3)).toString('latin1'), 'BZh');
  assert.deepEqual(decompress(c, data.length), data);
  assert.throws(() => decompress(c, data.length - 1), /larger than allowed/);
  assert.throws(() => decompress(c.subarray(0, c.length - 10), data.length), /ends too early/);
  assert.throws(() => decompress(enc('not bzip2'), 100), /not bzip2 data/);
});

test('a project folder becomes an archive and back: Compo.toml first, .mel files, dot names skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-jeu-'));
  writeFileSync(join(dir, 'Compo.toml'), COMPO);
  writeFileSync(join(dir, 'main.mel'), 'treatment main() {}\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a source');
  mkdirSync(join(dir, 'a/b'), { recursive: true });
  writeFileSync(join(dir, 'a/b/deep.mel'), 'treatment deep() {}\n');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/x.mel'), 'hidden');
  writeFileSync(join(dir, '.hidden.mel'), 'hidden');
  const entries = projectEntries(dir);
  assert.deepEqual(
    entries.map((e) => e.path),
    ['Compo.toml', 'a/b/deep.mel', 'main.mel'],
  );
  const bytes = await buildJeu(entries);
  assert.equal(Buffer.from(bytes.subarray(0, JEU_HEADER.length)).toString(), JEU_HEADER);
  // The same project gives the same bytes.
  assert.deepEqual(await buildJeu(projectEntries(dir)), bytes);
  const back = await readJeu(bytes);
  assert.deepEqual(
    back.map((e) => [e.path, Buffer.from(e.data).toString()]),
    entries.map((e) => [e.path, Buffer.from(e.data).toString()]),
  );
  const file = join(dir, 'shop.jeu');
  writeFileSync(file, bytes);
  const out = mkdtempSync(join(tmpdir(), 'tutti-jeu-out-'));
  const target = await extractJeu(file, join(out, 'new/folder'));
  assert.equal(target, join(out, 'new/folder/shop'));
  assert.equal(readFileSync(join(target, 'a/b/deep.mel'), 'utf8'), 'treatment deep() {}\n');
  assert.equal(readFileSync(join(target, 'Compo.toml'), 'utf8'), COMPO);
});

test('building refuses a folder without Compo.toml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-jeu-'));
  assert.throws(() => projectEntries(dir), /has no Compo\.toml/);
});

test('a wrong header, corrupt or truncated data are refused', async () => {
  const good = await rawJeu([{ name: 'Compo.toml', data: COMPO }]);
  await refused(Buffer.concat([Buffer.from('#!/usr/bin/env melodium\n#! version 1\n'), good.subarray(JEU_HEADER.length)]), /header/);
  await refused(good.subarray(0, good.length - 20), /ends too early/);
  await refused(good.subarray(0, JEU_HEADER.length), /bzip2/);
  const corrupt = Buffer.from(good);
  corrupt[JEU_HEADER.length + 20] = (corrupt[JEU_HEADER.length + 20] ?? 0) ^ 0xff;
  await refused(corrupt, /bzip2|tar/);
  // bzip2 data that is not a tar
  await refused(Buffer.concat([Buffer.from(JEU_HEADER), compress(enc('plain text, not a tar archive '.repeat(40)))]), /tar|Compo/);
});

test('the first entry must be Compo.toml, and there must be one', async () => {
  await refused(await rawJeu([{ name: 'main.mel' }, { name: 'Compo.toml', data: COMPO }]), /first entry is 'main\.mel'/);
  await refused(await rawJeu([]), /no files/);
  // a leading './' is the same name
  assert.equal((await readJeu(await rawJeu([{ name: './Compo.toml', data: COMPO }])))[0]?.path, 'Compo.toml');
});

test('names that leave the folder, links and special files are refused', async () => {
  const c = { name: 'Compo.toml', data: COMPO };
  await refused(await rawJeu([c, { name: '../evil.mel' }]), /would leave/);
  await refused(await rawJeu([c, { name: 'a/../../evil.mel' }]), /would leave/);
  await refused(await rawJeu([c, { name: '/etc/evil.mel' }]), /absolute/);
  await refused(await rawJeu([c, { name: 'C:/evil.mel' }]), /absolute/);
  await refused(await rawJeu([c, { name: 'a\\..\\evil.mel' }]), /backslash/);
  await refused(await rawJeu([c, { name: 'link.mel', type: 'symlink' }]), /symbolic link/);
  await refused(await rawJeu([c, { name: 'link.mel', type: 'link' }]), /hard link/);
  await refused(await rawJeu([c, { name: 'pipe', type: 'fifo' }]), /named pipe/);
  await refused(await rawJeu([c, { name: 'a.mel' }, { name: 'a.mel' }]), /appears twice/);
  // directories are accepted and hold nothing by themselves
  assert.deepEqual(
    (await readJeu(await rawJeu([c, { name: 'a', type: 'directory' }, { name: 'a/x.mel', data: 'x' }]))).map((e) => e.path),
    ['Compo.toml', 'a/x.mel'],
  );
});

test('limits: too large once uncompressed (a bzip2 bomb), too many entries, too large a file', async () => {
  const bomb = await rawJeu([{ name: 'Compo.toml', data: COMPO }], new Uint8Array(JEU_LIMITS.unpackedBytes + 1));
  assert.ok(bomb.length < 10_000, 'the bomb is small');
  await refused(bomb, /larger than 64 MiB once uncompressed/);
  const many: Raw[] = [{ name: 'Compo.toml', data: COMPO }];
  for (let i = 0; i < JEU_LIMITS.entries; i++) many.push({ name: `f${i}.mel` });
  await refused(await rawJeu(many), /more than 10000 entries/);
  // directories count too
  const dirs: Raw[] = [{ name: 'Compo.toml', data: COMPO }];
  for (let i = 0; i < JEU_LIMITS.entries; i++) dirs.push({ name: `d${i}`, type: 'directory' });
  await refused(await rawJeu(dirs), /more than 10000 entries/);
  await refused(new Uint8Array(JEU_LIMITS.archiveBytes + 1), /larger than 64 MiB/);
});
