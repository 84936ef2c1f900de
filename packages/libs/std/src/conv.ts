/** `std/conv` (libraries spec §3.7): conversions, each as a function `|name` and a streaming treatment. */
import { type ElementDescriptor, fn, treatment } from '@tutti/core';

const area = 'std/conv';

const NUMBERS = ['i8', 'i16', 'i32', 'i64', 'i128', 'u8', 'u16', 'u32', 'u64', 'u128', 'f32', 'f64'];
const TARGETS = [...NUMBERS, 'bool', 'byte', 'char', 'string'];

const upper = (t: string): string => t[0]!.toUpperCase() + t.slice(1);

/**
 * One conversion: function `|<prefix>_<target>` and treatment `<prefix camel><Target>`, both
 * bounded by the trait `<Trait prefix><Target>`; the treatment outputs `into`.
 */
function conversion(kind: 'to' | 'try_to' | 'saturating_to', target: string): ElementDescriptor[] {
  const camel = kind.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
  const bound = upper(camel) + upper(target);
  const result = kind === 'try_to' ? `Option<${target}>` : target;
  const what = kind === 'to' ? 'Converts' : kind === 'try_to' ? 'Tries to convert (none when impossible)' : 'Saturating-converts';
  return [
    fn(area, `${kind}_${target}`, {
      generics: `T: ${bound}`,
      params: 'value: T',
      returns: result,
      doc: `${what} a value into \`${target}\`.`,
    }),
    treatment(area, camel + upper(target), {
      generics: `T: ${bound}`,
      inputs: { value: 'Stream<T>' },
      outputs: { into: `Stream<${result}>` },
      doc: `${what} every value of the stream into \`${target}\`.`,
    }),
  ];
}

export const conv: ElementDescriptor[] = [
  fn(area, 'to_void', { generics: 'T', params: '_value: T', returns: 'void', doc: 'Turns any value into `void`.' }),
  treatment(area, 'toVoid', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { iter: 'Stream<void>' },
    doc: 'Turns every value of the stream into `void`.',
  }),
  fn(area, 'to_bytes', {
    generics: 'T',
    params: 'value: T',
    returns: 'Vec<byte>',
    doc: 'Binary form of a value (big-endian numbers, UTF-8 text; `[]` for vectors).',
  }),
  treatment(area, 'toBytes', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { data: 'Stream<Vec<byte>>' },
    doc: 'Binary form of every value of the stream (vectors converted element-wise).',
  }),
  ...TARGETS.flatMap((t) => conversion('to', t)),
  ...TARGETS.flatMap((t) => conversion('try_to', t)),
  ...NUMBERS.flatMap((t) => conversion('saturating_to', t)),
];
