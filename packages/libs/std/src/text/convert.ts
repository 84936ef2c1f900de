/** `std/text/convert/string` and `std/text/convert/char` (libraries spec §3.18): text ↔ chars ↔ UTF-8 bytes. */
import { fn, treatment } from '@tutti/core';

const string = 'std/text/convert/string';
const char = 'std/text/convert/char';

export const textConvert = [
  treatment(string, 'toChar', {
    inputs: { text: 'Stream<string>' },
    outputs: { chars: 'Stream<Vec<char>>' },
    doc: 'One vector of chars per string.',
  }),
  fn(string, 'to_char', { params: 'text: string', returns: 'Vec<char>', doc: 'The chars of `text`.' }),
  treatment(string, 'fromChar', {
    inputs: { chars: 'Stream<Vec<char>>' },
    outputs: { text: 'Stream<string>' },
    doc: 'One string per vector of chars.',
  }),
  fn(string, 'from_char', { params: 'chars: Vec<char>', returns: 'string', doc: 'The string made of `chars`.' }),
  treatment(string, 'toUtf8', {
    inputs: { text: 'Stream<string>' },
    outputs: { encoded: 'Stream<byte>' },
    doc: 'UTF-8 bytes of each string, concatenated.',
  }),
  fn(string, 'to_utf8', { params: 'text: string', returns: 'Vec<byte>', doc: 'UTF-8 bytes of `text`.' }),
  treatment(string, 'fromUtf8', {
    inputs: { encoded: 'Stream<byte>' },
    outputs: { text: 'Stream<string>' },
    doc: 'Lossy UTF-8 decoding, one string per received chunk (invalid sequences become U+FFFD).',
  }),
  fn(string, 'from_utf8', {
    params: 'encoded: Vec<byte>',
    returns: 'string',
    doc: 'Lossy UTF-8 decoding (invalid sequences become U+FFFD).',
  }),
  treatment(char, 'toString', {
    inputs: { chars: 'Stream<char>' },
    outputs: { text: 'Stream<string>' },
    doc: 'One string per received chunk of chars.',
  }),
  treatment(char, 'fromString', {
    inputs: { text: 'Stream<string>' },
    outputs: { chars: 'Stream<char>' },
    doc: 'Flattens strings into chars.',
  }),
  treatment(char, 'toUtf8', {
    // The input port is named `text` although it carries chars (reference naming).
    inputs: { text: 'Stream<char>' },
    outputs: { encoded: 'Stream<byte>' },
    doc: 'UTF-8 bytes of each char.',
  }),
  fn(char, 'to_utf8', { params: 'char: char', returns: 'Vec<byte>', doc: 'UTF-8 bytes of `char`.' }),
  fn(char, 'from_utf8', {
    params: 'encoded: Vec<byte>',
    returns: 'Vec<char>',
    doc: 'Lossy UTF-8 decoding into chars (invalid sequences become U+FFFD).',
  }),
];
