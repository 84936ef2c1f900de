import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { textCompose } from './compose.js';
import { isWhiteSpaceUnit, trimWhiteSpace } from './whitespace.js';

function treatmentOf(name: string): TreatmentDescriptor {
  const d = textCompose.find((e) => e.kind === 'treatment' && e.name === name);
  assert.ok(d !== undefined, name);
  return d as TreatmentDescriptor;
}

function call(name: string, ...args: Value[]): Value {
  const d = textCompose.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl !== undefined, name);
  return d.impl(args, {});
}

/** Runs `rescale` on the given chunks, one input batch per chunk (capacity 1 keeps them apart). */
async function rescale(chunks: string[][], delimiter = '\n'): Promise<Value[]> {
  const r = await runTreatment(treatmentOf('rescale'), { params: { delimiter }, inputs: { unscaled: { batches: chunks } }, capacity: 1 });
  assert.equal(r.error, undefined);
  return r.outputs.scaled as Value[];
}

test('rescale re-cuts chunked text on the delimiter, the delimiter kept', async () => {
  assert.deepEqual(await rescale([['Lorem ipsum. Aenean qua'], ['m velit.\nInterdum\n'], ['Cras', ' varius']]), [
    'Lorem ipsum. Aenean quam velit.\n',
    'Interdum\n',
    'Cras varius',
  ]);
  assert.deepEqual(await rescale([['a\nb\nc'], ['\n']]), ['a\n', 'b\n', 'c\n']);
});

test('rescale treats the strings of one batch one at a time', async () => {
  assert.deepEqual(await rescale([['a', 'b\nc', '', 'd\n\n']]), ['ab\n', 'cd\n', '\n']);
});

test('rescale emits the tail at the end only when it is not empty', async () => {
  assert.deepEqual(await rescale([['a\n']]), ['a\n']);
  assert.deepEqual(await rescale([['', '']]), []);
  assert.deepEqual(await rescale([]), []);
});

test('rescale recognises a delimiter cut across strings only when it ends the accumulated text', async () => {
  // `\r` then `\n`: the accumulated text ends with the delimiter when `\n` arrives.
  assert.deepEqual(await rescale([['a\r'], ['\n'], ['b']], '\r\n'), ['a\r\n', 'b']);
  // `\r` then `\nb`: the piece `\nb` has no delimiter of its own, the text is kept whole.
  assert.deepEqual(await rescale([['a\r'], ['\nb\r\n'], ['c']], '\r\n'), ['a\r\nb\r\n', 'c']);
  assert.deepEqual(await rescale([['a\r'], ['\nb']], '\r\n'), ['a\r\nb']);
});

test('rescale with an empty delimiter releases every piece of the inclusive split', async () => {
  assert.deepEqual(await rescale([['ab']], ''), ['', 'a', 'b']);
});

test('|split: inclusive keeps each delimiter, exclusive leaves a trailing empty part', () => {
  assert.deepEqual(call('split', 'a\nb\n', '\n', true), ['a\n', 'b\n']);
  assert.deepEqual(call('split', 'a\nb\n', '\n', false), ['a', 'b', '']);
  assert.deepEqual(call('split', 'a\nb', '\n', true), ['a\n', 'b']);
  assert.deepEqual(call('split', '', '\n', true), []);
  assert.deepEqual(call('split', '', '\n', false), ['']);
  assert.deepEqual(call('split', 'ab', '', false), ['', 'a', 'b', '']);
  assert.deepEqual(call('split', 'ab', '', true), ['', 'a', 'b']);
  assert.deepEqual(call('split', '', '', false), ['', '']);
  assert.deepEqual(call('split', '', '', true), ['']);
});

test('|split matches the delimiter literally, left to right, without overlaps', () => {
  assert.deepEqual(call('split', 'a.b.c', '.', false), ['a', 'b', 'c']);
  assert.deepEqual(call('split', 'aaa', 'aa', false), ['', 'a']);
  assert.deepEqual(call('split', 'aaa', 'aa', true), ['aa', 'a']);
  assert.deepEqual(call('split', 'x--y----z', '--', true), ['x--', 'y--', '--', 'z']);
  assert.deepEqual(call('split', 'no match', ',', true), ['no match']);
});

test('|split with an empty delimiter cuts between characters, not UTF-16 units', () => {
  assert.deepEqual(call('split', 'a😀', '', false), ['', 'a', '😀', '']);
});

test('split splits each string of the stream', async () => {
  const r = await runTreatment(treatmentOf('split'), {
    params: { delimiter: ',', inclusive: false },
    inputs: { text: { batches: [['a,b', ''], ['c']] } },
  });
  assert.deepEqual(r.outputs.splitted, [['a', 'b'], [''], ['c']]);
  const inclusive = await runTreatment(treatmentOf('split'), {
    params: { delimiter: ',', inclusive: true },
    inputs: { text: ['a,b,', ''] },
  });
  assert.deepEqual(inclusive.outputs.splitted, [['a,', 'b,'], []]);
});

test('trimming uses Unicode White_Space: NEL is removed, BOM is kept', () => {
  assert.equal(call('trim', '\u0085 a b\t\n'), 'a b');
  assert.equal(call('trim', '\ufeffa\ufeff'), '\ufeffa\ufeff');
  assert.equal(call('trim_start', '\u3000\u2028 a '), 'a ');
  assert.equal(call('trim_end', ' a \u00a0\u205f\u0085'), ' a');
  assert.equal(call('trim', ''), '');
  assert.equal(call('trim', ' \t\r\n'), '');
  assert.equal(call('trim_start', 'a'), 'a');
  // U+180E was White_Space once; it is not any more (Rust and ICU agree).
  assert.equal(call('trim', '\u180ea'), '\u180ea');
});

test('the White_Space table matches \\p{White_Space} on every BMP code point', () => {
  const re = /^\p{White_Space}$/u;
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    assert.equal(isWhiteSpaceUnit(c), re.test(String.fromCharCode(c)), c.toString(16));
  }
  assert.equal(trimWhiteSpace('\u{1F600} '), '\u{1F600}');
});

test('trim, trimEnd and trimStart keep the stream order', async () => {
  const input = { text: { batches: [[' a ', '\tb'], ['c\n']] } };
  assert.deepEqual((await runTreatment(treatmentOf('trim'), { inputs: input })).outputs.trimmed, ['a', 'b', 'c']);
  assert.deepEqual((await runTreatment(treatmentOf('trimEnd'), { inputs: input })).outputs.trimmed, [' a', '\tb', 'c']);
  assert.deepEqual((await runTreatment(treatmentOf('trimStart'), { inputs: input })).outputs.trimmed, ['a ', 'b', 'c\n']);
  assert.deepEqual((await runTreatment(treatmentOf('trim'), { inputs: { text: [] } })).outputs.trimmed, []);
});

test('trim stops with its consumer (rule C)', async () => {
  const r = await runTreatment(treatmentOf('trim'), {
    inputs: { text: { batches: [[' a '], [' b '], [' c ']] } },
    outputs: { trimmed: { take: 1 } },
    capacity: 1,
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.trimmed, ['a']);
});
