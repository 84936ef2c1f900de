#!/usr/bin/env node
// The container engine and base image shared by the `work` library's container tests and
// benchmark: `localhost/debian:bookworm`, built once (debootstrap minbase, then imported)
// and kept in the engine's image store between tests and runs. No registry is needed.
//
//   node scripts/container-image.mjs   # builds what is missing; prints `export …` lines
//
// Exported: CONTAINERS_CONF (a containers.conf with `default_ulimits = []`: podman's
// default ulimits cannot be applied in the machines' sandboxes), TUTTI_CONTAINER_ENGINE_ARGS
// (`--runtime runc --cgroup-manager=cgroupfs` for podman, same reason), TUTTI_TEST_CONTAINER_IMAGE.
// `.ci/run` evals them; the tests call containerSetup() when they are absent. Building
// needs root (debootstrap) and the Debian mirror; a concurrent build from another test
// process waits on a lock directory instead of building twice.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const IMAGE = 'localhost/debian:bookworm';
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tutti');
const PODMAN_ARGS = '--runtime runc --cgroup-manager=cgroupfs';

function onPath(program) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && existsSync(join(dir, program))) return join(dir, program);
  return undefined;
}

/** The engine the tests use: TUTTI_CONTAINER_ENGINE, else podman, else docker; undefined when none. */
export function engineName() {
  const chosen = process.env.TUTTI_CONTAINER_ENGINE;
  if (chosen === 'podman' || chosen === 'docker') return onPath(chosen) === undefined ? undefined : chosen;
  if (onPath('podman') !== undefined) return 'podman';
  if (onPath('docker') !== undefined) return 'docker';
  return undefined;
}

/** Writes (once) the containers.conf podman needs here and returns its path. */
export function containersConf() {
  if (process.env.CONTAINERS_CONF !== undefined && existsSync(process.env.CONTAINERS_CONF)) return process.env.CONTAINERS_CONF;
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, 'containers.conf');
  const text = '# Written by scripts/container-image.mjs\n[containers]\ndefault_ulimits = []\n';
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  return path;
}

/** The environment the engine's commands run with (and that the tests export). */
export function engineEnv(engine) {
  const env = {};
  if (engine === 'podman') {
    env.CONTAINERS_CONF = containersConf();
    env.TUTTI_CONTAINER_ENGINE_ARGS = process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? PODMAN_ARGS;
  } else {
    env.TUTTI_CONTAINER_ENGINE_ARGS = process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? '';
  }
  env.TUTTI_CONTAINER_ENGINE = engine;
  env.TUTTI_TEST_CONTAINER_IMAGE = IMAGE;
  return env;
}

/**
 * The global flags for `engine`: for docker only its own (as the work library's engineArgs:
 * docker refuses podman's `--runtime runc`, which a machine set up for podman exports).
 */
export function globalArgs(engine, text) {
  const all = (text ?? '').split(/\s+/).filter((a) => a !== '');
  if (engine !== 'docker') return all;
  const valued = ['--config', '-c', '--context', '-H', '--host', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];
  const switches = ['-D', '--debug', '--tls', '--tlsverify'];
  const kept = [];
  for (let i = 0; i < all.length; i++) {
    const a = all[i];
    const flag = a.split('=')[0];
    const next = all[i + 1];
    if (switches.includes(flag)) kept.push(a);
    else if (valued.includes(flag)) {
      kept.push(a);
      if (!a.includes('=') && next !== undefined) kept.push(all[++i]);
    } else if (!a.includes('=') && next !== undefined && !next.startsWith('-')) i++;
  }
  return kept;
}

function engineCommand(engine, env, args, options = {}) {
  const global = globalArgs(engine, env.TUTTI_CONTAINER_ENGINE_ARGS);
  return spawnSync(engine, [...global, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', ...options });
}

function imageExists(engine, env) {
  return engineCommand(engine, env, ['image', 'inspect', '--format', '{{.Id}}', IMAGE]).status === 0;
}

/** Builds the base image with debootstrap (about 40 s); throws with the tool's output on failure. */
function build(engine, env) {
  if (onPath('debootstrap') === undefined && !existsSync('/usr/sbin/debootstrap'))
    throw new Error('debootstrap is not installed (apt-get install debootstrap)');
  const root = mkdtempSync(join(tmpdir(), 'tutti-bookworm-'));
  try {
    process.stderr.write(`container-image: building ${IMAGE} with debootstrap (about 40 s)\n`);
    const boot = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', root], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
    });
    if (boot.status !== 0) throw new Error(`debootstrap failed:\n${boot.stdout.slice(-2000)}${boot.stderr.slice(-2000)}`);
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    const imported = engineCommand(engine, env, ['import', '-', IMAGE], { input: tar, maxBuffer: 1 << 20 });
    if (imported.status !== 0) throw new Error(`${engine} import failed: ${imported.stderr}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Ensures the engine's configuration and the base image. Returns `{ engine, env, image }`
 * (env: the variables to export), or `{ skip }` with the reason when no engine is installed.
 */
export async function containerSetup() {
  const engine = engineName();
  if (engine === undefined) return { skip: 'no container engine installed (apt-get install podman runc debootstrap)' };
  const env = engineEnv(engine);
  if (imageExists(engine, env)) return { engine, env, image: IMAGE };
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, 'image-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Someone builds: wait for the image, or take over a lock whose owner is gone.
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      await sleep(1000);
      if (imageExists(engine, env)) return { engine, env, image: IMAGE };
    }
  }
  try {
    if (!imageExists(engine, env)) build(engine, env);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return { engine, env, image: IMAGE };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const setup = await containerSetup();
  if (setup.skip !== undefined) {
    process.stderr.write(`container-image: ${setup.skip}\n`);
    process.exit(1);
  }
  for (const [k, v] of Object.entries(setup.env)) process.stdout.write(`export ${k}='${v}'\n`);
}
