/** `process/command`: the command data type and its constructors. */
import { dataType, fn, registerDataCodec } from '@tutti/core';
import { CommandValue } from './command-value.js';
import { splitWords } from './raw-command.js';

const area = 'process/command';

// Serialize/Deserialize: [program, arguments].
registerDataCodec(`${area}::Command`, {
  encode: (v) => [(v as CommandValue).command, [...(v as CommandValue).arguments]],
  decode: (w) => {
    const [program, args] = w as [unknown, unknown];
    if (typeof program !== 'string' || !Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new Error('not a Command');
    return new CommandValue(program, args);
  },
});

/** The command of one `|raw_command` line, or null when it cannot be split or has no word. */
export function rawCommand(line: string): CommandValue | null {
  const words = splitWords(line);
  if (words === null || words.length === 0) return null;
  return new CommandValue(words[0] as string, words.slice(1));
}

/** One command per line, or null as soon as one line fails. */
function rawCommands(lines: readonly string[]): CommandValue[] | null {
  const commands: CommandValue[] = [];
  for (const line of lines) {
    const c = rawCommand(line);
    if (c === null) return null;
    commands.push(c);
  }
  return commands;
}

export const command = [
  dataType(area, 'Command', {
    traits: 'Serialize Deserialize PartialEquality PartialOrder Equality Order',
    doc: 'A program and its arguments (`command: string`, `arguments: Vec<string>`); no shell is involved.',
  }),
  fn(area, 'command', {
    params: 'command: string, arguments: Vec<string>',
    returns: 'Command',
    doc: 'Builds a command.',
    impl: ([program, args]) => new CommandValue(program as string, args as readonly string[]),
  }),
  fn(area, 'raw_command', {
    params: 'line: string',
    returns: 'Option<Command>',
    doc: 'Splits `line` into words like a POSIX shell (quotes, escapes; no expansion); first word is the program.',
    impl: ([line]) => rawCommand(line as string),
  }),
  fn(area, 'raw_commands', {
    params: 'lines: Vec<string>',
    returns: 'Vec<Command>',
    doc: 'One command per line; an empty vector if any line fails.',
    impl: ([lines]) => rawCommands(lines as readonly string[]) ?? [],
  }),
  fn(area, 'checked_raw_commands', {
    params: 'lines: Vec<string>',
    returns: 'Option<Vec<Command>>',
    doc: 'One command per line; none if any line fails.',
    impl: ([lines]) => rawCommands(lines as readonly string[]),
  }),
];
