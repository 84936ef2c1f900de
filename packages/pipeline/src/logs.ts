/**
 * Per-step log files: each step's output in `<dir>/<step>.log`, written as it comes. Lines
 * are gathered and written once per turn of the event loop per file (a chatty step costs one
 * write a turn, not one a line), synchronously, so `flush()`/`close()` leave nothing behind
 * when a run ends or is stopped by a signal.
 *
 * Step names become file names: characters a file system may refuse (`/ \ : * ? " < > |`,
 * control characters) and spaces become `_`; names that collide (case-insensitively, for
 * macOS and Windows) get `-2`, `-3`…
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The file name (without `.log`) a step name becomes. */
export function stepFileName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  let s = name.replace(/[/\\:*?"<>|\s\x00-\x1f\x7f]+/g, '_').replace(/^[.]+/, '_');
  if ([...s].length > 100) s = [...s].slice(0, 100).join('');
  return s === '' || s === '_' ? 'step' : s;
}

interface OpenFile {
  readonly path: string;
  fd: number | undefined;
  pending: string[];
}

/**
 * The log files of one run's steps.
 *
 * @example
 * const logs = new StepLogFiles('.tutti/logs/2026-12-04T10-15-30Z');
 * logs.write('build', '[2026-12-04T10:15:31.000Z] info: compiling');
 * logs.pathOf('build'); // '.tutti/logs/2026-12-04T10-15-30Z/build.log'
 * logs.close();
 */
export class StepLogFiles {
  private readonly files = new Map<string, OpenFile>();
  private readonly taken = new Set<string>();
  private readonly dirty = new Set<OpenFile>();
  private scheduled = false;
  private created = false;
  private closed = false;

  /**
   * `onError` receives a write that failed in the background (a full disk); the files are
   * closed and later lines ignored. Errors of `open`, `write`, `end` and `close` themselves
   * are thrown to the caller.
   */
  constructor(
    readonly dir: string,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  private fail(e: unknown): void {
    try {
      this.close();
    } catch {
      // Already failing: the descriptors are dropped.
    }
    this.closed = true;
    this.onError(e);
  }

  /** Creates the step's file (empty) if it does not exist yet; returns its path. */
  open(step: string): string {
    return this.fileOf(step).path;
  }

  /** Appends one line (a newline is added) to the step's file. */
  write(step: string, line: string): void {
    if (this.closed) return;
    const f = this.fileOf(step);
    f.pending.push(line);
    this.dirty.add(f);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        try {
          this.flush();
        } catch (e) {
          this.fail(e);
        }
      });
    }
  }

  /** The path of the step's file, when it was created. */
  pathOf(step: string): string | undefined {
    return this.files.get(step)?.path;
  }

  /** Steps that have a file, with its path. */
  entries(): IterableIterator<[string, string]> {
    const it = this.files.entries();
    return (function* () {
      for (const [k, f] of it) yield [k, f.path] as [string, string];
    })();
  }

  /**
   * Writes the step's pending lines and closes its file (a run of 10 000 steps must not hold
   * 10 000 descriptors); a later line opens it again, appending.
   */
  end(step: string): void {
    const f = this.files.get(step);
    if (f === undefined) return;
    this.write1(f);
    this.dirty.delete(f);
    if (f.fd !== undefined) closeSync(f.fd);
    f.fd = undefined;
  }

  /** Writes every pending line now. */
  flush(): void {
    this.scheduled = false;
    for (const f of this.dirty) this.write1(f);
    this.dirty.clear();
  }

  private write1(f: OpenFile): void {
    if (f.pending.length === 0) return;
    const text = `${f.pending.join('\n')}\n`;
    f.pending = [];
    f.fd ??= openSync(f.path, 'a');
    writeSync(f.fd, text);
  }

  /** Flushes and closes every file; later writes are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const f of this.files.values()) {
      if (f.fd !== undefined) closeSync(f.fd);
      f.fd = undefined;
    }
  }

  private fileOf(step: string): OpenFile {
    let f = this.files.get(step);
    if (f !== undefined) return f;
    if (!this.created) {
      mkdirSync(this.dir, { recursive: true });
      this.created = true;
    }
    const base = stepFileName(step);
    let name = base;
    for (let i = 2; this.taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
    this.taken.add(name.toLowerCase());
    const path = join(this.dir, `${name}.log`);
    f = { path, fd: openSync(path, 'w'), pending: [] };
    this.files.set(step, f);
    return f;
  }
}
