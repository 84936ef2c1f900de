/**
 * A keyed local cache, matched as GitHub's `actions/cache` (and GitLab's `cache:key` with
 * fallback keys) match: each entry is stored under a key and a version (a hash of the cached
 * paths, so a key saved for other paths never restores into these). Restoring tries the primary
 * key and then each restore key in order; for each, an exact key first, then the newest entry
 * whose key starts with it. Entries are immutable: saving under a key that exists does nothing
 * and says so, as GitHub does ("another job may be creating this cache").
 *
 * Files are copied in and out by the file system (fs.cp, which streams through copy_file_range),
 * never read into memory. An entry appears only complete (written under a temporary folder, then
 * renamed), so concurrent jobs saving the same key cannot interleave.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CacheEntry {
  readonly key: string;
  readonly version: string;
  /** Milliseconds since the epoch, when saved (newest wins among prefix matches). */
  readonly created: number;
  readonly paths: readonly string[];
}

export interface RestoreResult {
  /** The key of the entry restored. */
  readonly key: string;
  /** True when it is the primary key itself (GitHub's `cache-hit`). */
  readonly exact: boolean;
}

/** The version of a set of paths: the same paths (in order) give the same version. */
export function cacheVersion(paths: readonly string[], salt = ''): string {
  return createHash('sha256')
    .update([...paths, salt].join('|'))
    .digest('hex');
}

/** `~` at the start of a path is the home folder, as in actions/cache; relative paths are from `cwd`. */
export function expandPath(p: string, cwd: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return resolve(cwd, p);
}

export class CacheStore {
  private seq = 0;
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<CacheStore> {
    await mkdir(join(root, '.tmp'), { recursive: true });
    return new CacheStore(resolve(root));
  }

  private dirOf(key: string, version: string): string {
    return join(this.root, createHash('sha256').update(`${version}\0${key}`).digest('hex').slice(0, 40));
  }

  /** Every entry of a version (all versions without one). */
  async entries(version?: string): Promise<CacheEntry[]> {
    const out: CacheEntry[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.tmp') continue;
      try {
        const m = JSON.parse(await readFile(join(this.root, e.name, 'meta.json'), 'utf8')) as CacheEntry;
        if (version === undefined || m.version === version) out.push(m);
      } catch {
        // an entry without metadata is not complete: ignored
      }
    }
    return out;
  }

  /** The entry `restore` would choose, without copying anything. */
  async lookup(key: string, restoreKeys: readonly string[], version: string): Promise<(CacheEntry & { exact: boolean }) | undefined> {
    const entries = await this.entries(version);
    const candidates = [key, ...restoreKeys].filter((k) => k !== '');
    for (const [i, k] of candidates.entries()) {
      const exact = entries.find((e) => e.key === k);
      if (exact) return { ...exact, exact: i === 0 };
      let newest: CacheEntry | undefined;
      for (const e of entries) if (e.key.startsWith(k) && (!newest || e.created > newest.created)) newest = e;
      if (newest) return { ...newest, exact: false };
    }
    return undefined;
  }

  /**
   * Restores into `paths` (resolved against `cwd`) the entry matching `key`, else the newest
   * matching one of `restoreKeys`; undefined on a miss.
   */
  async restore(key: string, restoreKeys: readonly string[], paths: readonly string[], cwd: string): Promise<RestoreResult | undefined> {
    const version = cacheVersion(paths);
    const hit = await this.lookup(key, restoreKeys, version);
    if (!hit) return undefined;
    const dir = this.dirOf(hit.key, version);
    for (const [i, p] of paths.entries()) {
      const from = join(dir, 'data', String(i));
      try {
        await stat(from);
      } catch {
        continue; // the path did not exist when saved
      }
      await cp(from, expandPath(p, cwd), { recursive: true, force: true, preserveTimestamps: true });
    }
    return { key: hit.key, exact: hit.exact };
  }

  /**
   * Saves `paths` under `key`. Returns false (and saves nothing) when the key exists for these
   * paths (unless `overwrite`, GitLab's behaviour: the newest save wins), or when none of the
   * paths exists (GitHub: "Path Validation Error").
   */
  async save(key: string, paths: readonly string[], cwd: string, options: { overwrite?: boolean } = {}): Promise<boolean> {
    if (key === '') throw new Error('a cache key must not be empty');
    if (key.includes(',')) throw new Error(`cache key '${key}' must not contain commas`);
    const version = cacheVersion(paths);
    const dest = this.dirOf(key, version);
    try {
      await stat(join(dest, 'meta.json'));
      if (!options.overwrite) return false;
    } catch {
      // not there yet
    }
    const tmp = await mkdtemp(join(this.root, '.tmp', 'save-'));
    try {
      let any = false;
      for (const [i, p] of paths.entries()) {
        const from = expandPath(p, cwd);
        try {
          await stat(from);
        } catch {
          continue;
        }
        any = true;
        await cp(from, join(tmp, 'data', String(i)), { recursive: true, preserveTimestamps: true });
      }
      if (!any) return false;
      const entry: CacheEntry = { key, version, created: Date.now() + this.seq++ / 1000, paths: [...paths] };
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(entry));
      if (options.overwrite) {
        // GitLab's caches are mutable: the last job to save a key wins. The old entry is moved
        // aside first, so a concurrent restore sees the old or the new entry, never a mix.
        const old = `${tmp}-old`;
        await rename(dest, old).catch(() => undefined);
        await rm(old, { recursive: true, force: true });
      }
      try {
        await rename(tmp, dest);
      } catch {
        return false; // another job saved the same key first
      }
      return true;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
