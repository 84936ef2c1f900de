/** `std/text/compare` and `std/text/compare/char`: text and character tests. */
import { fn, mapEach, treatment } from '@tutti/core';
import { isAlphabetic, isAlphanumeric, isAscii, isControl, isDigit, isLowercase, isUppercase, isWhitespace } from './char-class.js';

const area = 'std/text/compare';
const char = 'std/text/compare/char';

/** A character class test: `|func(char: char) -> bool` and `name()` · in `chars: Stream<char>` · out `is`. */
function charClass(func: string, name: string, what: string, test: (c: string) => boolean) {
  return [
    fn(char, func, { params: 'char: char', returns: 'bool', doc: `Whether the character is ${what}.`, impl: ([c]) => test(c as string) }),
    treatment(char, name, {
      inputs: { chars: 'Stream<char>' },
      outputs: { is: 'Stream<bool>' },
      doc: `For each character: whether it is ${what}.`,
      run: ({ inputs, outputs }) => mapEach(inputs.chars, outputs.is, (c) => test(c as string)),
    }),
  ];
}

export const textCompare = [
  treatment(area, 'contains', {
    params: { substring: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { contains: 'Stream<bool>' },
    doc: 'Whether each text contains `substring`.',
    run({ inputs, outputs, params }) {
      const substring = params.substring as string;
      return mapEach(inputs.text, outputs.contains, (t) => (t as string).includes(substring));
    },
  }),
  fn(area, 'contains', {
    params: 'text: string, substring: string',
    returns: 'bool',
    doc: 'Whether `text` contains `substring`.',
    impl: ([text, substring]) => (text as string).includes(substring as string),
  }),
  treatment(area, 'exact', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text equals `pattern`.',
    run({ inputs, outputs, params }) {
      const pattern = params.pattern as string;
      return mapEach(inputs.text, outputs.matches, (t) => t === pattern);
    },
  }),
  fn(area, 'exact', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` equals `pattern`.',
    impl: ([text, pattern]) => text === pattern,
  }),
  treatment(area, 'startsWith', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text starts with `pattern`.',
    run({ inputs, outputs, params }) {
      const pattern = params.pattern as string;
      return mapEach(inputs.text, outputs.matches, (t) => (t as string).startsWith(pattern));
    },
  }),
  treatment(area, 'endsWith', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text ends with `pattern`.',
    run({ inputs, outputs, params }) {
      const pattern = params.pattern as string;
      return mapEach(inputs.text, outputs.matches, (t) => (t as string).endsWith(pattern));
    },
  }),
  fn(area, 'starts_with', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` starts with `pattern`.',
    impl: ([text, pattern]) => (text as string).startsWith(pattern as string),
  }),
  fn(area, 'ends_with', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` ends with `pattern`.',
    impl: ([text, pattern]) => (text as string).endsWith(pattern as string),
  }),
  treatment(char, 'exact', {
    params: { reference: 'var char' },
    inputs: { chars: 'Stream<char>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each character equals `reference`.',
    run({ inputs, outputs, params }) {
      const reference = params.reference as string;
      return mapEach(inputs.chars, outputs.matches, (c) => c === reference);
    },
  }),
  fn(char, 'exact', {
    params: 'char: char, reference: char',
    returns: 'bool',
    doc: 'Whether `char` equals `reference`.',
    impl: ([c, reference]) => c === reference,
  }),
  ...charClass('is_alphabetic', 'isAlphabetic', 'alphabetic (Unicode)', isAlphabetic),
  ...charClass('is_alphanumeric', 'isAlphanumeric', 'alphanumeric (Unicode)', isAlphanumeric),
  ...charClass('is_ascii', 'isAscii', 'ASCII', isAscii),
  ...charClass('is_control', 'isControl', 'a control character (Unicode)', isControl),
  ...charClass('is_lowercase', 'isLowercase', 'lowercase (Unicode)', isLowercase),
  ...charClass('is_uppercase', 'isUppercase', 'uppercase (Unicode)', isUppercase),
  ...charClass('is_whitespace', 'isWhitespace', 'whitespace (Unicode)', isWhitespace),
  treatment(char, 'isDigit', {
    params: { base: 'var u8' },
    inputs: { chars: 'Stream<char>' },
    outputs: { is: 'Stream<bool>' },
    doc: 'For each character: whether it is a digit in radix `base` (ASCII digits and Latin letters only).',
    run({ inputs, outputs, params }) {
      const base = params.base as number;
      return mapEach(inputs.chars, outputs.is, (c) => isDigit(c as string, base));
    },
  }),
  fn(char, 'is_digit', {
    params: 'char: char, base: u8',
    returns: 'bool',
    doc: 'Whether `char` is a digit in radix `base` (ASCII digits and Latin letters only).',
    impl: ([c, base]) => isDigit(c as string, base as number),
  }),
];
