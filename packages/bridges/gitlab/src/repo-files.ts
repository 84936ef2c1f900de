/** The repository's files and changes, for `rules:exists` and `rules:changes` (of jobs and of includes). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Files of the repository (tracked and untracked, not ignored), for `rules:exists`. */
export function repoFiles(root: string): string[] {
  try {
    return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === '.git') continue;
        const abs = join(dir, name);
        if (statSync(abs).isDirectory()) walk(abs);
        else out.push(relative(root, abs).split(sep).join('/'));
      }
    };
    if (existsSync(root)) walk(root);
    return out;
  }
}

/**
 * Files changed, for `rules:changes` and `only:changes`: against `compareTo` when given, else
 * against the previous commit, plus uncommitted and untracked files (what a push of the working
 * tree would change). Undefined when there is nothing to compare with (a first commit, no git):
 * GitLab then treats `changes` as true.
 */
export function changedFiles(root: string, compareTo: string | undefined): string[] | undefined {
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  const base = compareTo ?? 'HEAD~1';
  const diff = git(['diff', '--name-only', base]);
  if (diff === undefined) return undefined;
  const untracked = git(['ls-files', '--others', '--exclude-standard']) ?? '';
  return [...diff.split('\n'), ...untracked.split('\n')].filter((l) => l !== '');
}
