/**
 * Resolution of written types and trait checks of generic arguments
 * (docs/language.md#types).
 */
import {
  coreType,
  type DataType,
  type DiagnosticSink,
  type Flow,
  formatType,
  implementsTrait,
  isCoreTypeName,
  optionType,
  vecType,
} from '@tutti/core';
import type { TypeSyntax } from '../syntax/syntax.js';
import type { DataTypeSymbol, ElementSymbol, GenericSymbol } from './symbols.js';

/** Where a type is written decides how flows are treated (a flow only on ports). */
export type TypePosition = 'port' | 'data';

/** How a type name that is not core is looked up. */
export interface TypeScope {
  /** `use` aliases of the file (plain names). */
  lookupPlain(name: string): ElementSymbol | 'poisoned' | undefined;
  /** Generics in scope. */
  readonly generics: ReadonlyMap<string, GenericSymbol>;
}

/** Resolves a port type: `Block<T>`/`Stream<T>`, or a bare data type meaning `Block`. */
export function resolvePortType(t: TypeSyntax, scope: TypeScope, sink: DiagnosticSink): { flow: Flow; type: DataType | undefined } {
  const n = t.name.text;
  if (n === 'Block' || n === 'Stream') {
    if (t.arg === undefined) {
      sink.report('E_INVALID_TYPE_STRUCTURE', t.span, `'${n}' needs a data type argument, as in ${n}<string>`);
      return { flow: n, type: undefined };
    }
    return { flow: n, type: resolveDataType(t.arg, scope, sink) };
  }
  sink.report('W_IMPLICIT_BLOCK', t.span, `type without flow is read as Block<${t.name.text}>; write Block<…> or Stream<…>`);
  return { flow: 'Block', type: resolveDataType(t, scope, sink) };
}

/** Resolves a data type in a parameter, generic argument or other non-port position. */
export function resolveValueType(t: TypeSyntax, scope: TypeScope, sink: DiagnosticSink): DataType | undefined {
  if (t.name.text === 'Stream') {
    sink.report('E_FLOW_NOT_ALLOWED', t.span, 'a Stream type is only allowed for inputs and outputs');
    return undefined;
  }
  if (t.name.text === 'Block' && t.arg !== undefined) {
    sink.report(
      'W_REDUNDANT_BLOCK',
      t.span,
      `Block is implied here; write ${t.arg.span.file.text.slice(t.arg.span.start, t.arg.span.end)}`,
    );
    return resolveDataType(t.arg, scope, sink);
  }
  return resolveDataType(t, scope, sink);
}

/** Resolves a data type (no flow allowed at any level). Iterative over the nesting. */
export function resolveDataType(t: TypeSyntax, scope: TypeScope, sink: DiagnosticSink): DataType | undefined {
  // Types nest only through their single argument: walk down, then build up.
  const chain: TypeSyntax[] = [];
  let cur: TypeSyntax | undefined = t;
  while (cur !== undefined) {
    chain.push(cur);
    cur = cur.arg;
  }
  let inner: DataType | undefined;
  let failed = false;
  for (let i = chain.length - 1; i >= 0; i--) {
    const node = chain[i] as TypeSyntax;
    const n = node.name.text;
    const hasArg = node.arg !== undefined;
    if (n === 'Vec' || n === 'Option') {
      if (!hasArg) {
        sink.report('E_INVALID_TYPE_STRUCTURE', node.span, `'${n}' needs exactly one type argument, as in ${n}<u8>`);
        failed = true;
        continue;
      }
      if (!failed && inner !== undefined) inner = n === 'Vec' ? vecType(inner) : optionType(inner);
      continue;
    }
    if (n === 'Block' || n === 'Stream') {
      sink.report('E_INVALID_TYPE_STRUCTURE', node.span, `'${n}' is only allowed as the outermost type of an input or output`);
      failed = true;
      continue;
    }
    if (hasArg) {
      sink.report('E_INVALID_TYPE_STRUCTURE', node.span, `type '${n}' takes no argument`);
      failed = true;
    }
    const base = resolveTypeName(node, scope, sink);
    if (base === undefined) failed = true;
    inner = base;
  }
  return failed ? undefined : inner;
}

function resolveTypeName(node: TypeSyntax, scope: TypeScope, sink: DiagnosticSink): DataType | undefined {
  const n = node.name.text;
  if (isCoreTypeName(n)) return coreType(n);
  const e = scope.lookupPlain(n);
  if (e === 'poisoned') return undefined;
  if (e !== undefined) {
    if (e.kind === 'data') return { kind: 'data', id: e.id, name: e.name };
    sink.report('E_ELEMENT_KIND_MISMATCH', node.name.span, `'${n}' is a ${e.kind}, not a data type`);
    return undefined;
  }
  if (scope.generics.has(n)) return { kind: 'generic', name: n };
  sink.report('E_UNKNOWN_TYPE', node.name.span, `unknown type '${n}'`, {
    hint: 'a type is a core type (u8, string, …), Vec<…>/Option<…>, a data type imported with use, or a generic of the treatment',
  });
  return undefined;
}

/** Context for trait questions inside a treatment. */
export interface TraitContext {
  readonly generics: ReadonlyMap<string, GenericSymbol>;
  dataType(id: string): DataTypeSymbol | undefined;
}

/** Whether `t` has `trait` in the given context. */
export function hasTrait(t: DataType, trait: string, ctx: TraitContext): boolean {
  return implementsTrait(
    t,
    trait,
    (id) => ctx.dataType(id)?.traits,
    (name) => ctx.generics.get(name)?.traits,
  );
}

/** The traits of `required` that `t` lacks. */
export function missingTraits(t: DataType, required: ReadonlySet<string>, ctx: TraitContext): string[] {
  const missing: string[] = [];
  for (const trait of required) if (!hasTrait(t, trait, ctx)) missing.push(trait);
  return missing;
}

/** `'u8'` quoted for messages. */
export function q(t: DataType): string {
  return `'${formatType(t)}'`;
}
