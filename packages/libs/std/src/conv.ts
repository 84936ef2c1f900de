/**
 * `std/conv`: conversions, each as a function `|name` and a streaming
 * treatment applying it to every value. The behaviour lives in `conv/`: one converter
 * factory per family, chosen from the source type `T` once per call or per run.
 */
import { type ElementDescriptor, fn, treatment } from '@tutti/core';
import { bytesConverter } from './conv/bytes.js';
import { converterFor } from './conv/converters.js';
import { type ConvKind, NUMBERS, TARGETS, type Target, traitOf, upper } from './conv/kinds.js';
import { convertStream, typeArgument } from './conv/stream.js';

const area = 'std/conv';

/**
 * One conversion: function `|<prefix>_<target>` and treatment `<prefix camel><Target>`, both
 * bounded by the trait `<Trait prefix><Target>`; the treatment outputs `into`.
 */
function conversion(kind: ConvKind, target: Target): ElementDescriptor[] {
  const camel = kind.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
  const bound = traitOf(kind, target);
  const result = kind === 'try_to' ? `Option<${target}>` : target;
  const what = kind === 'to' ? 'Converts' : kind === 'try_to' ? 'Tries to convert (none when impossible)' : 'Saturating-converts';
  return [
    fn(area, `${kind}_${target}`, {
      generics: `T: ${bound}`,
      params: 'value: T',
      returns: result,
      doc: `${what} a value into \`${target}\`.`,
      impl: ([value], g) => converterFor(kind, target, typeArgument(g))(value),
    }),
    treatment(area, camel + upper(target), {
      generics: `T: ${bound}`,
      inputs: { value: 'Stream<T>' },
      outputs: { into: `Stream<${result}>` },
      doc: `${what} every value of the stream into \`${target}\`.`,
      run: convertStream('into', (from) => converterFor(kind, target, from), kind !== 'try_to' && target === 'byte'),
    }),
  ];
}

export const conv: ElementDescriptor[] = [
  fn(area, 'to_void', { generics: 'T', params: '_value: T', returns: 'void', doc: 'Turns any value into `void`.', impl: () => undefined }),
  treatment(area, 'toVoid', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { iter: 'Stream<void>' },
    doc: 'Turns every value of the stream into `void`.',
    run: convertStream('iter', () => () => undefined),
  }),
  fn(area, 'to_bytes', {
    generics: 'T',
    params: 'value: T',
    returns: 'Vec<byte>',
    doc: 'Binary form of a value (big-endian numbers, UTF-8 text; `[]` for vectors).',
    impl: ([value], g) => bytesConverter(typeArgument(g), false)(value),
  }),
  treatment(area, 'toBytes', {
    generics: 'T',
    inputs: { value: 'Stream<T>' },
    outputs: { data: 'Stream<Vec<byte>>' },
    doc: 'Binary form of every value of the stream (vectors converted element-wise).',
    run: convertStream('data', (from) => bytesConverter(from, true)),
  }),
  ...TARGETS.flatMap((t) => conversion('to', t)),
  ...TARGETS.flatMap((t) => conversion('try_to', t)),
  ...NUMBERS.flatMap((t) => conversion('saturating_to', t)),
];
