/**
 * YAML with positions: a `.gitlab-ci.yml` file (or an included one) read with the `yaml`
 * package into plain values, keeping the line of every mapping and of each of its keys, so
 * that later errors (an unknown `extends`, a job without `script`) name file and line.
 *
 * GitLab's dialect on top of YAML 1.2: merge keys (`<<: *anchor`, YAML 1.1 style), anchors and
 * aliases, and the `!reference [job, key, …]` tag, kept here as a {@link Reference} value and
 * resolved by config.ts once every include is merged (a reference may point into another file).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type Document as YamlDocument } from 'yaml';

/** A place in a configuration file (1-based line and column). */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A configuration problem: exit status 2, printed as `file:line:col: message`. */
export class GitlabConfigError extends Error {
  override readonly name = 'GitlabConfigError';
  constructor(
    message: string,
    readonly loc?: Loc,
  ) {
    super(message);
  }

  /** `file:line:col: message` (or just the message without a place). */
  render(): string {
    const l = this.loc;
    return l === undefined ? this.message : `${l.file}:${l.line}:${l.col}: ${this.message}`;
  }
}

/** `!reference [.job, key, …]`: replaced by the value at that path (config.ts). */
export class Reference {
  constructor(
    readonly path: readonly string[],
    readonly loc: Loc,
  ) {}
}

/** A plain YAML value as read here. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Reference;
export type Mapping = { [key: string]: Value };

interface MapLoc {
  readonly loc: Loc;
  readonly keys: Map<string, Loc>;
}
const locations = new WeakMap<object, MapLoc>();

/** Where a mapping or sequence read from YAML starts (undefined for values built in code). */
export function locOf(value: unknown): Loc | undefined {
  return typeof value === 'object' && value !== null ? locations.get(value)?.loc : undefined;
}

/** Where `key` of a mapping read from YAML is written (falls back to the mapping's place). */
export function keyLoc(map: unknown, key: string): Loc | undefined {
  if (typeof map !== 'object' || map === null) return undefined;
  const m = locations.get(map);
  return m?.keys.get(key) ?? m?.loc;
}

/** Records `loc` for a value built in code (a merged job keeps its definition's place). */
export function setLoc(value: object, loc: Loc | undefined, keys?: Map<string, Loc>): void {
  if (loc !== undefined) locations.set(value, { loc, keys: keys ?? new Map() });
}

/** The key places of a mapping (for copies that keep them). */
export function keyLocs(value: object): Map<string, Loc> {
  return new Map(locations.get(value)?.keys ?? []);
}

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Reference);
}

/** The `inputs:` an include gives a file, by name. */
export type Inputs = Readonly<Record<string, Value>>;

const INTERPOLATION = /\$\[\[\s*inputs\.([A-Za-z0-9_-]+)((?:\s*\|\s*[a-z_]+(?:\([^)]*\))?)*)\s*\]\]/g;

/**
 * Parses one YAML file's text; throws {@link GitlabConfigError} on a syntax error. A file may
 * start with a `spec:` header document declaring its CI/CD `inputs` (then `---` and the
 * configuration): `inputs` are the values its include gives (none for the main file), checked
 * against the header (unknown, missing, `type`, `options`, `regex`) and interpolated where the
 * configuration says `$[[ inputs.NAME ]]` — a whole value becomes the input's value with its
 * type, a part of a text its text — with the functions `expand_vars` (variables of `variables`),
 * `truncate(offset,length)` and `posix_escape`.
 */
export function parseYaml(text: string, file: string, inputs?: Inputs, variables?: Readonly<Record<string, string>>): Value {
  const lines = new LineCounter();
  const options = {
    lineCounter: lines,
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: [{ tag: '!reference', collection: 'seq' as const, resolve: (seq: unknown) => seq as never }],
  };
  const at = (offset: number): Loc => {
    const p = lines.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const docs = parseAllDocuments(text, options);
  if (!Array.isArray(docs)) throw new GitlabConfigError('YAML: unreadable document stream', at(0));
  if (docs.length > 2)
    throw new GitlabConfigError(
      'YAML: a configuration holds at most two documents (a spec: header and the configuration)',
      at(docs[2]?.range[0] ?? 0),
    );
  if (docs.length === 0) return null;
  let doc = docs[0] as YamlDocument;
  let values: Record<string, Value> | undefined;
  if (docs.length === 2) {
    const head = docs[0] as YamlDocument;
    if (head.errors[0] !== undefined)
      throw new GitlabConfigError(`YAML: ${head.errors[0].message.split('\n')[0]}`, at(head.errors[0].pos[0]));
    const header = new Converter(head, at).node(head.contents as Node, 0);
    if (!isMapping(header) || !('spec' in header) || Object.keys(header).length !== 1)
      throw new GitlabConfigError('YAML: the first of two documents must be a spec: header', at(0));
    values = inputValues(header.spec, inputs ?? {}, keyLoc(header, 'spec') ?? at(0));
    doc = docs[1] as YamlDocument;
  } else if (inputs !== undefined && Object.keys(inputs).length > 0)
    throw new GitlabConfigError(`inputs given to '${file}', which declares none (no spec:inputs header)`);
  const first = doc.errors[0];
  if (first !== undefined) throw new GitlabConfigError(`YAML: ${first.message.split('\n')[0]}`, at(first.pos[0]));
  const interpolate = (textValue: string, loc: Loc, whole: boolean): Value => {
    if (!textValue.includes('$[[')) return textValue;
    if (values === undefined) return textValue; // no spec: header, no interpolation (as GitLab)
    const known = values;
    const one = (name: string, fns: string): Value => {
      if (!(name in known))
        throw new GitlabConfigError(`unknown input '${name}' (the spec: header declares ${Object.keys(known).join(', ') || 'none'})`, loc);
      let v = known[name] as Value;
      for (const f of fns
        .split('|')
        .map((x) => x.trim())
        .filter((x) => x !== '')) {
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        const m = /^([a-z_]+)(?:\(([^)]*)\))?$/.exec(f);
        if (m?.[1] === 'expand_vars')
          v = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, a, b) => variables?.[a ?? b] ?? all);
        else if (m?.[1] === 'posix_escape') v = text.replace(/([^A-Za-z0-9_\-.,:/@\n])/g, '\\$1');
        else if (m?.[1] === 'truncate') {
          const [off, len] = (m[2] ?? '').split(',').map((x) => Number(x.trim()));
          if (!Number.isInteger(off) || !Number.isInteger(len) || (off as number) < 0 || (len as number) < 0)
            throw new GitlabConfigError(`truncate expects two whole numbers: truncate(offset,length), in '${textValue}'`, loc);
          v = text.slice(off, (off as number) + (len as number));
        } else throw new GitlabConfigError(`unknown interpolation function '${f}' (expand_vars, truncate, posix_escape)`, loc);
      }
      return v;
    };
    INTERPOLATION.lastIndex = 0;
    const m = INTERPOLATION.exec(textValue);
    if (whole && m !== null && m[0] === textValue.trim()) return one(m[1] as string, m[2] ?? '');
    const out = textValue.replace(INTERPOLATION, (_all, name: string, fns: string) => {
      const v = one(name, fns ?? '');
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
    if (out.includes('$[[')) throw new GitlabConfigError(`'${textValue}': an interpolation is not of the form $[[ inputs.NAME ]]`, loc);
    return out;
  };
  const convert = new Converter(doc, at, interpolate);
  return doc.contents === null ? null : convert.node(doc.contents as Node, 0);
}

/** Turns the YAML tree into plain values with recorded places. */
class Converter {
  constructor(
    private readonly doc: YamlDocument,
    private readonly at: (offset: number) => Loc,
    private readonly interpolate: (text: string, loc: Loc, whole: boolean) => Value = (t) => t,
  ) {}

  node(node: Node, depth: number): Value {
    const loc = this.at(node.range?.[0] ?? 0);
    if (depth > 64) throw new GitlabConfigError('YAML: nesting too deep (aliases or structures over 64 levels)', loc);
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) throw new GitlabConfigError(`YAML: unknown alias '*${node.source}'`, loc);
      return this.node(target as Node, depth + 1);
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return this.interpolate(v, loc, true);
      if (typeof v === 'number' || typeof v === 'boolean') return v;
      if (typeof v === 'bigint') return Number(v);
      return String(v);
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => (item === null ? null : this.node(item as Node, depth + 1)));
      if (node.tag === '!reference') {
        if (!items.every((i) => typeof i === 'string' || typeof i === 'number'))
          throw new GitlabConfigError('!reference expects a list of keys, e.g. !reference [.setup, script]', loc);
        return new Reference(
          items.map((i) => String(i)),
          loc,
        );
      }
      setLoc(items, loc);
      return items;
    }
    if (isMap(node)) {
      if (node.tag === '!reference')
        throw new GitlabConfigError('!reference expects a list of keys, e.g. !reference [.setup, script]', loc);
      const out: Mapping = {};
      const keys = new Map<string, Loc>();
      const merges: Mapping[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const keyAt = keyNode?.range ? this.at(keyNode.range[0]) : loc;
        if (isScalar(keyNode) && (keyNode.source === '<<' || keyNode.value === '<<' || String(keyNode.value) === 'Symbol(<<)')) {
          const value = pair.value === null ? null : this.node(pair.value as Node, depth + 1);
          for (const m of Array.isArray(value) ? value : [value]) {
            if (!isMapping(m)) throw new GitlabConfigError('YAML: a merge key (<<) needs a mapping or a list of mappings', keyAt);
            merges.push(m);
          }
          continue;
        }
        const rawKey = keyNode === null ? '' : isScalar(keyNode) ? String(keyNode.value) : String(this.node(keyNode, depth + 1));
        const key = String(this.interpolate(rawKey, keyAt, false));
        out[key] = pair.value === null ? null : this.node(pair.value as Node, depth + 1);
        keys.set(key, keyAt);
      }
      // Explicit keys win over merged ones; earlier merged mappings over later ones (YAML 1.1).
      for (const m of merges)
        for (const [k, v] of Object.entries(m))
          if (!(k in out)) {
            out[k] = v;
            const l = keyLoc(m, k);
            if (l !== undefined) keys.set(k, l);
          }
      locations.set(out, { loc, keys });
      return out;
    }
    return null;
  }
}

/**
 * The values of a file's inputs: those given, else the defaults of its `spec:inputs`, checked
 * as GitLab checks them (unknown and missing inputs, `type`, `options`, `regex`).
 */
function inputValues(spec: Value, given: Inputs, loc: Loc): Record<string, Value> {
  const declared = isMapping(spec) ? spec.inputs : undefined;
  if (declared !== undefined && declared !== null && !isMapping(declared))
    throw new GitlabConfigError('spec:inputs must be a mapping of input names', keyLoc(spec, 'inputs') ?? loc);
  const decl: Mapping = (declared as Mapping | undefined) ?? {};
  const unknown = Object.keys(given).filter((k) => !(k in decl));
  if (unknown.length > 0) throw new GitlabConfigError(`unknown input arguments: ${unknown.join(', ')}`, loc);
  const out: Record<string, Value> = {};
  for (const [name, d] of Object.entries(decl)) {
    const at = keyLoc(decl, name) ?? loc;
    const def = isMapping(d) ? d : {};
    const type = def.type === undefined ? 'string' : String(def.type);
    if (!['string', 'number', 'boolean', 'array'].includes(type))
      throw new GitlabConfigError(`input '${name}': unknown type '${type}' (string, number, boolean, array)`, at);
    const v = name in given ? (given[name] as Value) : def.default;
    if (v === undefined) throw new GitlabConfigError(`\`${name}\` input: required value has not been provided`, at);
    const ok =
      type === 'string'
        ? typeof v === 'string'
        : type === 'number'
          ? typeof v === 'number'
          : type === 'boolean'
            ? typeof v === 'boolean'
            : Array.isArray(v);
    if (!ok) throw new GitlabConfigError(`\`${name}\` input: provided value is not a ${type}`, at);
    if (Array.isArray(def.options) && !def.options.some((o) => o === v))
      throw new GitlabConfigError(
        `\`${name}\` input: \`${String(v)}\` cannot be used because it is not in the list of allowed options`,
        at,
      );
    if (typeof def.regex === 'string' && typeof v === 'string') {
      const m = /^\/(.*)\/$/s.exec(def.regex);
      if (!new RegExp(m?.[1] ?? def.regex, 'u').test(v))
        throw new GitlabConfigError(`\`${name}\` input: provided value does not match required RegEx pattern`, at);
    }
    out[name] = v;
  }
  return out;
}
