/**
 * `concurrency:` of workflows and jobs, as GitHub applies it to the runs of a repository: in a
 * group, at most one runs and one waits. A later arrival takes the waiting place (the one
 * waiting before it is cancelled without running); with `cancel-in-progress`, it also cancels
 * the one running.
 *
 * The groups hold across every `tutti github run` of the same repository folder on the
 * machine, not only within one run: each group is a folder under a lock directory (the user's
 * state directory by default) holding one small JSON file per job or workflow that runs or
 * waits in it. Decisions (arrive, hand over, release) are taken under a lock (a `mkdir`, atomic
 * on every file system), and each participant polls its own file to learn that it may start or
 * was cancelled. Why files rather than a daemon or sockets: nothing to start or to stop, and a
 * holder that was SIGKILLed leaves only files behind, found stale by its pid (and the pid's
 * start time, so a reused pid does not count) and removed by the next one to look.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asString, evalValue, type Scope, truthy } from './expressions.js';
import type { Raw } from './workflow.js';

/** The group and `cancel-in-progress` of a `concurrency:` value (a string or a mapping); undefined without one. */
export function concurrencyOf(v: unknown, scope: Scope): { group: string; cancelInProgress: boolean } | undefined {
  if (v === undefined || v === null) return undefined;
  const value = evalValue(v, scope);
  if (typeof value === 'string' || typeof value === 'number')
    return value === '' ? undefined : { group: String(value), cancelInProgress: false };
  if (value && typeof value === 'object') {
    const group = asString((value as Raw).group);
    if (group === '') return undefined;
    return { group, cancelInProgress: truthy((value as Raw)['cancel-in-progress'] ?? false) };
  }
  return undefined;
}

/** The default lock directory: `$XDG_STATE_HOME/tutti/github/concurrency` (`~/.local/state/…`). */
export function defaultConcurrencyDir(): string {
  return join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'tutti', 'github', 'concurrency');
}

/** What a participant's file holds. */
interface Entry {
  readonly pid: number;
  /** The process's start time (`/proc/<pid>/stat`), to tell a reused pid; null where unknown. */
  readonly start: string | null;
  /** The job or workflow, as the others print it. */
  readonly name: string;
  /** The repository folder of its run. */
  readonly repository: string;
  state: 'running' | 'waiting';
  /** Set by a later arrival: cancelled (waiting: never runs; running: cancel-in-progress). */
  cancelledBy?: string;
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat), null where not readable. */
function startOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote an entry (or a lock) still runs. */
function alive(pid: number, start: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return start === null || startOf(pid) === null || startOf(pid) === start;
}

const ME = { pid: process.pid, start: startOf(process.pid) };

/** How often a participant looks at its file (waiting for its turn, or for a cancellation). */
const POLL_MS = 100;

interface Options {
  readonly cancelInProgress: boolean;
  /** The job or workflow, as other runs print it (`deploy`, `ci.yml`). */
  readonly name: string;
  /** Told when it has to wait, with who holds the group. */
  readonly onWait?: (holder: string) => void;
  /** Told when a later arrival cancels it while it runs (cancel-in-progress). */
  readonly onCancelled?: (by: string) => void;
}

export class ConcurrencyGroups {
  /** This process's arrivals, one at a time, so that "later" is the order `run` is called in. */
  private arrivals: Promise<unknown> = Promise.resolve();
  private seq = 0;
  /** The folder of this run's own, when the lock directory could not be written. */
  private own: string | undefined;

  /**
   * @param root the lock directory (one folder per group under it)
   * @param repository the repository folder of this run: groups are per repository
   * @param warn told once when the lock directory cannot be made (the groups then hold within this run only)
   */
  constructor(
    private root: string,
    private readonly repository: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** Removes the folder of this run's own, if one was made (at the end of the run). */
  dispose(): void {
    if (this.own !== undefined) rmSync(this.own, { recursive: true, force: true });
  }

  /** The group's folder, made if missing; under a folder of this run's when the lock directory cannot be written. */
  private folder(group: string): string {
    const name = createHash('sha256').update(`${this.repository}\0${group}`).digest('hex').slice(0, 32);
    try {
      mkdirSync(join(this.root, name), { recursive: true });
    } catch (e) {
      const own = mkdtempSync(join(tmpdir(), 'tutti-concurrency-'));
      this.warn(
        `warning: the concurrency lock directory ${this.root} cannot be written (${(e as Error).message}); concurrency groups hold within this run only (--concurrency-dir chooses another)`,
      );
      this.root = own;
      this.own = own;
      mkdirSync(join(this.root, name), { recursive: true });
    }
    return join(this.root, name);
  }

  /**
   * Runs `fn` once the group is free, with a signal aborted when a later arrival cancels it
   * (cancel-in-progress); resolves with `cancelled()` instead, without running `fn`, when a
   * later arrival took its place while it waited.
   */
  async run<T>(group: string, o: Options, fn: (signal: AbortSignal) => Promise<T>, cancelled: () => T): Promise<T> {
    const dir = this.folder(group);
    // a name that sorts in arrival order across processes
    const file = join(dir, `${Date.now().toString().padStart(15, '0')}-${process.pid}-${String(++this.seq).padStart(6, '0')}.json`);
    const me: Entry = { ...ME, name: o.name, repository: this.repository, state: 'running' };
    const arrived = this.arrivals.then(() =>
      withLock(dir, () => {
        const others = entries(dir);
        // a later arrival takes the waiting place
        for (const e of others)
          if (e.entry.state === 'waiting' && e.entry.cancelledBy === undefined)
            write(e.file, { ...e.entry, cancelledBy: seenBy(e.entry, me) });
        const holder = others.find((e) => e.entry.state === 'running');
        if (holder) {
          if (o.cancelInProgress && holder.entry.cancelledBy === undefined)
            write(holder.file, { ...holder.entry, cancelledBy: seenBy(holder.entry, me) });
          me.state = 'waiting';
        }
        write(file, me);
        return holder?.entry;
      }),
    );
    this.arrivals = arrived.catch(() => {});
    const holder = await arrived;
    try {
      if (holder) {
        o.onWait?.(holder.pid === process.pid ? holder.name : `${holder.name} in another tutti github run (pid ${holder.pid})`);
        // its turn: the one finishing hands the group over, or a holder found gone
        for (;;) {
          const go = await withLock(dir, () => {
            const self = read(file);
            if (!self || self.cancelledBy !== undefined) return false;
            if (self.state === 'running') return true;
            if (!entries(dir).some((e) => e.entry.state === 'running')) {
              write(file, { ...self, state: 'running' });
              return true;
            }
            return undefined;
          });
          if (go === false) return cancelled();
          if (go) break;
          await sleep(POLL_MS);
        }
      }
      const abort = new AbortController();
      setMaxListeners(0, abort.signal);
      // told by its file when a later arrival cancels it
      let watching = true;
      const watch = (async () => {
        while (watching) {
          await sleep(POLL_MS);
          const self = read(file);
          if (watching && self?.cancelledBy !== undefined) {
            o.onCancelled?.(self.cancelledBy);
            abort.abort();
            return;
          }
        }
      })();
      try {
        return await fn(abort.signal);
      } finally {
        watching = false;
        await watch;
      }
    } finally {
      // gone, and the one waiting (if any) runs
      await withLock(dir, () => {
        rmSync(file, { force: true });
        const left = entries(dir);
        const next = left.find((e) => e.entry.state === 'waiting' && e.entry.cancelledBy === undefined);
        if (next && !left.some((e) => e.entry.state === 'running')) write(next.file, { ...next.entry, state: 'running' });
      });
    }
  }
}

/** How participant `e` names `by` (this process's): by its name, and its run's pid when `e` is in another run. */
const seenBy = (e: Entry, by: Entry) => (e.pid === by.pid ? by.name : `${by.name} of another tutti github run (pid ${by.pid})`);

function read(file: string): Entry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (a rename), so a reader never sees half a file. */
function write(file: string, e: Entry): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(e));
  renameSync(tmp, file);
}

/** The live entries of a group in arrival order; those of dead processes are removed. */
function entries(dir: string): { file: string; entry: Entry }[] {
  const out: { file: string; entry: Entry }[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const file = join(dir, f);
    const entry = read(file);
    if (entry && alive(entry.pid, entry.start)) out.push({ file, entry });
    else rmSync(file, { force: true });
  }
  return out;
}

/**
 * `f` under the group's lock: a folder made atomically, holding its owner's pid. A lock whose
 * owner is gone (SIGKILLed within the few milliseconds it is held) is taken over.
 */
async function withLock<T>(dir: string, f: () => T): Promise<T> {
  const lock = join(dir, '.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${ME.pid} ${ME.start ?? ''}`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let stale = false;
      try {
        const [pid, start] = readFileSync(join(lock, 'owner'), 'utf8').split(' ');
        stale = !alive(Number(pid), start || null);
      } catch {
        // made but its owner not written yet: stale only if that lasts
        try {
          stale = Date.now() - statSync(lock).mtimeMs > 2000;
        } catch {
          // released meanwhile
        }
      }
      if (stale) rmSync(lock, { recursive: true, force: true });
      else await sleep(2 + Math.random() * 8);
    }
  }
  try {
    return f();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
