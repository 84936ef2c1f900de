/**
 * What the local git repository says about the run, the way GitHub would fill `github`: the
 * commit, the ref, `owner/repo` from the `origin` remote, the actor, and the files the event
 * changed (for `paths` filters).
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

const git = (cwd: string, ...args: string[]): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });

export interface RepoFacts {
  readonly isRepo: boolean;
  readonly sha: string;
  readonly ref: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly owner: string;
  readonly actor: string;
  readonly defaultBranch: string;
  /** The parent commit (GitHub's `before` for a push), or zeros. */
  readonly before: string;
  readonly serverUrl: string;
}

const ZERO = '0000000000000000000000000000000000000000';

/** `owner/repo` from a remote URL (`https://host/owner/repo.git`, `git@host:owner/repo.git`). */
export function repositoryFromUrl(url: string): { server: string; repo: string } | undefined {
  const m = /^(?:[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|[^@]+@([^:]+):)(.+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? 'github.com';
  const parts = (m[3] ?? '').split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return { server: `https://${host}`, repo: parts.slice(-2).join('/') };
}

export async function repoFacts(cwd: string, dirName: string): Promise<RepoFacts> {
  const [sha, sym, remote, name, parent, remoteHead] = await Promise.all([
    git(cwd, 'rev-parse', 'HEAD'),
    git(cwd, 'symbolic-ref', '-q', 'HEAD'),
    git(cwd, 'remote', 'get-url', 'origin'),
    git(cwd, 'config', 'user.name'),
    git(cwd, 'rev-parse', 'HEAD^'),
    git(cwd, 'symbolic-ref', '-q', 'refs/remotes/origin/HEAD'),
  ]);
  const repo = remote ? repositoryFromUrl(remote) : undefined;
  const actor = process.env.GITHUB_ACTOR ?? name ?? safeUser();
  const repository = repo?.repo ?? `${actor.replace(/\s+/g, '-')}/${dirName}`;
  return {
    isRepo: sha !== undefined,
    sha: sha ?? ZERO,
    ref: sym ?? (sha ? 'refs/heads/main' : 'refs/heads/main'),
    repository,
    owner: repository.split('/')[0]!,
    actor,
    defaultBranch: remoteHead?.replace('refs/remotes/origin/', '') ?? 'main',
    before: parent ?? ZERO,
    serverUrl: repo?.server ?? 'https://github.com',
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'tutti';
  }
}

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
