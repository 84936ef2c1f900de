/** Shared by the GitLab end-to-end tests: a pipeline folder as a fresh git repository, and the built CLI. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

const BIN = join(ROOT, 'packages/cli/bin/tutti.js');

/** Temporary folders to remove after the tests. */
export const temps: string[] = [];

export const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** A git repository holding a copy of `folder` (one commit on main, an origin remote). */
export function repository(folder: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tutti-gl-${name}-`));
  temps.push(dir);
  cpSync(folder, dir, { recursive: true });
  rmSync(join(dir, 'expect.json'), { force: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ada@example.com');
  git(dir, 'config', 'user.name', 'Ada');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'remote', 'add', 'origin', `https://gitlab.example.com/tutti/${name}.git`);
  writeFileSync(join(dir, '.gitignore'), '.tutti/\n.gitlab-ci-local/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** Runs the built CLI in `cwd`. */
export function tutti(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '', ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t) / 1000 };
}
