import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TreatmentDescriptor } from '@tutti/core';
import { type RunOptions, type RunResult, runTreatment } from '@tutti/engine/testing';
import { file, READ_CHUNK } from './file.js';
import { type FileSystem, FileSystemError } from './filesystem.js';
import { LocalFileSystem } from './local-filesystem.js';

const read = file.find((e) => e.name === 'read') as TreatmentDescriptor;
const write = file.find((e) => e.name === 'write') as TreatmentDescriptor;
const local = new LocalFileSystem();
const flags = { append: false, create: true, new: false };
const isRoot = process.getuid?.() === 0;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tutti-fs-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `data` (batches, received one by one thanks to a capacity of 1) to `path` with the write treatment. */
function writeWith(
  path: string,
  data: readonly (readonly number[] | Uint8Array)[],
  params = flags,
  system: FileSystem = local,
): Promise<RunResult> {
  return runTreatment(write, { params, capacity: 1, inputs: { path: [path], filesystem: [system], data: { batches: data } } });
}

function readWith(path: string, system: FileSystem = local, outputs: RunOptions['outputs'] = {}): Promise<RunResult> {
  return runTreatment(read, { inputs: { path: [path], filesystem: [system] }, outputs });
}

/** The bytes received on `data`, checking that every batch is a Uint8Array of at most 1 MiB. */
function received(r: RunResult): Buffer {
  for (const b of r.batches.data ?? []) {
    assert.ok(b instanceof Uint8Array, 'byte batches');
    assert.ok(b.length > 0 && b.length <= READ_CHUNK, `chunk of ${b.length} bytes`);
  }
  return Buffer.concat((r.batches.data ?? []) as Uint8Array[]);
}

const ok = (r: RunResult) => ({
  completed: r.outputs.completed,
  failed: r.outputs.failed,
  finished: r.outputs.finished,
  errors: r.outputs.errors,
});
const SUCCESS = { completed: [undefined], failed: [], finished: [undefined], errors: [] };
const failure = (message: string) => ({ completed: [], failed: [undefined], finished: [undefined], errors: [message] });

test('write then read round trip, bytes and number arrays alike', async () => {
  const path = join(dir, 'round.bin');
  const w = await writeWith(path, [new Uint8Array([1, 2, 3]), [4, 5], [255, 0]]);
  assert.equal(w.error, undefined);
  assert.deepEqual(ok(w), SUCCESS);
  assert.deepEqual(w.outputs.amount, [3, 5, 7]);
  assert.equal(w.closeOrder.at(-1), 'finished');
  const r = await readWith(path);
  assert.equal(r.error, undefined);
  assert.deepEqual([...received(r)], [1, 2, 3, 4, 5, 255, 0]);
  assert.deepEqual(r.outputs.reached, [undefined]);
  assert.deepEqual(ok(r), SUCCESS);
  assert.equal(r.closeOrder.at(-1), 'finished');
  assert.ok(r.closeOrder.indexOf('reached') < r.closeOrder.indexOf('data'));
});

test('a multi-MiB file is read in chunks of at most 1 MiB and written back intact', async () => {
  const content = randomBytes(3 * READ_CHUNK + 12345);
  const source = join(dir, 'big.src');
  await writeFile(source, content);
  const r = await readWith(source);
  assert.deepEqual(ok(r), SUCCESS);
  assert.ok(received(r).equals(content));
  assert.equal(r.batches.data?.length, 4);

  const target = join(dir, 'big.dst');
  const w = await writeWith(target, r.batches.data as Uint8Array[]);
  assert.deepEqual(ok(w), SUCCESS);
  assert.deepEqual(w.outputs.amount, [READ_CHUNK, 2 * READ_CHUNK, 3 * READ_CHUNK, content.length]);
  assert.ok((await readFile(target)).equals(content));
});

test('a copy is intact whether writes run on the main thread or, after a slow call, through the pool', async () => {
  const content = randomBytes(3 * READ_CHUNK + 777);
  const source = join(dir, 'modes.src');
  await writeFile(source, content);
  const r = await readWith(source);
  // slowCallMs -1: every call counts as slow, so writes go through the pool from the start.
  for (const system of [local, new LocalFileSystem(undefined, { slowCallMs: -1 })]) {
    const target = join(dir, 'modes.dst');
    const w = await writeWith(target, r.batches.data as Uint8Array[], flags, system);
    assert.deepEqual(ok(w), SUCCESS);
    assert.ok((await readFile(target)).equals(content));
  }
});

test('an empty file reads as reached, no data, completed', async () => {
  const path = join(dir, 'empty');
  await writeFile(path, '');
  const r = await readWith(path);
  assert.deepEqual(r.outputs.reached, [undefined]);
  assert.deepEqual(r.outputs.data, []);
  assert.deepEqual(ok(r), SUCCESS);
});

test('write without append truncates an existing file (a documented fix: the reference overwrites in place)', async () => {
  const path = join(dir, 'truncate.txt');
  await writeFile(path, 'a long old content');
  assert.deepEqual(ok(await writeWith(path, [Buffer.from('new')])), SUCCESS);
  assert.equal(await readFile(path, 'utf8'), 'new');
});

test('write with append adds at the end', async () => {
  const path = join(dir, 'append.txt');
  await writeFile(path, 'one,');
  const w = await writeWith(path, [Buffer.from('two,'), Buffer.from('three')], { ...flags, append: true });
  assert.deepEqual(ok(w), SUCCESS);
  assert.deepEqual(w.outputs.amount, [4, 9]);
  assert.equal(await readFile(path, 'utf8'), 'one,two,three');
});

test('append creates a missing file when create is set', async () => {
  const path = join(dir, 'append-new.txt');
  assert.deepEqual(ok(await writeWith(path, [Buffer.from('x')], { ...flags, append: true })), SUCCESS);
  assert.equal(await readFile(path, 'utf8'), 'x');
});

test('write with create=false fails on a missing file and creates nothing', async () => {
  const path = join(dir, 'no-create.txt');
  const w = await writeWith(path, [Buffer.from('x')], { ...flags, create: false });
  assert.deepEqual(ok(w), failure(`ENOENT: no such file or directory, open '${path}'`));
  assert.deepEqual(w.outputs.amount, []);
  assert.equal(existsSync(path), false);
});

test('write with create=false rewrites an existing file', async () => {
  const path = join(dir, 'exists.txt');
  await writeFile(path, 'old');
  assert.deepEqual(ok(await writeWith(path, [Buffer.from('fresh')], { ...flags, create: false })), SUCCESS);
  assert.equal(await readFile(path, 'utf8'), 'fresh');
});

test('write with new=true creates a missing file, and fails on an existing one', async () => {
  const path = join(dir, 'new.txt');
  assert.deepEqual(ok(await writeWith(path, [Buffer.from('first')], { ...flags, new: true, create: false })), SUCCESS);
  const again = await writeWith(path, [Buffer.from('second')], { ...flags, new: true });
  assert.deepEqual(ok(again), failure(`EEXIST: file already exists, open '${path}'`));
  assert.equal(await readFile(path, 'utf8'), 'first');
});

test('write creates missing parent directories', async () => {
  const path = join(dir, 'a', 'b', 'c', 'deep.txt');
  assert.deepEqual(ok(await writeWith(path, [Buffer.from('deep')], { ...flags, create: true })), SUCCESS);
  assert.equal(await readFile(path, 'utf8'), 'deep');
});

test('an empty data stream still creates the file (opened before reading data)', async () => {
  const path = join(dir, 'nothing', 'empty.txt');
  const w = await writeWith(path, []);
  assert.deepEqual(ok(w), SUCCESS);
  assert.deepEqual(w.outputs.amount, []);
  assert.equal(await readFile(path, 'utf8'), '');
});

test('write does nothing when path or file system is missing (rule B)', { timeout: 10_000 }, async () => {
  const path = join(dir, 'rule-b.txt');
  for (const inputs of [
    { filesystem: [local], data: [1, 2] },
    { path: [path], data: [1, 2] },
    { path: 'closed', filesystem: 'open', data: 'open' },
  ] as const) {
    const w = await runTreatment(write, { params: flags, inputs });
    assert.equal(w.error, undefined);
    assert.deepEqual(w.outputs, { completed: [], failed: [], finished: [], errors: [], amount: [] });
  }
  assert.equal(existsSync(path), false);
});

test('write under a path whose parent is a regular file fails', async () => {
  const blocker = join(dir, 'blocker');
  await writeFile(blocker, 'file');
  const w = await writeWith(join(blocker, 'sub', 'x.txt'), [[1]]);
  assert.deepEqual(ok(w), failure(`ENOTDIR: not a directory, mkdir '${join(blocker, 'sub')}'`));
  const direct = await writeWith(join(blocker, 'x.txt'), [[1]]);
  // As Rust's `create_dir_all`: the parent exists, as something else than a directory.
  assert.deepEqual(ok(direct), failure(`EEXIST: file already exists, mkdir '${blocker}'`));
});

test('writing to a directory fails', async () => {
  const target = join(dir, 'is-a-dir');
  await mkdir(target);
  assert.deepEqual(ok(await writeWith(target, [[1]])), failure(`EISDIR: illegal operation on a directory, open '${target}'`));
});

test('read of a missing file fails without reaching it', async () => {
  const path = join(dir, 'missing.txt');
  const r = await readWith(path);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.reached, []);
  assert.deepEqual(r.outputs.data, []);
  assert.deepEqual(ok(r), failure(`ENOENT: no such file or directory, open '${path}'`));
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('read of a directory reaches it then fails on reading', async () => {
  const r = await readWith(dir);
  assert.deepEqual(r.outputs.reached, [undefined]);
  assert.deepEqual(ok(r), failure(`EISDIR: illegal operation on a directory, read '${dir}'`));
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('read of a file without permission fails', { skip: isRoot && 'root reads every file' }, async () => {
  const path = join(dir, 'secret.txt');
  await writeFile(path, 'secret');
  await chmod(path, 0o000);
  const r = await readWith(path);
  assert.deepEqual(ok(r), failure(`EACCES: permission denied, open '${path}'`));
});

test('read does nothing when path or file system is missing (rule B)', { timeout: 10_000 }, async () => {
  for (const inputs of [{ filesystem: [local] }, { path: [join(dir, 'round.bin')] }, { path: 'open', filesystem: 'closed' }] as const) {
    const r = await runTreatment(read, { inputs });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs, { data: [], reached: [], completed: [], failed: [], finished: [], errors: [] });
  }
});

test('read stops when data has no consumer, and still completes', async () => {
  const path = join(dir, 'consumer.bin');
  await writeFile(path, randomBytes(5 * READ_CHUNK));
  const r = await readWith(path, local, { data: { take: 1 } });
  assert.equal(r.error, undefined);
  assert.deepEqual(ok(r), SUCCESS);
  assert.equal(r.batches.data?.length, 1);
  const none = await readWith(path, local, { data: { unconnected: true } });
  assert.deepEqual(none.outputs.reached, [undefined]);
  assert.deepEqual(ok(none), SUCCESS);
});

test('a rooted file system reads and writes inside its root only', async () => {
  const root = join(dir, 'root');
  const rooted = new LocalFileSystem(root);
  assert.deepEqual(ok(await writeWith('inner/x.txt', [Buffer.from('in')], flags, rooted)), SUCCESS);
  assert.equal(await readFile(join(root, 'inner', 'x.txt'), 'utf8'), 'in');
  assert.deepEqual([...received(await readWith('inner/../inner/./x.txt', rooted))], [...Buffer.from('in')]);
  assert.deepEqual([...received(await readWith(join(root, 'inner', 'x.txt'), rooted))], [...Buffer.from('in')]);

  await writeFile(join(dir, 'outside.txt'), 'out');
  for (const outside of ['../outside.txt', 'inner/../../outside.txt', join(dir, 'outside.txt'), '/etc/passwd']) {
    const r = await readWith(outside, rooted);
    assert.deepEqual(r.outputs.reached, [], outside);
    assert.deepEqual(ok(r), failure('file not found'), outside);
    assert.deepEqual(ok(await writeWith(outside, [[1]], flags, rooted)), failure('file not found'), outside);
  }
  assert.equal(await readFile(join(dir, 'outside.txt'), 'utf8'), 'out');
});

test('a failed write reports the error and stops writing', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
  const w = await writeWith('/dev/full', [[1, 2], [3]]);
  assert.deepEqual(ok(w), failure(`ENOSPC: no space left on device, write '/dev/full'`));
  assert.deepEqual(w.outputs.amount, []);
  assert.equal(w.closeOrder.at(-1), 'finished');
});

/** A backend whose files are 1000 chunks of 10 bytes, counting the chunks read; `bug` makes reads fail unexpectedly. */
function endless(bug = false): { system: FileSystem; reads: () => number } {
  let reads = 0;
  const system: FileSystem = {
    openRead: async () => ({
      read: async (size: number) => {
        reads++;
        if (bug) throw new TypeError('backend bug');
        return reads > 1000 ? null : new Uint8Array(Math.min(size, 10));
      },
      close: async () => undefined,
    }),
    openWrite: async () => {
      throw new FileSystemError('read-only', 'EROFS');
    },
    createDir: async () => undefined,
    async *scanDir() {},
    display: () => 'FileSystem(endless)',
  };
  return { system, reads: () => reads };
}

test('read stops reading once data is no longer consumed (another backend)', async () => {
  const { system, reads } = endless();
  const r = await readWith('anything', system, { data: { take: 25 } });
  assert.deepEqual(ok(r), SUCCESS);
  assert.equal(r.outputs.data?.length, 25);
  assert.ok(reads() <= 10, `${reads()} reads`);
});

test('anticipated backend errors are data, other errors fail the treatment', async () => {
  const { system } = endless(true);
  const r = await readWith('anything', system);
  assert.ok(r.error instanceof TypeError);
  const w = await writeWith('anything', [[1]], flags, system);
  assert.equal(w.error, undefined);
  assert.deepEqual(ok(w), failure('read-only'));
});

/** The local file system, recording the buffers `read` is asked to fill. */
function recordingLocal(): { system: FileSystem; intos: (Uint8Array | undefined)[] } {
  const intos: (Uint8Array | undefined)[] = [];
  const system: FileSystem = Object.create(local);
  system.openRead = async (path) => {
    const reader = await local.openRead(path);
    return {
      read: (size, into) => {
        intos.push(into);
        return reader.read(size, into);
      },
      close: () => reader.close(),
    };
  };
  return { system, intos };
}

test('read reuses the buffers a releasing consumer gave back, and the bytes stay intact', async () => {
  const content = randomBytes(4 * READ_CHUNK + 777);
  const source = join(dir, 'reuse.src');
  await writeFile(source, content);
  const { system, intos } = recordingLocal();
  const r = await readWith(source, system, { data: { releasing: true } });
  assert.deepEqual(ok(r), SUCCESS);
  assert.ok(received(r).equals(content));
  const distinct = new Set(intos.map((b) => b?.buffer));
  assert.ok(distinct.size < intos.length, `${intos.length} reads into ${distinct.size} buffers: none reused`);
});

test('read never reuses a buffer a consumer may keep', async () => {
  const content = randomBytes(4 * READ_CHUNK + 777);
  const source = join(dir, 'keep.src');
  await writeFile(source, content);
  const { system, intos } = recordingLocal();
  const r = await readWith(source, system);
  assert.ok(received(r).equals(content));
  assert.equal(new Set(intos.map((b) => b?.buffer)).size, intos.length);
});

test('write keeps the backend writes in flight, counts them in order, and reports the first failure after every write settled', async () => {
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const system: FileSystem = Object.create(local);
  system.createDir = async () => undefined;
  system.openWrite = async () => ({
    parallel: 2,
    write: async (bytes: Uint8Array) => {
      const name = String(bytes[0]);
      most = Math.max(most, ++inFlight);
      // The second write fails at once, while the first is still running.
      await new Promise((done) => setTimeout(done, name === '1' ? 30 : 1));
      inFlight--;
      events.push(`done ${name}`);
      if (name === '2') throw new FileSystemError('disk on fire', 'EIO');
    },
    close: async () => {
      events.push(`close with ${inFlight} in flight`);
    },
  });
  const w = await writeWith('x', [[1, 1], [2], [3], [4]], flags, system);
  assert.deepEqual(ok(w), failure('disk on fire'));
  assert.deepEqual(w.outputs.amount, [2]);
  assert.equal(most, 2);
  assert.equal(events.at(-1), 'close with 0 in flight');
  assert.ok(!events.includes('done 4'), events.join(', '));
});
