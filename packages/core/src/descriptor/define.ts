/**
 * Builders that turn compact signature text into descriptors, so that a library element
 * reads almost as its documentation writes its signature:
 *
 * @example
 * ```ts
 * export const emit = treatment('std/flow', 'emit', {
 *   generics: 'T',
 *   params: { value: 'T' },
 *   inputs: { trigger: 'Block<void>' },
 *   outputs: { emit: 'Block<T>' },
 *   doc: 'On trigger, emits `value`.',
 * });
 * export const add = fn('std/ops/num', 'add', { generics: 'N: Add', params: 'a: N, b: N', returns: 'N' });
 * ```
 *
 * Malformed signature text throws when the module loads: it is a bug in a library, and the
 * descriptor tests load every package.
 */
import type { FunctionImpl, ModelCreate, TreatmentRun } from '../runtime/executive.js';
import type {
  ContextDescriptor,
  DataTypeDescriptor,
  FunctionDescriptor,
  GenericDescriptor,
  ModelDescriptor,
  ModelSlotDescriptor,
  ParamDescriptor,
  PortDescriptor,
  TreatmentDescriptor,
  Variability,
} from './descriptor.js';

/** `'T'`, `'N: Add'`, `'D: Display + Hash, E'`. */
export function parseGenerics(text: string | undefined): GenericDescriptor[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const [name, traits] = part.split(':') as [string, string | undefined];
    const n = name.trim();
    if (!/^[A-Za-z]\w*$/.test(n)) throw new Error(`bad generic declaration '${text}'`);
    return {
      name: n,
      traits:
        traits === undefined
          ? []
          : traits
              .split('+')
              .map((t) => t.trim())
              .filter((t) => t !== ''),
    };
  });
}

/** `'[const|var] Type [= default]'`; `fallback` is the variability without keyword. */
export function parseParam(name: string, text: string, fallback: Variability): ParamDescriptor {
  let rest = text.trim();
  let variability = fallback;
  const m = /^(const|var)\s+/.exec(rest);
  if (m) {
    variability = m[1] as Variability;
    rest = rest.slice(m[0].length);
  }
  const eq = rest.indexOf('=');
  const type = (eq === -1 ? rest : rest.slice(0, eq)).trim();
  if (type === '') throw new Error(`parameter '${name}' has no type`);
  const def = eq === -1 ? undefined : rest.slice(eq + 1).trim();
  return def === undefined ? { name, variability, type } : { name, variability, type, default: def };
}

/** `'Block<T>'` / `'Stream<Vec<u8>>'`. */
export function parsePort(name: string, text: string): PortDescriptor {
  const m = /^\s*(Block|Stream)\s*<(.*)>\s*$/.exec(text);
  if (!m) throw new Error(`port '${name}' must be Block<…> or Stream<…>, got '${text}'`);
  return { name, flow: m[1] as 'Block' | 'Stream', type: (m[2] as string).trim() };
}

function qualify(area: string, name: string): string {
  return name.includes('::') ? name : `${area}::${name}`;
}

function qualifyContext(area: string, name: string): string {
  if (name.includes('::')) return name;
  return `${area}::${name.startsWith('@') ? name : `@${name}`}`;
}

/** snake_case of a model type name, the slot name of its sources. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

type Ports = Readonly<Record<string, string>>;

type Keys<R> = R extends Readonly<Record<string, string>> ? keyof R & string : never;

/** Options of {@link treatment}; `run` sees ports and parameters by the names declared here. */
export interface TreatmentOptions<I extends Ports = Ports, O extends Ports = Ports, P extends Ports = Ports> {
  readonly generics?: string;
  /** Slot name → model (bare name: same area; or `pkg/area::Model`). */
  readonly models?: Readonly<Record<string, string>>;
  /** Parameter name → `'[const|var] Type [= default]'`; native treatment parameters default to var. */
  readonly params?: P;
  readonly inputs?: I;
  readonly outputs?: O;
  /** Contexts read (`@HttpRequest` in the same area or `pkg/area::@Name`). */
  readonly requires?: readonly string[];
  readonly doc?: string;
  /** The behaviour: what runs for each track the treatment is in. */
  readonly run?: TreatmentRun<Keys<I>, Keys<O>, Keys<P>>;
  /** Check-time validation of literal parameters (see {@link TreatmentDescriptor.validate}). */
  readonly validate?: TreatmentDescriptor['validate'];
}

/** Describes a native treatment. */
export function treatment<
  I extends Ports = Record<never, string>,
  O extends Ports = Record<never, string>,
  P extends Ports = Record<never, string>,
>(area: string, name: string, o: TreatmentOptions<I, O, P>): TreatmentDescriptor {
  const base: TreatmentDescriptor = {
    kind: 'treatment',
    area,
    name,
    doc: o.doc ?? '',
    generics: parseGenerics(o.generics),
    models: Object.entries(o.models ?? {}).map(
      ([slot, model]): ModelSlotDescriptor => ({
        name: slot,
        model: qualify(area, model),
      }),
    ),
    params: Object.entries(o.params ?? {}).map(([n, t]) => parseParam(n, t, 'var')),
    inputs: Object.entries(o.inputs ?? {}).map(([n, t]) => parsePort(n, t)),
    outputs: Object.entries(o.outputs ?? {}).map(([n, t]) => parsePort(n, t)),
    requires: (o.requires ?? []).map((c) => qualifyContext(area, c)),
  };
  const withRun = o.run === undefined ? base : { ...base, run: o.run as unknown as TreatmentRun };
  return o.validate === undefined ? withRun : { ...withRun, validate: o.validate };
}

/** Options of {@link source}. */
export interface SourceOptions {
  /** The model whose tracks this source opens (bare name: same area). */
  readonly model: string;
  /** Parameters, all const. */
  readonly params?: Readonly<Record<string, string>>;
  readonly outputs: Ports;
  /** Contexts provided to each track. */
  readonly contexts?: readonly string[];
  readonly doc?: string;
}

/**
 * Describes a model source, registered as a treatment with one model slot named after the
 * model in snake_case (`ready[engine: Engine]`).
 */
export function source(area: string, name: string, o: SourceOptions): TreatmentDescriptor {
  const model = qualify(area, o.model);
  const modelName = model.slice(model.indexOf('::') + 2);
  return {
    kind: 'treatment',
    area,
    name,
    doc: o.doc ?? '',
    generics: [],
    models: [{ name: snakeCase(modelName), model }],
    params: Object.entries(o.params ?? {}).map(([n, t]) => parseParam(n, t, 'const')),
    inputs: [],
    outputs: Object.entries(o.outputs).map(([n, t]) => parsePort(n, t)),
    requires: [],
    source: { model, contexts: (o.contexts ?? []).map((c) => qualifyContext(area, c)) },
  };
}

/** Options of {@link fn}. */
export interface FunctionOptions {
  readonly generics?: string;
  /** `'a: N, b: N'` (positional order). */
  readonly params?: string;
  readonly returns: string;
  readonly doc?: string;
  /** The pure implementation. */
  readonly impl?: FunctionImpl;
  /** Check-time validation of literal arguments (see {@link FunctionDescriptor.validate}). */
  readonly validate?: FunctionDescriptor['validate'];
}

/** Describes a native function `|name`. */
export function fn(area: string, name: string, o: FunctionOptions): FunctionDescriptor {
  const params =
    o.params === undefined || o.params.trim() === ''
      ? []
      : splitTopLevel(o.params).map((p) => {
          const i = p.indexOf(':');
          if (i === -1) throw new Error(`function |${name}: parameter '${p}' has no type`);
          return { name: p.slice(0, i).trim(), type: p.slice(i + 1).trim() };
        });
  const base: FunctionDescriptor = {
    kind: 'function',
    area,
    name,
    doc: o.doc ?? '',
    generics: parseGenerics(o.generics),
    params,
    returns: o.returns,
  };
  const withImpl = o.impl === undefined ? base : { ...base, impl: o.impl };
  return o.validate === undefined ? withImpl : { ...withImpl, validate: o.validate };
}

/** Options of {@link model}. */
export interface ModelOptions {
  /** Parameter name → `'Type [= default]'` (always const). */
  readonly params?: Readonly<Record<string, string>>;
  readonly sources?: readonly string[];
  readonly doc?: string;
  /** Creates a live instance. */
  readonly create?: ModelCreate;
}

/** Describes a native model. */
export function model(area: string, name: string, o: ModelOptions = {}): ModelDescriptor {
  const base: ModelDescriptor = {
    kind: 'model',
    area,
    name,
    doc: o.doc ?? '',
    params: Object.entries(o.params ?? {}).map(([n, t]) => parseParam(n, t, 'const')),
    sources: o.sources ?? [],
  };
  return o.create === undefined ? base : { ...base, create: o.create };
}

/** Describes a native data type; `traits` is a space-separated list. */
export function dataType(area: string, name: string, o: { traits?: string; doc?: string } = {}): DataTypeDescriptor {
  return {
    kind: 'data',
    area,
    name,
    doc: o.doc ?? '',
    traits: (o.traits ?? '').split(/\s+/).filter((t) => t !== ''),
  };
}

/** Describes a native context `@Name` and its fields. */
export function context(area: string, name: string, o: { fields: Readonly<Record<string, string>>; doc?: string }): ContextDescriptor {
  return {
    kind: 'context',
    area,
    name: name.startsWith('@') ? name.slice(1) : name,
    doc: o.doc ?? '',
    fields: Object.entries(o.fields).map(([n, type]) => ({ name: n, type })),
  };
}

/** Splits on commas that are not inside `<…>`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}
