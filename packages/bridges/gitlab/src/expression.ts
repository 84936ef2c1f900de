/**
 * GitLab's CI/CD expressions (`rules:if`, `only:variables`, `workflow:rules:if`): a small
 * parser and evaluator after GitLab's `Gitlab::Ci::Pipeline::Expression`.
 *
 *   expr    := and ('||' and)*
 *   and     := primary ('&&' primary)*
 *   primary := '(' expr ')' | operand (('==' | '!=' | '=~' | '!~') operand)?
 *   operand := $NAME | ${NAME} | "string" | 'string' | /pattern/flags | null
 *
 * Values follow GitLab (Ruby) semantics: an unset variable is `null`; `&&` and `||` return one
 * of their operands (Ruby truthiness: only null and false are false); the whole expression is
 * true when its value is "present" (not null, not false, not the empty string). `=~` matches
 * unanchored with RE2 (re2js, as GitLab uses RE2), flags `i`, `m`, `s`; on the right, a
 * variable whose value is `/pattern/flags` is used as a pattern. A null left side is
 * matched as the empty text, as GitLab does.
 */
import { RE2JS } from 're2js';

type Token =
  | { kind: 'var'; name: string; at: number }
  | { kind: 'str'; value: string; at: number }
  | { kind: 're'; source: string; flags: string; at: number }
  | { kind: 'null'; at: number }
  | { kind: 'op'; op: '==' | '!=' | '=~' | '!~' | '&&' | '||' | '(' | ')'; at: number };

export type Expr =
  | { kind: 'var'; name: string }
  | { kind: 'str'; value: string }
  | { kind: 're'; source: string; flags: string }
  | { kind: 'null' }
  | { kind: 'cmp'; op: '==' | '!=' | '=~' | '!~'; left: Expr; right: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr };

/** A malformed expression; `offset` is where in the text. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '=~' || two === '!~' || two === '&&' || two === '||') {
      out.push({ kind: 'op', op: two, at: i });
      i += 2;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: 'op', op: c, at: i });
      i++;
      continue;
    }
    if (c === '$') {
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
      if (m === null) throw new ExpressionError("'$' must start a variable name", i);
      out.push({ kind: 'var', name: (m[1] ?? m[2]) as string, at: i });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unterminated string', i);
      out.push({ kind: 'str', value: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    if (c === '/') {
      let j = i + 1;
      while (j < text.length && text[j] !== '/') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ExpressionError('unterminated pattern (/…/)', i);
      const source = text.slice(i + 1, j);
      const flags = /^[a-zA-Z]*/.exec(text.slice(j + 1))?.[0] ?? '';
      out.push({ kind: 're', source, flags, at: i });
      i = j + 1 + flags.length;
      continue;
    }
    if (text.startsWith('null', i) && !/[A-Za-z0-9_]/.test(text[i + 4] ?? '')) {
      out.push({ kind: 'null', at: i });
      i += 4;
      continue;
    }
    throw new ExpressionError(`unexpected '${text.slice(i, i + 12)}'`, i);
  }
  return out;
}

/** Parses an expression; throws {@link ExpressionError}. */
export function parseExpression(text: string): Expr {
  const tokens = lex(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (t: Token | undefined, op: string): boolean => t?.kind === 'op' && t.op === op;
  const operand = (): Expr => {
    const t = tokens[pos++];
    if (t === undefined) throw new ExpressionError('expression ends where a value was expected', text.length);
    switch (t.kind) {
      case 'var':
        return { kind: 'var', name: t.name };
      case 'str':
        return { kind: 'str', value: t.value };
      case 're':
        return { kind: 're', source: t.source, flags: t.flags };
      case 'null':
        return { kind: 'null' };
      default:
        throw new ExpressionError(`unexpected '${t.op}' where a value was expected`, t.at);
    }
  };
  const primary = (): Expr => {
    if (isOp(peek(), '(')) {
      pos++;
      const e = or();
      const close = tokens[pos++];
      if (!isOp(close, ')')) throw new ExpressionError("missing ')'", close?.at ?? text.length);
      return e;
    }
    const left = operand();
    const t = peek();
    if (t?.kind === 'op' && (t.op === '==' || t.op === '!=' || t.op === '=~' || t.op === '!~')) {
      pos++;
      return { kind: 'cmp', op: t.op, left, right: operand() };
    }
    return left;
  };
  const and = (): Expr => {
    let e = primary();
    while (isOp(peek(), '&&')) {
      pos++;
      e = { kind: 'and', left: e, right: primary() };
    }
    return e;
  };
  const or = (): Expr => {
    let e = and();
    while (isOp(peek(), '||')) {
      pos++;
      e = { kind: 'or', left: e, right: and() };
    }
    return e;
  };
  if (tokens.length === 0) throw new ExpressionError('empty expression', 0);
  const e = or();
  const rest = peek();
  if (rest !== undefined) throw new ExpressionError(`unexpected '${text.slice(rest.at, rest.at + 12)}' after the expression`, rest.at);
  return e;
}

type Val = string | null | boolean | { re: RE2JS };

const PATTERN = /^\/(.+)\/([a-zA-Z]*)$/s;

function compile(source: string, flags: string): RE2JS | undefined {
  let f = 0;
  for (const c of flags) {
    if (c === 'i') f |= RE2JS.CASE_INSENSITIVE;
    else if (c === 'm') f |= RE2JS.MULTILINE;
    else if (c === 's') f |= RE2JS.DOTALL;
  }
  try {
    return RE2JS.compile(source, f);
  } catch {
    return undefined;
  }
}

/** Checks every pattern of a parsed expression compiles; returns the first bad one's message. */
export function checkPatterns(e: Expr): string | undefined {
  switch (e.kind) {
    case 're':
      return compile(e.source, e.flags) === undefined ? `invalid regular expression /${e.source}/` : undefined;
    case 'cmp':
    case 'and':
    case 'or':
      return checkPatterns(e.left) ?? checkPatterns(e.right);
    default:
      return undefined;
  }
}

/** Evaluates to GitLab's value of `e` (see the module comment). */
function evaluate(e: Expr, vars: (name: string) => string | undefined): Val {
  switch (e.kind) {
    case 'var':
      return vars(e.name) ?? null;
    case 'str':
      return e.value;
    case 'null':
      return null;
    case 're': {
      const re = compile(e.source, e.flags);
      return re === undefined ? null : { re };
    }
    case 'and': {
      const l = evaluate(e.left, vars);
      return l === null || l === false ? l : evaluate(e.right, vars);
    }
    case 'or': {
      const l = evaluate(e.left, vars);
      return l === null || l === false ? evaluate(e.right, vars) : l;
    }
    case 'cmp': {
      const l = evaluate(e.left, vars);
      if (e.op === '==' || e.op === '!=') {
        const r = evaluate(e.right, vars);
        const eq = typeof l === 'object' && l !== null ? false : l === (typeof r === 'object' && r !== null ? undefined : r);
        return e.op === '==' ? eq : !eq;
      }
      let re: RE2JS | undefined;
      if (e.right.kind === 're') re = compile(e.right.source, e.right.flags);
      else {
        const r = evaluate(e.right, vars);
        if (typeof r === 'string') {
          const m = PATTERN.exec(r);
          re = m === null ? undefined : compile(m[1] as string, m[2] as string);
        }
      }
      // As GitLab: the left side as text (null is ''); no usable pattern: =~ false, !~ true.
      if (re === undefined) return e.op === '!~';
      const matched = re.matcher(typeof l === 'string' ? l : l === true ? 'true' : '').find();
      return e.op === '=~' ? matched : !matched;
    }
  }
}

/** Whether `e` holds with these variables (GitLab's "present" value). */
export function holds(e: Expr, vars: (name: string) => string | undefined): boolean {
  const v = evaluate(e, vars);
  return v !== null && v !== false && v !== '';
}

const parsed = new Map<string, Expr>();
/** Parses (memoised) and evaluates. Throws {@link ExpressionError} for bad syntax. */
export function evaluateIf(text: string, vars: (name: string) => string | undefined): boolean {
  let e = parsed.get(text);
  if (e === undefined) {
    e = parseExpression(text);
    parsed.set(text, e);
  }
  return holds(e, vars);
}
