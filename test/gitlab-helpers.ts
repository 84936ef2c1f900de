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

/**
 * Images some container pipelines use, built FROM the base image (no registry is reachable)
 * the first time and kept, as the base image is: a new version of one gets a new tag.
 */
export const TEST_IMAGES: Record<string, string> = {
  // An ENTRYPOINT that prepares the environment and runs what it is given, as many images' do.
  'localhost/tutti-gitlab-entrypoint:1': `FROM localhost/debian:bookworm
RUN printf '#!/bin/sh\\nexport GREETER="the image entrypoint"\\necho "entrypoint ran with: $*" >&2\\nexec "$@"\\n' > /usr/local/bin/entry.sh && chmod +x /usr/local/bin/entry.sh
ENTRYPOINT ["/usr/local/bin/entry.sh"]
`,
};

/** Builds the missing TEST_IMAGES with the engine of `env` (the container set-up's); throws with its output. */
export function buildTestImages(env: Record<string, string>): void {
  const engine = env.TUTTI_CONTAINER_ENGINE as string;
  const global = (env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
  const run = (args: string[], input?: string) =>
    spawnSync(engine, [...global, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', input });
  for (const [tag, file] of Object.entries(TEST_IMAGES)) {
    if (run(['image', 'inspect', '--format', '{{.Id}}', tag]).status === 0) continue;
    const dir = mkdtempSync(join(tmpdir(), 'tutti-gl-image-'));
    try {
      writeFileSync(join(dir, 'Containerfile'), file);
      const r = run(['build', '--pull=never', '-t', tag, '-f', join(dir, 'Containerfile'), dir]);
      if (r.status !== 0) throw new Error(`building ${tag}: ${r.stderr}${r.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
