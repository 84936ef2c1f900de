/** `std/types`, `std/types/float`, `std/types/char` (libraries spec §3.19): type bounds and special values. */
import { fn } from '@tutti/core';

export const types = [
  fn('std/types', 'min', { generics: 'B: Bounded', returns: 'B', doc: 'Smallest value of the type.' }),
  fn('std/types', 'max', { generics: 'B: Bounded', returns: 'B', doc: 'Largest value of the type.' }),
  fn('std/types/float', 'infinity', { generics: 'F: Float', returns: 'F', doc: 'Positive infinity.' }),
  fn('std/types/float', 'neg_infinity', { generics: 'F: Float', returns: 'F', doc: 'Negative infinity.' }),
  fn('std/types/float', 'nan', { generics: 'F: Float', returns: 'F', doc: 'Not a number (NaN).' }),
  fn('std/types/char', 'replacement_character', { returns: 'char', doc: 'The replacement character U+FFFD.' }),
];
