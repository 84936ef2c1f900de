/**
 * Data types and flows (docs/language.md#types). A data type is a small immutable tree; the
 * same representation serves the checker (with unresolved generics) and, later, the
 * engine (fully substituted).
 */

/** The core data type names. */
export const CORE_TYPES = [
  'void',
  'i8',
  'i16',
  'i32',
  'i64',
  'i128',
  'u8',
  'u16',
  'u32',
  'u64',
  'u128',
  'f32',
  'f64',
  'bool',
  'byte',
  'char',
  'string',
] as const;

/** One of the core data type names. */
export type CoreTypeName = (typeof CORE_TYPES)[number];

const CORE_SET: ReadonlySet<string> = new Set(CORE_TYPES);

/** Whether `name` is a core data type name. */
export function isCoreTypeName(name: string): name is CoreTypeName {
  return CORE_SET.has(name);
}

/** A data type: core, structured, library data type (by identifier) or generic. */
export type DataType =
  | { readonly kind: 'core'; readonly name: CoreTypeName }
  | { readonly kind: 'vec'; readonly of: DataType }
  | { readonly kind: 'option'; readonly of: DataType }
  | { readonly kind: 'data'; readonly id: string; readonly name: string }
  | { readonly kind: 'generic'; readonly name: string };

/** The flow of an input or output. */
export type Flow = 'Block' | 'Stream';

const coreCache = new Map<string, DataType>();

/** The (shared) core type of that name. */
export function coreType(name: CoreTypeName): DataType {
  let t = coreCache.get(name);
  if (t === undefined) {
    t = { kind: 'core', name };
    coreCache.set(name, t);
  }
  return t;
}

/** `Vec<of>`. */
export function vecType(of: DataType): DataType {
  return { kind: 'vec', of };
}

/** `Option<of>`. */
export function optionType(of: DataType): DataType {
  return { kind: 'option', of };
}

/** Structural equality: generics equal only themselves. */
export function typeEquals(a: DataType, b: DataType): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'core':
      return b.kind === 'core' && b.name === a.name;
    case 'vec':
    case 'option':
      return b.kind === a.kind && typeEquals(a.of, b.of);
    case 'data':
      return b.kind === 'data' && b.id === a.id;
    case 'generic':
      return b.kind === 'generic' && b.name === a.name;
  }
}

/** Whether a generic occurs anywhere in `t`. */
export function containsGeneric(t: DataType): boolean {
  switch (t.kind) {
    case 'generic':
      return true;
    case 'vec':
    case 'option':
      return containsGeneric(t.of);
    default:
      return false;
  }
}

/**
 * Replaces generics by their arguments. Generics absent from `args` stay as they are
 * (they may belong to an enclosing treatment).
 */
export function substitute(t: DataType, args: ReadonlyMap<string, DataType>): DataType {
  if (args.size === 0) return t;
  switch (t.kind) {
    case 'generic':
      return args.get(t.name) ?? t;
    case 'vec': {
      const of = substitute(t.of, args);
      return of === t.of ? t : vecType(of);
    }
    case 'option': {
      const of = substitute(t.of, args);
      return of === t.of ? t : optionType(of);
    }
    default:
      return t;
  }
}

/** The type as written in Mélodium (`Vec<Option<u8>>`, `StringMap`, `T`). */
export function formatType(t: DataType): string {
  switch (t.kind) {
    case 'core':
      return t.name;
    case 'vec':
      return `Vec<${formatType(t.of)}>`;
    case 'option':
      return `Option<${formatType(t.of)}>`;
    case 'data':
      return t.name;
    case 'generic':
      return t.name;
  }
}

/** A port type: a flow and a data type. */
export interface PortType {
  readonly flow: Flow;
  readonly type: DataType;
}

/** `Block<u8>` or `Stream<T>`. */
export function formatPortType(p: PortType): string {
  return `${p.flow}<${formatType(p.type)}>`;
}
