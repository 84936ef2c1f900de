/**
 * JSON text of a raw tree, byte for byte as the reference writes it:
 * compact (ToString) or pretty (Display: two-space indentation, `": "` after keys, `[]`
 * and `{}` when empty). Floats always show that they are floats (`1.0`, `1e16`), strings
 * escape only what JSON requires.
 */
import { JsonFloat, JsonObject, type JsonRaw } from './raw.js';

/** Compact JSON text: no spaces, keys in order. */
export function writeCompact(r: JsonRaw): string {
  switch (typeof r) {
    case 'string':
      return quoteJson(r);
    case 'number':
      return Number.isInteger(r) ? String(r) : floatJson(r);
    case 'bigint':
    case 'boolean':
      return String(r);
    default:
      if (r === null) return 'null';
      if (r instanceof JsonFloat) return floatJson(r.value);
      if (Array.isArray(r)) {
        const items = r as readonly JsonRaw[];
        let out = '[';
        for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + writeCompact(items[i] as JsonRaw);
        return `${out}]`;
      }
      return compactObject(r as JsonObject);
  }
}

function compactObject(o: JsonObject): string {
  let out = '{';
  for (let i = 0; i < o.keys.length; i++) {
    out += `${i === 0 ? '' : ','}${quoteJson(o.keys[i] as string)}:${writeCompact(o.values[i] as JsonRaw)}`;
  }
  return `${out}}`;
}

/** Pretty JSON text, as `serde_json::to_string_pretty`. */
export function writePretty(r: JsonRaw, indent = ''): string {
  if (Array.isArray(r)) {
    const items = r as readonly JsonRaw[];
    if (items.length === 0) return '[]';
    const inner = `${indent}  `;
    let out = '[';
    for (let i = 0; i < items.length; i++) out += `${i === 0 ? '\n' : ',\n'}${inner}${writePretty(items[i] as JsonRaw, inner)}`;
    return `${out}\n${indent}]`;
  }
  if (r instanceof JsonObject) {
    if (r.size === 0) return '{}';
    const inner = `${indent}  `;
    let out = '{';
    for (let i = 0; i < r.size; i++) {
      out += `${i === 0 ? '\n' : ',\n'}${inner}${quoteJson(r.keys[i] as string)}: ${writePretty(r.values[i] as JsonRaw, inner)}`;
    }
    return `${out}\n${indent}}`;
  }
  return writeCompact(r);
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/**
 * A JSON string literal: `"` and `\` escaped, C0 controls as `\b \f \n \r \t` or `\u00XX`
 * (lowercase hex); `/`, U+007F, U+2028/U+2029 and non-ASCII as they are.
 */
export function quoteJson(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(from, i) + (SHORT_ESCAPES[c] ?? `\\u00${c.toString(16).padStart(2, '0')}`);
    from = i + 1;
  }
  return `${out + s.slice(from)}"`;
}

/**
 * A finite float as the reference prints it (Rust's `ryu`): shortest round-trip digits,
 * positional with a mandatory fraction when 1e-5 ≤ |x| < 1e16 (`1.0`, `0.00001`),
 * otherwise `d.ddde±N` without `+` (`1e16`, `1.5e-7`); `-0.0` keeps its sign.
 */
export function floatJson(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e-5 && a < 1e16) {
    // JavaScript prints this range positionally with the same shortest digits.
    const s = String(x);
    return Number.isInteger(x) ? `${s}.0` : s;
  }
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without argument gives the shortest digits that read back as `a`.
  const [mantissa, exp] = a.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  const sign = x < 0 ? '-' : '';
  return digits.length === 1 ? `${sign}${digits}e${e}` : `${sign}${digits[0]}.${digits.slice(1)}e${e}`;
}
