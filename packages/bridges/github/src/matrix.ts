/**
 * `strategy.matrix` expanded as GitHub expands it: the product of the keys in their order, minus
 * `exclude` (partial matches), then each `include` entry added to every combination whose
 * original values it does not change, or appended as a combination of its own.
 */
import { isDeepStrictEqual } from 'node:util';

export type Combo = Record<string, unknown>;

export class MatrixError extends Error {}

export function expandMatrix(matrix: unknown): Combo[] {
  if (matrix === undefined || matrix === null) return [];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) throw new MatrixError('strategy.matrix must be a mapping');
  const m = matrix as Record<string, unknown>;
  const keys = Object.keys(m).filter((k) => k !== 'include' && k !== 'exclude');
  let combos: Combo[] = keys.length > 0 ? [{}] : [];
  for (const k of keys) {
    const vals = m[k];
    if (!Array.isArray(vals)) throw new MatrixError(`strategy.matrix.${k} must be a sequence`);
    if (vals.length === 0) throw new MatrixError(`strategy.matrix.${k} must not be empty`);
    combos = combos.flatMap((c) => vals.map((v) => ({ ...c, [k]: v })));
  }
  const excludes = (m.exclude ?? []) as Combo[];
  if (!Array.isArray(excludes)) throw new MatrixError('strategy.matrix.exclude must be a sequence');
  combos = combos.filter((c) => !excludes.some((e) => Object.entries(e).every(([k, v]) => isDeepStrictEqual(c[k], v))));
  const base = combos.map((c) => ({ orig: { ...c }, c }));
  const includes = (m.include ?? []) as Combo[];
  if (!Array.isArray(includes)) throw new MatrixError('strategy.matrix.include must be a sequence');
  for (const inc of includes) {
    let added = false;
    for (const b of base) {
      const compatible = Object.entries(inc).every(([k, v]) => !(k in b.orig) || isDeepStrictEqual(b.orig[k], v));
      if (compatible) {
        Object.assign(b.c, inc);
        added = true;
      }
    }
    if (!added) {
      const c = { ...inc };
      combos.push(c);
    }
  }
  if (combos.length > 256) throw new MatrixError(`a matrix may have at most 256 combinations, this one has ${combos.length}`);
  return combos;
}

/** GitHub's leg name: `job (v1, v2)` with the matrix values in order (objects as JSON). */
export function legName(job: string, combo: Combo | undefined): string {
  if (!combo || Object.keys(combo).length === 0) return job;
  const vals = Object.values(combo).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return `${job} (${vals.join(', ')})`;
}
