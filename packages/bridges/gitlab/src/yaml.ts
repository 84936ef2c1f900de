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

/** Parses one YAML file's text; throws {@link GitlabConfigError} on a syntax error. */
export function parseYaml(text: string, file: string): Value {
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
  // A file may start with a `spec:` header document (CI/CD inputs), then `---` and the
  // configuration. Inputs (`$[[ inputs.name ]]`) need values given by an include: refused.
  const docs = parseAllDocuments(text, options);
  if (!Array.isArray(docs)) throw new GitlabConfigError('YAML: unreadable document stream', at(0));
  if (docs.length > 2)
    throw new GitlabConfigError(
      'YAML: a configuration holds at most two documents (a spec: header and the configuration)',
      at(docs[2]?.range[0] ?? 0),
    );
  if (docs.length === 0) return null;
  let doc = docs[0] as YamlDocument;
  if (docs.length === 2) {
    const header = docs[0]?.toJS() as unknown;
    if (!isMapping(header) || !('spec' in header) || Object.keys(header).length !== 1)
      throw new GitlabConfigError('YAML: the first of two documents must be a spec: header', at(0));
    if (text.includes('$[['))
      throw new GitlabConfigError('spec:inputs ($[[ inputs.… ]]) are not supported by tutti gitlab', at(text.indexOf('$[[')));
    doc = docs[1] as YamlDocument;
  }
  const first = doc.errors[0];
  if (first !== undefined) throw new GitlabConfigError(`YAML: ${first.message.split('\n')[0]}`, at(first.pos[0]));
  const convert = new Converter(doc, at);
  return doc.contents === null ? null : convert.node(doc.contents as Node, 0);
}

/** Turns the YAML tree into plain values with recorded places. */
class Converter {
  constructor(
    private readonly doc: YamlDocument,
    private readonly at: (offset: number) => Loc,
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
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
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
        const key = keyNode === null ? '' : isScalar(keyNode) ? String(keyNode.value) : String(this.node(keyNode, depth + 1));
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
