/**
 * Evaluation of parameter expressions: constants are already
 * values; context reads and var function calls are evaluated per track. Enclosing
 * parameters are substituted into inner values, so an expression is as deep as the
 * composite nesting that built it: evaluation keeps an explicit stack (issue 8).
 */
import type { Value } from '@tutti/core';
import type { ValueExpr } from './design.js';

/** Context values of a track, by context identifier. */
export type TrackContexts = ReadonlyMap<string, Readonly<Record<string, Value>>>;

type Compound = Extract<ValueExpr, { kind: 'array' | 'call' }>;

/** A call or array whose items are being evaluated. */
interface Frame {
  readonly expr: Compound;
  readonly items: readonly ValueExpr[];
  readonly values: Value[];
}

function open(expr: Compound): Frame {
  return { expr, items: expr.kind === 'call' ? expr.args : expr.items, values: [] };
}

function readContext(e: Extract<ValueExpr, { kind: 'context' }>, contexts: TrackContexts | undefined): Value {
  const c = contexts?.get(e.context);
  if (c === undefined) throw new Error(`context '${e.context}' is not available in this track`);
  return c[e.field];
}

/** Evaluates an expression for a track (`contexts` undefined at genesis). */
export function evaluate(e: ValueExpr, contexts: TrackContexts | undefined): Value {
  if (e.kind === 'const') return e.value;
  if (e.kind === 'context') return readContext(e, contexts);
  const stack: Frame[] = [open(e)];
  for (;;) {
    const top = stack[stack.length - 1] as Frame;
    const item = top.items[top.values.length];
    if (item !== undefined) {
      if (item.kind === 'const') top.values.push(item.value);
      else if (item.kind === 'context') top.values.push(readContext(item, contexts));
      else stack.push(open(item));
      continue;
    }
    stack.pop();
    const x = top.expr;
    const v = x.kind === 'call' ? x.impl(top.values, x.generics) : top.values;
    const parent = stack[stack.length - 1];
    if (parent === undefined) return v;
    parent.values.push(v);
  }
}
