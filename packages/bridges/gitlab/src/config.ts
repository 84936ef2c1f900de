/**
 * From `.gitlab-ci.yml` to a merged configuration, as GitLab builds it before planning:
 *
 * 1. `include:` — local files of the repository (paths from the project root, `*` and `**`
 *    wildcards, nested includes, `project:` when it names this very project, read at `ref:`
 *    with git) are read and deep-merged in order, the including file last (it wins). Remote,
 *    template and component includes and other projects need a GitLab server: an error naming
 *    the include.
 * 2. `!reference [job, key, …]` tags are replaced by the value they point at (nested up to ten
 *    levels; a list inside a script list is flattened, as GitLab does).
 * 3. `extends:` (a name or a list, multi-level up to eleven, cycles refused) deep-merges the
 *    parents' hashes under the job's own keys; lists and scalars are replaced, not merged.
 * 4. `default:` (and the deprecated top-level `image`, `services`, `cache`, `before_script`,
 *    `after_script`) fills the keys a job lacks, unless `inherit: default` says otherwise.
 *
 * Hidden jobs (`.name`) take part in 2 and 3 and are then dropped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { globToRegExp } from './glob.js';
import {
  GitlabConfigError,
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

  /** Reads a file and its includes; returns the deep merge (includes first, the file last). */
  const loadFile = (_abs: string, text: string, name: string, chain: string[]): Mapping => {
    files.push(name);
    if (files.length > MAX_INCLUDES) throw new GitlabConfigError(`more than ${MAX_INCLUDES} included files`);
    const doc = parseYaml(text, name);
    if (doc === null) return {};
    if (!isMapping(doc))
      throw new GitlabConfigError('the configuration must be a mapping of keys to values', locOf(doc) ?? { file: name, line: 1, col: 1 });
    const include = doc.include;
    if (include === undefined) return doc;
    let merged: Mapping = {};
    for (const entry of Array.isArray(include) ? include : [include]) {
      const at = locOf(entry) ?? keyLoc(doc, 'include');
      for (const inc of resolveInclude(entry, at)) {
        const key = inc.key;
        if (chain.includes(key))
          throw new GitlabConfigError(`include cycle: '${inc.name}' includes itself (${[...chain, key].join(' → ')})`, at);
        merged = deepMerge(merged, loadFile(inc.abs, inc.text, inc.name, [...chain, key]));
      }
    }
    const own: Mapping = {};
    for (const [k, v] of Object.entries(doc)) if (k !== 'include') own[k] = v;
    setLoc(own, locOf(doc), keyLocs(doc));
    return deepMerge(merged, own);
  };

  const resolveInclude = (entry: Value, at: Loc | undefined): { abs: string; text: string; name: string; key: string }[] => {
    if (typeof entry === 'string') {
      if (/^https?:\/\//.test(entry)) return remote(entry, at);
      return local(entry, at);
    }
    if (!isMapping(entry))
      throw new GitlabConfigError('include: expects a file path or a mapping (local, file, remote, template, component)', at);
    if (entry.rules !== undefined)
      throw new GitlabConfigError(
        'include: rules are not supported by tutti gitlab (the include would depend on variables)',
        keyLoc(entry, 'rules'),
      );
    if (typeof entry.local === 'string') return local(entry.local, keyLoc(entry, 'local'));
    if (typeof entry.remote === 'string') return remote(entry.remote, keyLoc(entry, 'remote'));
    if (typeof entry.template === 'string')
      throw new GitlabConfigError(
        `include: template '${entry.template}' is one of GitLab's templates, served by a GitLab instance: copy it into the repository and include it with 'local:'`,
        keyLoc(entry, 'template'),
      );
    if (typeof entry.component === 'string')
      throw new GitlabConfigError(
        `include: component '${entry.component}' needs a GitLab instance's catalog: not supported locally`,
        keyLoc(entry, 'component'),
      );
    if (entry.project !== undefined) {
      const project = String(entry.project);
      if (options.projectPath === undefined || project.replace(/^\/+/, '') !== options.projectPath)
        throw new GitlabConfigError(
          `include: project '${project}' is another project, which needs a GitLab server: clone it and include its files with 'local:'`,
          keyLoc(entry, 'project'),
        );
      const list = Array.isArray(entry.file) ? entry.file : [entry.file];
      const ref = entry.ref === undefined ? undefined : String(entry.ref);
      return list.map((f) => {
        if (typeof f !== 'string') throw new GitlabConfigError('include: file must be a path', keyLoc(entry, 'file'));
        if (ref === undefined) return local(f, keyLoc(entry, 'file'))[0] as { abs: string; text: string; name: string; key: string };
        const path = f.replace(/^\/+/, '');
        let text: string;
        try {
          text = execFileSync('git', ['show', `${ref}:${path}`], {
            cwd: options.root,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          });
        } catch {
          throw new GitlabConfigError(`include: file '${path}' not found at ref '${ref}' of this repository`, keyLoc(entry, 'file'));
        }
        return { abs: join(options.root, path), text, name: `${path}@${ref}`, key: `${ref}:${path}` };
      });
    }
    if (entry.file !== undefined)
      throw new GitlabConfigError("include: 'file' needs 'project' (the project holding the file)", keyLoc(entry, 'file'));
    throw new GitlabConfigError('include: expects one of local, file (with project), remote, template, component', at);
  };

  const remote = (url: string, at: Loc | undefined): never => {
    throw new GitlabConfigError(
      `include: remote '${url}' would be fetched from the network, which tutti gitlab does not do: download it into the repository and include it with 'local:'`,
      at,
    );
  };

  const local = (path: string, at: Loc | undefined): { abs: string; text: string; name: string; key: string }[] => {
    const clean = path.replace(/^\/+/, '');
    if (clean.includes('*')) {
      const re = globToRegExp(clean);
      const found = listFiles(options.root).filter((f) => re.test(f));
      if (found.length === 0) throw new GitlabConfigError(`include: no file matches '${path}'`, at);
      return found.map((f) => {
        const abs = join(options.root, f);
        return { abs, text: readFile(abs, at), name: f, key: f };
      });
    }
    const abs = join(options.root, clean);
    if (!/\.ya?ml$/.test(clean)) throw new GitlabConfigError(`include: '${path}' must be a .yml or .yaml file`, at);
    return [{ abs, text: readFile(abs, at), name: clean, key: clean }];
  };

  const mainName = display(mainPath);
  const merged = loadFile(mainPath, readFile(mainPath), mainName, [mainName]);
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
