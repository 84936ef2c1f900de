/**
 * Descriptors of native library elements: inert data that
 * the checker reads without running anything. Types, parameters and ports are kept as
 * the Mélodium text a reader would write (`Stream<Option<T>>`, `string = "info"`);
 * the collection parses them once, resolving data type names across packages.
 *
 * Run-time behaviour sits on the same descriptors (`run`, `impl`, `create`); an element
 * without behaviour is refused by `run` before anything starts.
 */
import type { FunctionImpl, ModelCreate, TreatmentRun } from '../runtime/executive.js';
import type { Value } from '../runtime/values.js';
import type { Flow } from '../types.js';

/** Parameter variability. */
export type Variability = 'const' | 'var';

/** A declared generic and its trait bounds. */
export interface GenericDescriptor {
  readonly name: string;
  readonly traits: readonly string[];
}

/** A parameter: name, variability, type text, optional default as Mélodium value text. */
export interface ParamDescriptor {
  readonly name: string;
  readonly variability: Variability;
  readonly type: string;
  readonly default?: string;
}

/** An input or output port. */
export interface PortDescriptor {
  readonly name: string;
  readonly flow: Flow;
  readonly type: string;
}

/** A configuration model slot `[name: Model]`. */
export interface ModelSlotDescriptor {
  readonly name: string;
  /** Identifier of the expected model, `pkg/area::Model`. */
  readonly model: string;
}

interface ElementBase {
  /** Area path, `std/flow`. */
  readonly area: string;
  /** Element name as written in `.mel` (`emit`, `add` for `|add`, `HttpRequest` for `@HttpRequest`). */
  readonly name: string;
  readonly doc: string;
}

/** A native treatment, or a model source registered as a treatment. */
export interface TreatmentDescriptor extends ElementBase {
  readonly kind: 'treatment';
  readonly generics: readonly GenericDescriptor[];
  readonly models: readonly ModelSlotDescriptor[];
  readonly params: readonly ParamDescriptor[];
  readonly inputs: readonly PortDescriptor[];
  readonly outputs: readonly PortDescriptor[];
  /** Context identifiers the treatment reads (`http/server::@HttpRequest`). */
  readonly requires: readonly string[];
  /** Present when the treatment is a source of a model (the model creates its tracks). */
  readonly source?: {
    readonly model: string;
    /** Context identifiers provided to the tracks it opens. */
    readonly contexts: readonly string[];
  };
  /** The behaviour: one task per track. Sources have none (their model feeds them). */
  readonly run?: TreatmentRun;
  /**
   * Check-time validation of constant parameters (e.g. a regex pattern): called by the
   * checker with the parameters written as literals, converted to values; returns the
   * problem, reported as E_INVALID_VALUE at that parameter.
   */
  readonly validate?: (params: Readonly<Record<string, Value>>) => { readonly param: string; readonly message: string } | undefined;
}

/** A pure native function `|name`. */
export interface FunctionDescriptor extends ElementBase {
  readonly kind: 'function';
  readonly generics: readonly GenericDescriptor[];
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly returns: string;
  /** The pure implementation. */
  readonly impl?: FunctionImpl;
  /**
   * Check-time validation of literal arguments (`undefined` where an argument is not a
   * literal); returns the problem, reported as E_INVALID_VALUE at that argument.
   */
  readonly validate?: (args: readonly Value[]) => { readonly arg: number; readonly message: string } | undefined;
}

/** A native model; its parameters are all const. */
export interface ModelDescriptor extends ElementBase {
  readonly kind: 'model';
  readonly params: readonly ParamDescriptor[];
  /** Names of its sources (treatments of the same area marked as sources of this model). */
  readonly sources: readonly string[];
  /** Creates a live instance (lifecycle hooks, track creation). */
  readonly create?: ModelCreate;
}

/** A native opaque data type and the traits it implements. */
export interface DataTypeDescriptor extends ElementBase {
  readonly kind: 'data';
  readonly traits: readonly string[];
}

/** A native context record `@Name`. */
export interface ContextDescriptor extends ElementBase {
  readonly kind: 'context';
  readonly fields: readonly { readonly name: string; readonly type: string }[];
}

/** Any native element. */
export type ElementDescriptor = TreatmentDescriptor | FunctionDescriptor | ModelDescriptor | DataTypeDescriptor | ContextDescriptor;

/** A bundled package: its native elements and the folder of its own `.mel` areas. */
export interface PackageDescriptor {
  readonly name: string;
  readonly version: string;
  readonly doc: string;
  /** Packages this one's `.mel` areas use: name → version requirement (Cargo syntax). */
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly elements: readonly ElementDescriptor[];
  /**
   * Absolute folder holding the package's `.mel` sources: `<melRoot>/engine/util.mel` is
   * the area `std/engine/util`. Absent when the package has none.
   */
  readonly melRoot?: string;
}

/** `pkg/area::name` for treatments, models and data types, `pkg/area::|name`, `pkg/area::@Name`. */
export function elementIdentifier(e: ElementDescriptor): string {
  const sigil = e.kind === 'function' ? '|' : e.kind === 'context' ? '@' : '';
  return `${e.area}::${sigil}${e.name}`;
}
