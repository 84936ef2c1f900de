/** `regex` (libraries spec §8): regular expressions in the Rust `regex` dialect. */
import { fn, treatment } from '@tutti/core';

const area = 'regex';

export const regexElements = [
  treatment(area, 'matches', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>', error: 'Block<string>' },
    doc: 'Whether each text matches `regex` anywhere; a compile error goes to `error` and no text is read.',
  }),
  fn(area, 'matches', {
    params: 'text: string, regex: string',
    returns: 'bool',
    doc: 'Whether `text` matches `regex` anywhere; false for an invalid regex.',
  }),
  treatment(area, 'find', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { found: 'Stream<Option<string>>', error: 'Block<string>' },
    doc: 'Leftmost-first match text of each text, or none; a compile error goes to `error`.',
  }),
  fn(area, 'find', {
    params: 'text: string, regex: string',
    returns: 'Option<string>',
    doc: 'Leftmost-first match text, or none (also for an invalid regex).',
  }),
  treatment(area, 'capture', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { captured: 'Stream<Option<StringMap>>', error: 'Block<string>' },
    doc: 'Map of the named groups matched in each text, or none; a compile error goes to `error`.',
  }),
  fn(area, 'capture', {
    params: 'text: string, regex: string',
    returns: 'Option<StringMap>',
    doc: 'Map of the named groups that participated in the match, or none.',
  }),
  treatment(area, 'replace', {
    params: { regex: 'var string', replacer: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { replaced: 'Stream<string>', error: 'Block<string>' },
    doc: 'Replaces the first match in each text (`$1`, `$name`, `${name}`, `$$`); a compile error goes to `error`.',
  }),
  fn(area, 'replace', {
    params: 'text: string, regex: string, replacer: string',
    returns: 'Option<string>',
    doc: 'Replaces the first match (`$1`, `$name`, `${name}`, `$$`); none for an invalid regex.',
  }),
];
