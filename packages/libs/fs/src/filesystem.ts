/**
 * `fs/filesystem`: the file-system handle data type and the backend
 * interface behind it.
 *
 * A `FileSystem` value is any object with the four operations below; the treatments of
 * `fs/file` and `fs/dir` only call those, so other packages (`work` volumes) can provide
 * backends without importing this one: the contract is structural, errors included (an
 * anticipated failure is an `Error` with a string `code`, not an instance of a class).
 */
import { type DataValue, dataType } from '@tutti/core';

const area = 'fs/filesystem';

export const filesystem = [
  dataType(area, 'FileSystem', {
    doc: 'Handle on a file-system backend (read file, write file, create directory, scan directory).',
  }),
];

/** Flags of {@link FileSystem.openWrite} (the `write` treatment's parameters). */
export interface WriteFlags {
  /** Writes at the end of an existing file instead of replacing its content. */
  readonly append: boolean;
  /** Creates the file when it is missing. */
  readonly create: boolean;
  /** Fails when the file already exists (implies creation). */
  readonly new: boolean;
}

/** Options of {@link FileSystem.scanDir} (the `scan` treatment's parameters). */
export interface ScanOptions {
  /** Lists directories and descends into them; otherwise only the non-directory entries of `path`. */
  readonly recursive: boolean;
  /** Lists symbolic links (never traversed); otherwise skips them. */
  readonly followLinks: boolean;
}

/** One result of a scan: an entry's full path, or the text of an error met while scanning. */
export type ScanItem = { readonly entry: string; readonly error?: undefined } | { readonly entry?: undefined; readonly error: string };

/** A file opened for reading. */
export interface FileReader {
  /**
   * Reads the next bytes, at most `size`, into `into` when given (its start; the result is
   * then a view of it), else into a fresh buffer the caller may keep; null at the end of
   * the file.
   */
  read(size: number, into?: Uint8Array): Promise<Uint8Array | null>;
  /**
   * How many `read` calls may be pending at once (each into its own buffer); their results
   * follow the file in call order all the same. 1 when absent.
   */
  readonly parallel?: number;
  /** Releases the file; never rejects. */
  close(): Promise<void>;
}

/** A file opened for writing. */
export interface FileWriter {
  /** Writes every byte of `bytes` (not kept after the promise settles). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * How many `write` calls may be pending at once; the bytes land in call order all the
   * same. 1 when absent. A failed write may leave later bytes written after a gap.
   */
  readonly parallel?: number;
  /** Releases the file; rejects when the system reports a late write failure. */
  close(): Promise<void>;
}

/**
 * A file-system backend. Operations reject with an {@link isAnticipated} error (an `Error`
 * carrying a string `code`, such as Node's system errors or {@link FileSystemError}) for
 * failures a program must be told about — missing file, permission, path outside the
 * root — whose `message` is the text the treatments put on `errors`. Any other rejection is
 * a bug and fails the track.
 */
export interface FileSystem extends DataValue {
  /** Opens `path` for reading. */
  openRead(path: string): Promise<FileReader>;
  /** Opens `path` for writing with `flags`; parents are not created here. */
  openWrite(path: string, flags: WriteFlags): Promise<FileWriter>;
  /** Creates the directory `path`; with `recursive`, its parents too and no error if it exists. */
  createDir(path: string, recursive: boolean): Promise<void>;
  /**
   * Lists what lies under `path` (never `path` itself) in batches, in no particular order.
   * Failures, including an unreadable `path`, are yielded as error items, never thrown, and
   * the scan goes on where it can. Stopping the iteration early releases the directories.
   */
  scanDir(path: string, options: ScanOptions): AsyncIterable<readonly ScanItem[]>;
  display(): string;
}

/**
 * An anticipated file-system failure raised by a backend itself (Node's own system errors
 * also qualify, see {@link isAnticipated}).
 *
 * @example
 * ```ts
 * throw new FileSystemError('file not found', 'ENOENT');
 * ```
 */
export class FileSystemError extends Error {
  override readonly name = 'FileSystemError';
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `e` is a failure to report as data (an `Error` with a string `code`), not a bug. */
export function isAnticipated(e: unknown): e is Error & { readonly code: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

/**
 * The text to send on an `errors`/`error` output for `e`: its message (never a stack). Bugs
 * are rethrown so that the engine reports them as unexpected failures.
 */
export function failureText(e: unknown): string {
  if (isAnticipated(e)) return e.message;
  throw e;
}
