/**
 * CI/CD variables: YAML definitions (`NAME: value` or `NAME: {value, description, options,
 * expand}`), GitLab's precedence and the runner's expansion.
 *
 * Precedence, lowest first (GitLab's list, the parts that exist locally): predefined
 * variables, global `variables:` (unless `inherit: variables` says otherwise), the job's
 * `variables:`, the matching rule's `variables:`, `parallel: matrix` values, dotenv reports of
 * the jobs it depends on, then pipeline variables (`--variable NAME=VALUE`).
 *
 * Expansion as the runner does it: `$NAME`, `${NAME}` (and `%NAME%`, Windows style) in a value
 * are replaced by that variable's expanded value, an unknown name by nothing, `$$` by `$`;
 * values defined with `expand: false` stay raw. Cycles are cut (the inner reference is left
 * empty).
 */
import { GitlabConfigError, isMapping, keyLoc, type Mapping } from './yaml.js';

export interface VarDef {
  readonly value: string;
  readonly expand: boolean;
}
export type VarDefs = Record<string, VarDef>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads a `variables:` mapping; `where` names it in errors. */
export function readVariables(map: unknown, where: string, parent?: unknown, key = 'variables'): VarDefs {
  const out: VarDefs = {};
  if (map === undefined || map === null) return out;
  if (!isMapping(map)) throw new GitlabConfigError(`${where} must be a mapping of names to values`, keyLoc(parent, key));
  for (const [name, v] of Object.entries(map as Mapping)) {
    if (!NAME.test(name)) throw new GitlabConfigError(`${where}: '${name}' is not a valid variable name`, keyLoc(map, name));
    if (isMapping(v)) {
      const value = v.value;
      out[name] = { value: value === undefined || value === null ? '' : String(value), expand: v.expand !== false };
    } else if (v === null) out[name] = { value: '', expand: true };
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = { value: String(v), expand: true };
    else throw new GitlabConfigError(`${where}: '${name}' must be a string, a number or {value: …}`, keyLoc(map, name));
  }
  return out;
}

/** Plain values as definitions (predefined, dotenv and pipeline variables). */
export function asDefs(values: Readonly<Record<string, string>>, expand = true): VarDefs {
  const out: VarDefs = {};
  for (const [k, v] of Object.entries(values)) out[k] = { value: v, expand };
  return out;
}

/** Expands `text` with `lookup` (already-expanded values). */
export function expandText(text: string, lookup: (name: string) => string | undefined): string {
  if (!text.includes('$') && !text.includes('%')) return text;
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g, (m, a, b, c) => {
    if (m === '$$') return '$';
    const name = (a ?? b ?? c) as string;
    const v = lookup(name);
    if (v === undefined) return c !== undefined ? m : '';
    return v;
  });
}

/** Merges layers (later wins) and expands every value; returns plain values. */
export function resolveVariables(layers: readonly VarDefs[]): Record<string, string> {
  const defs: VarDefs = {};
  for (const layer of layers) Object.assign(defs, layer);
  const done = new Map<string, string>();
  const active = new Set<string>();
  const get = (name: string): string | undefined => {
    const hit = done.get(name);
    if (hit !== undefined) return hit;
    const d = defs[name];
    if (d === undefined) return undefined;
    if (!d.expand) {
      done.set(name, d.value);
      return d.value;
    }
    if (active.has(name)) return '';
    active.add(name);
    const v = expandText(d.value, get);
    active.delete(name);
    done.set(name, v);
    return v;
  };
  const out: Record<string, string> = {};
  for (const name of Object.keys(defs)) out[name] = get(name) as string;
  return out;
}

/** Parses a dotenv report: `KEY=VALUE` lines (optional quotes, `#` comments, blank lines). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, '');
    if (!NAME.test(key)) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))))
      value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}
