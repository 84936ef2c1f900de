/**
 * GitHub expressions compiled to JavaScript for the helpers' realm (`tutti github import`):
 * each `${{ … }}` of a workflow is parsed by `@actions/expressions` (as `tutti github run`
 * parses it) and written as calls of the `__gh_*` functions that
 * `cicd/services/github::|github_expressions()` defines in the realm, so the imported program
 * gets GitHub's results where the reference's helpers, which run the text as JavaScript, have
 * quirks (libraries.md §15.8.7).
 *
 * The code goes through the helpers unchanged: it has no `}` (their placeholders end at the
 * first one; no object literal, no block: arrow functions with expression bodies) and no `.`
 * before a word character or `-` (they rewrite every `.name` to `["name"]`): string literals
 * escape such characters (`\u002e`, `\u007d`…), numbers that are not small integers are
 * `Number("…")`. Parentheses and quotes in literals are escaped too, so that the importer's own
 * rewrites (status functions, `steps.<id>` in matrix legs) never see inside a literal.
 *
 * {@link faithfulWorkflow} applies it to a whole workflow before the importer reads it.
 */
import { libs } from './actions.js';
import { ExpressionProblem, templateParts as splitTemplate } from './expressions.js';
import type { Raw, Workflow } from './workflow.js';
import { WorkflowError } from './workflow.js';

/** The contexts the parser accepts (as expressions.ts). */
/** A variable the workflow sets: its name, its value as JavaScript giving its text, whether a step sets it. */
export type EnvEntry = readonly [name: string, value: string, step?: boolean];

const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];
const STATUS_FUNCS = ['success', 'failure', 'always', 'cancelled'];
const EXTRA = [...STATUS_FUNCS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })), { name: 'hashFiles', minArgs: 1, maxArgs: 255 }];

/** GitHub's functions and the prelude's names for them. */
const FUNCTIONS: Readonly<Record<string, string>> = {
  contains: '__gh_contains',
  startswith: '__gh_startsWith',
  endswith: '__gh_endsWith',
  format: '__gh_format',
  join: '__gh_join',
  tojson: '__gh_toJSON',
  fromjson: '__gh_fromJSON',
  case: '__gh_case',
  hashfiles: '__gh_hashFiles',
};

const OPERATORS: Readonly<Record<string, string>> = {
  '==': '__gh_eq',
  '!=': '__gh_ne',
  '>': '__gh_gt',
  '>=': '__gh_ge',
  '<': '__gh_lt',
  '<=': '__gh_le',
};

/** An expression that does not parse: the parser's message. */
export class CompileError extends Error {}

export interface CompileOptions {
  /**
   * In a matrix leg: the helpers record step `<id>` as `<id><job-index>`, so `steps.<id>` reads
   * `steps["<id>" + strategy["job-index"]]`.
   */
  readonly legSteps?: boolean;
  /** Contexts read under another name (a `workflow_call` output's `jobs` are its realm's `needs`). */
  readonly rename?: Readonly<Record<string, string>>;
  /** Told of each `hashFiles()` call (the realm has no file system). */
  readonly onHashFiles?: () => void;
  /**
   * The `env` the workflow sets where the expression is (workflow, job, step: later entries
   * win), each value as JavaScript giving its text: the realm's `env` does not hold them, so
   * `env.<name>` reads the value, and `env` as a whole is the realm's with them (`__gh_env`).
   * A workflow's or job's value gives way to one a step wrote to GITHUB_ENV (which the realm's
   * `env` holds, `__gh_envor`); a step's own does not.
   */
  readonly env?: readonly EnvEntry[];
  /**
   * The types of a reusable workflow's `workflow_call` inputs: the realm holds every input as
   * a text, so `inputs.<name>` of a `boolean` input reads `true` when its text is `true`, and
   * of a `number` input its number.
   */
  readonly inputTypes?: Readonly<Record<string, string>>;
}

/** A JavaScript string literal without `.`, braces, parentheses, quotes or `$` in its text. */
export function jsString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (/[A-Za-z0-9 _\-+*/=<>!?@#&|^~,:;[\]]/.test(ch)) out += ch;
    else
      for (let i = 0; i < ch.length; i++) {
        out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
      }
  }
  return `${out}"`;
}

/** A number as JavaScript without a `.` (`Number("1\u002e5")`). */
export function jsNumber(n: number): string {
  if (Object.is(n, -0)) return '(-0)';
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '(-Infinity)';
  if (Number.isSafeInteger(n)) return n < 0 ? `(${n})` : String(n);
  return `Number(${jsString(String(n))})`;
}

interface Token {
  readonly lexeme: string;
}
interface Node {
  accept(v: Visitor): string;
}
interface Visitor {
  visitLiteral(n: { literal: { kind: number; coerceString(): string; number(): number } }): string;
  visitUnary(n: { operator: Token; expr: Node }): string;
  visitBinary(n: { left: Node; operator: Token; right: Node }): string;
  visitLogical(n: { operator: Token; args: Node[] }): string;
  visitGrouping(n: { group: Node }): string;
  visitContextAccess(n: { name: Token }): string;
  visitIndexAccess(n: { expr: Node; index: Node }): string;
  visitFunctionCall(n: { functionName: Token; args: Node[] }): string;
}

/** Parses an expression (without `${{ }}`) as GitHub does; CompileError when it does not parse. */
function parse(text: string): Node {
  const L = libs();
  try {
    const lexed = new L.Lexer(text).lex();
    return new L.Parser(lexed.tokens, CONTEXTS, EXTRA).parse() as Node;
  } catch (e) {
    throw new CompileError(`invalid expression '${text.trim()}': ${(e as Error).message}`);
  }
}

/**
 * One expression (without `${{ }}`) as JavaScript over the prelude's functions: its value as
 * GitHub's evaluator gives it. The status functions stay calls (`success()`…) that the importer
 * replaces by what they give where the condition is evaluated.
 */
export function compileExpression(text: string, options: CompileOptions = {}): string {
  const K = libs().data.Kind;
  const isContext = (n: Node, name: string) =>
    (n as unknown as { name?: Token }).name?.lexeme.toLowerCase() === name &&
    (n as unknown as { expr?: unknown }).expr === undefined &&
    (n as unknown as { args?: unknown }).args === undefined;
  const visitor: Visitor = {
    visitLiteral({ literal }) {
      if (literal.kind === K.Null) return 'null';
      if (literal.kind === K.Boolean) return literal.coerceString();
      if (literal.kind === K.Number) return jsNumber(literal.number());
      return jsString(literal.coerceString());
    },
    visitUnary({ operator, expr }) {
      if (operator.lexeme !== '!') throw new CompileError(`unknown operator '${operator.lexeme}'`);
      return `__gh_not(${expr.accept(visitor)})`;
    },
    visitBinary({ left, operator, right }) {
      const f = OPERATORS[operator.lexeme];
      if (f === undefined) throw new CompileError(`unknown operator '${operator.lexeme}'`);
      return `${f}(${left.accept(visitor)}, ${right.accept(visitor)})`;
    },
    visitLogical({ operator, args }) {
      const f = operator.lexeme === '&&' ? '__gh_and' : '__gh_or';
      const [first, ...rest] = args.map((a) => a.accept(visitor));
      return `${f}(${[first, ...rest.map((r) => `() => ${r}`)].join(', ')})`;
    },
    visitGrouping({ group }) {
      return `(${group.accept(visitor)})`;
    },
    visitContextAccess({ name }) {
      const n = name.lexeme.toLowerCase();
      if (n === 'env' && options.env && options.env.length > 0)
        return `__gh_env(__gh_envunder(env${options.env
          .filter(([, , step]) => step !== true)
          .map(([k, v]) => `, ${jsString(k)}, ${v}`)
          .join('')})${options.env
          .filter(([, , step]) => step === true)
          .map(([k, v]) => `, ${jsString(k)}, ${v}`)
          .join('')})`;
      return options.rename?.[n] ?? n;
    },
    visitIndexAccess({ expr, index }) {
      // `env.<name>` of a name the workflow sets: its value (the last one set, names without case)
      const literal = (index as unknown as { literal?: { kind: number; coerceString(): string } }).literal;
      if (isContext(expr, 'env') && literal !== undefined && literal.kind === K.String && options.env) {
        const key = literal.coerceString().toLowerCase();
        const set = options.env.findLast(([k]) => k.toLowerCase() === key);
        if (set) return set[2] === true ? set[1] : `__gh_envor(env, ${jsString(set[0])}, ${set[1]})`;
      }
      const object = expr.accept(visitor);
      // the `*` of a filter: a node without any field
      if (Object.keys(index).length === 0) return `__gh_star(${object})`;
      const key = index.accept(visitor);
      if (isContext(expr, 'inputs') && literal !== undefined && literal.kind === K.String && options.inputTypes) {
        const name = literal.coerceString().toLowerCase();
        const type = Object.entries(options.inputTypes).find(([k]) => k.toLowerCase() === name)?.[1];
        if (type === 'boolean') return `__gh_eq(__gh_idx(${object}, ${key}), "true")`;
        if (type === 'number') return `__gh_num(__gh_idx(${object}, ${key}))`;
      }
      if (options.legSteps && isContext(expr, 'steps')) return `__gh_idx(${object}, __gh_tostr(${key}) + strategy["job-index"])`;
      return `__gh_idx(${object}, ${key})`;
    },
    visitFunctionCall({ functionName, args }) {
      const name = functionName.lexeme.toLowerCase();
      if (STATUS_FUNCS.includes(name)) return `${name}()`;
      if (name === 'hashfiles') options.onHashFiles?.();
      const f = FUNCTIONS[name];
      if (f === undefined) throw new CompileError(`unknown function '${functionName.lexeme}'`);
      return `${f}(${args.map((a) => a.accept(visitor)).join(', ')})`;
    },
  };
  const js = parse(text).accept(visitor);
  if (js.includes('}') || /\.[\w-]/.test(js))
    throw new Error(`internal: compiled expression '${text}' would not survive the helpers: ${js}`);
  return js;
}

/** The parts of a text: literal text and `${{ }}` expressions (the bridge's own split; CompileError for an unclosed one). */
export function templateParts(text: string): ({ lit: string } | { expr: string })[] {
  try {
    return splitTemplate(text);
  } catch (e) {
    if (e instanceof ExpressionProblem) throw new CompileError(e.message);
    throw e;
  }
}

/**
 * A text with its `${{ }}` compiled: each `${{ __gh_str(<js>) }}` (GitHub's text of the value,
 * the helpers keeping only strings). With `whole`, a text that is one expression and nothing
 * else is `${{ <js> }}`, its value of any type (for what the importer or the matrix evaluates
 * itself: `strategy`, `timeout-minutes`, `continue-on-error`, `container`, `runs-on`).
 */
export function compileTemplate(text: string, options: CompileOptions & { readonly whole?: boolean } = {}): string {
  if (!text.includes('${{')) return text;
  const parts = templateParts(text);
  const exprs = parts.filter((p) => 'expr' in p);
  if (options.whole && exprs.length === 1 && parts.every((p) => 'expr' in p || p.lit.trim() === ''))
    return `\${{ ${compileExpression((exprs[0] as { expr: string }).expr, options)} }}`;
  return parts.map((p) => ('lit' in p ? p.lit : `\${{ __gh_str(${compileExpression(p.expr, options)}) }}`)).join('');
}

/** A text with placeholders as one JavaScript expression giving the text (GitHub's text of each value). */
export function compileText(text: string, options: CompileOptions = {}): string {
  if (!text.includes('${{')) return jsString(text);
  const pieces = templateParts(text).map((p) => ('lit' in p ? jsString(p.lit) : `__gh_str(${compileExpression(p.expr, options)})`));
  return pieces.length === 1 ? pieces[0]! : `(${pieces.join(' + ')})`;
}

/**
 * An `if:` as one JavaScript condition (without `${{ }}`): a whole `${{ }}` or a bare expression
 * compiled; a text with expressions inside, GitHub's truthiness of its text. The status
 * functions stay calls the importer replaces; without them GitHub's implicit `success() &&`
 * is the importer's too.
 */
export function compileCondition(text: string, options: CompileOptions = {}): string {
  const t = text.trim();
  if (!t.includes('${{')) return compileExpression(t, options);
  const parts = templateParts(t);
  if (parts.length === 1 && 'expr' in parts[0]!) return compileExpression(parts[0].expr, options);
  const pieces = parts.map((p) => ('lit' in p ? jsString(p.lit) : `__gh_str(${compileExpression(p.expr, options)})`));
  return `__gh_truthy(${pieces.join(' + ')})`;
}

/** A value whose expressions call hashFiles or read `runner`, and read no context but `github` and `runner`. */
export function deferred(text: string): boolean {
  const exprs = [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.replace(/'(?:[^']|'')*'/g, "''"));
  if (!exprs.some((e) => /\bhashFiles\s*\(|\brunner\b/.test(e))) return false;
  // the contexts read: names neither after a `.` nor called
  const roots = exprs.flatMap((e) => [...e.matchAll(/(?<![.\w-])([A-Za-z_][\w-]*)(?![\w-]*\s*\()/g)].map((m) => m[1]!));
  return roots.every((r) => ['github', 'runner', 'true', 'false', 'null'].includes(r));
}

/** The actions whose `with:` the importer turns into env of its own scripts (not `tutti github action`). */
const OWN_ACTIONS = ['actions/upload-artifact', 'actions/download-artifact'];

/**
 * A workflow with every expression compiled for the realm (`tutti github import` without
 * `--reference-expressions`): `run:`, `env:` at every level, `with:`, `if:` (a condition),
 * job outputs, a matrix job's `name`, `strategy`, `timeout-minutes`, `continue-on-error`,
 * `runs-on`, `container`, `services`, `defaults`, a call's `with:` and `secrets:`, and the
 * `workflow_call` inputs' defaults and outputs. An action's `with:` that the bridge's action
 * runner evaluates (hashFiles, runner: `deferred`) stays as it is; `hashFiles()` elsewhere is
 * computed by the helpers for the realm (it has no file system; cicd's realm.ts). A `run:` step without a name keeps its
 * label (`Run <first line>`, of the text as written). WorkflowError (file:line:column) for an
 * expression that does not parse.
 */
export function faithfulWorkflow(w: Workflow, warn: (m: string) => void): Workflow {
  const specs = ((w.on.workflow_call ?? {}) as Raw).inputs;
  const inputTypes = Object.fromEntries(
    Object.entries((specs ?? {}) as Record<string, Raw | null>).map(([k, spec]) => [k, String(spec?.type ?? 'string')]),
  );
  /** Compiles the strings of a value; `where` locates errors and warnings. */
  const walk = (v: unknown, where: string, options: CompileOptions & { readonly whole?: boolean } = {}): unknown => {
    if (typeof v === 'string') {
      try {
        return compileTemplate(v, { ...options, inputTypes });
      } catch (e) {
        if (e instanceof CompileError) throw new WorkflowError(`${where}: ${e.message}`);
        throw e;
      }
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, where, options));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, where, options)]));
    return v;
  };
  const condition = (v: unknown, where: string, options: CompileOptions = {}): unknown => {
    if (typeof v !== 'string') return v;
    try {
      return compileCondition(v, { ...options, inputTypes });
    } catch (e) {
      if (e instanceof CompileError) throw new WorkflowError(`${where}: ${e.message}`);
      throw e;
    }
  };
  /**
   * The `env` a level sets, each value as JavaScript giving its text (its expressions reading
   * `env` of the levels above, `outer`), after those above.
   */
  const envOf = (v: unknown, where: string, outer: readonly EnvEntry[], legSteps = false, step = false): EnvEntry[] => {
    const own: EnvEntry[] = [];
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const [k, x] of Object.entries(v as Raw)) {
        const text = x === null || x === undefined ? '' : typeof x === 'string' ? x : String(x);
        try {
          own.push([k, compileText(text, { env: outer, legSteps, inputTypes }), step]);
        } catch (e) {
          if (e instanceof CompileError) throw new WorkflowError(`${where}: ${e.message}`);
          throw e;
        }
      }
    return [...outer, ...own];
  };
  const wfEnv = envOf(w.env, w.where(), []);
  const jobs: Record<string, Raw> = {};
  for (const [id, job] of Object.entries(w.jobs)) {
    const at = w.where(id);
    const legSteps = job.uses === undefined && ((job.strategy ?? undefined) as Raw | undefined)?.matrix !== undefined;
    const jobEnv = envOf(job.env, at, wfEnv);
    const j: Raw = { ...job };
    const set = (key: string, f: (v: unknown) => unknown) => {
      if (job[key] !== undefined) j[key] = f(job[key]);
    };
    const env = { env: jobEnv };
    set('if', (v) => condition(v, at, { env: wfEnv }));
    // (a matrix leg's name is evaluated with its matrix; other names are labels as written)
    if (legSteps) set('name', (v) => walk(v, at, env));
    set('env', (v) => walk(v, at, { env: wfEnv }));
    for (const key of ['with', 'services', 'defaults']) set(key, (v) => walk(v, at, env));
    if (job.secrets !== 'inherit') set('secrets', (v) => walk(v, at, env));
    set('outputs', (v) => walk(v, at, { legSteps, ...env }));
    for (const key of ['strategy', 'timeout-minutes', 'continue-on-error', 'container', 'runs-on'])
      set(key, (v) => walk(v, at, { whole: true, ...env }));
    // (a container mapping's texts are env values)
    if (job.container !== null && typeof job.container === 'object') j.container = walk(job.container, at, env);
    if (Array.isArray(job.steps))
      j.steps = (job.steps as Raw[]).map((s, i) => {
        const here = (key?: string) => w.where(id, i, key);
        const o: Raw = { ...s };
        const step = (key: string, f: (v: unknown, where: string) => unknown) => {
          if (s[key] !== undefined) o[key] = f(s[key], here(key));
        };
        const stepEnv = envOf(s.env, here('env'), jobEnv, legSteps, true);
        if (s.run !== undefined && s.name === undefined) o.name = `Run ${String(s.run).trim().split('\n')[0]}`;
        step('if', (v, where) => condition(v, where, { legSteps, env: jobEnv }));
        step('env', (v, where) => walk(v, where, { legSteps, env: jobEnv }));
        for (const key of ['run', 'working-directory', 'shell']) step(key, (v, where) => walk(v, where, { legSteps, env: stepEnv }));
        for (const key of ['timeout-minutes', 'continue-on-error'])
          step(key, (v, where) => walk(v, where, { legSteps, whole: true, env: stepEnv }));
        const own = OWN_ACTIONS.includes(
          String(s.uses ?? '')
            .trim()
            .replace(/@.*$/, ''),
        );
        step('with', (v, where) =>
          v !== null && typeof v === 'object'
            ? Object.fromEntries(
                Object.entries(v as Raw).map(([k, x]) => [
                  k,
                  // evaluated by the action runner (GitHub's evaluator, with the workspace)
                  !own && typeof x === 'string' && deferred(x) ? x : walk(x, where, { legSteps, env: stepEnv }),
                ]),
              )
            : v,
        );
        return o;
      });
    jobs[id] = j;
  }
  const on: Record<string, Raw | null> = { ...w.on };
  const call = w.on.workflow_call;
  if (call) {
    const at = w.where();
    const c: Raw = { ...call };
    if (call.inputs && typeof call.inputs === 'object')
      c.inputs = Object.fromEntries(
        Object.entries(call.inputs as Record<string, Raw | null>).map(([k, spec]) => [
          k,
          spec && spec.default !== undefined ? { ...spec, default: walk(spec.default, at) } : spec,
        ]),
      );
    if (call.outputs && typeof call.outputs === 'object')
      c.outputs = Object.fromEntries(
        Object.entries(call.outputs as Record<string, Raw | null>).map(([k, spec]) => [
          k,
          spec && spec.value !== undefined ? { ...spec, value: walk(spec.value, at, { rename: { jobs: 'needs' } }) } : spec,
        ]),
      );
    on.workflow_call = c;
  }
  return {
    ...w,
    on,
    env: walk(w.env, w.where()) as Raw | undefined,
    defaults: walk(w.defaults, w.where(), { env: wfEnv }) as Raw | undefined,
    jobs,
  };
}
