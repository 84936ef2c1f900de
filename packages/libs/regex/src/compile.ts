/**
 * Compiling a Rust `regex` pattern: parse with the Rust grammar
 * (Rust's error messages for what Rust rejects), then emit for `re2js`, a JavaScript port
 * of RE2 that matches in time linear in the text, so that no pattern can hold the event
 * loop (`^(a+)+$` answers at once). Group names are kept aside. Compiled patterns are
 * cached, since the functions (`|matches`, …) receive the pattern with every call.
 *
 * Where re2js differs from Rust's `regex`, and what is done about it:
 * - RE2's `\d`, `\s`, `\w` are ASCII: they are emitted as the Unicode classes Rust means
 *   (`\p{Nd}`, `\p{White_Space}`, Alphabetic + M + Nd + Pc + Join_Control). Set operations
 *   (`&&`, `--`, `~~`), `scx=` and properties re2js lacks are evaluated to explicit code
 *   point ranges (`syntax/code-points.ts`) from the JavaScript engine's Unicode data;
 *   properties re2js knows use its own tables (Unicode 17), so a character assigned in
 *   a newer Unicode than the JavaScript engine's may be classified differently.
 * - Case-insensitive parts use RE2's `(?i:…)`, simple case folding as in Rust.
 * - RE2's `\b` and `\B` are ASCII, and it has no look-ahead. A Unicode word boundary
 *   (`\b`, `\B`, `\b{start}`, `\b{end}`, `\<`, `\>`, `\b{start-half}`, `\b{end-half}`)
 *   is emitted as RE2's, exact on ASCII text; on other text the pattern runs on marked
 *   text (`syntax/marked-text.ts`), still linear, three times longer. Only a pattern
 *   that mixes Unicode and ASCII (`(?-u)`) word boundaries, or has CRLF-mode line anchors
 *   (`(?mR)^`, `(?mR)$`), runs on the backtracking JavaScript translation
 *   (`syntax/emit.ts`) for text those cannot handle (non-ASCII, resp. holding a `\r`).
 * - RE2 refuses counted repetitions above 1000 (`a{1001}`), which Rust accepts: they are
 *   written as consecutive repetitions of at most 1000; one of a capturing group cannot
 *   be copied so, and such a pattern runs on the JavaScript translation.
 * These fallbacks are the only places where matching is not linear-time.
 *
 * The price: re2js interprets where V8 compiles. On short log lines (measured on this
 * repository's machine) a `test` took 0.4–2 µs and an `exec` with captures 0.8–10 µs,
 * against 0.1–0.7 µs with V8's RegExp.
 */

import type { RE2JS } from 're2js';
import { RE2 } from './re2.js';
import type { ParsedRegex } from './syntax/ast.js';
import { emitRegex } from './syntax/emit.js';
import { emitRe2 } from './syntax/emit-re2.js';
import { RegexSyntaxError } from './syntax/error.js';
import { markText, unmark } from './syntax/marked-text.js';
import { parseRegex } from './syntax/parser.js';

/** Matching as `RegExp` does it (non-global: every call searches from the start). */
export interface PatternMatcher {
  test(text: string): boolean;
  exec(text: string): RegExpExecArray | null;
}

/** A usable pattern. */
export interface CompiledRegex {
  readonly regex: PatternMatcher;
  /** The RE2 source given to re2js; undefined when the pattern only runs on the JavaScript translation. */
  readonly re2Source: string | undefined;
  /** Number of capturing groups. */
  readonly groups: number;
  /** Group names by capture index. */
  readonly names: ReadonlyMap<number, string>;
  /** Capture index by group name. */
  readonly indexOf: ReadonlyMap<string, number>;
}

/** A compiled pattern or the reason it does not compile. */
export type CompileResult = { readonly ok: true; readonly value: CompiledRegex } | { readonly ok: false; readonly error: RegexSyntaxError };

const CACHE_SIZE = 256;
const cache = new Map<string, CompileResult>();

/**
 * Compiles `pattern` (Rust syntax), from the cache when possible.
 *
 * @example
 * ```ts
 * const r = compileRegex('(?<year>\\d{4})');
 * if (r.ok) r.value.regex.exec('in 2024')?.[1]; // '2024'
 * ```
 */
export function compileRegex(pattern: string): CompileResult {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const result = compileUncached(pattern);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, result);
  return result;
}

function compileUncached(pattern: string): CompileResult {
  let parsed: ParsedRegex;
  try {
    parsed = parseRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { ok: false, error: e };
    throw e;
  }
  const indexOf = new Map<string, number>();
  for (const [i, name] of parsed.names) indexOf.set(name, i);
  let re2: ReturnType<typeof emitRe2>;
  try {
    re2 = emitRe2(parsed.root);
  } catch (e) {
    return { ok: false, error: unsupported(pattern, e) };
  }
  let linear: RE2JS | undefined;
  try {
    linear = RE2().compile(re2.source, re2.lookbehinds ? RE2().LOOKBEHINDS : 0);
  } catch {
    linear = undefined; // beyond RE2's limits (a long repetition of a capturing group): see the header
  }
  const exact = (text: string) => (!re2.asciiTextOnly || !NON_ASCII.test(text)) && (!re2.noCarriageReturn || !text.includes('\r'));
  const fallbackNeeded = linear === undefined || re2.asciiTextOnly || re2.noCarriageReturn;
  let js: RegExp | undefined;
  if (fallbackNeeded) {
    const { source, flags } = emitRegex(parsed.root);
    try {
      js = new RegExp(source, flags);
    } catch (e) {
      return { ok: false, error: unsupported(pattern, e) };
    }
  }
  let regex: PatternMatcher;
  if (linear !== undefined && js === undefined) regex = re2Matcher(linear);
  else if (linear === undefined) regex = js as RegExp;
  else {
    const fast = re2Matcher(linear);
    const other = (re2.asciiTextOnly && !re2.asciiWord && !re2.noCarriageReturn ? markedMatcher(parsed) : undefined) ?? (js as RegExp);
    regex = {
      test: (t) => (exact(t) ? fast.test(t) : other.test(t)),
      exec: (t) => (exact(t) ? fast.exec(t) : other.exec(t)),
    };
  }
  return {
    ok: true,
    value: { regex, re2Source: linear === undefined ? undefined : re2.source, groups: parsed.groups, names: parsed.names, indexOf },
  };
}

const NON_ASCII = /\P{ASCII}/u;

/** Valid Rust that this JavaScript engine cannot run (e.g. a script its Unicode data lacks). */
function unsupported(pattern: string, e: unknown): RegexSyntaxError {
  const reason = `not supported by the JavaScript regular expression engine (${(e as Error).message})`;
  return new RegexSyntaxError(pattern, 0, pattern.length, reason);
}

/** The pattern on marked text (Unicode word boundaries on any text), or undefined beyond RE2's limits. */
function markedMatcher(parsed: ParsedRegex): PatternMatcher | undefined {
  const marked = emitRe2(parsed.root, true);
  let r: RE2JS;
  try {
    r = RE2().compile(`\\A(?s:.{3})*?(${marked.source})`, marked.lookbehinds ? RE2().LOOKBEHINDS : 0);
  } catch {
    return undefined;
  }
  const exec = (text: string): RegExpExecArray | null => {
    const m = r.exec(markText(text)) as RegExpExecArray | null;
    if (m === null) return null;
    const whole = m[1] as string;
    const groups = [unmark(whole)];
    for (let i = 2; i < m.length; i++) groups.push(m[i] === undefined ? (undefined as unknown as string) : unmark(m[i] as string));
    return Object.assign(groups, {
      index: unmark(m[0].slice(0, m[0].length - whole.length)).length,
      input: text,
      groups: undefined,
    }) as unknown as RegExpExecArray;
  };
  return { test: (t) => r.test(markText(t)), exec };
}

function re2Matcher(r: RE2JS): PatternMatcher {
  return {
    test: (t) => r.test(t),
    exec: (t) => r.exec(t) as RegExpExecArray | null,
  };
}
