/**
 * Literal values to run-time values (core's values.ts): a literal has
 * no type of its own, so it is converted against the type expected where it is written.
 * The checker has already accepted the pair; nothing here reports.
 */
import { canon, type DataType, type Value } from '@tutti/core';
import type { ValueSyntax } from '../syntax/syntax.js';

/** The value of literal `v` at type `t`. */
export function literalValue(v: ValueSyntax, t: DataType): Value {
  if (t.kind === 'option') {
    if (v.kind === 'void') return null;
    return literalValue(v, t.of);
  }
  switch (v.kind) {
    case 'void':
      return undefined;
    case 'bool':
    case 'string':
      return v.value;
    case 'char':
      return v.value ?? '';
    case 'byte':
      return v.value;
    case 'number':
      return numberValue(v.text, t);
    case 'array': {
      const of = t.kind === 'vec' ? t.of : t;
      const out: Value[] = new Array(v.items.length);
      for (let i = 0; i < v.items.length; i++) out[i] = literalValue(v.items[i] as ValueSyntax, of);
      return out;
    }
    default:
      throw new Error(`not a literal: ${v.kind}`);
  }
}

/** A number literal's text at a numeric type. */
export function numberValue(text: string, t: DataType): Value {
  const name = t.kind === 'core' ? t.name : 'f64';
  if (name === 'f32') return Math.fround(Number(text));
  if (name === 'f64') return Number(text);
  if (/^[+-]?[0-9]+$/.test(text)) return canon(BigInt(text.startsWith('+') ? text.slice(1) : text));
  return Number(text);
}
