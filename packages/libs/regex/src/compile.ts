/**
 * Compiling a Rust `regex` pattern into a JavaScript RegExp (libraries spec §8): parse with
 * the Rust grammar, emit JavaScript with Rust's meaning, keep the group names aside.
 * Compiled patterns are cached, since the functions (`|matches`, …) receive the pattern
 * with every call.
 */
import type { ParsedRegex } from './syntax/ast.js';
import { emitRegex } from './syntax/emit.js';
import { RegexSyntaxError } from './syntax/error.js';
import { parseRegex } from './syntax/parser.js';

/** A usable pattern. */
export interface CompiledRegex {
  /** The JavaScript equivalent (non-global: `exec`/`test` always search from the start). */
  readonly regex: RegExp;
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
  const { source, flags } = emitRegex(parsed.root);
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    // Valid Rust that this JavaScript engine cannot run (e.g. a script its Unicode data lacks).
    const reason = `not supported by the JavaScript regular expression engine (${(e as Error).message})`;
    return { ok: false, error: new RegexSyntaxError(pattern, 0, pattern.length, reason) };
  }
  const indexOf = new Map<string, number>();
  for (const [i, name] of parsed.names) indexOf.set(name, i);
  return { ok: true, value: { regex, groups: parsed.groups, names: parsed.names, indexOf } };
}
