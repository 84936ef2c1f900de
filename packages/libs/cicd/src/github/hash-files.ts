/**
 * GitHub's `hashFiles()`: the SHA-256 of the SHA-256 of each file a set of patterns matches
 * under the workspace (sorted by path, `.git` aside; `!` patterns exclude); '' when nothing
 * matches. Shared by `tutti github run` and the expression realm of imported programs (see
 * realm.ts: the realm has no file system, so the helpers compute what it asks for).
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** picomatch's matcher factory (the bundle evaluates picomatch only when a hash is asked for). */
export type Matcher = (patterns: string | string[], options?: { dot?: boolean }) => (path: string) => boolean;

/** picomatch, loaded on first use: `tutti run` of a program without hashFiles() never evaluates it. */
async function loadMatcher(): Promise<Matcher> {
  return ((await import('picomatch')) as unknown as { default: Matcher }).default;
}

/** The files under the workspace (`.git` aside) that the patterns match (with `picomatch`), sorted by path. */
export function matchedFiles(picomatch: Matcher, workspace: string, patterns: readonly string[]): string[] {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const root = resolve(workspace);
  const norm = (p: string) => relative(root, resolve(root, p)).split(sep).join('/');
  const inc = picomatch(include.map(norm), { dot: true });
  const exc = exclude.length > 0 ? picomatch(exclude.map(norm), { dot: true }) : () => false;
  const files: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const rel = relative(root, p).split(sep).join('/');
      if (e.isDirectory()) {
        if (e.name !== '.git') walk(p);
      } else if (e.isFile() && inc(rel) && !exc(rel)) files.push(p);
    }
  };
  walk(root);
  return files.sort();
}

/** `hashFiles(patterns)` over `workspace`. */
export async function hashFiles(workspace: string, patterns: readonly string[]): Promise<string> {
  const files = matchedFiles(await loadMatcher(), workspace, patterns);
  if (files.length === 0) return '';
  const all = createHash('sha256');
  for (const f of files) {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
    all.update(h.digest());
  }
  return all.digest('hex');
}

/** {@link hashFiles}, read synchronously (for an evaluator that is synchronous), with `picomatch` given. */
export function hashFilesSync(picomatch: Matcher, workspace: string, patterns: readonly string[]): string {
  const files = matchedFiles(picomatch, workspace, patterns);
  if (files.length === 0) return '';
  const all = createHash('sha256');
  for (const f of files) all.update(createHash('sha256').update(readFileSync(f)).digest());
  return all.digest('hex');
}
