/**
 * Rust's replacement syntax (`Captures::expand`): `$1`, `$name`,
 * `${name}`, `$$`. It differs from JavaScript's `String.prototype.replace` patterns:
 * `$name` takes the longest run of ASCII letters, digits and `_` (so `$1a` is the group
 * named `1a`, usually absent), an unknown group expands to nothing, and a `$` that starts
 * no reference stays a literal `$`.
 */
import type { CompiledRegex } from './compile.js';

/** A replacement template, split once and expanded per match. */
export type Replacement = readonly (string | { readonly group: number } | { readonly name: string })[];

const isCapLetter = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/** A reference text parsed as Rust's `usize` (an optional `+`, then decimal digits). */
function asIndex(text: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  // Beyond usize the reference falls back to a name, which no group has.
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

const reference = (text: string) => {
  const i = asIndex(text);
  return i === undefined ? { name: text } : { group: i };
};

/**
 * Splits a replacement template.
 *
 * @example
 * ```ts
 * parseReplacement('$1-${name}$$'); // [{ group: 1 }, '-', { name: 'name' }, '$']
 * ```
 */
export function parseReplacement(template: string): Replacement {
  const parts: (string | { group: number } | { name: string })[] = [];
  let literal = '';
  let rest = template;
  while (rest !== '') {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    literal += rest.slice(0, dollar);
    rest = rest.slice(dollar);
    if (rest[1] === '$') {
      literal += '$';
      rest = rest.slice(2);
      continue;
    }
    let ref: { group: number } | { name: string } | undefined;
    let end = 0;
    if (rest[1] === '{') {
      const close = rest.indexOf('}', 2);
      if (close >= 0) {
        ref = reference(rest.slice(2, close));
        end = close + 1;
      }
    } else {
      let e = 1;
      while (e < rest.length && isCapLetter(rest.charCodeAt(e))) e++;
      if (e > 1) {
        ref = reference(rest.slice(1, e));
        end = e;
      }
    }
    if (ref === undefined) {
      literal += '$';
      rest = rest.slice(1);
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(ref);
    rest = rest.slice(end);
  }
  literal += rest;
  if (literal !== '') parts.push(literal);
  return parts;
}

/** Expands `template` for one match. */
export function expandReplacement(template: Replacement, match: RegExpExecArray, compiled: CompiledRegex): string {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else if ('group' in part) out += part.group <= compiled.groups ? (match[part.group] ?? '') : '';
    else {
      const i = compiled.indexOf.get(part.name);
      out += i === undefined ? '' : (match[i] ?? '');
    }
  }
  return out;
}

/** Replaces the first match of `compiled` in `text` (the text itself when none). */
export function replaceFirst(text: string, compiled: CompiledRegex, template: Replacement): string {
  const m = compiled.regex.exec(text);
  if (m === null) return text;
  return text.slice(0, m.index) + expandReplacement(template, m, compiled) + text.slice(m.index + m[0].length);
}
