/**
 * Run workspaces: each run gets its own clone of the project's repository at the run's
 * commit (or the project's branch), under `<data>/runs/<id>/workspace`. A retry reuses the
 * same workspace, so the files the succeeded jobs produced are still there.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A workspace could not be prepared (clone or checkout failed). */
export class WorkspaceError extends Error {}

async function git(args: string[], cwd?: string, signal?: AbortSignal): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      ...(cwd === undefined ? {} : { cwd }),
      ...(signal === undefined ? {} : { signal }),
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new WorkspaceError(`git ${args[0]} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/**
 * Clones `repository` into `dir` (unless already there) and checks out `sha`, else `branch`,
 * else the default branch. Returns the commit checked out.
 */
export async function prepareWorkspace(
  dir: string,
  repository: string,
  o: { sha?: string | undefined; branch?: string | undefined; signal?: AbortSignal },
): Promise<string> {
  if (!existsSync(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    await git(['clone', '--quiet', '--no-hardlinks', repository, dir], undefined, o.signal);
    const target = o.sha ?? (o.branch === undefined ? undefined : `origin/${o.branch}`);
    if (target !== undefined) {
      try {
        await git(['checkout', '--quiet', '--detach', target], dir, o.signal);
      } catch (e) {
        // A commit not reachable from the default refs (a pull request's head): fetch it.
        if (o.sha === undefined) throw e;
        await git(['fetch', '--quiet', 'origin', o.sha], dir, o.signal);
        await git(['checkout', '--quiet', '--detach', o.sha], dir, o.signal);
      }
    }
  }
  return git(['rev-parse', 'HEAD'], dir, o.signal);
}
