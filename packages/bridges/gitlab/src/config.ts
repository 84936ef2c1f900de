/**
 * From `.gitlab-ci.yml` to a merged configuration, as GitLab builds it before planning:
 *
 * 1. `include:` — local files of the repository (paths from the project root, `*` and `**`
 *    wildcards, nested includes, `project:` when it names this very project, read at `ref:`
 *    with git), `remote:` URLs (fetched with a timeout), `template:`s from a local folder of
 *    GitLab's templates, other projects' files and `component:`s from a local folder of
 *    checked-out projects — each kept only when its `rules:` (`if`, `exists`, `changes`,
 *    `when`) match, with its `inputs:` given to the file's `spec:inputs` — are read and
 *    deep-merged in order, the including file last (it wins).
 * 2. `!reference [job, key, …]` tags are replaced by the value they point at (nested up to ten
 *    levels; a list inside a script list is flattened, as GitLab does).
 * 3. `extends:` (a name or a list, multi-level up to eleven, cycles refused) deep-merges the
 *    parents' hashes under the job's own keys; lists and scalars are replaced, not merged.
 * 4. `default:` (and the deprecated top-level `image`, `services`, `cache`, `before_script`,
 *    `after_script`) fills the keys a job lacks, unless `inherit: default` says otherwise.
 *
 * Hidden jobs (`.name`) take part in 2 and 3 and are then dropped.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ExpressionError, evaluateIf } from './expression.js';
import { globMatches, globToRegExp } from './glob.js';
import { changedFiles, repoFiles } from './repo-files.js';
import { expandText } from './variables.js';
import {
  GitlabConfigError,
  type Inputs,
  isMapping,
  keyLoc,
  keyLocs,
  type Loc,
  locOf,
  type Mapping,
  parseYaml,
  Reference,
  setLoc,
  type Value,
} from './yaml.js';

/** Keywords a job may have (GitLab's list; others are refused as GitLab refuses them). */
export const JOB_KEYWORDS = new Set([
  'after_script',
  'allow_failure',
  'artifacts',
  'before_script',
  'cache',
  'coverage',
  'dast_configuration',
  'dependencies',
  'environment',
  'except',
  'extends',
  'hooks',
  'id_tokens',
  'identity',
  'image',
  'inherit',
  'interruptible',
  'manual_confirmation',
  'needs',
  'only',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'retry',
  'rules',
  'run',
  'script',
  'secrets',
  'services',
  'stage',
  'start_in',
  'tags',
  'timeout',
  'trigger',
  'variables',
  'when',
]);

/** Keys of `default:`. */
export const DEFAULT_KEYWORDS = [
  'after_script',
  'artifacts',
  'before_script',
  'cache',
  'hooks',
  'id_tokens',
  'image',
  'interruptible',
  'retry',
  'services',
  'tags',
  'timeout',
] as const;

/** Top-level keys that are not jobs. */
const GLOBAL_KEYWORDS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
]);

export const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

/** A job after includes, references, extends and defaults: its merged mapping and place. */
export interface RawJob {
  readonly name: string;
  readonly body: Mapping;
  readonly loc: Loc | undefined;
}

/** The merged configuration. */
export interface Config {
  /** Stages in order, `.pre` first and `.post` last. */
  readonly stages: readonly string[];
  /** Top-level `variables` (values or `{value, description, options, expand}`). */
  readonly variables: Mapping;
  readonly workflow: Mapping | undefined;
  /** Visible jobs in file order. */
  readonly jobs: readonly RawJob[];
  /** The main file, as given. */
  readonly file: string;
  /** Every file read (main first). */
  readonly files: readonly string[];
}

export interface LoadOptions {
  /** The project root (includes are relative to it). */
  readonly root: string;
  /** The main configuration file (absolute or relative to the root). */
  readonly file: string;
  /** This project's path (`group/project`), for `include: project:` of the same project. */
  readonly projectPath?: string;
  /**
   * The variables includes see — in their `rules: if` and expanded in their paths: as on
   * GitLab, the predefined, project and pipeline variables (not the file's own `variables:`).
   */
  readonly variables?: Readonly<Record<string, string>>;
  /** A folder of GitLab's CI templates (`lib/gitlab/ci/templates` of a GitLab checkout), for `include: template`. */
  readonly templates?: string;
  /**
   * A folder of checked-out projects, `<folder>/<group>/<project>` (git repositories when a
   * `ref` or a component version names a commit), for `include: project` and `include: component`.
   */
  readonly projects?: string;
  /** How long an `include: remote` may take, in milliseconds (default 10 000). */
  readonly remoteTimeoutMs?: number;
}

/** Where a file's `local:` includes are read: a project's folder, at a git ref or in its working tree. */
interface Origin {
  readonly root: string;
  readonly ref: string | undefined;
  /** For messages: the project (undefined: this one). */
  readonly project: string | undefined;
}

interface Included {
  readonly text: string;
  /** As shown in messages (`ci/a.yml`, `group/tools/ci.yml@v1`, a URL). */
  readonly name: string;
  /** Identity for cycle detection. */
  readonly key: string;
  readonly origin: Origin;
  readonly inputs: Inputs | undefined;
}

/**
 * Fetches a URL in a child process (loadConfig is synchronous): its text, or why not. The
 * child is bounded by the timeout (the fetch's own signal, and a kill just after).
 */
function fetchText(url: string, timeoutMs: number): { text: string } | { error: string } {
  const script = `const [url, ms] = process.argv.slice(1);
fetch(url, { signal: AbortSignal.timeout(Number(ms)), redirect: 'follow' }).then(async (r) => {
  if (!r.ok) { process.stderr.write('HTTP ' + r.status + (r.statusText ? ' ' + r.statusText : '')); process.exit(3); }
  process.stdout.write(await r.text());
}, (e) => {
  process.stderr.write(e.name === 'TimeoutError' ? 'no answer within ' + Number(ms) / 1000 + ' s' : String(e.cause?.code ?? e.cause?.message ?? e.message));
  process.exit(4);
});`;
  const r = spawnSync(process.execPath, ['-e', script, '--', url, String(timeoutMs)], {
    encoding: 'utf8',
    timeout: timeoutMs + 2000,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0) return { text: r.stdout };
  if (r.error !== undefined || r.status === null) return { error: `no answer within ${timeoutMs / 1000} s` };
  return { error: r.stderr.trim() || `exit ${r.status}` };
}

const MAX_INCLUDES = 150;

/** Loads, includes, resolves references and extends, applies defaults. Throws {@link GitlabConfigError}. */
export function loadConfig(options: LoadOptions): Config {
  const files: string[] = [];
  const display = (abs: string): string => {
    const r = relative(options.root, abs);
    return r.startsWith('..') ? abs : r;
  };
  const mainPath = isAbsolute(options.file) ? options.file : join(options.root, options.file);
  const readFile = (abs: string, from?: Loc): string => {
    try {
      return readFileSync(abs, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new GitlabConfigError(
        code === 'ENOENT' ? `file '${display(abs)}' does not exist` : `cannot read '${display(abs)}': ${(e as Error).message}`,
        from,
      );
    }
  };

  const vars = options.variables ?? {};
  const expand = (t: string): string => expandText(t, (n) => vars[n]);
  const here: Origin = { root: options.root, ref: undefined, project: undefined };

  /** Reads a file and its includes; returns the deep merge (includes first, the file last). */
  const loadFile = (text: string, name: string, chain: string[], origin: Origin, inputs: Inputs | undefined): Mapping => {
    files.push(name);
    if (files.length > MAX_INCLUDES) throw new GitlabConfigError(`more than ${MAX_INCLUDES} included files`);
    const doc = parseYaml(text, name, inputs, vars);
    if (doc === null) return {};
    if (!isMapping(doc))
      throw new GitlabConfigError('the configuration must be a mapping of keys to values', locOf(doc) ?? { file: name, line: 1, col: 1 });
    const include = doc.include;
    if (include === undefined) return doc;
    let merged: Mapping = {};
    for (const entry of Array.isArray(include) ? include : [include]) {
      const at = locOf(entry) ?? keyLoc(doc, 'include');
      for (const inc of resolveInclude(entry, at, origin)) {
        if (chain.includes(inc.key))
          throw new GitlabConfigError(`include cycle: '${inc.name}' includes itself (${[...chain, inc.key].join(' → ')})`, at);
        merged = deepMerge(merged, loadFile(inc.text, inc.name, [...chain, inc.key], inc.origin, inc.inputs));
      }
    }
    const own: Mapping = {};
    for (const [k, v] of Object.entries(doc)) if (k !== 'include') own[k] = v;
    setLoc(own, locOf(doc), keyLocs(doc));
    return deepMerge(merged, own);
  };

  const KEYS = ['local', 'remote', 'template', 'component', 'project', 'file', 'ref', 'rules', 'inputs', 'integrity', 'cache'];
  const resolveInclude = (entry: Value, at: Loc | undefined, origin: Origin): Included[] => {
    if (typeof entry === 'string') {
      const path = expand(entry);
      if (/^https?:\/\//.test(path)) return [remote(path, undefined, at, undefined)];
      return local(path, at, origin, undefined);
    }
    if (!isMapping(entry))
      throw new GitlabConfigError('include: expects a file path or a mapping (local, file, remote, template, component)', at);
    for (const k of Object.keys(entry))
      if (!KEYS.includes(k)) throw new GitlabConfigError(`include: unknown keyword '${k}'`, keyLoc(entry, k) ?? at);
    if (entry.rules !== undefined && !includeRulesMatch(entry.rules, keyLoc(entry, 'rules') ?? at)) return [];
    let inputs: Inputs | undefined;
    if (entry.inputs !== undefined) {
      if (!isMapping(entry.inputs))
        throw new GitlabConfigError('include: inputs must be a mapping of input names to values', keyLoc(entry, 'inputs'));
      inputs = entry.inputs;
    }
    if (typeof entry.local === 'string') return local(expand(entry.local), keyLoc(entry, 'local'), origin, inputs);
    if (typeof entry.remote === 'string')
      return [
        remote(expand(entry.remote), entry.integrity === undefined ? undefined : String(entry.integrity), keyLoc(entry, 'remote'), inputs),
      ];
    if (typeof entry.template === 'string') return [template(expand(entry.template), keyLoc(entry, 'template'), inputs)];
    if (typeof entry.component === 'string') return [component(expand(entry.component), keyLoc(entry, 'component'), inputs)];
    if (entry.project !== undefined) {
      const project = expand(String(entry.project)).replace(/^\/+|\/+$/g, '');
      const list = Array.isArray(entry.file) ? entry.file : [entry.file];
      const ref = entry.ref === undefined ? undefined : expand(String(entry.ref));
      const where = keyLoc(entry, 'file') ?? keyLoc(entry, 'project');
      const self = options.projectPath !== undefined && project === options.projectPath;
      let target: Origin;
      if (self) target = { root: options.root, ref, project: undefined };
      else {
        if (options.projects === undefined)
          throw new GitlabConfigError(
            `include: project '${project}' is another project: give a folder of checked-out projects with --projects DIR (read as DIR/${project}), or copy its files into this repository and include them with 'local:'`,
            keyLoc(entry, 'project'),
          );
        const dir = join(options.projects, ...project.split('/'));
        if (project.split('/').includes('..') || !existsSync(dir))
          throw new GitlabConfigError(`include: project '${project}' is not in the projects folder (no ${dir})`, keyLoc(entry, 'project'));
        target = { root: dir, ref, project };
      }
      return list.map((f) => {
        if (typeof f !== 'string') throw new GitlabConfigError('include: file must be a path', where);
        return fileOf(target, expand(f).replace(/^\/+/, ''), where, inputs);
      });
    }
    if (entry.file !== undefined)
      throw new GitlabConfigError("include: 'file' needs 'project' (the project holding the file)", keyLoc(entry, 'file'));
    throw new GitlabConfigError('include: expects one of local, file (with project), remote, template, component', at);
  };

  /** A file of a project (this one or another), at a git ref or in its working tree. */
  const fileOf = (o: Origin, path: string, at: Loc | undefined, inputs: Inputs | undefined): Included => {
    if (path.split('/').includes('..')) throw new GitlabConfigError(`include: '${path}' leaves its project ('..')`, at);
    if (!/\.ya?ml$/.test(path)) throw new GitlabConfigError(`include: '${path}' must be a .yml or .yaml file`, at);
    const where = o.project === undefined ? '' : `${o.project}/`;
    if (o.ref === undefined) {
      const abs = join(o.root, path);
      return {
        text: readFile(abs, at),
        name: o.project === undefined ? display(abs) : `${where}${path}`,
        key: `${where}${path}`,
        origin: o,
        inputs,
      };
    }
    let text: string;
    try {
      text = execFileSync('git', ['show', `${o.ref}:${path}`], { cwd: o.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      throw new GitlabConfigError(
        `include: file '${path}' not found at ref '${o.ref}' of ${o.project === undefined ? 'this repository' : `project '${o.project}' (${o.root})`}`,
        at,
      );
    }
    return { text, name: `${where}${path}@${o.ref}`, key: `${where}${o.ref}:${path}`, origin: o, inputs };
  };

  /**
   * `include: rules`, as GitLab evaluates them when it reads the includes: the first rule whose
   * `if`, `exists` and `changes` all hold decides (`when: never` leaves the file out); no
   * matching rule leaves it out. Only those keywords are allowed there.
   */
  const includeRulesMatch = (rules: Value, at: Loc | undefined): boolean => {
    if (!Array.isArray(rules)) throw new GitlabConfigError('include: rules must be a list of rules', at);
    for (const rule of rules) {
      const where = locOf(rule) ?? at;
      if (!isMapping(rule)) throw new GitlabConfigError('include: rules: each rule must be a mapping', where);
      for (const k of Object.keys(rule))
        if (!['if', 'exists', 'changes', 'when'].includes(k))
          throw new GitlabConfigError(
            `include: rules: '${k}' is not allowed here (if, exists, changes and when are)`,
            keyLoc(rule, k) ?? where,
          );
      if (rule.when !== undefined && rule.when !== 'never' && rule.when !== 'always')
        throw new GitlabConfigError(
          `include: rules: when must be never or always, not '${String(rule.when)}'`,
          keyLoc(rule, 'when') ?? where,
        );
      if (rule.if !== undefined) {
        if (typeof rule.if !== 'string') throw new GitlabConfigError('include: rules: if must be a string expression', keyLoc(rule, 'if'));
        let holds: boolean;
        try {
          holds = evaluateIf(rule.if, (n) => vars[n]);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          throw new GitlabConfigError(
            `include: rules: invalid expression syntax in '${rule.if}': ${e.message} (at character ${e.offset + 1})`,
            keyLoc(rule, 'if'),
          );
        }
        if (!holds) continue;
      }
      if (rule.exists !== undefined) {
        const globs = pathList(isMapping(rule.exists) ? rule.exists.paths : rule.exists, keyLoc(rule, 'exists'));
        const all = repoFiles(options.root);
        if (!all.some((f) => globs.some((g) => globMatches(g, f)))) continue;
      }
      if (rule.changes !== undefined) {
        const spec = rule.changes;
        const globs = pathList(isMapping(spec) ? spec.paths : spec, keyLoc(rule, 'changes'));
        const compareTo = isMapping(spec) && spec.compare_to !== undefined ? expand(String(spec.compare_to)) : undefined;
        const changed = changedFiles(options.root, compareTo);
        if (changed !== undefined && !changed.some((f) => globs.some((g) => globMatches(g, f)))) continue;
      }
      return rule.when !== 'never';
    }
    return false;
  };
  const pathList = (v: Value | undefined, at: Loc | undefined): string[] => {
    const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    return list.map((x) => {
      if (typeof x !== 'string') throw new GitlabConfigError('include: rules: exists and changes take paths', at);
      return expand(x);
    });
  };

  const remote = (url: string, integrity: string | undefined, at: Loc | undefined, inputs: Inputs | undefined): Included => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new GitlabConfigError(`include: remote '${url}' is not a URL`, at);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new GitlabConfigError(`include: remote '${url}' must be an HTTP or HTTPS URL`, at);
    if (!/\.ya?ml$/.test(parsed.pathname)) throw new GitlabConfigError(`include: remote '${url}' must be a .yml or .yaml file`, at);
    const ms = options.remoteTimeoutMs ?? 10_000;
    const got = fetchText(url, ms);
    if ('error' in got) throw new GitlabConfigError(`include: remote '${url}' could not be fetched: ${got.error}`, at);
    if (integrity !== undefined) {
      const m = /^sha256-(.+)$/.exec(integrity);
      if (m === null) throw new GitlabConfigError(`include: integrity '${integrity}' must be sha256-<base64 digest>`, at);
      const digest = createHash('sha256').update(got.text, 'utf8').digest('base64');
      if (digest !== m[1]) throw new GitlabConfigError(`include: remote '${url}': its content does not match integrity ${integrity}`, at);
    }
    // local: includes of a remote file are this project's files, as on GitLab.
    return { text: got.text, name: url, key: url, origin: here, inputs };
  };

  const template = (name: string, at: Loc | undefined, inputs: Inputs | undefined): Included => {
    if (options.templates === undefined)
      throw new GitlabConfigError(
        `include: template '${name}' is one of GitLab's templates: give the folder holding them with --templates DIR (lib/gitlab/ci/templates of a GitLab checkout), or copy it into the repository and include it with 'local:'`,
        at,
      );
    if (name.split('/').includes('..') || name.startsWith('/'))
      throw new GitlabConfigError(`include: template '${name}' is not a template name`, at);
    const abs = join(options.templates, name);
    if (!existsSync(abs)) throw new GitlabConfigError(`include: template '${name}' is not in the templates folder (no ${abs})`, at);
    return { text: readFile(abs, at), name: `template ${name}`, key: `template:${name}`, origin: here, inputs };
  };

  /**
   * `component: HOST/GROUP/PROJECT/NAME@VERSION`, read from the projects folder as GitLab lays a
   * component project out: `templates/NAME.yml` or `templates/NAME/template.yml`, at the
   * version (a git ref of the checkout; `~latest`: its working tree).
   */
  const component = (ref: string, at: Loc | undefined, inputs: Inputs | undefined): Included => {
    const m = /^([^@]+)@(.+)$/.exec(ref);
    const parts = m?.[1]?.split('/') ?? [];
    if (m === null || parts.length < 4 || parts.includes('..'))
      throw new GitlabConfigError(`include: component '${ref}' must be HOST/GROUP/PROJECT/NAME@VERSION`, at);
    const project = parts.slice(1, -1).join('/');
    const name = parts[parts.length - 1] as string;
    if (options.projects === undefined)
      throw new GitlabConfigError(
        `include: component '${ref}' comes from project '${project}': give a folder of checked-out projects with --projects DIR (read as DIR/${project})`,
        at,
      );
    const dir = join(options.projects, ...project.split('/'));
    if (!existsSync(dir))
      throw new GitlabConfigError(`include: component '${ref}': project '${project}' is not in the projects folder (no ${dir})`, at);
    const version = m[2] === '~latest' ? undefined : m[2];
    const o: Origin = { root: dir, ref: version, project };
    const candidates = [`templates/${name}.yml`, `templates/${name}/template.yml`];
    const exists = (p: string): boolean => {
      if (version === undefined) return existsSync(join(dir, p));
      try {
        execFileSync('git', ['cat-file', '-e', `${version}:${p}`], { cwd: dir, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    const path = candidates.find(exists);
    if (path === undefined)
      throw new GitlabConfigError(
        `include: component '${ref}': project '${project}' has no ${candidates.join(' or ')}${version === undefined ? '' : ` at '${version}'`}`,
        at,
      );
    return fileOf(o, path, at, inputs);
  };

  const local = (path: string, at: Loc | undefined, origin: Origin, inputs: Inputs | undefined): Included[] => {
    const clean = path.replace(/^\/+/, '');
    if (clean.includes('*')) {
      if (origin.ref !== undefined)
        throw new GitlabConfigError(`include: wildcards are read in working trees only ('${path}' at '${origin.ref}')`, at);
      const re = globToRegExp(clean);
      const found = listFiles(origin.root).filter((f) => re.test(f));
      if (found.length === 0) throw new GitlabConfigError(`include: no file matches '${path}'`, at);
      return found.map((f) => fileOf(origin, f, at, inputs));
    }
    return [fileOf(origin, clean, at, inputs)];
  };

  const mainName = display(mainPath);
  const merged = loadFile(readFile(mainPath), mainName, [relative(options.root, mainPath)], here, undefined);
  resolveReferences(merged);
  return build(merged, mainName, files);
}

/** Every file under `root` (relative, `/`-separated), skipping `.git` and `node_modules`. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === '.git' || name === 'node_modules') continue;
      const abs = join(dir, name);
      const s = statSync(abs);
      if (s.isDirectory()) walk(abs);
      else out.push(relative(root, abs).split(sep).join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

/** GitLab's deep merge: hashes merged key by key, anything else replaced by `over`. */
export function deepMerge(base: Mapping, over: Mapping): Mapping {
  const out: Mapping = { ...base };
  const keys = keyLocs(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMapping(b) && isMapping(v) ? deepMerge(b, v) : v;
    const l = keyLoc(over, k);
    if (l !== undefined) keys.set(k, l);
  }
  setLoc(out, locOf(over) ?? locOf(base), keys);
  return out;
}

/** Replaces every {@link Reference} of `config` in place. */
function resolveReferences(config: Mapping): void {
  const lookup = (ref: Reference, depth: number): Value => {
    if (depth > 10) throw new GitlabConfigError('!reference: nested more than 10 levels', ref.loc);
    let v: Value = config;
    for (const key of ref.path) {
      if (!isMapping(v) || !(key in v))
        throw new GitlabConfigError(`!reference [${ref.path.join(', ')}] points at nothing ('${key}' not found)`, ref.loc);
      v = v[key] as Value;
    }
    return walk(v, depth + 1);
  };
  const walk = (v: Value, depth: number): Value => {
    if (v instanceof Reference) return lookup(v, depth);
    if (Array.isArray(v)) {
      const out = v.map((x) => walk(x, depth));
      setLoc(out, locOf(v));
      return out;
    }
    if (isMapping(v)) {
      const out: Mapping = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth);
      setLoc(out, locOf(v), keyLocs(v));
      return out;
    }
    return v;
  };
  for (const [k, v] of Object.entries(config)) config[k] = walk(v, 0);
}

/** Flattens nested lists of a script-like value (GitLab flattens up to ten levels). */
export function flattenScript(v: Value | undefined, what: string, loc: Loc | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.flatMap((x) => flattenScript(x, what, locOf(x) ?? loc));
  throw new GitlabConfigError(`${what} must be a string or a list of strings`, loc);
}

function build(config: Mapping, file: string, files: string[]): Config {
  // Stages.
  let stages = DEFAULT_STAGES;
  if (config.stages !== undefined && config.stages !== null) {
    const list = flattenScript(config.stages, 'stages', keyLoc(config, 'stages'));
    stages = ['.pre', ...list.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
  }
  const variables = config.variables ?? {};
  if (!isMapping(variables)) throw new GitlabConfigError('variables must be a mapping of names to values', keyLoc(config, 'variables'));
  const workflow = config.workflow;
  if (workflow !== undefined && workflow !== null && !isMapping(workflow))
    throw new GitlabConfigError('workflow must be a mapping', keyLoc(config, 'workflow'));

  // Defaults: `default:` wins over the deprecated globals.
  const defaults: Mapping = {};
  for (const k of ['image', 'services', 'cache', 'before_script', 'after_script'])
    if (config[k] !== undefined) defaults[k] = config[k] as Value;
  const dflt = config.default;
  if (dflt !== undefined && dflt !== null) {
    if (!isMapping(dflt)) throw new GitlabConfigError('default must be a mapping', keyLoc(config, 'default'));
    for (const [k, v] of Object.entries(dflt)) {
      if (!(DEFAULT_KEYWORDS as readonly string[]).includes(k))
        throw new GitlabConfigError(`default config contains unknown keys: ${k}`, keyLoc(dflt, k));
      defaults[k] = v;
    }
  }

  // Job definitions (hidden ones included, for extends).
  const defs = new Map<string, Mapping>();
  for (const [name, body] of Object.entries(config)) {
    if (GLOBAL_KEYWORDS.has(name)) continue;
    if (!isMapping(body)) {
      if (name.startsWith('.')) continue; // hidden keys may hold anything (anchors' sources)
      throw new GitlabConfigError(`jobs:${name} config should be a hash`, keyLoc(config, name));
    }
    defs.set(name, body);
  }

  const resolved = new Map<string, Mapping>();
  const resolve = (name: string, chain: string[]): Mapping => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    const body = defs.get(name) as Mapping;
    const ext = body.extends;
    if (ext === undefined || ext === null) {
      resolved.set(name, body);
      return body;
    }
    const parents = flattenScript(ext, `jobs:${name}:extends`, keyLoc(body, 'extends'));
    if (chain.length > 10) throw new GitlabConfigError(`jobs:${name}: extends nested more than 11 levels`, keyLoc(body, 'extends'));
    let merged: Mapping = {};
    for (const p of parents) {
      if (chain.includes(p))
        throw new GitlabConfigError(`jobs:${name}: circular extends (${[...chain, p].join(' → ')})`, keyLoc(body, 'extends'));
      if (!defs.has(p)) throw new GitlabConfigError(`jobs:${name}: unknown key in extends: '${p}'`, keyLoc(body, 'extends'));
      merged = deepMerge(merged, resolve(p, [...chain, p]));
    }
    const own: Mapping = {};
    for (const [k, v] of Object.entries(body)) if (k !== 'extends') own[k] = v;
    setLoc(own, locOf(body), keyLocs(body));
    const out = deepMerge(merged, own);
    delete out.extends;
    setLoc(out, locOf(body), new Map([...keyLocs(merged), ...keyLocs(body)]));
    resolved.set(name, out);
    return out;
  };

  const jobs: RawJob[] = [];
  for (const name of defs.keys()) {
    const body = resolve(name, [name]);
    if (name.startsWith('.')) continue;
    for (const k of Object.keys(body))
      if (!JOB_KEYWORDS.has(k)) throw new GitlabConfigError(`jobs:${name} config contains unknown keys: ${k}`, keyLoc(body, k));
    // default: and inherit:default.
    const inherit = body.inherit;
    let takeDefault: (k: string) => boolean = () => true;
    if (inherit !== undefined && inherit !== null) {
      if (!isMapping(inherit))
        throw new GitlabConfigError(`jobs:${name}:inherit must be a mapping (default, variables)`, keyLoc(body, 'inherit'));
      const d = inherit.default;
      if (d === false) takeDefault = () => false;
      else if (Array.isArray(d)) {
        const list = d.map(String);
        for (const k of list)
          if (
            !(DEFAULT_KEYWORDS as readonly string[]).includes(k) &&
            !['image', 'services', 'cache', 'before_script', 'after_script'].includes(k)
          )
            throw new GitlabConfigError(`jobs:${name}:inherit:default: unknown keyword '${k}'`, keyLoc(inherit, 'default'));
        takeDefault = (k) => list.includes(k);
      } else if (d !== undefined && d !== true)
        throw new GitlabConfigError(`jobs:${name}:inherit:default must be true, false or a list`, keyLoc(inherit, 'default'));
    }
    const full: Mapping = {};
    for (const [k, v] of Object.entries(defaults)) if (!(k in body) && takeDefault(k)) full[k] = v;
    Object.assign(full, body);
    setLoc(full, locOf(body), keyLocs(body));
    if (full.script === undefined && full.trigger === undefined && full.run === undefined)
      throw new GitlabConfigError(
        `jobs:${name} config should implement the script:, run:, or trigger: keyword`,
        keyLoc(config, name) ?? locOf(body),
      );
    const stage = full.stage === undefined ? 'test' : String(full.stage);
    if (!stages.includes(stage))
      throw new GitlabConfigError(
        `${name} job: chosen stage ${stage} does not exist; available stages are ${stages.join(', ')}`,
        keyLoc(full, 'stage'),
      );
    jobs.push({ name, body: full, loc: keyLoc(config, name) });
  }
  if (jobs.length === 0) throw new GitlabConfigError('jobs config should contain at least one visible job', { file, line: 1, col: 1 });
  return { stages, variables, workflow: workflow ?? undefined, jobs, file, files };
}
