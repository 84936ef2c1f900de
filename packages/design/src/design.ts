/**
 * The design: a checked program flattened for the engine (genesis). Composite
 * treatments are gone (they are pure wiring): what remains are the native leaf
 * instances of the static instance tree, the model instances, and the connections
 * between leaf ports. Parameter values are expressions over constants, track contexts
 * and pure function calls; references to enclosing parameters were substituted when the
 * design was built.
 *
 * The design holds no source text: `origin` is an opaque, already rendered place
 * ("file:line:col") for messages, so the engine stays drivable without text.
 */
import type { DataType, FunctionImpl, GenericArgs, ModelDescriptor, TreatmentDescriptor, Value } from '@tutti/core';

/** A parameter value as the engine evaluates it. */
export type ValueExpr =
  | { readonly kind: 'const'; readonly value: Value }
  /** `@C[field]` of the track's context `context` (an identifier). */
  | { readonly kind: 'context'; readonly context: string; readonly field: string }
  /** A vector some of whose items are not constant. */
  | { readonly kind: 'array'; readonly items: readonly ValueExpr[] }
  /** A var function call, evaluated at track construction. */
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly impl: FunctionImpl;
      readonly generics: GenericArgs;
      readonly args: readonly ValueExpr[];
    };

/** One native treatment instance of the static tree. */
export interface LeafDesign {
  readonly index: number;
  /** Instance names from the entrypoint: `main/parser/emit`. */
  readonly path: string;
  readonly descriptor: TreatmentDescriptor;
  readonly generics: GenericArgs;
  /** Every parameter, defaults applied. */
  readonly params: Readonly<Record<string, ValueExpr>>;
  /** Model slot → model instance index. */
  readonly models: Readonly<Record<string, number>>;
  /** Rendered place of the instantiation, for messages. */
  readonly origin?: string;
}

/** One model instance (its native root ancestor). */
export interface ModelDesign {
  readonly index: number;
  readonly path: string;
  readonly descriptor: ModelDescriptor;
  /** Const parameters, defaults applied. */
  readonly params: Readonly<Record<string, Value>>;
  readonly origin?: string;
}

/** A connection between a leaf output and a leaf input. */
export interface ConnectionDesign {
  readonly from: number;
  readonly output: string;
  readonly to: number;
  readonly input: string;
}

/** A leaf that is a source of a model: it is fed by its model, not run. */
export interface SourceDesign {
  readonly leaf: number;
  readonly model: number;
  /** Source name (the treatment's name). */
  readonly source: string;
}

/** A whole design, ready for the engine. */
export interface Design {
  /** The entry treatment's identifier. */
  readonly entry: string;
  readonly leaves: readonly LeafDesign[];
  readonly models: readonly ModelDesign[];
  readonly connections: readonly ConnectionDesign[];
  readonly sources: readonly SourceDesign[];
}

/** Data type of a port of a leaf after generic substitution (for `--debug` reports). */
export type PortType = DataType;
