/**
 * What a step says back to the runner: workflow commands on its output (`::name k=v::message`)
 * and the file commands of GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH, read as the
 * runner reads them (`NAME=value` lines and `NAME<<DELIMITER` heredocs), and the secret masker
 * every line goes through.
 */
import { readFile } from 'node:fs/promises';

// The command parser and the masker are shared with imported programs' steps (cicd's workflow-commands.ts).
export { Masker, parseCommand, type WorkflowCommand } from '@tutti/lib-cicd';

export class FileCommandError extends Error {}

/** The entries of a GITHUB_ENV/OUTPUT/STATE file (later entries win). */
export function parseEnvFile(text: string, file = 'file'): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (hd > 0 && (eq < 0 || hd < eq)) {
      const name = line.slice(0, hd);
      const delim = line.slice(hd + 2);
      if (name === '' || delim === '') throw new FileCommandError(`${file}: invalid line '${line}'`);
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true;
          break;
        }
        body.push(lines[i]!);
      }
      if (!closed) throw new FileCommandError(`${file}: matching delimiter '${delim}' not found for '${name}'`);
      out.push([name, body.join('\n')]);
    } else if (eq > 0) out.push([line.slice(0, eq), line.slice(eq + 1)]);
    else throw new FileCommandError(`${file}: invalid line '${line}' (expected NAME=value or NAME<<DELIMITER)`);
  }
  return out;
}

/** Reads an env-style file command (missing: nothing). */
export async function readEnvFile(path: string): Promise<[string, string][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return parseEnvFile(text, path);
}

/** GITHUB_PATH: one folder a line. */
export async function readPathFile(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
}
