/**
 * Workflow files: found (`-W` file or folder), validated by GitHub's own parser (errors with
 * file, line and column), read as YAML for running, and matched against the event (`on:` in its
 * three forms, push/pull_request branch, tag and path filters, `workflow_dispatch` and
 * `workflow_call` inputs with their defaults and types).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import picomatch from 'picomatch';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { actionsLibs } from './actions.js';

/** A workflow that does not parse, or a usage problem with one (exit status 2). */
export class WorkflowError extends Error {}

export type Raw = Record<string, unknown>;

export interface Workflow {
  /** Path as given to the user (relative to the repository when inside it). */
  readonly file: string;
  readonly path: string;
  readonly name: string;
  readonly on: Readonly<Record<string, Raw | null>>;
  readonly env: Raw | undefined;
  readonly defaults: Raw | undefined;
  readonly permissions: unknown;
  readonly concurrency: unknown;
  readonly jobs: Readonly<Record<string, Raw>>;
  /** `file:line:col` of a job key, for messages. */
  /** `file:line:column` of the workflow, a job, one of its steps (index from 0) or a key of that step. */
  where(jobId?: string, step?: number, key?: string): string;
}

/** The workflow files `-W` names: a file, or every *.yml / *.yaml directly inside a folder. */
export async function findWorkflows(path: string): Promise<string[]> {
  let s: import('node:fs').Stats;
  try {
    s = await stat(path);
  } catch {
    throw new WorkflowError(`${path}: no such workflow file or folder`);
  }
  if (s.isFile()) return [path];
  const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return names.map((n) => join(path, n));
}

/** Parses and validates one workflow file. */
export async function loadWorkflow(path: string, root: string): Promise<Workflow> {
  const text = await readFile(path, 'utf8').catch((e: Error) => {
    throw new WorkflowError(`${path}: ${e.message}`);
  });
  const file = relative(root, path).startsWith('..') ? path : relative(root, path);
  const L = await actionsLibs();
  const parsed = L.parseWorkflow({ name: file, content: text }, new L.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    // the job graph's errors (unknown needs, cycles) come from the conversion
    try {
      const t = await L.convertWorkflowTemplate(parsed.context, parsed.value);
      for (const e of t.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
    } catch {
      // a template too broken to convert: the parse errors say why
    }
  }
  if (errors.length > 0) throw new WorkflowError(errors.map(reformat).join('\n'));
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const raw = doc.toJS({ maxAliasCount: 1000 }) as Raw;
  const jobsNode = doc.get('jobs', true);
  const where = (jobId?: string, step?: number, key?: string): string => {
    let offset = 0;
    const start = (n: unknown) => (n as { range?: [number] } | undefined)?.range?.[0];
    const pairOf = (m: unknown, k: string) => (isMap(m) ? m.items.find((p) => (p.key as { value?: unknown })?.value === k) : undefined);
    if (jobId !== undefined && isMap(jobsNode)) {
      const pair = pairOf(jobsNode, jobId);
      offset = start(pair?.key) ?? 0;
      // a step of the job (index from 0), and one of its keys
      const steps = step !== undefined ? pairOf(pair?.value, 'steps')?.value : undefined;
      const item = isSeq(steps) ? steps.items[step!] : undefined;
      if (item) offset = start((key !== undefined ? pairOf(item, key)?.key : undefined) ?? item) ?? offset;
    }
    const p = lc.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  return {
    file,
    path,
    name: typeof raw.name === 'string' ? raw.name : file,
    on: normalizeOn(raw.on ?? raw.true),
    env: raw.env as Raw | undefined,
    defaults: raw.defaults as Raw | undefined,
    permissions: raw.permissions,
    concurrency: raw.concurrency,
    jobs: (raw.jobs ?? {}) as Record<string, Raw>,
    where,
  };
}

/** `w.yml (Line: 3, Col: 5): message` → `w.yml:3:5: message` (the parser's own location). */
function reformat(message: string): string {
  const m = /^(.*?) \(Line: (\d+), Col: (\d+)\): ([\s\S]*)$/.exec(message);
  return m ? `${m[1]}:${m[2]}:${m[3]}: error: ${m[4]}` : `error: ${message}`;
}

/** `on: push`, `on: [push, pull_request]` and the mapping form, as a mapping. */
export function normalizeOn(on: unknown): Record<string, Raw | null> {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  if (on && typeof on === 'object') return on as Record<string, Raw | null>;
  return {};
}

/** What the event filters look at. */
export interface EventFacts {
  readonly event: string;
  /** The full ref (`refs/heads/main`, `refs/tags/v1`); for pull requests, the base branch's. */
  readonly ref: string;
  /** Files changed by the event (for `paths`/`paths-ignore`); undefined when unknown (filters then pass). */
  readonly changed: readonly string[] | undefined;
  /** `types:` activity of the payload (`opened`…), when it has one. */
  readonly action?: string;
}

/**
 * GitHub's pattern list: later patterns win, `!` negates. Returns whether `value` is included.
 * With `ignore`, the list says what to exclude.
 */
function matchList(patterns: readonly string[], value: string): boolean {
  let included = false;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    const pat = neg ? p.slice(1) : p;
    if (picomatch.isMatch(value, pat, { dot: true })) included = !neg;
  }
  return included;
}

const strings = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Whether a workflow runs for the event (`on:` and its filters). */
export function matchesEvent(w: Workflow, facts: EventFacts): boolean {
  if (!(facts.event in w.on)) return false;
  const f = w.on[facts.event];
  if (!f || typeof f !== 'object') return true;
  if (facts.action !== undefined && f.types !== undefined && !strings(f.types).includes(facts.action)) return false;
  if (facts.event === 'push' || facts.event === 'pull_request' || facts.event === 'pull_request_target') {
    const isTag = facts.ref.startsWith('refs/tags/');
    const name = facts.ref.replace(/^refs\/(heads|tags)\//, '');
    const hasBranch = 'branches' in f || 'branches-ignore' in f;
    const hasTag = 'tags' in f || 'tags-ignore' in f;
    // GitHub: with only branch filters a tag push does not run, and the other way round.
    if (isTag) {
      if (hasBranch && !hasTag) return false;
      if ('tags' in f && !matchList(strings(f.tags), name)) return false;
      if ('tags-ignore' in f && matchList(strings(f['tags-ignore']), name)) return false;
    } else {
      if (hasTag && !hasBranch && facts.event === 'push') return false;
      if ('branches' in f && !matchList(strings(f.branches), name)) return false;
      if ('branches-ignore' in f && matchList(strings(f['branches-ignore']), name)) return false;
    }
    if (facts.changed !== undefined && !isTag) {
      if ('paths' in f && !facts.changed.some((c) => matchList(strings(f.paths), c))) return false;
      if ('paths-ignore' in f && facts.changed.every((c) => matchList(strings(f['paths-ignore']), c))) return false;
    }
  }
  return true;
}

export interface InputSpec {
  readonly description?: string;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly type?: string;
  readonly options?: readonly string[];
}

/**
 * The `inputs` context of a `workflow_dispatch` / `workflow_call`: given values checked against
 * their type, defaults filled in. Booleans and numbers keep their type, as in GitHub's `inputs`.
 */
export function resolveInputs(
  specs: Readonly<Record<string, InputSpec | null>> | undefined,
  given: Readonly<Record<string, unknown>>,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(Object.keys(specs ?? {}));
  for (const k of Object.keys(given))
    if (!known.has(k)) throw new WorkflowError(`${where}: unexpected input '${k}' (declared: ${[...known].join(', ') || 'none'})`);
  for (const [name, spec0] of Object.entries(specs ?? {})) {
    const spec = spec0 ?? {};
    const type = spec.type ?? 'string';
    const v = name in given ? given[name] : spec.default;
    if (v === undefined) {
      if (spec.required) throw new WorkflowError(`${where}: input '${name}' is required`);
      out[name] = type === 'boolean' ? false : type === 'number' ? null : '';
      continue;
    }
    switch (type) {
      case 'boolean': {
        if (typeof v === 'boolean') out[name] = v;
        else if (v === 'true' || v === 'false') out[name] = v === 'true';
        else throw new WorkflowError(`${where}: input '${name}' must be a boolean (true or false), got '${String(v)}'`);
        break;
      }
      case 'number': {
        const n = typeof v === 'number' ? v : Number(String(v).trim());
        if (String(v).trim() === '' || Number.isNaN(n))
          throw new WorkflowError(`${where}: input '${name}' must be a number, got '${String(v)}'`);
        out[name] = n;
        break;
      }
      case 'choice': {
        const opts = (spec.options ?? []).map(String);
        if (!opts.includes(String(v)))
          throw new WorkflowError(`${where}: input '${name}' must be one of ${opts.join(', ')}, got '${String(v)}'`);
        out[name] = String(v);
        break;
      }
      default:
        out[name] = typeof v === 'string' ? v : String(v);
    }
  }
  return out;
}

export const workflowBase = (w: Workflow) => basename(w.file);

/**
 * The labels a `runs-on` value names, in order, for `-P LABEL=host|IMAGE`: a label, a list of
 * labels, or a mapping (`group:` and `labels:`, a label or a list), whose group counts as a
 * label before its labels (`-P my-group=IMAGE` maps the jobs of a runner group; a deviation:
 * GitHub routes by group and labels together, there is no group here to route by).
 */
export function runsOnLabels(runsOn: unknown): string[] {
  if (Array.isArray(runsOn)) return runsOn.flatMap(runsOnLabels);
  if (runsOn !== null && typeof runsOn === 'object') {
    const m = runsOn as Raw;
    return [...(m.group === undefined || m.group === null ? [] : runsOnLabels(m.group)), ...runsOnLabels(m.labels ?? [])];
  }
  return runsOn === undefined || runsOn === null || runsOn === '' ? [] : [String(runsOn)];
}
