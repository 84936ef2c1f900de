/**
 * Resolved elements. Mélodium-declared and native elements share these shapes, so the
 * checker treats an instance of `emit` and of a user treatment alike. A `undefined` type
 * means "could not be resolved, already reported": checks that need it stay silent.
 */
import type {
  ContextDescriptor,
  DataType,
  DataTypeDescriptor,
  Flow,
  FunctionDescriptor,
  ModelDescriptor,
  Span,
  TreatmentDescriptor,
  Variability,
} from '@tutti/core';
import type { InstanceSyntax, ModelSyntax, TreatmentSyntax, ValueSyntax } from '../syntax/syntax.js';
import type { Area } from './area.js';

/** A declared generic and the traits it guarantees. */
export interface GenericSymbol {
  readonly name: string;
  readonly traits: ReadonlySet<string>;
}

/** A parameter of a treatment or model. */
export interface ParamSymbol {
  readonly name: string;
  readonly variability: Variability;
  readonly type: DataType | undefined;
  readonly hasDefault: boolean;
  /** The default as written (`.mel` declaration) or parsed from descriptor text. */
  readonly defaultValue?: ValueSyntax | string;
  readonly span?: Span;
}

/** An input or output. */
export interface PortSymbol {
  readonly name: string;
  readonly flow: Flow;
  readonly type: DataType | undefined;
  readonly span?: Span;
}

/** A configuration model slot `[name: Model]`. */
export interface ModelSlotSymbol {
  readonly name: string;
  readonly model: ModelSymbol | undefined;
  readonly span?: Span;
}

/** A model instantiated in a treatment prelude. */
export interface PreludeModelSymbol {
  readonly name: string;
  readonly model: ModelSymbol | undefined;
  readonly span: Span;
}

/** A treatment, native or declared in `.mel`. */
export interface TreatmentSymbol {
  readonly kind: 'treatment';
  readonly id: string;
  readonly name: string;
  readonly area: Area;
  readonly doc: string;
  readonly generics: readonly GenericSymbol[];
  readonly modelSlots: readonly ModelSlotSymbol[];
  readonly params: ReadonlyMap<string, ParamSymbol>;
  readonly inputs: ReadonlyMap<string, PortSymbol>;
  readonly outputs: ReadonlyMap<string, PortSymbol>;
  readonly requires: readonly ContextSymbol[];
  readonly source?: { readonly model: ModelSymbol | undefined; readonly contexts: readonly ContextSymbol[] };
  readonly native?: TreatmentDescriptor;
  readonly syntax?: TreatmentSyntax;
  /** `.mel` only: models created by the prelude. */
  readonly preludeModels: readonly PreludeModelSymbol[];
}

/** A model, native or declared in `.mel` on top of a base model. */
export interface ModelSymbol {
  readonly kind: 'model';
  readonly id: string;
  readonly name: string;
  readonly area: Area;
  readonly doc: string;
  readonly params: ReadonlyMap<string, ParamSymbol>;
  /** `.mel` models: the base, once resolved (undefined if it failed or loops). */
  base(): ModelSymbol | undefined;
  readonly native?: ModelDescriptor;
  readonly syntax?: ModelSyntax;
}

/** A native function `|name`. */
export interface FunctionSymbol {
  readonly kind: 'function';
  readonly id: string;
  readonly name: string;
  readonly generics: readonly GenericSymbol[];
  readonly params: readonly { readonly name: string; readonly type: DataType | undefined }[];
  readonly returns: DataType | undefined;
  readonly native: FunctionDescriptor;
}

/** A native context `@Name`. */
export interface ContextSymbol {
  readonly kind: 'context';
  readonly id: string;
  readonly name: string;
  readonly fields: ReadonlyMap<string, DataType | undefined>;
  readonly native: ContextDescriptor;
}

/** A native data type. */
export interface DataTypeSymbol {
  readonly kind: 'data';
  readonly id: string;
  readonly name: string;
  readonly traits: ReadonlySet<string>;
  readonly native: DataTypeDescriptor;
}

/** Any element. */
export type ElementSymbol = TreatmentSymbol | ModelSymbol | FunctionSymbol | ContextSymbol | DataTypeSymbol;

/** Facts the body check records for the program-wide checks. */
export interface InstanceFacts {
  readonly syntax: InstanceSyntax;
  readonly treatment: TreatmentSymbol | undefined;
  /** Contexts read by the parameter values written at this instantiation. */
  readonly contextsRead: readonly ContextSymbol[];
}

/** Whether model `m` is `expected` or derives from it through base declarations. */
export function derivesFrom(m: ModelSymbol, expected: ModelSymbol): boolean {
  const seen = new Set<ModelSymbol>();
  let cur: ModelSymbol | undefined = m;
  while (cur !== undefined && !seen.has(cur)) {
    if (cur.id === expected.id) return true;
    seen.add(cur);
    cur = cur.base();
  }
  return false;
}

/** Human word for an element kind. */
export function kindWord(e: ElementSymbol): string {
  return e.kind === 'data' ? 'data type' : e.kind;
}
