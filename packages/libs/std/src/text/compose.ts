/** `std/text/compose` (libraries spec §3.16): re-cutting, splitting, trimming and formatting text. */
import { fn, treatment } from '@tutti/core';

const area = 'std/text/compose';

/** `|func(text: string) -> string` and `name()` · in `text: Stream<string>` · out `trimmed: Stream<string>`. */
function trimming(func: string, name: string, side: string) {
  return [
    fn(area, func, {
      params: 'text: string',
      returns: 'string',
      doc: `Removes Unicode \`White_Space\` characters ${side}.`,
    }),
    treatment(area, name, {
      inputs: { text: 'Stream<string>' },
      outputs: { trimmed: 'Stream<string>' },
      doc: `Removes Unicode \`White_Space\` characters ${side} of each string.`,
    }),
  ];
}

export const textCompose = [
  treatment(area, 'rescale', {
    params: { delimiter: 'var string = "\\n"' },
    inputs: { unscaled: 'Stream<string>' },
    outputs: { scaled: 'Stream<string>' },
    doc: 'Re-cuts chunked text so that every emitted string ends with `delimiter` (the rest is emitted at the end).',
  }),
  treatment(area, 'split', {
    params: { delimiter: 'var string', inclusive: 'var bool = true' },
    inputs: { text: 'Stream<string>' },
    outputs: { splitted: 'Stream<Vec<string>>' },
    doc: 'Splits each string on `delimiter` (pieces keep their delimiter when `inclusive`).',
  }),
  fn(area, 'split', {
    params: 'text: string, delimiter: string, inclusive: bool',
    returns: 'Vec<string>',
    doc: 'Splits `text` on `delimiter` (pieces keep their delimiter when `inclusive`).',
  }),
  ...trimming('trim', 'trim', 'on both sides'),
  ...trimming('trim_end', 'trimEnd', 'at the end'),
  ...trimming('trim_start', 'trimStart', 'at the start'),
  fn(area, 'format', {
    params: 'format: string, entries: StringMap',
    returns: 'string',
    doc: 'Replaces `{name}` placeholders by the entries (Python-style specs); `""` on error.',
  }),
  fn(area, 'checked_format', {
    params: 'format: string, entries: StringMap',
    returns: 'Option<string>',
    doc: 'Replaces `{name}` placeholders by the entries (Python-style specs); none on error.',
  }),
  treatment(area, 'format', {
    params: { format: 'var string' },
    inputs: { entries: 'Stream<StringMap>' },
    outputs: { formatted: 'Stream<string>' },
    doc: 'One formatted string per map (`""` on error).',
  }),
  treatment(area, 'checkedFormat', {
    params: { format: 'var string' },
    inputs: { entries: 'Stream<StringMap>' },
    outputs: { formatted: 'Stream<Option<string>>' },
    doc: 'One formatted string per map (none on error).',
  }),
];
