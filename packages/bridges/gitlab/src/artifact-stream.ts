/**
 * Artifacts as a byte stream: a job's artifact files are packed into one tar stream as they
 * are read from its workspace, and that stream is fanned out, while it is written, to every
 * consumer at once — the run's artifact store (kept for later runs and for the report) and
 * the workspaces of the jobs that depend on it and are already prepared, each extracting the
 * entries as they arrive. A dependent thus starts with its artifacts in place, without a
 * download after its needs are done.
 *
 * tar-stream (USTAR with pax headers for long names; already the loader's) writes and reads the
 * archive; it is loaded when a job uploads artifacts, not at start-up.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactUpload } from '@tutti/pipeline';

/** Keeps an archive's entry inside `root` (no absolute path, no `..`); undefined otherwise. */
function inside(root: string, rel: string): string | undefined {
  if (rel === '' || rel.startsWith('/') || rel.includes('\0')) return undefined;
  const p = resolve(root, rel);
  return p.startsWith(root + sep) ? p : undefined;
}

/**
 * A tar stream of the files `rels` (relative, `/`-separated) of `base`, read one after the
 * other as the stream is consumed, with their modes. A symbolic link is archived as the file
 * it points to, as the artifact store has always kept it.
 */
export async function packFiles(base: string, rels: readonly string[]): Promise<AsyncIterable<Uint8Array>> {
  const pack = (await import('tar-stream')).pack();
  (async () => {
    for (const rel of rels) {
      if (pack.destroyed) return; // the reader gave up
      const abs = resolve(base, rel);
      const s = await stat(abs);
      if (!s.isFile()) continue;
      const entry = pack.entry({ name: rel, type: 'file', size: s.size, mode: s.mode & 0o777, mtime: s.mtime });
      await pipeline(createReadStream(abs), entry as unknown as Writable);
    }
    pack.finalize();
  })().catch((e: Error) => {
    if (!pack.destroyed) pack.destroy(e);
  });
  return pack as unknown as AsyncIterable<Uint8Array>;
}

/** Reads a tar stream, calling `onFile` for each file entry in archive order; resolves with their paths. */
async function readTar(source: Readable, onFile: (rel: string, bytes: Readable, mode: number) => Promise<void>): Promise<string[]> {
  const ex = (await import('tar-stream')).extract();
  const done: string[] = [];
  const feeding = pipeline(source, ex as unknown as Writable);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      if (h.type === 'file' || h.type === 'contiguous-file') {
        await onFile(h.name, entry as unknown as Readable, h.mode ?? 0o644);
        done.push(h.name);
      } else entry.resume();
    }
  } catch (e) {
    await feeding.catch(() => {});
    throw e;
  }
  await feeding;
  return done;
}

/** Extracts a tar stream into `dest` as it arrives (over the files already there). */
export function extractTo(dest: string, source: Readable): Promise<string[]> {
  const root = resolve(dest);
  return readTar(source, async (rel, bytes, mode) => {
    const to = inside(root, rel);
    if (to === undefined) throw new Error(`artifact entry '${rel}' leaves the workspace`);
    await mkdir(dirname(to), { recursive: true });
    await rm(to, { force: true });
    await pipeline(bytes, createWriteStream(to, { mode }));
  });
}

/** Writes a tar stream into an artifact store upload, file by file (the upload is not finished). */
export function extractToUpload(upload: ArtifactUpload, source: Readable): Promise<string[]> {
  return readTar(source, (rel, bytes) => upload.add(rel, bytes));
}

/**
 * Fans one stream out to consumers, each reading every chunk as it is produced (backpressure:
 * the slowest consumer paces the source). A consumer that fails is detached and reported in
 * its own result; the others go on. Resolves with each consumer's result (or error), in order;
 * rejects when the source fails.
 */
export async function fanOut<T>(
  source: AsyncIterable<Uint8Array>,
  consumers: readonly ((stream: Readable) => Promise<T>)[],
): Promise<({ ok: true; value: T } | { ok: false; error: Error })[]> {
  const branches = consumers.map(() => new PassThrough({ highWaterMark: 256 * 1024 }));
  const live = new Set(branches);
  const results = consumers.map((c, i) => {
    const branch = branches[i] as PassThrough;
    return c(branch).then(
      (value) => ({ ok: true as const, value }),
      (error: Error) => {
        live.delete(branch);
        branch.destroy();
        return { ok: false as const, error };
      },
    );
  });
  try {
    for await (const chunk of source) {
      const full = [...live].filter((b) => !b.write(chunk));
      if (full.length > 0)
        await Promise.all(
          full.map((b) => new Promise<void>((ok) => (!live.has(b) || b.destroyed ? ok() : b.once('drain', ok).once('close', ok)))),
        );
    }
    for (const b of live) b.end();
  } catch (e) {
    for (const b of branches) b.destroy(e as Error);
    await Promise.allSettled(results);
    throw e;
  }
  return Promise.all(results);
}
