/**
 * A local artifact store for one run: jobs upload named sets of files and later jobs download
 * them (`actions/upload-artifact`/`download-artifact`, GitLab's `artifacts:` and `dependencies`).
 *
 * Bytes are streamed in and out (stream.pipeline between file handles, never a whole file in
 * memory). An artifact becomes visible only once complete: its files are written under a
 * temporary folder renamed into place by `finish`, so a job that fails mid-upload leaves nothing
 * a later job could half-read. Names are unique per run, as GitHub's v4 artifacts: a second
 * upload under a taken name fails unless `overwrite` is set.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ArtifactInfo {
  readonly name: string;
  readonly files: number;
  readonly size: number;
}

export class ArtifactError extends Error {}

const NAME = /^[^\\/:*?"<>|\r\n]+$/;

/** Refuses names GitHub refuses (path separators and the characters its API rejects). */
function checkName(name: string): void {
  if (!NAME.test(name) || name === '.' || name === '..') throw new ArtifactError(`invalid artifact name '${name}'`);
}

/** Keeps a relative path inside its folder (no absolute paths, no `..` escape). */
function inside(root: string, rel: string): string {
  const p = resolve(root, rel);
  if (p !== root && !p.startsWith(root + sep)) throw new ArtifactError(`path '${rel}' leaves the artifact`);
  return p;
}

/** Every regular file under `dir`, as paths relative to it (sorted). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() || e.isSymbolicLink()) out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

/** An upload in progress: add files (streams or paths), then `finish` or `abort`. */
export class ArtifactUpload {
  private done = false;
  constructor(
    private readonly store: ArtifactStore,
    readonly name: string,
    private readonly tmp: string,
    private readonly overwrite: boolean,
  ) {}

  /**
   * Streams `source` into the artifact at `rel` (a relative path with '/' separators). A
   * function is called once the destination is ready (a file stream opened earlier could fail
   * with nobody listening).
   */
  async add(rel: string, source: Readable | (() => Readable)): Promise<void> {
    const dest = inside(this.tmp, rel);
    await mkdir(dirname(dest), { recursive: true });
    await pipeline(typeof source === 'function' ? source() : source, createWriteStream(dest));
  }

  /** Streams the file `path` into the artifact at `rel`. */
  addFile(rel: string, path: string): Promise<void> {
    return this.add(rel, () => createReadStream(path));
  }

  /** Makes the artifact visible under its name. */
  async finish(): Promise<ArtifactInfo> {
    if (this.done) throw new ArtifactError(`artifact '${this.name}' is already finished`);
    this.done = true;
    const dest = this.store.pathOf(this.name);
    if (this.overwrite) await rm(dest, { recursive: true, force: true });
    try {
      await rename(this.tmp, dest);
    } catch (e) {
      await rm(this.tmp, { recursive: true, force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ArtifactError(`an artifact named '${this.name}' already exists in this run`);
      throw e;
    }
    return (await this.store.info(this.name))!;
  }

  /** Drops what was added. */
  async abort(): Promise<void> {
    this.done = true;
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** The artifacts of one run, in a folder of their own. */
export class ArtifactStore {
  private constructor(readonly root: string) {}

  /** Opens (creating it) the store in `root`. */
  static async open(root: string): Promise<ArtifactStore> {
    await mkdir(join(root, '.tmp'), { recursive: true });
    return new ArtifactStore(resolve(root));
  }

  pathOf(name: string): string {
    checkName(name);
    return join(this.root, name);
  }

  /** Starts an upload; fails at once if the name is taken (and `overwrite` is not set). */
  async upload(name: string, options: { overwrite?: boolean } = {}): Promise<ArtifactUpload> {
    checkName(name);
    if (!options.overwrite && (await this.info(name))) throw new ArtifactError(`an artifact named '${name}' already exists in this run`);
    const tmp = await mkdtemp(join(this.root, '.tmp', 'up-'));
    return new ArtifactUpload(this, name, tmp, options.overwrite ?? false);
  }

  /** Uploads the files `rels` (relative to `base`) as artifact `name`. */
  async uploadFiles(name: string, base: string, rels: readonly string[], options: { overwrite?: boolean } = {}): Promise<ArtifactInfo> {
    const up = await this.upload(name, options);
    try {
      for (const r of rels) await up.addFile(r, join(base, r));
      return await up.finish();
    } catch (e) {
      await up.abort();
      throw e;
    }
  }

  async info(name: string): Promise<ArtifactInfo | undefined> {
    const dir = this.pathOf(name);
    let files: string[];
    try {
      files = await listFiles(dir);
    } catch {
      return undefined;
    }
    let size = 0;
    for (const f of files) size += (await stat(join(dir, f))).size;
    return { name, files: files.length, size };
  }

  /** The finished artifacts, by name. */
  async list(): Promise<ArtifactInfo[]> {
    const out: ArtifactInfo[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.tmp') continue;
      const i = await this.info(e.name);
      if (i) out.push(i);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The files of an artifact (relative paths). */
  async files(name: string): Promise<string[]> {
    if (!(await this.info(name))) throw new ArtifactError(`no artifact named '${name}' in this run`);
    return listFiles(this.pathOf(name));
  }

  /** A stream of one file of an artifact. */
  open(name: string, rel: string): Readable {
    return createReadStream(inside(this.pathOf(name), rel));
  }

  /** Streams every file of `name` into `dest` (created), keeping the relative layout. */
  async download(name: string, dest: string): Promise<ArtifactInfo> {
    const files = await this.files(name);
    for (const f of files) {
      const to = join(dest, f);
      await mkdir(dirname(to), { recursive: true });
      await pipeline(this.open(name, f), createWriteStream(to));
    }
    return (await this.info(name))!;
  }

  /** Deletes the store and everything in it. */
  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
