/**
 * Job workspaces: each job starts in a fresh copy of the project, as a GitLab job starts in a
 * fresh clone. The copy holds the files git would push (tracked and untracked, not ignored,
 * without `.git` and without Tutti's own `.tutti/` folder), so uncommitted work is tested too;
 * without git, every file but `.git` and `.tutti`. Files are cloned where the file system can
 * (copy-on-write), else copied.
 */
import { execFileSync } from 'node:child_process';
import { constants, readdirSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/** The project's files (relative, `/`-separated). */
export function projectFiles(root: string): string[] {
  let list: string[];
  try {
    list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    })
      .split('\0')
      .filter((l) => l !== '');
  } catch {
    list = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === '.git' || e.name === '.tutti') continue;
        const abs = join(dir, e.name);
        if (e.isDirectory()) walk(abs);
        else list.push(relative(root, abs).split(sep).join('/'));
      }
    };
    walk(root);
  }
  return [...new Set(list)].filter((f) => !f.startsWith('.tutti/') && f !== '.tutti').sort();
}

/** Copies `files` of `root` into `dest` (created); files that vanished since listing are skipped. */
export async function copyProject(root: string, files: readonly string[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const dirs = new Set<string>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (;;) {
      const f = queue.pop();
      if (f === undefined) return;
      const from = join(root, f);
      const to = join(dest, f);
      const d = dirname(to);
      if (!dirs.has(d)) {
        await mkdir(d, { recursive: true });
        dirs.add(d);
      }
      try {
        const s = await lstat(from);
        if (s.isSymbolicLink()) await symlink(await readlink(from), to);
        else if (s.isFile()) await copyFile(from, to, constants.COPYFILE_FICLONE);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Empties a folder (keeping it: it may be a container's bind mount). */
export async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
}

/** Every file under `dir` (relative, `/`-separated, sorted), symbolic links as files. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}
