import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { StringMapValue } from '../data/string-map-value.js';
import { textCompose } from './compose.js';
import { formatEntries } from './format.js';

/** The smallest thing `|format` reads: a `get`. */
function entries(record: Record<string, string>): { get(key: string): string | undefined } {
  const map = new Map(Object.entries(record));
  return { get: (key) => map.get(key) };
}

const e = entries({ name: 'Ada', n: '42', ' spaced ': 'S', 'a:b': 'never', empty: '', long: 'abcdefgh', emoji: '😀é', '}': 'brace' });

function fmt(format: string): string | null {
  return formatEntries(format, e);
}

function call(name: string, ...args: Value[]): Value {
  const d = textCompose.find((x) => x.kind === 'function' && x.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl !== undefined, name);
  return d.impl(args, {});
}

test('placeholders are replaced by entries; doubled braces are literal', () => {
  assert.equal(fmt('Hello {name}!'), 'Hello Ada!');
  assert.equal(fmt('{name}{n}'), 'Ada42');
  assert.equal(fmt('{{name}} {{{name}}}'), '{name} {Ada}');
  assert.equal(fmt('}}{{'), '}{');
  assert.equal(fmt(''), '');
  assert.equal(fmt('no placeholder'), 'no placeholder');
  assert.equal(fmt('{empty}|'), '|');
  assert.equal(fmt('é{emoji}😀'), 'é😀é😀');
});

test('the key is everything before the first colon, spaces included', () => {
  assert.equal(fmt('{ spaced }'), 'S');
  assert.equal(fmt('{spaced}'), null);
  // `a:b` cannot be reached: the key stops at the first `:` and `b` is an invalid spec.
  assert.equal(fmt('{a:b}'), null);
});

test('fill, alignment, width and precision count characters', () => {
  assert.equal(fmt('[{name:5}]'), '[Ada  ]');
  assert.equal(fmt('[{name:<5}]'), '[Ada  ]');
  assert.equal(fmt('[{name:>5}]'), '[  Ada]');
  assert.equal(fmt('[{name:^6}]'), '[ Ada  ]');
  assert.equal(fmt('[{name:*^7}]'), '[**Ada**]');
  assert.equal(fmt('[{name:-<5}]'), '[Ada--]');
  assert.equal(fmt('[{name:é>5}]'), '[ééAda]');
  assert.equal(fmt('[{name:😀>5s}]'), '[😀😀Ada]');
  assert.equal(fmt('[{name::>5}]'), '[::Ada]');
  assert.equal(fmt('[{name:2}]'), '[Ada]');
  assert.equal(fmt('[{long:.3}]'), '[abc]');
  assert.equal(fmt('[{long:>5.3}]'), '[  abc]');
  assert.equal(fmt('[{long:.0}]'), '[]');
  assert.equal(fmt('[{long:.99}]'), '[abcdefgh]');
  assert.equal(fmt('[{emoji:.1}]'), '[😀]');
  assert.equal(fmt('[{emoji:3}]'), '[😀é ]');
  assert.equal(fmt('[{name:s}]'), '[Ada]');
  assert.equal(fmt('[{name:}]'), '[Ada]');
  assert.equal(fmt('[{name:<}]'), '[Ada]');
});

test('a bare 0 before the width means = alignment: an error only when padding is needed', () => {
  assert.equal(fmt('{n:05}'), null);
  assert.equal(fmt('{n:02}'), '42');
  assert.equal(fmt('{n:0}'), '42');
  assert.equal(fmt('{n:=5}'), null);
  assert.equal(fmt('{n:=2}'), '42');
  assert.equal(fmt('{n:x=5}'), null);
  // With an explicit alignment the 0 is only the fill.
  assert.equal(fmt('{n:>05}'), '00042');
  assert.equal(fmt('{n:<05}'), '42000');
  assert.equal(fmt('{n:0>5}'), '00042');
});

test('every malformed format gives none (unknown key, lone brace, unclosed brace, invalid spec)', () => {
  for (const bad of [
    '{nobody}',
    '{}',
    '{:5}',
    '{na{me}',
    'a } b',
    '}',
    'a {name',
    '{',
    '{name:+}',
    '{name:-}',
    '{name: 5}',
    '{name:<+5}',
    '{name:#}',
    '{name:,}',
    '{name:5,}',
    '{name:d}',
    '{name:x}',
    '{name:5d}',
    '{name:ss}',
    '{name:.}',
    '{name:.s}',
    '{name:5.3.2}',
    '{name:_}',
    '{name:99999999999999999999}',
    '{name:.99999999999999999999}',
    '{name}}',
  ]) {
    assert.equal(fmt(bad), null, bad);
    assert.equal(call('format', bad, e), '', bad);
    assert.equal(call('checked_format', bad, e), null, bad);
  }
});

test('the scanner quirks of the reference are kept', () => {
  // A `}` waits for its twin even across a `{`: `}{}}` reads the placeholder `}`.
  assert.equal(fmt('}{}}'), '}brace');
  assert.equal(fmt('}{x'), null);
  assert.equal(fmt('{{{'), null);
});

test('huge widths fail instead of exhausting memory', () => {
  assert.equal(fmt('{name:9999999999}'), null);
  assert.equal(fmt('{name:.9999999999}'), 'Ada');
});

test('|format and |checked_format read a StringMap', () => {
  const map = StringMapValue.from({ who: 'world' });
  assert.equal(call('format', 'Hello {who:>6}', map), 'Hello  world');
  assert.equal(call('checked_format', 'Hello {who}', map), 'Hello world');
  assert.equal(call('checked_format', 'Hello {what}', map), null);
  assert.equal(call('format', 'Hello {what}', map), '');
});

function treatmentOf(name: string): TreatmentDescriptor {
  return textCompose.find((x) => x.kind === 'treatment' && x.name === name) as TreatmentDescriptor;
}

test('format and checkedFormat give one result per map, in order', async () => {
  const maps = { batches: [[StringMapValue.from({ a: '1' }), StringMapValue.from({ b: '2' })], [StringMapValue.from({ a: 'x', b: 'y' })]] };
  const f = await runTreatment(treatmentOf('format'), { params: { format: '<{a}>' }, inputs: { entries: maps } });
  assert.deepEqual(f.outputs.formatted, ['<1>', '', '<x>']);
  const c = await runTreatment(treatmentOf('checkedFormat'), { params: { format: '<{a}>' }, inputs: { entries: maps } });
  assert.deepEqual(c.outputs.formatted, ['<1>', null, '<x>']);
  const none = await runTreatment(treatmentOf('format'), { params: { format: '{a}' }, inputs: { entries: [] } });
  assert.deepEqual(none.outputs.formatted, []);
});
