/** `std/text/compare` and `std/text/compare/char` (libraries spec §3.17): text and character tests. */
import { fn, treatment } from '@tutti/core';

const area = 'std/text/compare';
const char = 'std/text/compare/char';

/** A character class test: `|func(char: char) -> bool` and `name()` · in `chars: Stream<char>` · out `is`. */
function charClass(func: string, name: string, what: string) {
  return [
    fn(char, func, { params: 'char: char', returns: 'bool', doc: `Whether the character is ${what}.` }),
    treatment(char, name, {
      inputs: { chars: 'Stream<char>' },
      outputs: { is: 'Stream<bool>' },
      doc: `For each character: whether it is ${what}.`,
    }),
  ];
}

export const textCompare = [
  treatment(area, 'contains', {
    params: { substring: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { contains: 'Stream<bool>' },
    doc: 'Whether each text contains `substring`.',
  }),
  fn(area, 'contains', {
    params: 'text: string, substring: string',
    returns: 'bool',
    doc: 'Whether `text` contains `substring`.',
  }),
  treatment(area, 'exact', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text equals `pattern`.',
  }),
  fn(area, 'exact', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` equals `pattern`.',
  }),
  treatment(area, 'startsWith', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text starts with `pattern`.',
  }),
  treatment(area, 'endsWith', {
    params: { pattern: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each text ends with `pattern`.',
  }),
  fn(area, 'starts_with', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` starts with `pattern`.',
  }),
  fn(area, 'ends_with', {
    params: 'text: string, pattern: string',
    returns: 'bool',
    doc: 'Whether `text` ends with `pattern`.',
  }),
  treatment(char, 'exact', {
    params: { reference: 'var char' },
    inputs: { chars: 'Stream<char>' },
    outputs: { matches: 'Stream<bool>' },
    doc: 'Whether each character equals `reference`.',
  }),
  fn(char, 'exact', {
    params: 'char: char, reference: char',
    returns: 'bool',
    doc: 'Whether `char` equals `reference`.',
  }),
  ...charClass('is_alphabetic', 'isAlphabetic', 'alphabetic (Unicode)'),
  ...charClass('is_alphanumeric', 'isAlphanumeric', 'alphanumeric (Unicode)'),
  ...charClass('is_ascii', 'isAscii', 'ASCII'),
  ...charClass('is_control', 'isControl', 'a control character (Unicode)'),
  ...charClass('is_lowercase', 'isLowercase', 'lowercase (Unicode)'),
  ...charClass('is_uppercase', 'isUppercase', 'uppercase (Unicode)'),
  ...charClass('is_whitespace', 'isWhitespace', 'whitespace (Unicode)'),
  treatment(char, 'isDigit', {
    params: { base: 'var u8' },
    inputs: { chars: 'Stream<char>' },
    outputs: { is: 'Stream<bool>' },
    doc: 'For each character: whether it is a digit in radix `base` (ASCII digits and Latin letters only).',
  }),
  fn(char, 'is_digit', {
    params: 'char: char, base: u8',
    returns: 'bool',
    doc: 'Whether `char` is a digit in radix `base` (ASCII digits and Latin letters only).',
  }),
];
