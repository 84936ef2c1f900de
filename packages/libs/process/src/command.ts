/** `process/command` (libraries spec §5.1): the command data type and its constructors. */
import { dataType, fn } from '@tutti/core';

const area = 'process/command';

export const command = [
  dataType(area, 'Command', {
    traits: 'Serialize Deserialize PartialEquality PartialOrder Equality Order',
    doc: 'A program and its arguments (`command: string`, `arguments: Vec<string>`); no shell is involved.',
  }),
  fn(area, 'command', {
    params: 'command: string, arguments: Vec<string>',
    returns: 'Command',
    doc: 'Builds a command.',
  }),
  fn(area, 'raw_command', {
    params: 'line: string',
    returns: 'Option<Command>',
    doc: 'Splits `line` into words like a POSIX shell (quotes, escapes; no expansion); first word is the program.',
  }),
  fn(area, 'raw_commands', {
    params: 'lines: Vec<string>',
    returns: 'Vec<Command>',
    doc: 'One command per line; an empty vector if any line fails.',
  }),
  fn(area, 'checked_raw_commands', {
    params: 'lines: Vec<string>',
    returns: 'Option<Vec<Command>>',
    doc: 'One command per line; none if any line fails.',
  }),
];
