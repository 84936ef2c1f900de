/**
 * The data traits of the language and which core types implement them
 * (docs/language.md#generics-and-traits). Library data types declare their own traits.
 */
import type { CoreTypeName, DataType } from './types.js';

const INTS_TO = ['I8', 'I16', 'I32', 'I64', 'I128', 'U8', 'U16', 'U32', 'U64', 'U128'] as const;
const NUM_TO = [...INTS_TO, 'F32', 'F64'] as const;

/** Every trait name, in the language's documented order. */
export const TRAITS: readonly string[] = [
  'Option',
  'Vec',
  ...NUM_TO.map((s) => `To${s}`),
  'ToBool',
  'ToByte',
  'ToChar',
  'ToString',
  ...NUM_TO.map((s) => `TryTo${s}`),
  'TryToBool',
  'TryToByte',
  'TryToChar',
  'TryToString',
  ...NUM_TO.map((s) => `SaturatingTo${s}`),
  'Bounded',
  'Binary',
  'Signed',
  'Float',
  'PartialEquality',
  'Equality',
  'PartialOrder',
  'Order',
  'Add',
  'CheckedAdd',
  'SaturatingAdd',
  'WrappingAdd',
  'Sub',
  'CheckedSub',
  'SaturatingSub',
  'WrappingSub',
  'Mul',
  'CheckedMul',
  'SaturatingMul',
  'WrappingMul',
  'Div',
  'CheckedDiv',
  'Rem',
  'CheckedRem',
  'Neg',
  'CheckedNeg',
  'WrappingNeg',
  'Pow',
  'CheckedPow',
  'Euclid',
  'CheckedEuclid',
  'Hash',
  'Serialize',
  'Deserialize',
  'Display',
];

const TRAIT_SET: ReadonlySet<string> = new Set(TRAITS);

/** Whether `name` is a trait of the language. */
export function isTraitName(name: string): boolean {
  return TRAIT_SET.has(name);
}

type C = CoreTypeName;
const SI: C[] = ['i8', 'i16', 'i32', 'i64', 'i128'];
const UI: C[] = ['u8', 'u16', 'u32', 'u64', 'u128'];
const FL: C[] = ['f32', 'f64'];
const INT: C[] = [...SI, ...UI];
const NUM: C[] = [...INT, ...FL];

const table = new Map<string, ReadonlySet<C>>();
function impl(traits: readonly string[], types: readonly C[]): void {
  for (const t of traits) table.set(t, new Set(types));
}

impl(['ToI8'], ['i8']);
impl(['ToI16'], ['i8', 'i16', 'u8']);
impl(['ToI32'], ['i8', 'i16', 'i32', 'u8', 'u16']);
impl(['ToI64'], ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32']);
impl(['ToI128'], [...SI, 'u8', 'u16', 'u32', 'u64']);
impl(['ToU8'], ['u8', 'byte']);
impl(['ToU16'], ['u8', 'u16']);
impl(['ToU32'], ['u8', 'u16', 'u32']);
impl(['ToU64'], ['u8', 'u16', 'u32', 'u64']);
impl(['ToU128'], UI);
impl(['ToF32', 'ToF64'], NUM);
impl(['ToBool', 'TryToBool'], [...INT, 'bool', 'byte']);
impl(['ToByte', 'TryToByte'], ['u8', 'bool', 'byte']);
impl(['ToChar', 'TryToChar'], ['char']);
impl(['ToString', 'TryToString'], ['void', ...NUM, 'bool', 'byte', 'char', 'string']);
impl(
  NUM_TO.map((s) => `TryTo${s}`),
  NUM,
);
impl(
  NUM_TO.map((s) => `SaturatingTo${s}`),
  NUM,
);
impl(['Bounded'], [...NUM, 'byte']);
impl(['Binary'], ['bool', 'byte']);
impl(['Signed'], [...SI, ...FL]);
impl(['Float'], FL);
impl(['PartialEquality'], [...NUM, 'bool', 'byte', 'char', 'string']);
impl(['Equality'], [...INT, 'bool', 'byte', 'char', 'string']);
impl(['PartialOrder', 'Order'], [...NUM, 'bool', 'byte', 'char', 'string']);
impl(['Add', 'Sub', 'Mul', 'Div', 'Rem', 'Euclid'], NUM);
impl(
  [
    'CheckedAdd',
    'CheckedSub',
    'CheckedMul',
    'CheckedDiv',
    'CheckedRem',
    'CheckedEuclid',
    'SaturatingAdd',
    'SaturatingSub',
    'SaturatingMul',
    'WrappingAdd',
    'WrappingSub',
    'WrappingMul',
    'Pow',
    'CheckedPow',
  ],
  INT,
);
impl(['Neg'], [...SI, ...FL]);
impl(['CheckedNeg', 'WrappingNeg'], SI);
impl(['Hash'], [...INT, 'bool', 'byte', 'char', 'string']);
impl(['Serialize', 'Deserialize', 'Display'], ['void', ...NUM, 'bool', 'byte', 'char', 'string']);

/** Traits that `Vec<T>`/`Option<T>` have exactly when `T` has them. */
const STRUCTURAL_INHERITED: ReadonlySet<string> = new Set(['Hash', 'Serialize', 'Deserialize', 'Display']);

/**
 * Answers "does type `t` implement trait `trait`?".
 *
 * @param dataTraits traits declared by library data types, by identifier
 * @param genericTraits traits of the enclosing treatment's generics: a generic satisfies
 *   exactly the traits it declares; inside `Vec`/`Option` it makes the structure
 *   satisfy only the structural trait (as in the reference)
 */
export function implementsTrait(
  t: DataType,
  trait: string,
  dataTraits: (id: string) => ReadonlySet<string> | undefined,
  genericTraits: (name: string) => ReadonlySet<string> | undefined,
): boolean {
  switch (t.kind) {
    case 'core':
      return table.get(trait)?.has(t.name) ?? false;
    case 'data':
      return dataTraits(t.id)?.has(trait) ?? false;
    case 'generic':
      return genericTraits(t.name)?.has(trait) ?? false;
    case 'vec':
    case 'option': {
      if (trait === 'Vec') return t.kind === 'vec';
      if (trait === 'Option') return t.kind === 'option';
      if (!STRUCTURAL_INHERITED.has(trait)) return false;
      if (containsGenericDeep(t.of)) return false;
      return implementsTrait(t.of, trait, dataTraits, genericTraits);
    }
  }
}

function containsGenericDeep(t: DataType): boolean {
  return t.kind === 'generic' || ((t.kind === 'vec' || t.kind === 'option') && containsGenericDeep(t.of));
}
