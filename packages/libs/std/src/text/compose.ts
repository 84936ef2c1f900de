/**
 * `std/text/compose`: re-cutting, splitting, trimming and
 * formatting text. The string algorithms live in `split.ts`, `whitespace.ts` and
 * `format.ts`, which follow Rust's and `strfmt`'s semantics rather than JavaScript's.
 */
import { END, fn, mapEach, treatment, type Value } from '@tutti/core';
import { type FormatEntries, formatEntries } from './format.js';
import { rescaleInto, splitText } from './split.js';
import { trimWhiteSpace, trimWhiteSpaceEnd, trimWhiteSpaceStart } from './whitespace.js';

const area = 'std/text/compose';

/** `|func(text: string) -> string` and `name()` · in `text: Stream<string>` · out `trimmed: Stream<string>`. */
function trimming(func: string, name: string, side: string, trim: (text: string) => string) {
  return [
    fn(area, func, {
      params: 'text: string',
      returns: 'string',
      doc: `Removes Unicode \`White_Space\` characters ${side}.`,
      impl: ([text]) => trim(text as string),
    }),
    treatment(area, name, {
      inputs: { text: 'Stream<string>' },
      outputs: { trimmed: 'Stream<string>' },
      doc: `Removes Unicode \`White_Space\` characters ${side} of each string.`,
      run: ({ inputs, outputs }) => mapEach(inputs.text, outputs.trimmed, (v) => trim(v as string)),
    }),
  ];
}

export const textCompose = [
  treatment(area, 'rescale', {
    params: { delimiter: 'var string = "\\n"' },
    inputs: { unscaled: 'Stream<string>' },
    outputs: { scaled: 'Stream<string>' },
    doc: 'Re-cuts chunked text so that every emitted string ends with `delimiter` (the rest is emitted at the end).',
    async run({ inputs, outputs, params }) {
      const delimiter = params.delimiter as string;
      let pending = '';
      for (;;) {
        const batch = await inputs.unscaled.recvMany();
        if (batch === END) break;
        const out: string[] = [];
        for (let i = 0; i < batch.length; i++) pending = rescaleInto(pending, batch[i] as string, delimiter, out);
        if (!(await outputs.scaled.sendMany(out))) return;
      }
      if (pending !== '') await outputs.scaled.sendOne(pending);
    },
  }),
  treatment(area, 'split', {
    params: { delimiter: 'var string', inclusive: 'var bool = true' },
    inputs: { text: 'Stream<string>' },
    outputs: { splitted: 'Stream<Vec<string>>' },
    doc: 'Splits each string on `delimiter` (pieces keep their delimiter when `inclusive`).',
    run({ inputs, outputs, params }) {
      const delimiter = params.delimiter as string;
      const inclusive = params.inclusive as boolean;
      return mapEach(inputs.text, outputs.splitted, (v) => splitText(v as string, delimiter, inclusive));
    },
  }),
  fn(area, 'split', {
    params: 'text: string, delimiter: string, inclusive: bool',
    returns: 'Vec<string>',
    doc: 'Splits `text` on `delimiter` (pieces keep their delimiter when `inclusive`).',
    impl: ([text, delimiter, inclusive]) => splitText(text as string, delimiter as string, inclusive as boolean),
  }),
  ...trimming('trim', 'trim', 'on both sides', trimWhiteSpace),
  ...trimming('trim_end', 'trimEnd', 'at the end', trimWhiteSpaceEnd),
  ...trimming('trim_start', 'trimStart', 'at the start', trimWhiteSpaceStart),
  fn(area, 'format', {
    params: 'format: string, entries: StringMap',
    returns: 'string',
    doc: 'Replaces `{name}` placeholders by the entries (Python-style specs); `""` on error.',
    impl: ([format, entries]) => formatEntries(format as string, entries as FormatEntries) ?? '',
  }),
  fn(area, 'checked_format', {
    params: 'format: string, entries: StringMap',
    returns: 'Option<string>',
    doc: 'Replaces `{name}` placeholders by the entries (Python-style specs); none on error.',
    impl: ([format, entries]) => formatEntries(format as string, entries as FormatEntries),
  }),
  treatment(area, 'format', {
    params: { format: 'var string' },
    inputs: { entries: 'Stream<StringMap>' },
    outputs: { formatted: 'Stream<string>' },
    doc: 'One formatted string per map (`""` on error).',
    run({ inputs, outputs, params }) {
      const format = params.format as string;
      return mapEach(inputs.entries, outputs.formatted, (v: Value) => formatEntries(format, v as FormatEntries) ?? '');
    },
  }),
  treatment(area, 'checkedFormat', {
    params: { format: 'var string' },
    inputs: { entries: 'Stream<StringMap>' },
    outputs: { formatted: 'Stream<Option<string>>' },
    doc: 'One formatted string per map (none on error).',
    run({ inputs, outputs, params }) {
      const format = params.format as string;
      return mapEach(inputs.entries, outputs.formatted, (v: Value) => formatEntries(format, v as FormatEntries));
    },
  }),
];
