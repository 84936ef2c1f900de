/**
 * The executor of a container on the `local` location: there are no containers there (images
 * are ignored, with one notice, see `distant.ts`), so a container's commands run as host
 * processes, in the container's own folder under the runner's work directory, through the
 * local executor of `process`. Extension of Tutti (docs/distribution.md, "Containers on
 * local").
 *
 * What a container would see at its mount points is the volumes' folders: every occurrence of
 * a mount point in the program, the arguments, the working directory and the variables'
 * values is replaced by its volume's folder, when it stands as a whole path segment (at the
 * start of the text or after a character that cannot be part of a path, and followed by `/`,
 * the end, or such a character): `sh -c "cp a /mnt/data/b"` becomes `sh -c "cp a
 * /tmp/tutti-local-x/volumes/data/b"`, `/mnt/database` and `x/mnt/data` are left alone. This
 * is textual: a path built at run time (`cd /mnt; cat data/f`) is not seen. Without a working
 * directory, commands start in the container's folder.
 *
 * Outcomes as with container executors (not as with the local one): a command that ran and
 * exited is a completion, whatever its exit code, so a program behaves the same on `local`
 * and on `compose`.
 */
import {
  type ByteSink,
  type ByteSource,
  CommandValue,
  EnvironmentValue,
  type Executor,
  type LocalExecutor,
  type RunControl,
  type RunOutcome,
} from '@tutti/lib-process';
import { StringMapValue } from '@tutti/lib-std';

/** A mount point and the host folder it stands for. */
export interface HostMount {
  readonly point: string;
  readonly dir: string;
}

/** Characters that can be part of a path segment (a mount point is replaced only when not touching one of them). */
const PATH_CHAR = /[A-Za-z0-9_.~+@-]/;

/** Replaces the mount points standing as whole paths in `text` by their folders (longest point first). */
export function mapMountPoints(text: string, mounts: readonly HostMount[]): string {
  if (mounts.length === 0 || !text.includes('/')) return text;
  let out = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const m of mounts) {
      if (!text.startsWith(m.point, i)) continue;
      const before = i === 0 ? '' : (text[i - 1] as string);
      const after = text[i + m.point.length];
      if (before !== '' && (before === '/' || PATH_CHAR.test(before))) continue;
      if (after !== undefined && after !== '/' && PATH_CHAR.test(after)) continue;
      out += m.dir;
      i += m.point.length;
      continue outer;
    }
    out += text[i];
    i++;
  }
  return out;
}

const EMPTY_STDIN: ByteSource = { next: async () => null, cancel: () => undefined };

/** Runs a container's commands on the host (see the module comment). */
export class HostContainerExecutor implements Executor {
  private readonly mounts: readonly HostMount[];

  constructor(
    private readonly local: LocalExecutor,
    /** The container's name (for display). */
    readonly container: string,
    /** The container's folder: the commands' default working directory. */
    readonly dir: string,
    mounts: readonly HostMount[],
  ) {
    // Longest first: `/mnt/data/cache` wins over `/mnt/data`; a trailing `/` is not part of a point.
    this.mounts = mounts
      .map((m) => ({ point: m.point.length > 1 ? m.point.replace(/\/+$/, '') : m.point, dir: m.dir }))
      .filter((m) => m.point.startsWith('/') && m.point !== '/')
      .sort((a, b) => b.point.length - a.point.length);
  }

  display(): string {
    return `HostContainerExecutor(${this.container}, ${this.dir})`;
  }

  exec(command: CommandValue, environment: EnvironmentValue | null, control: RunControl): Promise<RunOutcome> {
    return this.local.exec(this.command(command), this.environment(environment), control);
  }

  spawn(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdin: ByteSource; readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.local.spawn(this.command(command), this.environment(environment), control, stdio);
  }

  /** As `spawn` with an empty input: a non-zero exit stays a completion, as in a container. */
  spawnOut(
    command: CommandValue,
    environment: EnvironmentValue | null,
    control: RunControl,
    stdio: { readonly stdout: ByteSink; readonly stderr: ByteSink },
  ): Promise<RunOutcome> {
    return this.local.spawn(this.command(command), this.environment(environment), control, { stdin: EMPTY_STDIN, ...stdio });
  }

  private command(c: CommandValue): CommandValue {
    return new CommandValue(
      mapMountPoints(c.command, this.mounts),
      c.arguments.map((a) => mapMountPoints(a, this.mounts)),
    );
  }

  private environment(e: EnvironmentValue | null): EnvironmentValue {
    if (e === null) return new EnvironmentValue(StringMapValue.empty, this.dir, false, false);
    const variables: Record<string, string> = {};
    for (const [k, v] of e.variables) variables[k] = mapMountPoints(v, this.mounts);
    const dir = e.workingDirectory === null ? this.dir : mapMountPoints(e.workingDirectory, this.mounts);
    return new EnvironmentValue(StringMapValue.from(variables), dir, e.expandVariables, e.clearEnv);
  }
}
