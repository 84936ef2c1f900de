/** `std/text/convert/string` and `std/text/convert/char`: text ↔ chars ↔ UTF-8 bytes. */
import { END, fn, mapEach, treatment, type Value } from '@tutti/core';
import { decodeUtf8Lossy, encodeUtf8, encodeUtf8All } from './utf8.js';

const string = 'std/text/convert/string';
const char = 'std/text/convert/char';

export const textConvert = [
  treatment(string, 'toChar', {
    inputs: { text: 'Stream<string>' },
    outputs: { chars: 'Stream<Vec<char>>' },
    doc: 'One vector of chars per string.',
    run: ({ inputs, outputs }) => mapEach(inputs.text, outputs.chars, (t) => Array.from(t as string)),
  }),
  fn(string, 'to_char', {
    params: 'text: string',
    returns: 'Vec<char>',
    doc: 'The chars of `text`.',
    impl: ([text]) => Array.from(text as string),
  }),
  treatment(string, 'fromChar', {
    inputs: { chars: 'Stream<Vec<char>>' },
    outputs: { text: 'Stream<string>' },
    doc: 'One string per vector of chars.',
    run: ({ inputs, outputs }) => mapEach(inputs.chars, outputs.text, (cs) => (cs as readonly string[]).join('')),
  }),
  fn(string, 'from_char', {
    params: 'chars: Vec<char>',
    returns: 'string',
    doc: 'The string made of `chars`.',
    impl: ([chars]) => (chars as readonly string[]).join(''),
  }),
  treatment(string, 'toUtf8', {
    inputs: { text: 'Stream<string>' },
    outputs: { encoded: 'Stream<byte>' },
    doc: 'UTF-8 bytes of each string, concatenated.',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.text.recvMany();
        if (batch === END) return;
        if (!(await outputs.encoded.sendMany(encodeUtf8All(batch)))) return;
      }
    },
  }),
  fn(string, 'to_utf8', {
    params: 'text: string',
    returns: 'Vec<byte>',
    doc: 'UTF-8 bytes of `text`.',
    impl: ([text]) => encodeUtf8(text as string),
  }),
  treatment(string, 'fromUtf8', {
    inputs: { encoded: 'Stream<byte>' },
    outputs: { text: 'Stream<string>' },
    doc: 'Lossy UTF-8 decoding, one string per received chunk (invalid sequences become U+FFFD).',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.encoded.recvMany();
        if (batch === END) return;
        // Each chunk on its own: a character cut across two chunks gives U+FFFD twice, as in the reference.
        if (!(await outputs.text.sendOne(decodeUtf8Lossy(batch)))) return;
      }
    },
  }),
  fn(string, 'from_utf8', {
    params: 'encoded: Vec<byte>',
    returns: 'string',
    doc: 'Lossy UTF-8 decoding (invalid sequences become U+FFFD).',
    impl: ([encoded]) => decodeUtf8Lossy(encoded),
  }),
  treatment(char, 'toString', {
    inputs: { chars: 'Stream<char>' },
    outputs: { text: 'Stream<string>' },
    doc: 'One string per received chunk of chars.',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.chars.recvMany();
        if (batch === END) return;
        if (!(await outputs.text.sendOne((batch as readonly string[]).join('')))) return;
      }
    },
  }),
  treatment(char, 'fromString', {
    inputs: { text: 'Stream<string>' },
    outputs: { chars: 'Stream<char>' },
    doc: 'Flattens strings into chars.',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.text.recvMany();
        if (batch === END) return;
        const out: Value[] = [];
        for (let i = 0; i < batch.length; i++) for (const c of batch[i] as string) out.push(c);
        if (!(await outputs.chars.sendMany(out))) return;
      }
    },
  }),
  treatment(char, 'toUtf8', {
    // The input port is named `text` although it carries chars (reference naming).
    inputs: { text: 'Stream<char>' },
    outputs: { encoded: 'Stream<byte>' },
    doc: 'UTF-8 bytes of each char.',
    async run({ inputs, outputs }) {
      for (;;) {
        const batch = await inputs.text.recvMany();
        if (batch === END) return;
        if (!(await outputs.encoded.sendMany(encodeUtf8All(batch)))) return;
      }
    },
  }),
  fn(char, 'to_utf8', {
    params: 'char: char',
    returns: 'Vec<byte>',
    doc: 'UTF-8 bytes of `char`.',
    impl: ([c]) => encodeUtf8(c as string),
  }),
  fn(char, 'from_utf8', {
    params: 'encoded: Vec<byte>',
    returns: 'Vec<char>',
    doc: 'Lossy UTF-8 decoding into chars (invalid sequences become U+FFFD).',
    impl: ([encoded]) => Array.from(decodeUtf8Lossy(encoded)),
  }),
];
