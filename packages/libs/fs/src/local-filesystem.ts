/**
 * The local file-system backend returned by `fs/local::|local_filesystem`, on Node's
 * `fs/promises`.
 *
 * Rooted file systems (a fix: the reference checks containment lexically): a path is resolved against the root and
 * normalised (`.` and `..` applied) before the containment check, so `../x` no longer escapes
 * the root as it does in the reference, whose check is lexical. A path that resolves outside
 * the root — an absolute path elsewhere, or too many `..` — fails with the text
 * `file not found`, as the reference's escape error. An absolute path inside the root is
 * accepted (it is inside once joined, as in the reference). The check does not resolve
 * symbolic links: a link inside the root may still point outside it.
 *
 * Reads go into fresh buffers (or the caller's) and writes take the caller's bytes: no
 * stream objects, no 64 KiB slicing, no copies on the way. Regular files are read on the
 * main thread while the system answers at once ({@link SLOW_CALL_MS}), other files (pipes,
 * devices) through Node's thread pool; writes always go through the pool.
 */
import { constants, type Dir, type Dirent, read as readFd, readSync, write as writeFd, writeSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, opendir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type FileReader,
  type FileSystem,
  FileSystemError,
  type FileWriter,
  isAnticipated,
  type ScanItem,
  type ScanOptions,
  type WriteFlags,
} from './filesystem.js';

/** Entries per scan batch (a bound on memory for huge directories). */
const SCAN_BATCH = 1024;

/** The local disk, optionally confined to a root directory. */
export class LocalFileSystem implements FileSystem {
  /** The absolute, normalised root, or undefined for an unrooted file system. */
  readonly root: string | undefined;
  private readonly rootPrefix: string;
  /** A main-thread read or write slower than this (ms) moves its file to the pool ({@link SLOW_CALL_MS}). */
  private readonly slowMs: number;

  /**
   * `root`: undefined for paths used as given; else the directory paths are joined to.
   * `slowCallMs`: see {@link SLOW_CALL_MS} (tests set -1 to use the pool from the second call on).
   */
  constructor(root?: string, options: { readonly slowCallMs?: number } = {}) {
    this.slowMs = options.slowCallMs ?? SLOW_CALL_MS;
    this.root = root === undefined ? undefined : resolve(root);
    this.rootPrefix = this.root === undefined || this.root.endsWith('/') ? (this.root ?? '') : `${this.root}/`;
  }

  display(): string {
    return this.root === undefined ? 'FileSystem(local)' : `FileSystem(local at ${this.root})`;
  }

  /** The path to hand to the system for `path`; throws `file not found` when it escapes the root. */
  locate(path: string): string {
    if (this.root === undefined) return path;
    const target = resolve(this.root, path);
    if (target !== this.root && !target.startsWith(this.rootPrefix)) throw new FileSystemError('file not found', 'ENOENT');
    // Keep a trailing slash: `dir/` must still name a directory for the system.
    return path.endsWith('/') && !target.endsWith('/') ? `${target}/` : target;
  }

  async openRead(path: string): Promise<FileReader> {
    const real = this.locate(path);
    let handle: FileHandle | undefined;
    try {
      handle = await open(real, 'r');
      return (await handle.stat()).isFile() ? new RegularReader(handle, real, this.slowMs) : new LocalReader(handle, real);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      throw systemFailure(e, real);
    }
  }

  async openWrite(path: string, flags: WriteFlags): Promise<FileWriter> {
    const real = this.locate(path);
    // The file is truncated unless appending (the reference overwrites in place).
    let mode = constants.O_WRONLY | (flags.append ? constants.O_APPEND : constants.O_TRUNC);
    if (flags.new) mode |= constants.O_CREAT | constants.O_EXCL;
    else if (flags.create) mode |= constants.O_CREAT;
    let handle: FileHandle | undefined;
    try {
      handle = await open(real, mode, 0o666);
      // A truncated regular file is written from offset 0 on; appends and pipes at the file's position.
      const regular = (await handle.stat()).isFile();
      return new LocalWriter(handle, real, regular && !flags.append ? 0 : null, regular ? this.slowMs : -1);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      throw systemFailure(e, real);
    }
  }

  async createDir(path: string, recursive: boolean): Promise<void> {
    const real = this.locate(path);
    try {
      await mkdir(real, { recursive });
    } catch (e) {
      throw systemFailure(e, real);
    }
  }

  async *scanDir(path: string, options: ScanOptions): AsyncIterable<readonly ScanItem[]> {
    let real: string;
    try {
      real = this.locate(path);
    } catch (e) {
      yield [{ error: (e as Error).message }];
      return;
    }
    // Depth first; entries are shown under the caller's `path`, not under the root.
    const pending: [real: string, shown: string][] = [[real, path]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [dirReal, dirShown] = next;
      let dir: Dir;
      try {
        dir = await opendir(dirReal, { bufferSize: 128 });
      } catch (e) {
        yield [{ error: scanFailure(e, dirReal) }];
        continue;
      }
      let batch: ScanItem[] = [];
      try {
        // `for await` closes the directory when it ends, fails or the caller stops.
        for await (const d of dir) {
          const kind = direntKind(d) ?? (await lstatKind(joinPath(dirReal, d.name)));
          if (kind === 'dir') {
            if (!options.recursive) continue;
            pending.push([joinPath(dirReal, d.name), joinPath(dirShown, d.name)]);
          } else if (kind === 'link' && !options.followLinks) continue;
          batch.push({ entry: joinPath(dirShown, d.name) });
          if (batch.length >= SCAN_BATCH) {
            yield batch;
            batch = [];
          }
        }
      } catch (e) {
        batch.push({ error: scanFailure(e, dirReal) });
      }
      if (batch.length > 0) yield batch;
    }
  }
}

/** Reads a file that is not a regular one (a pipe, a device) in order, one read at a time. */
class LocalReader implements FileReader {
  constructor(
    protected readonly handle: FileHandle,
    protected readonly path: string,
  ) {}

  async read(size: number, into?: Uint8Array): Promise<Uint8Array | null> {
    // Without `into`, a fresh buffer per chunk: it is handed to the consumers, who may keep it.
    const buffer = into ?? Buffer.allocUnsafeSlow(size);
    let n: number;
    try {
      n = (await this.handle.read(buffer, 0, size, null)).bytesRead;
    } catch (e) {
      throw systemFailure(e, this.path);
    }
    return chunkOf(buffer, n, size, into);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** The bytes read into `buffer` as the result of `read` (null at the end of the file). */
function chunkOf(buffer: Uint8Array, n: number, size: number, into: Uint8Array | undefined): Uint8Array | null {
  if (n === 0) return null;
  if (into !== undefined) return n === into.length ? into : into.subarray(0, n);
  if (n === size) return buffer;
  // A short chunk (end of file): copy small ones so that 1 MiB is not held for a few bytes.
  return n < size >>> 2 ? new Uint8Array(buffer.subarray(0, n)) : buffer.subarray(0, n);
}

/**
 * A regular file is read on the main thread while the system answers at once
 * (the page cache): a 1 MiB `readSync`/`writeSync` costs about as much as the round trip to
 * the thread pool that the asynchronous call would need, and that round trip, not the copy,
 * is what a loaded machine delays (measured on the 2-core bench machine under a parallel
 * build: a 1 GiB copy with the pool took 1.5–1.8 s, with main-thread calls 0.2 s, as `dd`).
 * The event loop still turns between chunks (channels yield every 20 ms). A call slower than
 * this (a network file system, a cold disk) moves the file to the thread pool for good, so a
 * slow device never holds the event loop for long.
 */
export const SLOW_CALL_MS = 20;

/** Writes one truncated regular file may have in flight on the pool (two reads' worth of a copy). */
export const PARALLEL = 2;

/** True when a main-thread call begun at `started` took so long that the file should use the pool from now on. */
function tooSlow(started: number, slowMs: number): boolean {
  return performance.now() - started > slowMs;
}

/**
 * Reads a regular file in order from its start, on the main thread while that is fast
 * ({@link SLOW_CALL_MS}), then through the pool. Concurrent reads are served in call order.
 */
class RegularReader extends LocalReader {
  constructor(
    handle: FileHandle,
    path: string,
    private readonly slowMs: number,
  ) {
    super(handle, path);
  }

  private position = 0;
  private pooled = false;
  /** The last pooled read, which the next one waits for. */
  private queue: Promise<unknown> = Promise.resolve();

  override read(size: number, into?: Uint8Array): Promise<Uint8Array | null> {
    const buffer = into ?? Buffer.allocUnsafeSlow(size);
    if (!this.pooled) {
      const started = performance.now();
      let n: number;
      try {
        n = readSync(this.handle.fd, buffer, 0, size, this.position);
      } catch (e) {
        return Promise.reject(systemFailure(e, this.path));
      }
      this.pooled = tooSlow(started, this.slowMs);
      this.position += n;
      return Promise.resolve(chunkOf(buffer, n, size, into));
    }
    const result = this.queue.then(async () => {
      let n: number;
      try {
        n = await readAt(this.handle.fd, buffer, size, this.position);
      } catch (e) {
        throw systemFailure(e, this.path);
      }
      this.position += n;
      return chunkOf(buffer, n, size, into);
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * Writes in call order. A regular file is written on the main thread while the system
 * answers at once ({@link SLOW_CALL_MS}, as for reads), then through the pool, where
 * positional writes (a truncated regular file) may overlap ({@link PARALLEL} in flight);
 * pipes and devices always go through the pool.
 *
 * Measured on the 2-core bench machine, quiet, in one sitting (`bench/engine.mjs` (d) and
 * `bench/http.mjs` (b), five and three rounds): a 1 GiB copy to this machine's disk took
 * 278–360 ms with main-thread writes against 366–1 835 ms with pooled ones (`dd`: 201–320),
 * and the same in memory (437–596 against 410–527; `dd` 323–413); a 1 GiB HTTP download
 * into a file ran at 45–46 % of curl either way. Pooled writes of one file from two threads
 * while the main thread reads made the disk copy 2–6× slower than `dd`.
 */
class LocalWriter implements FileWriter {
  readonly parallel: number;
  /** Whether writes go through the pool (always for pipes; after a slow call for regular files). */
  private pooled: boolean;

  /**
   * `position`: where the next write starts, for positional writes; null to write in order.
   * `slowMs`: see {@link SLOW_CALL_MS}; negative: always through the pool.
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private position: number | null,
    private readonly slowMs: number,
  ) {
    this.parallel = position === null ? 1 : PARALLEL;
    this.pooled = slowMs < 0;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const start = this.position;
    if (start !== null) this.position = start + bytes.length;
    if (!this.pooled) {
      const started = performance.now();
      try {
        for (let at = 0; at < bytes.length; )
          at += writeSync(this.handle.fd, bytes, at, bytes.length - at, start === null ? null : start + at);
      } catch (e) {
        throw systemFailure(e, this.path);
      }
      this.pooled = tooSlow(started, this.slowMs);
      return;
    }
    try {
      for (let at = 0; at < bytes.length; ) {
        at += await writeAt(this.handle.fd, bytes, at, start === null ? null : start + at);
      }
    } catch (e) {
      throw systemFailure(e, this.path);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (e) {
      throw systemFailure(e, this.path);
    }
  }
}

/** Reads up to `size` bytes at `position` through the pool (the callback API: cheaper than the handle's promises). */
function readAt(fd: number, buffer: Uint8Array, size: number, position: number): Promise<number> {
  return new Promise((done, fail) => {
    readFd(fd, buffer, 0, size, position, (error, n) => (error === null ? done(n) : fail(error)));
  });
}

/** Writes `bytes` from `offset` at `position` (null: the file's own position) through the callback API. */
function writeAt(fd: number, bytes: Uint8Array, offset: number, position: number | null): Promise<number> {
  return new Promise((done, fail) => {
    writeFd(fd, bytes, offset, bytes.length - offset, position, (error, n) => (error === null ? done(n) : fail(error)));
  });
}

/**
 * Node's system error as an anticipated failure whose message names the path (Node's own
 * message omits it for `read`/`write`); other errors are bugs and pass unchanged.
 */
function systemFailure(e: unknown, path: string): Error {
  if (e instanceof FileSystemError || !isAnticipated(e)) return e as Error;
  const message = e.message.includes(`'${path}'`) ? e.message : `${e.message} '${path}'`;
  return new FileSystemError(message, e.code, { cause: e });
}

/** The text of a scan failure, yielded rather than thrown; bugs are still thrown. */
function scanFailure(e: unknown, path: string): string {
  const failure = systemFailure(e, path);
  if (!isAnticipated(failure)) throw failure;
  return failure.message;
}

/** `base` joined with `name` as Rust's `Path::join` does for a relative name. */
function joinPath(base: string, name: string): string {
  if (base === '' || base.endsWith('/')) return `${base}${name}`;
  return `${base}/${name}`;
}

type EntryKind = 'dir' | 'link' | 'other';

/** The kind of a directory entry as the system reported it, links not followed; null if unknown. */
function direntKind(d: Dirent): EntryKind | null {
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'link';
  if (d.isFile() || d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return 'other';
  return null; // some file systems do not report types in directory listings
}

/** The kind of `path` without following links. */
async function lstatKind(path: string): Promise<EntryKind> {
  try {
    const s = await lstat(path);
    return s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'link' : 'other';
  } catch {
    // The reference lists an entry whose type cannot be read.
    return 'other';
  }
}
