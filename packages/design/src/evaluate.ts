/**
 * Evaluation of parameter expressions (language spec §5.4, §5.11): constants are already
 * values; context reads and var function calls are evaluated per track.
 */
import type { Value } from '@tutti/core';
import type { ValueExpr } from './design.js';

/** Context values of a track, by context identifier. */
export type TrackContexts = ReadonlyMap<string, Readonly<Record<string, Value>>>;

/** Evaluates an expression for a track (`contexts` undefined at genesis). */
export function evaluate(e: ValueExpr, contexts: TrackContexts | undefined): Value {
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'context': {
      const c = contexts?.get(e.context);
      if (c === undefined) throw new Error(`context '${e.context}' is not available in this track`);
      return c[e.field];
    }
    case 'array':
      return e.items.map((i) => evaluate(i, contexts));
    case 'call': {
      const args = e.args.map((a) => evaluate(a, contexts));
      return e.impl(args, e.generics);
    }
  }
}
