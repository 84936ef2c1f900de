/**
 * The local repository as GitLab would describe it: the predefined `CI_*` variables of a push
 * pipeline on the checked-out commit, read with git (commit, branch or tag, default branch,
 * message, author; project path and server from the `origin` remote, else `local/<folder>` on
 * `gitlab.example.com`). Without git or a commit, placeholders stand in (all zeros sha, branch
 * `main`) so a pipeline still runs in a plain folder.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';

export interface RepoInfo {
  readonly root: string;
  readonly sha: string;
  readonly beforeSha: string;
  /** Branch name, or tag name when HEAD is a tag and not on a branch. */
  readonly refName: string;
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  readonly defaultBranch: string;
  readonly message: string;
  readonly author: string;
  readonly timestamp: string;
  readonly userName: string;
  readonly userEmail: string;
  /** `group/sub/project`. */
  readonly projectPath: string;
  readonly serverHost: string;
  readonly serverUrl: string;
  readonly repositoryUrl: string;
}

/** A git command's trimmed output; undefined when it fails (or git is missing). */
function gitAsync(root: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: root, encoding: 'utf8' }, (error, stdout) => resolve(error === null ? stdout.trim() : undefined));
  });
}

/** GitLab's slug: lower case, anything but a-z0-9 as '-', at most 63 characters, no '-' at the ends. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** Parses `git@host:group/project.git`, `https://host/group/project.git`, `ssh://git@host:22/group/project`. */
export function parseRemote(url: string): { host: string; path: string } | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(url);
  if (scp !== null && !url.includes('://')) return { host: scp[1] as string, path: scp[2] as string };
  try {
    const u = new URL(url);
    const path = u.pathname
      .replace(/^\/+/, '')
      .replace(/\.git\/?$/, '')
      .replace(/\/+$/, '');
    if (path === '') return undefined;
    return { host: u.hostname === '' ? 'localhost' : u.hostname, path };
  } catch {
    return undefined;
  }
}

/**
 * Reads the repository at `root`. The git commands run at once (a dozen sequential spawns cost
 * about half a second on a loaded machine).
 */
export async function readRepo(root: string): Promise<RepoInfo> {
  const [sha, branch0, tag0, remoteHead, hasMain, hasMaster, remote, log, userName, userEmail] = await Promise.all([
    gitAsync(root, ['rev-parse', 'HEAD']),
    gitAsync(root, ['symbolic-ref', '--short', '-q', 'HEAD']),
    gitAsync(root, ['describe', '--tags', '--exact-match', 'HEAD']),
    gitAsync(root, ['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD']),
    gitAsync(root, ['rev-parse', '--verify', '-q', 'refs/heads/main']),
    gitAsync(root, ['rev-parse', '--verify', '-q', 'refs/heads/master']),
    gitAsync(root, ['remote', 'get-url', 'origin']),
    gitAsync(root, ['log', '-1', '--format=%an <%ae>%x00%aI%x00%B']),
    gitAsync(root, ['config', 'user.name']),
    gitAsync(root, ['config', 'user.email']),
  ]);
  const branch = branch0 || undefined;
  const tag = branch === undefined ? tag0 || undefined : undefined;
  const defaultBranch =
    remoteHead?.replace(/^origin\//, '') || (hasMain !== undefined ? 'main' : hasMaster !== undefined ? 'master' : undefined);
  const parsed = remote === undefined ? undefined : parseRemote(remote);
  const serverHost = parsed?.host ?? 'gitlab.example.com';
  const projectPath = parsed?.path ?? `local/${slug(basename(root)) || 'project'}`;
  const [author = '', timestamp = new Date().toISOString(), message = ''] = (log ?? '').split('\0');
  return {
    root,
    sha: sha ?? '0'.repeat(40),
    beforeSha: '0'.repeat(40),
    refName: branch ?? tag ?? 'main',
    branch: branch ?? (tag === undefined ? 'main' : undefined),
    tag,
    defaultBranch: defaultBranch ?? branch ?? 'main',
    message: message.replace(/\n+$/, ''),
    author,
    timestamp,
    userName: userName ?? 'tutti',
    userEmail: userEmail ?? 'tutti@localhost',
    projectPath,
    serverHost,
    serverUrl: `https://${serverHost}`,
    repositoryUrl: remote ?? `https://${serverHost}/${projectPath}.git`,
  };
}

/** Pipeline-wide predefined variables (a push pipeline). */
export function pipelineVariables(repo: RepoInfo, configPath: string): Record<string, string> {
  const pipelineId = String(randomInt(1000, 1_000_000));
  const parts = repo.projectPath.split('/');
  const name = parts[parts.length - 1] as string;
  const title = repo.message.split('\n')[0] ?? '';
  const vars: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER: 'yes',
    CI_SERVER_NAME: 'GitLab',
    CI_SERVER_HOST: repo.serverHost,
    CI_SERVER_URL: repo.serverUrl,
    CI_SERVER_PROTOCOL: 'https',
    CI_SERVER_PORT: '443',
    CI_API_V4_URL: `${repo.serverUrl}/api/v4`,
    CI_PIPELINE_SOURCE: 'push',
    CI_PIPELINE_ID: pipelineId,
    CI_PIPELINE_IID: String(Number(pipelineId) % 1000),
    CI_PIPELINE_URL: `${repo.serverUrl}/${repo.projectPath}/-/pipelines/${pipelineId}`,
    CI_PIPELINE_CREATED_AT: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    CI_CONFIG_PATH: configPath,
    CI_COMMIT_SHA: repo.sha,
    CI_COMMIT_SHORT_SHA: repo.sha.slice(0, 8),
    CI_COMMIT_BEFORE_SHA: repo.beforeSha,
    CI_COMMIT_REF_NAME: repo.refName,
    CI_COMMIT_REF_SLUG: slug(repo.refName),
    CI_COMMIT_MESSAGE: repo.message,
    CI_COMMIT_TITLE: title,
    CI_COMMIT_DESCRIPTION: repo.message.split('\n').slice(2).join('\n'),
    CI_COMMIT_AUTHOR: repo.author,
    CI_COMMIT_TIMESTAMP: repo.timestamp,
    CI_DEFAULT_BRANCH: repo.defaultBranch,
    CI_PROJECT_NAME: name,
    CI_PROJECT_TITLE: name,
    CI_PROJECT_PATH: repo.projectPath,
    CI_PROJECT_PATH_SLUG: slug(repo.projectPath),
    CI_PROJECT_NAMESPACE: parts.slice(0, -1).join('/'),
    CI_PROJECT_ROOT_NAMESPACE: parts[0] ?? '',
    CI_PROJECT_URL: `${repo.serverUrl}/${repo.projectPath}`,
    CI_PROJECT_VISIBILITY: 'private',
    CI_REPOSITORY_URL: repo.repositoryUrl,
    GITLAB_USER_NAME: repo.userName,
    GITLAB_USER_EMAIL: repo.userEmail,
    GITLAB_USER_LOGIN: repo.userEmail.split('@')[0] ?? repo.userName,
    CI_RUNNER_ID: '1',
    CI_RUNNER_DESCRIPTION: 'tutti',
    CI_RUNNER_TAGS: '[]',
  };
  if (repo.branch !== undefined) vars.CI_COMMIT_BRANCH = repo.branch;
  if (repo.tag !== undefined) {
    vars.CI_COMMIT_TAG = repo.tag;
    vars.CI_COMMIT_TAG_MESSAGE = '';
  }
  return vars;
}
