/**
 * `.jeu` archives: the two lines `#!/usr/bin/env melodium` and
 * `#! version 0`, then a bzip2-compressed tar whose first entry is `Compo.toml`, followed by
 * the project's `.mel` files under their relative paths.
 *
 * Reading happens in memory and refuses, with a message naming the problem, anything that
 * is not such an archive or that could hurt the reader: a wrong header, corrupt or
 * truncated data, more than {@link JEU_LIMITS} allow (the decompressor stops at the
 * limit, so a bzip2 bomb costs at most that much memory), links and special files, and
 * names that would leave the folder the archive is extracted to.
 *
 * tar is tar-stream's (USTAR with pax and GNU long names, as the reference's `tar` crate
 * writes); bzip2 is libbzip2 compiled to WebAssembly (`bzip2.ts`).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

import { Bzip2Error, compress, decompress } from './bzip2.js';

/** The header every `.jeu` starts with. */
export const JEU_HEADER = '#!/usr/bin/env melodium\n#! version 0\n';

/** What an archive may hold at most. */
export const JEU_LIMITS = {
  /** Size of the `.jeu` file itself. */
  archiveBytes: 64 * 1024 * 1024,
  /** Size of the tar once decompressed (all entries and their headers). */
  unpackedBytes: 64 * 1024 * 1024,
  /** Number of entries. */
  entries: 10_000,
  /** Length of an entry's path. */
  pathLength: 1024,
} as const;

/** A problem with an archive, or with building one; the message names it for a user. */
export class JeuError extends Error {}

/** One file of an archive: its relative path (`/`-separated) and its bytes. */
export interface JeuEntry {
  readonly path: string;
  readonly data: Uint8Array;
}

const HEADER_BYTES = new TextEncoder().encode(JEU_HEADER);

/** Whether `bytes` start with the `.jeu` header. */
export function hasJeuHeader(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_BYTES.length) return false;
  for (let i = 0; i < HEADER_BYTES.length; i++) if (bytes[i] !== HEADER_BYTES[i]) return false;
  return true;
}

/**
 * The entries of an archive, `Compo.toml` first, or a JeuError saying what is wrong.
 *
 * @example
 * const entries = await readJeu(readFileSync('shop.jeu'));
 * entries[0].path; // 'Compo.toml'
 */
export async function readJeu(bytes: Uint8Array): Promise<JeuEntry[]> {
  if (bytes.length > JEU_LIMITS.archiveBytes) throw new JeuError(`the archive is larger than ${mib(JEU_LIMITS.archiveBytes)}`);
  if (!hasJeuHeader(bytes)) throw new JeuError(`it does not start with the .jeu header (${JSON.stringify(JEU_HEADER)})`);
  let tar: Uint8Array;
  try {
    tar = decompress(bytes.subarray(HEADER_BYTES.length), JEU_LIMITS.unpackedBytes);
  } catch (e) {
    if (!(e instanceof Bzip2Error)) throw e;
    if (e.code === -8) throw new JeuError(`its contents are larger than ${mib(JEU_LIMITS.unpackedBytes)} once uncompressed`);
    throw new JeuError(`its bzip2 data cannot be read: ${e.message}`);
  }
  return untar(tar);
}

async function untar(tar: Uint8Array): Promise<JeuEntry[]> {
  const entries: JeuEntry[] = [];
  const seen = new Set<string>();
  let count = 0; // directories included
  // tar-stream is loaded by the archive commands only, not at every start.
  const ex = (await import('tar-stream')).extract();
  ex.end(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength));
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const raw = h.name;
      if (++count > JEU_LIMITS.entries) throw new JeuError(`it has more than ${JEU_LIMITS.entries} entries`);
      if (h.type === 'directory') {
        checkPath(raw, entries.length === 0);
        entry.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file')
        throw new JeuError(`entry '${raw}' is ${describeType(h.type)}; a .jeu holds only files`);
      const path = checkPath(raw, entries.length === 0);
      if (seen.has(path)) throw new JeuError(`entry '${path}' appears twice`);
      seen.add(path);
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      entries.push({ path, data: new Uint8Array(Buffer.concat(chunks)) });
    }
  } catch (e) {
    if (e instanceof JeuError) throw e;
    throw new JeuError(`its tar data cannot be read: ${(e as Error).message}`);
  }
  if (entries.length === 0) throw new JeuError('it holds no files (its first entry must be Compo.toml)');
  return entries;
}

function describeType(type: string | null | undefined): string {
  switch (type) {
    case 'symlink':
      return 'a symbolic link';
    case 'link':
      return 'a hard link';
    case 'character-device':
    case 'block-device':
      return 'a device';
    case 'fifo':
      return 'a named pipe';
    default:
      return `of type '${type ?? 'unknown'}'`;
  }
}

/**
 * The normal form of an entry's name (`./a/b.mel` → `a/b.mel`), refusing names that could
 * leave the folder: absolute, `..`, backslashes, drive letters, NUL.
 */
function checkPath(raw: string, first: boolean): string {
  if (raw.length > JEU_LIMITS.pathLength) throw new JeuError(`an entry's name is longer than ${JEU_LIMITS.pathLength} characters`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw new JeuError(`entry '${raw}' has an absolute path`);
  if (raw.includes('\\') || raw.includes('\0')) throw new JeuError(`entry '${raw}' has a name with a backslash or NUL`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new JeuError(`entry '${raw}' would leave the package's folder ('..')`);
  const path = parts.join('/');
  if (path === '') throw new JeuError(`an entry has an empty name ('${raw}')`);
  if (first && path !== 'Compo.toml') throw new JeuError(`its first entry is '${path}', not Compo.toml`);
  return path;
}

function mib(n: number): string {
  return `${n / (1024 * 1024)} MiB`;
}

/**
 * The files a `.jeu` of the project in `dir` holds: `Compo.toml`, then every `.mel` file
 * below (sorted; names starting with `.` and `node_modules` skipped).
 */
export function projectEntries(dir: string): JeuEntry[] {
  const out: JeuEntry[] = [];
  try {
    out.push({ path: 'Compo.toml', data: readFileSync(join(dir, 'Compo.toml')) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new JeuError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `'${dir}' is not a project folder: it has no Compo.toml`
        : `cannot read ${join(dir, 'Compo.toml')}: ${(e as Error).message}`,
    );
  }
  const walk = (d: string, prefix: string) => {
    for (const n of readdirSync(d).sort()) {
      if (n.startsWith('.') || n === 'node_modules') continue;
      const p = join(d, n);
      const s = lstatSync(p);
      if (s.isDirectory()) walk(p, `${prefix}${n}/`);
      else if (s.isFile() && n.endsWith('.mel')) out.push({ path: `${prefix}${n}`, data: readFileSync(p) });
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Builds the bytes of a `.jeu` from `entries` (Compo.toml first).
 *
 * @example
 * writeFileSync('shop.jeu', await buildJeu(projectEntries('shop')));
 */
export async function buildJeu(entries: readonly JeuEntry[]): Promise<Uint8Array> {
  if (entries[0]?.path !== 'Compo.toml') throw new JeuError('the first entry of a .jeu must be Compo.toml');
  if (entries.length > JEU_LIMITS.entries) throw new JeuError(`a .jeu holds at most ${JEU_LIMITS.entries} files`);
  // What the reader accepts, counted as the tar holds it (a 512-byte header, the data
  // rounded up to 512, pax headers for long names): a build never makes an unreadable .jeu.
  const total = entries.reduce((n, e) => n + 1536 + Math.ceil(e.data.length / 512) * 512, 1024);
  if (total > JEU_LIMITS.unpackedBytes) throw new JeuError(`the project is larger than ${mib(JEU_LIMITS.unpackedBytes)}`);
  const p = (await import('tar-stream')).pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  // A fixed date and mode: the same project always gives the same bytes.
  for (const e of entries)
    p.entry(
      { name: e.path, type: 'file', mode: 0o644, mtime: new Date(0) },
      Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength),
    );
  p.finalize();
  await done;
  const body = compress(new Uint8Array(Buffer.concat(chunks)));
  const out = new Uint8Array(HEADER_BYTES.length + body.length);
  out.set(HEADER_BYTES, 0);
  out.set(body, HEADER_BYTES.length);
  return out;
}

/**
 * Extracts the archive `file` into `<outputDir>/<file stem>/` (folders created as needed)
 * and returns that folder. Everything is read and checked before anything is written.
 */
export async function extractJeu(file: string, outputDir: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new JeuError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let entries: JeuEntry[];
  try {
    entries = await readJeu(bytes);
  } catch (e) {
    if (e instanceof JeuError) throw new JeuError(`'${file}' is not a valid .jeu archive: ${e.message}`);
    throw e;
  }
  const stem = basename(file).replace(/\.[^.]*$/, '') || basename(file);
  const target = resolve(outputDir, stem);
  for (const e of entries) {
    const dest = resolve(target, e.path);
    // checkPath already refused '..' and absolute names; this makes sure of it once more.
    if (!dest.startsWith(target + sep)) throw new JeuError(`entry '${e.path}' would leave ${target}`);
  }
  for (const e of entries) {
    const dest = resolve(target, e.path);
    try {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, e.data);
    } catch (err) {
      throw new JeuError(`cannot write ${dest}: ${(err as Error).message}`);
    }
  }
  return target;
}
