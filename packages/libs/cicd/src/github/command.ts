/**
 * `cicd/services/github::githubCommand`: a GitHub Actions `run:`
 * script written to a temporary file, and the command that runs it with the step's shell.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { END, treatment } from '@tutti/core';
import { CommandValue } from '@tutti/lib-process';
import { githubShell } from './run-environment.js';
import { area } from './state.js';

/** Whether the default shell is the Windows one. */
const WINDOWS = process.platform === 'win32';

/** Extension of the script file and the command running `file`, for a `shell:` value; undefined for an unknown shell. */
export function shellCommand(
  shell: string | null,
  file: (ext: string) => string,
  env: NodeJS.ProcessEnv = process.env,
  windows = WINDOWS,
): { ext: string; program: string; args: string[] } | undefined {
  const pwsh = (program: string) => ({ ext: 'ps1', program, args: ['-command', `. '${file('ps1')}'`] });
  switch (shell) {
    case null:
      return windows ? pwsh('pwsh') : { ext: 'sh', program: 'bash', args: ['-xe', file('sh')] };
    case 'bash':
      return { ext: 'sh', program: 'bash', args: ['--noprofile', '--norc', '-xeo', 'pipefail', file('sh')] };
    case 'sh':
      return { ext: 'sh', program: 'sh', args: ['-xe', file('sh')] };
    case 'pwsh':
      return pwsh('pwsh');
    case 'powershell':
      return pwsh('powershell');
    case 'python':
      return { ext: 'py', program: 'python', args: [file('py')] };
    case 'cmd':
      // ⚑ As the reference: the command names `<hash>.cmd.cmd`
      // while the file written is `<hash>.cmd`.
      return { ext: 'cmd', program: env.ComSpec ?? 'cmd.exe', args: ['/D', '/E:ON', '/V:OFF', '/S', '/C', `"CALL "${file('cmd')}.cmd""`] };
    default:
      return undefined;
  }
}

/** `<tmp>/<sha-256 of the script>`: the same script always gets the same file. */
export function scriptBase(run: string, dir = tmpdir()): string {
  return join(dir, createHash('sha256').update(run).digest('hex'));
}

/**
 * Writes `text` to `path` whole: written to a file of its own, then renamed over `path`. Steps
 * with the same script (the legs of a matrix) share its file, and writing it in place
 * truncated it while another step's shell was reading it: that step ran an empty script and
 * passed without doing anything. A shell that opened the file keeps reading the one it opened.
 */
async function writeScript(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Whether `bash` is on the PATH (GitHub's default shell is `sh` without it). */
let bash: boolean | undefined;
function hasBash(): boolean {
  bash ??= (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'bash')));
  return bash;
}

export const githubCommand = treatment(area, 'githubCommand', {
  params: { github_shells: 'var bool = false' },
  inputs: { shell: 'Block<Option<string>>', run: 'Block<string>' },
  outputs: { command: 'Stream<Command>' },
  doc:
    'Writes the script `run` to `<tmp>/<hash>.<ext>` and emits the command running it: no shell → ' +
    '`bash -xe <file>` (`pwsh` on Windows), `bash` → `bash --noprofile --norc -xeo pipefail <file>`, ' +
    '`sh` → `sh -xe <file>`, `pwsh`/`powershell` → `<shell> -command ". \'<file>\'"`, `python` → ' +
    '`python <file>`, `cmd` → `%ComSpec% /D /E:ON /V:OFF /S /C "CALL "<file>.cmd""`. Emits nothing for an ' +
    "unknown shell or when the file cannot be written. Tutti's extension: with `github_shells`, GitHub's own table " +
    '(no trace): no shell → `bash -e <file>` (`sh -e` without bash), `bash` → `bash --noprofile --norc -eo pipefail ' +
    '<file>`, `sh` → `sh -e <file>`, `python` → `python3 <file>`, `pwsh`/`powershell` as above, any other text a ' +
    'template where `{0}` is the file.',
  async run({ inputs, outputs, params }) {
    const [shell, run] = await Promise.all([inputs.shell.recvOne(), inputs.run.recvOne()]);
    if (shell === END || run === END) return;
    const base = scriptBase(run as string);
    const command =
      params.github_shells === true
        ? githubShell(shell as string | null, (ext) => `${base}${ext}`, hasBash())
        : shellCommand(shell as string | null, (ext) => `${base}.${ext}`);
    if (command === undefined) return;
    const ext = command.ext === '' || command.ext.startsWith('.') ? command.ext : `.${command.ext}`;
    try {
      await writeScript(`${base}${ext}`, run as string);
    } catch {
      return;
    }
    await outputs.command.sendOne(new CommandValue(command.program, command.args));
  },
});
