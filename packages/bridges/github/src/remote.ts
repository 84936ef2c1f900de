/**
 * Remote actions (`owner/repo[/path]@ref`) and reusable workflows of other repositories
 * (`owner/repo/.github/workflows/x.yml@ref`) come from the action cache folder, laid out
 * `owner/repo@ref` (a checkout of the repository at that ref). A missing one is cloned with
 * `git clone` when the network allows; when it cannot be, the run stops before any job starts,
 * naming the action or workflow and how to put it in the cache.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkflowError } from './workflow.js';

export interface ActionRef {
  readonly uses: string;
  /** The action's folder (or the workflow's file) in the cache. */
  readonly dir: string;
  /** The checkout of its repository in the cache (`owner/repo@ref`). */
  readonly root: string;
}

/** `owner/repo/path@ref` → its parts. */
export function parseUses(uses: string): { owner: string; repo: string; path: string; ref: string } | undefined {
  const m = /^([^/\s@]+)\/([^/\s@]+)((?:\/[^@\s]+)?)@(.+)$/.exec(uses.trim());
  if (!m) return undefined;
  return { owner: m[1]!, repo: m[2]!, path: (m[3] ?? '').replace(/^\//, ''), ref: m[4]! };
}

const run = (args: string[], cwd?: string): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, _o, stderr) =>
      resolve(err ? (stderr.trim().split('\n').pop() ?? err.message) : undefined),
    );
  });

/**
 * Finds (or clones) every remote action and reusable workflow (those in `workflows`);
 * WorkflowError naming those that cannot be had.
 */
export async function resolveActions(
  uses: readonly string[],
  cacheDir: string,
  server = process.env.TUTTI_GITHUB_SERVER ?? 'https://github.com',
  workflows: ReadonlySet<string> = new Set(),
): Promise<Map<string, ActionRef>> {
  const out = new Map<string, ActionRef>();
  const missing: string[] = [];
  await Promise.all(
    uses.map(async (u) => {
      const p = parseUses(u);
      if (!p) {
        missing.push(
          workflows.has(u)
            ? `reusable workflow ${u}: not a workflow reference (owner/repo/path@ref)`
            : `${u}: not an action reference (owner/repo[/path]@ref)`,
        );
        return;
      }
      const root = join(cacheDir, p.owner, `${p.repo}@${p.ref}`);
      if (!existsSync(root)) {
        await mkdir(dirname(root), { recursive: true });
        const url = `${server}/${p.owner}/${p.repo}`;
        let err = await run(['clone', '--quiet', '--depth', '1', '--branch', p.ref, url, root]);
        if (err !== undefined && /^[0-9a-f]{7,40}$/.test(p.ref)) {
          await rm(root, { recursive: true, force: true });
          err = (await run(['clone', '--quiet', url, root])) ?? (await run(['checkout', '--quiet', p.ref], root));
        }
        if (err !== undefined) {
          await rm(root, { recursive: true, force: true });
          missing.push(
            `${workflows.has(u) ? 'reusable workflow ' : ''}${u}: not in the action cache (${root}) and cannot be cloned from ${url} (${err}).\n` +
              `  Cache it with: git clone --depth 1 --branch ${p.ref} ${url} ${root}`,
          );
          return;
        }
      }
      out.set(u, { uses: u, dir: p.path ? join(root, p.path) : root, root });
    }),
  );
  if (missing.length > 0) {
    const what = uses.some((u) => workflows.has(u)) ? 'action(s) or reusable workflow(s)' : 'action(s)';
    throw new WorkflowError(`cannot run: ${missing.length} ${what} unavailable\n${missing.sort().join('\n')}`);
  }
  return out;
}
