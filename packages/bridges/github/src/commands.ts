/**
 * What a step says back to the runner: workflow commands on its output (`::name k=v::message`)
 * and the file commands of GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH, read as the
 * runner reads them (`NAME=value` lines and `NAME<<DELIMITER` heredocs), and the secret masker
 * every line goes through.
 */
import { readFile } from 'node:fs/promises';

export interface WorkflowCommand {
  readonly name: string;
  readonly props: Readonly<Record<string, string>>;
  readonly message: string;
}

const unescapeData = (s: string) => s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
const unescapeProp = (s: string) => unescapeData(s.replaceAll('%3A', ':').replaceAll('%2C', ','));

/** Parses `::name k=v,k2=v2::message`; undefined when the line is not a command. */
export function parseCommand(line: string): WorkflowCommand | undefined {
  const l = line.trimStart();
  if (!l.startsWith('::')) return undefined;
  const end = l.indexOf('::', 2);
  if (end < 0) return undefined;
  const head = l.slice(2, end);
  const sp = head.indexOf(' ');
  const name = (sp < 0 ? head : head.slice(0, sp)).toLowerCase();
  if (!/^[a-z-]+$/.test(name) && !/^[^\s:]+$/.test(name)) return undefined;
  const props: Record<string, string> = {};
  if (sp >= 0)
    for (const kv of head.slice(sp + 1).split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) props[kv.slice(0, eq).trim()] = unescapeProp(kv.slice(eq + 1));
    }
  return { name, props, message: unescapeData(l.slice(end + 2)) };
}

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

/** Replaces every secret (and each line of a multi-line one) by `***`. */
export class Masker {
  private secrets: string[] = [];

  add(value: string): void {
    for (const v of [value, ...value.split(/\r?\n/)]) {
      const t = v.trim();
      if (t.length === 0 || this.secrets.includes(t)) continue;
      this.secrets.push(t);
      // longest first, so a secret containing another is masked whole
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  mask(line: string): string {
    for (const s of this.secrets) if (line.includes(s)) line = line.replaceAll(s, '***');
    return line;
  }
}
