/**
 * The container engine CLI (podman or docker: the commands used here are the same for both)
 * and how it is chosen. See docs/containers.md.
 *
 * Choice: `TUTTI_CONTAINER_ENGINE` (`podman` or `docker`), else the first of podman and
 * docker found on PATH. Global flags every command gets (before the subcommand) come from
 * `TUTTI_CONTAINER_ENGINE_ARGS`, split on whitespace (e.g. `--runtime runc
 * --cgroup-manager=cgroupfs`, which podman needs on the project's machines). docker's CLI
 * refuses any global flag it does not know, so for docker only its own global flags are kept
 * ({@link engineArgs}): a machine set up for podman can switch with `TUTTI_CONTAINER_ENGINE=docker`
 * alone (e.g. docker's CLI against podman's Docker API service, `DOCKER_HOST`).
 */
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The two supported engines. */
export type ContainerEngineKind = 'podman' | 'docker';

/** A failure of the container layer a user must be told about (bad request, missing image, engine error). */
export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  constructor(
    message: string,
    readonly code: 'E_CONTAINER_ENGINE' | 'E_CONTAINER_REQUEST' | 'E_CONTAINER_IMAGE' | 'E_CONTAINER_ABORTED',
  ) {
    super(message);
  }
}

/** What a finished engine command said. */
export interface EngineResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Finds `program` on `path` (a PATH value); undefined when absent. */
export function findOnPath(program: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Splits `TUTTI_CONTAINER_ENGINE_ARGS` (whitespace-separated, no quoting). */
export function splitArgs(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((a) => a !== '');
}

/** docker's global flags that take a value (`--flag value` or `--flag=value`). */
const DOCKER_VALUE_FLAGS = new Set([
  '--config',
  '-c',
  '--context',
  '-H',
  '--host',
  '-l',
  '--log-level',
  '--tlscacert',
  '--tlscert',
  '--tlskey',
]);
/** docker's global flags without a value. */
const DOCKER_SWITCHES = new Set(['-D', '--debug', '--tls', '--tlsverify']);

/**
 * The global flags given to engine `kind` out of `TUTTI_CONTAINER_ENGINE_ARGS`: all of them for
 * podman; for docker only docker's own global flags (with their values), the others being
 * returned as `ignored` (podman's `--runtime runc`, `--cgroup-manager=cgroupfs`, `--root DIR`…,
 * which docker would reject with `unknown flag`). A flag not docker's that is followed by a word
 * not starting with `-` takes that word as its value (global flags come before the subcommand).
 */
export function engineArgs(kind: ContainerEngineKind, text: string | undefined): { args: string[]; ignored: string[] } {
  const all = splitArgs(text);
  if (kind === 'podman') return { args: all, ignored: [] };
  const args: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const a = all[i] as string;
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const hasValue = !a.includes('=') && i + 1 < all.length && !(all[i + 1] as string).startsWith('-');
    if (DOCKER_SWITCHES.has(flag)) args.push(a);
    else if (DOCKER_VALUE_FLAGS.has(flag)) {
      args.push(a);
      if (!a.includes('=') && i + 1 < all.length) args.push(all[++i] as string);
    } else {
      ignored.push(a);
      if (a.startsWith('-') && hasValue) ignored.push(all[++i] as string);
    }
  }
  return { args, ignored };
}

/** Drives one container engine's CLI. */
export class ContainerEngine {
  constructor(
    /** Which CLI dialect (the same commands, some flags differ: `--timeout` is podman's). */
    readonly kind: ContainerEngineKind,
    /** The program run (a name looked up on PATH, or a path). */
    readonly program: string = kind,
    /** Flags put before every subcommand. */
    readonly globalArgs: readonly string[] = [],
    /** Environment of the engine's processes (undefined: the engine process's own). */
    readonly env?: NodeJS.ProcessEnv,
    /** Flags of `TUTTI_CONTAINER_ENGINE_ARGS` left out because this engine does not take them (see {@link engineArgs}). */
    readonly ignoredArgs: readonly string[] = [],
  ) {}

  /**
   * The engine configured by `env` (see the module comment); throws a {@link ContainerError}
   * naming what to install or set when none is usable.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ContainerEngine {
    const chosen = env.TUTTI_CONTAINER_ENGINE;
    const make = (kind: ContainerEngineKind, program: string) => {
      const { args, ignored } = engineArgs(kind, env.TUTTI_CONTAINER_ENGINE_ARGS);
      return new ContainerEngine(kind, program, args, env, ignored);
    };
    if (chosen !== undefined && chosen !== '') {
      if (chosen !== 'podman' && chosen !== 'docker')
        throw new ContainerError(`TUTTI_CONTAINER_ENGINE is '${chosen}': expected 'podman' or 'docker'`, 'E_CONTAINER_ENGINE');
      const found = findOnPath(chosen, env.PATH);
      if (found === undefined) throw new ContainerError(`Container engine '${chosen}' not found on PATH`, 'E_CONTAINER_ENGINE');
      return make(chosen, found);
    }
    for (const kind of ['podman', 'docker'] as const) {
      const found = findOnPath(kind, env.PATH);
      if (found !== undefined) return make(kind, found);
    }
    throw new ContainerError('No container engine found: install podman or docker, or set TUTTI_CONTAINER_ENGINE', 'E_CONTAINER_ENGINE');
  }

  /**
   * Runs a command synchronously and returns its non-empty stdout lines (empty when it fails):
   * for the process's `exit` hook, where nothing asynchronous runs any more.
   */
  runSync(args: readonly string[]): string[] {
    const r = spawnSync(this.program, [...this.globalArgs, ...args], { env: this.env, encoding: 'utf8' });
    return (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
  }

  /** Starts `<program> <global args> <args>` with the given stdio. */
  spawn(args: readonly string[], stdio: StdioOptions): ChildProcess {
    return spawn(this.program, [...this.globalArgs, ...args], { stdio, env: this.env });
  }

  /**
   * Runs a command to its end and collects its output (engine commands print little).
   * Never rejects: a program that cannot start gives code null and the reason on stderr.
   */
  run(args: readonly string[], signal?: AbortSignal): Promise<EngineResult> {
    return new Promise((resolve) => {
      const child = this.spawn(args, ['ignore', 'pipe', 'pipe']);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      const abort = (): void => {
        child.kill('SIGKILL');
      };
      signal?.addEventListener('abort', abort, { once: true });
      let failure: string | undefined;
      child.once('error', (e) => {
        failure = e.message;
      });
      child.once('close', (code) => {
        signal?.removeEventListener('abort', abort);
        resolve({
          code: failure === undefined ? code : null,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: failure ?? Buffer.concat(err).toString('utf8'),
        });
      });
    });
  }

  /** As {@link run}, throwing a {@link ContainerError} with the engine's message on a non-zero exit. */
  async check(args: readonly string[], signal?: AbortSignal): Promise<string> {
    const r = await this.run(args, signal);
    if (r.code !== 0) throw new ContainerError(`${this.kind} ${args[0]} failed: ${engineMessage(r)}`, 'E_CONTAINER_ENGINE');
    return r.stdout;
  }
}

/** The meaningful part of an engine's error output (its `Error: …` lines, else the last line). */
export function engineMessage(r: EngineResult): string {
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('failed to connect to syslog'));
  const errors = lines.filter((l) => /^Error(:| response)/.test(l));
  const chosen = errors.length > 0 ? errors : lines.slice(-1);
  return chosen.length > 0 ? chosen.join('; ') : `exit code ${r.code ?? 'unknown'}`;
}
