/**
 * The files a run writes besides its own: the log file (`--logs`) and the live debug file
 * (`--debug`: one JSON object a line, flushed event by event). Both are opened before anything runs, creating
 * missing parent folders, so a path that cannot be written is refused up front.
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EngineEvent } from '@tutti/engine';

/** A file given to a run that cannot be created or opened. */
export class OutputFileError extends Error {}

/** Opens `path` for appending (or truncating), creating its parent folders. */
export function openOutputFile(path: string, what: string, mode: 'a' | 'w'): number {
  try {
    makeParents(path);
    return openSync(path, mode);
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? systemReason(e as NodeJS.ErrnoException) : String(e);
    throw new OutputFileError(`cannot write the ${what} '${path}': ${reason}`);
  }
}

/**
 * Creates the missing folders above `path`, one level at a time. (Node's recursive
 * `mkdirSync` spins forever under /proc, where creating a folder fails with ENOENT.)
 */
function makeParents(path: string): void {
  const missing: string[] = [];
  for (let d = dirname(path); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i] as string);
}

function systemReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'a folder on the way does not exist and cannot be created';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return e.message.replace(/^[A-Z]+: /, '');
  }
}

/**
 * The debug file: one JSON object a line, written as each event happens (one write call
 * an event, so a reader sees every finished line at once, mid-run). Each line carries the
 * time and the event's fields; the first line describes the run, the last how it ended.
 *
 * @example
 * const debug = new DebugFile('out/debug.jsonl');
 * debug.write({ kind: 'run-started', entry: 'app/main::main' });
 * await runDesign(design, { log, event: (e) => debug.write(e) });
 * debug.close();
 */
export class DebugFile {
  private fd: number | undefined;
  private readonly mask: (line: string) => string;

  /** `mask` is applied to every line before it is written (secret masking, docs/progress.md). */
  constructor(
    readonly path: string,
    o: { readonly mask?: (line: string) => string } = {},
  ) {
    this.fd = openOutputFile(path, 'debug file', 'w');
    this.mask = o.mask ?? ((l) => l);
  }

  /** Appends one event; events that cannot be turned into JSON are written as text. */
  write(e: EngineEvent | { readonly kind: string; readonly [k: string]: unknown }): void {
    if (this.fd === undefined) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), ...e });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), kind: e.kind, text: String(e) });
    }
    writeSync(this.fd, `${this.mask(line)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
