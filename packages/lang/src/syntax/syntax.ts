/**
 * The syntax tree of a `.mel` file. Every node keeps its source span;
 * nothing here is resolved: names are plain text, and types and values are as written.
 */
import type { Span } from '@tutti/core';

/** A name as written, with its span (`emit`, `|add` for functions, `@Turn` for contexts). */
export interface Ident {
  readonly text: string;
  readonly span: Span;
}

/** `use a/b::E [as F]`. */
export interface UseSyntax {
  readonly path: readonly Ident[];
  /** Kind of the target token: plain name, `|function` or `@Context`. */
  readonly targetKind: 'name' | 'function' | 'context';
  /** Target without its sigil. */
  readonly target: Ident;
  /** Local name without its sigil (the alias, or the target). */
  readonly local: Ident;
  readonly span: Span;
}

/** `Name [<type>]`; `traits` only where a generic argument wrongly carries bounds. */
export interface TypeSyntax {
  readonly name: Ident;
  readonly arg?: TypeSyntax;
  readonly traits?: readonly Ident[];
  readonly span: Span;
}

/** A value. */
export type ValueSyntax =
  | { readonly kind: 'number'; readonly text: string; readonly span: Span }
  | { readonly kind: 'byte'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'char'; readonly value: string | undefined; readonly span: Span }
  | { readonly kind: 'void'; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'array'; readonly items: readonly ValueSyntax[]; readonly span: Span }
  | { readonly kind: 'name'; readonly name: Ident; readonly span: Span }
  | { readonly kind: 'context'; readonly context: Ident; readonly field: Ident; readonly span: Span }
  | {
      readonly kind: 'call';
      readonly fn: Ident;
      readonly generics: readonly TypeSyntax[] | undefined;
      readonly args: readonly ValueSyntax[];
      readonly span: Span;
    }
  /** A value whose text was already reported as broken (nesting too deep, bad token). */
  | { readonly kind: 'error'; readonly span: Span };

/** `name = value`. */
export interface AssignSyntax {
  readonly name: Ident;
  readonly value: ValueSyntax;
  readonly span: Span;
}

/** `[const|var] name: Type [= default]`. */
export interface ParamSyntax {
  readonly variability?: Ident;
  readonly name: Ident;
  readonly type: TypeSyntax;
  readonly default?: ValueSyntax;
  readonly span: Span;
}

/** `<Name: Trait + Trait>` in a declaration. */
export interface GenericSyntax {
  readonly name: Ident;
  readonly traits: readonly Ident[];
}

/** `[slot: Model]` in a treatment declaration. */
export interface ModelParamSyntax {
  readonly name: Ident;
  readonly type: TypeSyntax;
  readonly default?: ValueSyntax;
}

/** `input x: Stream<T>` / `output y: Block<u8>` (a default is parsed to be rejected). */
export interface PortSyntax {
  readonly keyword: Ident;
  readonly name: Ident;
  readonly type: TypeSyntax;
  readonly default?: ValueSyntax;
}

/** `model x: M(p = v)` or the short form `model M(...)` in a treatment prelude. */
export interface PreludeModelSyntax {
  readonly name: Ident;
  readonly type: Ident;
  readonly assigns: readonly AssignSyntax[];
  readonly span: Span;
}

/** `alias: type<G>[m = n](p = v)`. */
export interface InstanceSyntax {
  /** The instance name: the alias, or the type token as written. */
  readonly name: Ident;
  readonly type: Ident;
  readonly generics: readonly TypeSyntax[] | undefined;
  readonly models: readonly AssignSyntax[];
  readonly params: readonly AssignSyntax[];
  readonly span: Span;
}

/** One endpoint of a connection link: `instance.port`. */
export interface EndpointSyntax {
  readonly instance: Ident;
  readonly port: Ident;
}

/** One link `A.o -> B.i` after desugaring chains. */
export interface ConnectionSyntax {
  readonly from: EndpointSyntax;
  readonly to: EndpointSyntax;
  readonly span: Span;
}

/** `a -> b` (parsed, always rejected with E_CONNECTION_WITHOUT_DATA). */
export interface DatalessConnectionSyntax {
  readonly names: readonly Ident[];
  readonly span: Span;
}

/** `treatment name<…>[…](…) prelude { body }`. */
export interface TreatmentSyntax {
  readonly kind: 'treatment';
  readonly name: Ident;
  readonly doc: string | undefined;
  readonly generics: readonly GenericSyntax[];
  readonly modelParams: readonly ModelParamSyntax[];
  readonly params: readonly ParamSyntax[];
  readonly inputs: readonly PortSyntax[];
  readonly outputs: readonly PortSyntax[];
  readonly models: readonly PreludeModelSyntax[];
  readonly requires: readonly Ident[];
  readonly instances: readonly InstanceSyntax[];
  readonly connections: readonly ConnectionSyntax[];
  readonly dataless: readonly DatalessConnectionSyntax[];
  readonly span: Span;
}

/** `model Name(params) : Base { p = v … }`. */
export interface ModelSyntax {
  readonly kind: 'model';
  readonly name: Ident;
  readonly doc: string | undefined;
  readonly params: readonly ParamSyntax[];
  readonly base: Ident;
  readonly assigns: readonly AssignSyntax[];
  readonly span: Span;
}

/** A parsed file. `broken` when it had lexical or syntax errors (checking stops there). */
export interface FileSyntax {
  readonly uses: readonly UseSyntax[];
  readonly models: readonly ModelSyntax[];
  readonly treatments: readonly TreatmentSyntax[];
  readonly broken: boolean;
}
