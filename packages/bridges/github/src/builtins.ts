/**
 * The actions built in, offline (docs/github-actions.md lists the inputs each honours):
 * - `actions/checkout`: a copy of the repository's working tree (tracked files and untracked
 *   ones not ignored, as the next commit would see them) into `path` under the workspace;
 * - `actions/upload-artifact` / `download-artifact`: the run's artifact store, bytes streamed;
 * - `actions/cache` (and `cache/restore`, `cache/save`): the local cache store, keyed as GitHub
 *   keys it (exact key, then restore-keys prefixes, newest first), saved in a post step.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type ArtifactStore, type CacheStore, listFiles } from '@tutti/pipeline';
import picomatch from 'picomatch';
import { workingTreeFiles } from './git.js';
import { type StepCall, StepFailure } from './steps.js';

export interface BuiltinStores {
  readonly repoRoot: string;
  readonly repository: string;
  readonly artifacts: ArtifactStore;
  readonly cache: CacheStore;
}

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

const bool = (s: string | undefined, dflt: boolean) => (s === undefined || s === '' ? dflt : s.trim().toLowerCase() === 'true');

export async function runBuiltin(stores: BuiltinStores, name: string, call: StepCall): Promise<Record<string, string>> {
  switch (name) {
    case 'actions/checkout':
      return checkout(stores, call);
    case 'actions/upload-artifact':
      return uploadArtifact(stores, call);
    case 'actions/download-artifact':
      return downloadArtifact(stores, call);
    case 'actions/cache':
      return cache(stores, call, true, true);
    case 'actions/cache/restore':
      return cache(stores, call, true, false);
    case 'actions/cache/save':
      return cache(stores, call, false, true);
    default:
      throw new StepFailure(`no built-in action '${name}'`);
  }
}

async function checkout(stores: BuiltinStores, call: StepCall): Promise<Record<string, string>> {
  const repo = call.with.repository;
  if (repo && repo !== stores.repository)
    throw new StepFailure(
      `actions/checkout: only the workflow's own repository (${stores.repository}) can be checked out offline, not '${repo}'`,
    );
  const ws = call.leg.workspace;
  const dest = resolve(ws, call.with.path ?? '.');
  if (dest !== ws && !dest.startsWith(ws + sep))
    throw new StepFailure(`actions/checkout: path '${call.with.path}' is not under the workspace`);
  const files = (await workingTreeFiles(stores.repoRoot)) ?? (await listFiles(stores.repoRoot)).filter((f) => !f.startsWith(`.git${sep}`));
  let n = 0;
  const made = new Set<string>();
  for (const f of files) {
    const from = join(stores.repoRoot, f);
    let s: import('node:fs').Stats;
    try {
      s = await stat(from);
    } catch {
      continue; // deleted in the working tree
    }
    if (!s.isFile()) continue;
    const to = join(dest, f);
    const d = dirname(to);
    if (!made.has(d)) {
      await mkdir(d, { recursive: true });
      made.add(d);
    }
    await copyFile(from, to);
    n++;
  }
  call.log(`Copied the working tree of ${stores.repository} (${n} files) to ${relative(ws, dest) || '.'}`);
  return {};
}

/** Files matched by upload-artifact's `path` lines (globs, `!` excludes) and the root they are stored relative to. */
async function searchFiles(ws: string, patterns: string[]): Promise<{ root: string; files: string[] }> {
  const inc = patterns.filter((p) => !p.startsWith('!'));
  const exc = patterns.filter((p) => p.startsWith('!')).map((p) => resolve(ws, p.slice(1)));
  const excluded = exc.length > 0 ? picomatch(exc, { dot: true }) : () => false;
  const found = new Set<string>();
  const roots: string[] = [];
  for (const p of inc) {
    const abs = resolve(ws, p);
    const globAt = abs.search(/[*?[{]/);
    if (globAt < 0) {
      let s: import('node:fs').Stats;
      try {
        s = await stat(abs);
      } catch {
        continue;
      }
      if (s.isDirectory()) {
        roots.push(abs);
        for (const f of await listFiles(abs)) found.add(join(abs, f));
      } else {
        roots.push(dirname(abs));
        found.add(abs);
      }
      continue;
    }
    const base = abs.slice(0, abs.lastIndexOf(sep, globAt)) || sep;
    roots.push(base);
    const m = picomatch(abs, { dot: true });
    let all: string[] = [];
    try {
      all = await listFiles(base);
    } catch {
      continue;
    }
    for (const f of all) if (m(join(base, f))) found.add(join(base, f));
  }
  const files = [...found].filter((f) => !excluded(f)).sort();
  // the least common ancestor of the search paths, as upload-artifact
  let root = roots[0] ?? ws;
  for (const r of roots) while (r !== root && !r.startsWith(root + sep)) root = dirname(root);
  return { root, files };
}

async function uploadArtifact(stores: BuiltinStores, call: StepCall): Promise<Record<string, string>> {
  const name = call.with.name || 'artifact';
  const patterns = lines(call.with.path);
  if (patterns.length === 0) throw new StepFailure("upload-artifact: input 'path' is required");
  const { root, files } = await searchFiles(call.leg.workspace, patterns);
  if (files.length === 0) {
    const mode = call.with['if-no-files-found'] || 'warn';
    const msg = `No files were found with the provided path: ${patterns.join(', ')}. No artifacts will be uploaded.`;
    if (mode === 'error') throw new StepFailure(msg);
    if (mode === 'warn') call.log(`##[warning]${msg}`);
    return {};
  }
  const info = await stores.artifacts
    .uploadFiles(
      name,
      root,
      files.map((f) => relative(root, f)),
      { overwrite: bool(call.with.overwrite, false) },
    )
    .catch((e: Error) => {
      throw new StepFailure(`upload-artifact: ${e.message}`);
    });
  call.log(`Artifact '${name}' uploaded: ${info.files} files, ${info.size} bytes`);
  return { 'artifact-id': name, 'artifact-url': `file://${stores.artifacts.pathOf(name)}` };
}

async function downloadArtifact(stores: BuiltinStores, call: StepCall): Promise<Record<string, string>> {
  const dest = resolve(call.leg.workspace, call.with.path || '.');
  const name = call.with.name;
  if (name) {
    await stores.artifacts.download(name, dest).catch((e: Error) => {
      throw new StepFailure(`download-artifact: ${e.message}`);
    });
    call.log(`Artifact '${name}' downloaded to ${dest}`);
    return { 'download-path': dest };
  }
  const pattern = call.with.pattern;
  const match = pattern ? picomatch(pattern) : () => true;
  const merge = bool(call.with['merge-multiple'], false);
  const all = (await stores.artifacts.list()).filter((a) => match(a.name));
  for (const a of all) await stores.artifacts.download(a.name, merge ? dest : join(dest, a.name));
  call.log(`${all.length} artifact(s) downloaded to ${dest}`);
  return { 'download-path': dest };
}

async function cache(stores: BuiltinStores, call: StepCall, restore: boolean, save: boolean): Promise<Record<string, string>> {
  const key = call.with.key ?? '';
  const paths = lines(call.with.path);
  if (key === '') throw new StepFailure("actions/cache: input 'key' is required");
  if (paths.length === 0) throw new StepFailure("actions/cache: input 'path' is required");
  const ws = call.leg.workspace;
  const outputs: Record<string, string> = {};
  let exact = false;
  if (restore) {
    const restoreKeys = lines(call.with['restore-keys']);
    const lookupOnly = bool(call.with['lookup-only'], false);
    const hit = lookupOnly
      ? await stores.cache.lookup(key, restoreKeys, (await import('@tutti/pipeline')).cacheVersion(paths))
      : await stores.cache.restore(key, restoreKeys, paths, ws);
    if (!hit) {
      if (bool(call.with['fail-on-cache-miss'], false))
        throw new StepFailure(`Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${key}`);
      call.log(`Cache not found for input keys: ${[key, ...restoreKeys].join(', ')}`);
      outputs['cache-hit'] = 'false';
    } else {
      exact = hit.exact;
      outputs['cache-hit'] = String(hit.exact);
      outputs['cache-primary-key'] = key;
      outputs['cache-matched-key'] = hit.key;
      call.log(`Cache restored from key: ${hit.key}`);
    }
  }
  if (save) {
    const doSave = async () => {
      if (await stores.cache.save(key, paths, ws)) call.log(`Cache saved with key: ${key}`);
      else call.log(`Cache not saved: key '${key}' exists already or no path exists`);
    };
    if (!restore) await doSave();
    else if (!exact) call.post(call.name.slice(call.frame.prefix.length), doSave, 'success()');
  }
  return outputs;
}
