#!/usr/bin/env node
// The peer tool for the GitLab side-by-side tests and benchmark: gitlab-ci-local 4.60.0 (the
// last release that runs on Node 20; 4.75 needs Node 22), installed once from npm into
// ~/.cache/tutti/gitlab-ci-local — never a dependency of the product. Its `re2` dependency is
// built from source when no prebuilt binary can be downloaded (a few minutes, once).
//
//   node scripts/gitlab-ci-local.mjs   # installs what is missing; prints the binary's path
//
// `peerSetup()` returns { bin } or { skip: reason } (no npm registry, no rsync, a failed build).
// A lock directory keeps two test processes from installing at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const VERSION = '4.60.0';
const DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tutti', `gitlab-ci-local-${VERSION}`);
const BIN = join(DIR, 'node_modules', '.bin', 'gitlab-ci-local');

function works() {
  if (!existsSync(BIN)) return false;
  const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === VERSION;
}

export async function peerSetup() {
  if (spawnSync('rsync', ['--version']).status !== 0) return { skip: 'gitlab-ci-local needs rsync (apt-get install rsync)' };
  if (works()) return { bin: BIN };
  mkdirSync(DIR, { recursive: true });
  const lock = join(DIR, '.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = false;
      try {
        if (owner > 0) process.kill(owner, 0);
        alive = owner > 0;
      } catch {}
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else await sleep(2000);
    }
  }
  try {
    if (works()) return { bin: BIN };
    writeFileSync(join(DIR, 'package.json'), '{"private":true}\n');
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', `gitlab-ci-local@${VERSION}`], {
      cwd: DIR,
      encoding: 'utf8',
      env: { ...process.env, JOBS: '2' },
      timeout: 20 * 60 * 1000,
    });
    if (r.status !== 0 || !works()) {
      const why = `${r.stderr ?? ''}`
        .split('\n')
        .filter((l) => /ERR|error/i.test(l))
        .slice(-3)
        .join(' | ');
      return { skip: `gitlab-ci-local ${VERSION} could not be installed from npm (${why || `exit ${r.status}`})` };
    }
    return { bin: BIN };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await peerSetup();
  if (s.skip) {
    console.error(s.skip);
    process.exit(1);
  }
  console.log(s.bin);
}
