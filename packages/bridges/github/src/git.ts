/**
 * What the local git repository says about the run, the way GitHub would fill `github`: the
 * commit, the ref, `owner/repo` from the `origin` remote, the actor, and the files the event
 * changed (for `paths` filters).
 */
import { execFile } from 'node:child_process';
import { ZERO_SHA } from '@tutti/lib-cicd';

const git = (cwd: string, ...args: string[]): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });

// The repository's facts are shared with imported programs (cicd's run environment).
export { type RepoFacts, repoFacts, repositoryFromUrl } from '@tutti/lib-cicd';

const ZERO = ZERO_SHA;

/**
 * The files a push changed: those differing between `before` and the working tree, untracked
 * ones included (what the next push would carry). Undefined outside a repository.
 */
export async function changedFiles(cwd: string, before: string): Promise<string[] | undefined> {
  const base = before === ZERO ? undefined : before;
  const [diff, untracked] = await Promise.all([
    base ? git(cwd, 'diff', '--name-only', base) : git(cwd, 'ls-files'),
    git(cwd, 'ls-files', '--others', '--exclude-standard'),
  ]);
  if (diff === undefined) return undefined;
  return [...new Set([...diff.split('\n'), ...(untracked ?? '').split('\n')].filter(Boolean))];
}

/** Files of the working tree a checkout would have (tracked, and untracked but not ignored). */
export async function workingTreeFiles(cwd: string): Promise<string[] | undefined> {
  const out = await git(cwd, 'ls-files', '-z', '--cached', '--others', '--exclude-standard');
  return out === undefined ? undefined : out.split('\0').filter(Boolean);
}
