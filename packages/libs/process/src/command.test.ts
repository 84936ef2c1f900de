import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataCodec, type FunctionDescriptor } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { command } from './command.js';
import { CommandValue } from './command-value.js';
import './environment.js';
import { EnvironmentValue } from './environment-value.js';

const fnOf = (name: string) => {
  const impl = (command.find((e) => e.name === name) as FunctionDescriptor).impl;
  assert.ok(impl !== undefined, name);
  return (...args: unknown[]) => impl(args, {});
};
const make = fnOf('command');
const raw = fnOf('raw_command');
const raws = fnOf('raw_commands');
const checked = fnOf('checked_raw_commands');

test('|command builds a command', () => {
  const c = make('tr', ['a-z', 'A-Z']) as CommandValue;
  assert.ok(c instanceof CommandValue);
  assert.equal(c.command, 'tr');
  assert.deepEqual(c.arguments, ['a-z', 'A-Z']);
  assert.equal(c.display(), 'Command { command: "tr", arguments: ["a-z", "A-Z"] }');
});

test('|raw_command: first word is the program; none when nothing remains or splitting fails', () => {
  assert.ok(new CommandValue('echo', ['a b', '&&', 'c']).equals(raw('echo "a b" && c')));
  assert.ok(new CommandValue('', []).equals(raw("''")));
  assert.equal(raw(''), null);
  assert.equal(raw('   '), null);
  assert.equal(raw('# comment'), null);
  assert.equal(raw('echo "open'), null);
  assert.equal(raw('echo \\'), null);
});

test('|raw_commands: empty vector if any line fails; |checked_raw_commands: none', () => {
  const ok = raws(['true', 'echo x']) as CommandValue[];
  assert.equal(ok.length, 2);
  assert.ok(new CommandValue('echo', ['x']).equals(ok[1]));
  assert.deepEqual(raws(['true', '"bad']), []);
  assert.deepEqual(raws(['true', '']), []);
  assert.equal(checked(['true', '"bad']), null);
  assert.equal((checked(['a', 'b c']) as CommandValue[]).length, 2);
  assert.deepEqual(checked([]), []);
});

test('commands compare by program then arguments, code point order', () => {
  const c = (p: string, ...a: string[]) => new CommandValue(p, a);
  assert.equal(c('a').compare(c('b')), -1);
  assert.equal(c('b', 'a').compare(c('a', 'z')), 1);
  assert.equal(c('a', 'x').compare(c('a', 'x', 'y')), -1);
  assert.equal(c('a', 'x', 'y').compare(c('a', 'x')), 1);
  assert.equal(c('a', 'x').compare(c('a', 'x')), 0);
  assert.equal(c('a', '\u{1F600}').compare(c('a', '\uFFFF')), 1);
  assert.ok(c('a', 'x').equals(c('a', 'x')));
  assert.ok(!c('a', 'x').equals(c('a', 'y')));
  assert.ok(!c('a').equals('a'));
});

test('Command and Environment serialize for distribution and come back equal', () => {
  const c = dataCodec('process/command::Command');
  assert.ok(c !== undefined);
  const cmd = new CommandValue('ls', ['-l', 'a b']);
  assert.equal((c.decode(c.encode(cmd)) as CommandValue).equals(cmd), true);
  assert.throws(() => c.decode([1, []]), /not a Command/);
  const e = dataCodec('process/environment::Environment');
  assert.ok(e !== undefined);
  const env = new EnvironmentValue(StringMapValue.from({ A: '1' }), '/tmp', true, false);
  assert.equal((e.decode(e.encode(env)) as EnvironmentValue).equals(env), true);
  assert.throws(() => e.decode([['A'], null, true, false]), /not an Environment/);
});
