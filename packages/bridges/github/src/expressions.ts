/**
 * Expressions as GitHub evaluates them: parsed and evaluated by `@actions/expressions`, with the
 * functions it leaves to the runner added here — `success()`, `failure()`, `always()`,
 * `cancelled()` (from the status of the step's job, composite or needs) and `hashFiles()`.
 *
 * `${{ … }}` inside a string is replaced by the expression's value as a string (as GitHub's
 * template engine does: booleans `true`/`false`, null as the empty string, numbers in their
 * shortest form, objects and arrays as JSON); a value that is nothing but one `${{ … }}` keeps
 * its type (`matrix: ${{ fromJSON(…) }}`, `with: { n: ${{ 3 }} }`).
 */
import { hashFiles, hashFilesSync as hashFilesWith } from '@tutti/lib-cicd';
import picomatch from 'picomatch';
import { type ExpressionData, type FunctionDefinition, libs } from './actions.js';

/** A problem in an expression: its text and the evaluator's message. */
export class ExpressionProblem extends Error {}

/** The status the status functions read. */
export interface Status {
  /** No earlier step (job: no need) failed. */
  readonly success: boolean;
  /** The run was cancelled. */
  readonly cancelled: boolean;
}

export interface Scope {
  /** The contexts: `github`, `env`, `vars`, `job`, `jobs`, `steps`, `runner`, `secrets`, `strategy`, `matrix`, `needs`, `inputs`. */
  readonly contexts: Readonly<Record<string, unknown>>;
  readonly status?: Status;
  /** Folder `hashFiles()` searches (GITHUB_WORKSPACE). */
  readonly workspace?: string;
  /** Results of `hashFiles()` computed before evaluation (see `prepareHashFiles`). */
  readonly hashes?: ReadonlyMap<string, string>;
}

const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];
const STATUS_FUNCS = ['success', 'failure', 'always', 'cancelled'];
const EXTRA = [...STATUS_FUNCS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })), { name: 'hashFiles', minArgs: 1, maxArgs: 255 }];

/** A JavaScript value as expression data (objects become case-insensitive dictionaries, as GitHub's). */
export function toData(v: unknown): ExpressionData {
  const d = libs().data;
  if (v === null || v === undefined) return new d.Null();
  if (typeof v === 'string') return new d.StringData(v);
  if (typeof v === 'number') return new d.NumberData(v);
  if (typeof v === 'boolean') return new d.BooleanData(v);
  if (Array.isArray(v)) return new d.Array(...v.map(toData));
  if (typeof v === 'object') return new d.Dictionary(...Object.entries(v as object).map(([key, value]) => ({ key, value: toData(value) })));
  return new d.StringData(String(v));
}

/** Expression data as a JavaScript value. */
export function fromData(x: ExpressionData): unknown {
  const d = libs().data;
  const K = d.Kind;
  switch (x.kind) {
    case K.Null:
      return null;
    case K.String:
      return x.coerceString();
    case K.Number:
      return x.number();
    case K.Boolean:
      return (x as unknown as { value: boolean }).value;
    case K.Array:
      return (x as unknown as { values(): ExpressionData[] }).values().map(fromData);
    default: {
      const o: Record<string, unknown> = {};
      for (const p of (x as unknown as { pairs(): { key: string; value: ExpressionData }[] }).pairs()) o[p.key] = fromData(p.value);
      return o;
    }
  }
}

const parsed = new Map<string, unknown>();

/** Parses (cached) an expression's text. */
function parse(text: string): unknown {
  let ast = parsed.get(text);
  if (ast === undefined) {
    const L = libs();
    try {
      const lexed = new L.Lexer(text).lex();
      ast = new L.Parser(lexed.tokens, CONTEXTS, EXTRA).parse();
    } catch (e) {
      throw new ExpressionProblem(`invalid expression '${text}': ${(e as Error).message}`);
    }
    parsed.set(text, ast);
  }
  return ast;
}

/** Whether the expression calls one of the status functions (then no implicit `success() &&`). */
export function usesStatusFunction(text: string): boolean {
  return /\b(success|failure|always|cancelled)\s*\(/i.test(text);
}

/** The `hashFiles(...)` calls of an expression with literal arguments, for `prepareHashFiles`. */
function hashFilesCalls(text: string): string[][] {
  const out: string[][] = [];
  for (const m of text.matchAll(/hashFiles\s*\(([^)]*)\)/gi)) {
    const args = [...(m[1] ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((a) => (a[1] ?? '').replaceAll("''", "'"));
    out.push(args);
  }
  return out;
}

// GitHub's hashFiles, shared with the expression realm of imported programs (cicd's hash-files.ts).
export { hashFiles } from '@tutti/lib-cicd';

/** GitHub's hashFiles, read synchronously (the evaluator is synchronous). */
export const hashFilesSync = (workspace: string, patterns: readonly string[]): string => hashFilesWith(picomatch, workspace, patterns);

/** Computes the `hashFiles` calls of the given texts ahead (the evaluator itself is synchronous). */
export async function prepareHashFiles(texts: readonly string[], workspace: string, into: Map<string, string>): Promise<void> {
  for (const t of texts) {
    if (!/hashFiles/i.test(t)) continue;
    for (const args of hashFilesCalls(t)) {
      const key = JSON.stringify(args);
      if (!into.has(key)) into.set(key, await hashFiles(workspace, args));
    }
  }
}

/** Evaluates one expression (without `${{ }}`) to a JavaScript value. */
export function evaluate(text: string, scope: Scope): unknown {
  const ast = parse(text);
  const L = libs();
  const st = scope.status ?? { success: true, cancelled: false };
  const bool = (b: boolean) => new L.data.BooleanData(b);
  const fns = new Map<string, FunctionDefinition>([
    ['success', { name: 'success', minArgs: 0, maxArgs: 0, call: () => bool(st.success && !st.cancelled) }],
    ['failure', { name: 'failure', minArgs: 0, maxArgs: 0, call: () => bool(!st.success && !st.cancelled) }],
    ['always', { name: 'always', minArgs: 0, maxArgs: 0, call: () => bool(true) }],
    ['cancelled', { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => bool(st.cancelled) }],
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: (...args) => {
          const key = JSON.stringify(args.map((a) => a.coerceString()));
          let h = scope.hashes?.get(key);
          if (h === undefined) {
            // arguments computed by the expression: hashed now, under the workspace
            if (scope.workspace === undefined)
              throw new ExpressionProblem('hashFiles() is available only in steps (it searches the workspace)');
            h = hashFilesSync(scope.workspace, JSON.parse(key) as string[]);
            if (scope.hashes instanceof Map) scope.hashes.set(key, h);
          }
          return new L.data.StringData(h);
        },
      },
    ],
  ]);
  try {
    // only the contexts the expression names are converted (env alone holds the whole
    // machine environment, and every step evaluates at least its `if:`)
    const lower = text.toLowerCase();
    const used: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(scope.contexts)) if (lower.includes(k)) used[k] = v;
    return fromData(new L.Evaluator(ast, toData(used), fns).evaluate());
  } catch (e) {
    if (e instanceof ExpressionProblem) throw e;
    throw new ExpressionProblem(`cannot evaluate '${text}': ${(e as Error).message}`);
  }
}

/** A value as GitHub writes it into a string. */
export function asString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // (at most 15 significant digits, as GitHub's evaluator writes a number into a string)
  if (typeof v === 'number') return v === 0 ? '0' : String(+v.toFixed(15));
  return JSON.stringify(v, null, 2);
}

/** GitHub's truthiness (false, 0, -0, '', null are false; NaN too). */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return true;
}

const WHOLE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;

/**
 * Splits a string into literal text and `${{ }}` expressions, each as written (a `}}` inside a
 * quoted string does not close one); ExpressionProblem for an unclosed one. The import's
 * compiler splits texts the same way.
 */
export function templateParts(text: string): ({ lit: string } | { expr: string })[] {
  const out: ({ lit: string } | { expr: string })[] = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${{', i);
    if (start < 0) break;
    let j = start + 3;
    let quoted = false;
    while (j < text.length) {
      if (text[j] === "'") quoted = !quoted;
      else if (!quoted && text.startsWith('}}', j)) break;
      j++;
    }
    if (j >= text.length) throw new ExpressionProblem(`unclosed '\${{' in '${text}'`);
    if (start > i) out.push({ lit: text.slice(i, start) });
    out.push({ expr: text.slice(start + 3, j) });
    i = j + 2;
  }
  if (i < text.length) out.push({ lit: text.slice(i) });
  return out;
}

/** {@link templateParts} with each expression trimmed. */
const segments = (text: string) => templateParts(text).map((p) => ('lit' in p ? p : { expr: p.expr.trim() }));

/** Replaces every `${{ }}` of `text` by its value as a string. */
export function interpolate(text: string, scope: Scope): string {
  if (!text.includes('${{')) return text;
  let s = '';
  for (const seg of segments(text)) s += 'lit' in seg ? seg.lit : asString(evaluate(seg.expr, scope));
  return s;
}

/** A YAML value with every string interpolated; a string that is one whole `${{ }}` keeps the value's type. */
export function evalValue(v: unknown, scope: Scope): unknown {
  if (typeof v === 'string') {
    const m = WHOLE.exec(v);
    if (m && segments(v.trim()).length === 1) return evaluate(m[1]!.trim(), scope);
    return interpolate(v, scope);
  }
  if (Array.isArray(v)) return v.map((x) => evalValue(x, scope));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[interpolate(k, scope)] = evalValue(x, scope);
    return o;
  }
  return v;
}

/** A value's `env`-style map: every value as a string. */
export function evalMap(v: unknown, scope: Scope): Record<string, string> {
  const o: Record<string, string> = {};
  if (v === null || v === undefined) return o;
  const e = evalValue(v, scope);
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ExpressionProblem(`expected a mapping, got ${asString(e)}`);
  for (const [k, x] of Object.entries(e)) o[k] = asString(x);
  return o;
}

/**
 * An `if:` condition: with or without `${{ }}`; without a status function it means
 * `success() && (…)`, as GitHub's. Absent: `success()`.
 */
export function condition(text: unknown, scope: Scope): boolean {
  if (text === undefined || text === null || text === '') return evaluate('success()', scope) as boolean;
  if (typeof text === 'boolean') return text && truthy(evaluate('success()', scope));
  if (typeof text === 'number') return text !== 0 && truthy(evaluate('success()', scope));
  let t = String(text).trim();
  const m = WHOLE.exec(t);
  if (m && segments(t).length === 1) t = m[1]!.trim();
  else if (t.includes('${{')) return truthy(interpolate(t, scope)) && truthy(evaluate('success()', scope));
  const expr = usesStatusFunction(t) ? t : `success() && (${t})`;
  return truthy(evaluate(expr, scope));
}
