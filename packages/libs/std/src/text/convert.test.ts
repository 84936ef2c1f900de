import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Batch, FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { textConvert } from './convert.js';

const string = 'std/text/convert/string';
const char = 'std/text/convert/char';

function treatmentOf(area: string, name: string): TreatmentDescriptor {
  const d = textConvert.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d !== undefined, name);
  return d as TreatmentDescriptor;
}

function call(area: string, name: string, ...args: Value[]): Value {
  const d = textConvert.find((e) => e.kind === 'function' && e.area === area && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl !== undefined, name);
  return d.impl(args, {});
}

const bytes = (b: Batch | Value): number[] => Array.from(b as Uint8Array);

test('string functions: to_char, from_char, to_utf8, from_utf8', () => {
  assert.deepEqual(call(string, 'to_char', 'aé😀'), ['a', 'é', '😀']);
  assert.deepEqual(call(string, 'to_char', ''), []);
  assert.equal(call(string, 'from_char', ['a', 'é', '😀']), 'aé😀');
  assert.equal(call(string, 'from_char', []), '');
  const encoded = call(string, 'to_utf8', 'aé😀');
  assert.ok(encoded instanceof Uint8Array);
  assert.deepEqual(bytes(encoded), [0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(bytes(call(string, 'to_utf8', '')), []);
  assert.equal(call(string, 'from_utf8', new Uint8Array([0x61, 0xc3, 0xa9])), 'aé');
  assert.equal(call(string, 'from_utf8', [0x61, 0xc3, 0xa9]), 'aé');
});

test('|from_utf8 is lossy like from_utf8_lossy and keeps a BOM', () => {
  assert.equal(call(string, 'from_utf8', [0x61, 0xff, 0x62]), 'a\ufffdb');
  // A truncated sequence is one replacement; an invalid continuation starts over.
  assert.equal(call(string, 'from_utf8', [0xe2, 0x82]), '\ufffd');
  assert.equal(call(string, 'from_utf8', [0xe2, 0x82, 0x41]), '\ufffdA');
  // Overlong and surrogate encodings: one replacement per byte.
  assert.equal(call(string, 'from_utf8', [0xc0, 0xaf]), '\ufffd\ufffd');
  assert.equal(call(string, 'from_utf8', [0xed, 0xa0, 0x80]), '\ufffd\ufffd\ufffd');
  assert.equal(call(string, 'from_utf8', [0xef, 0xbb, 0xbf, 0x61]), '\ufeffa');
  assert.deepEqual(call(char, 'from_utf8', [0x61, 0xff, 0xf0, 0x9f, 0x98, 0x80]), ['a', '\ufffd', '😀']);
});

test('char function to_utf8', () => {
  assert.deepEqual(bytes(call(char, 'to_utf8', 'é')), [0xc3, 0xa9]);
  assert.deepEqual(bytes(call(char, 'to_utf8', '😀')), [0xf0, 0x9f, 0x98, 0x80]);
});

test('toChar and fromChar: one result per value', async () => {
  const to = await runTreatment(treatmentOf(string, 'toChar'), { inputs: { text: { batches: [['ab', ''], ['😀']] } } });
  assert.deepEqual(to.outputs.chars, [['a', 'b'], [], ['😀']]);
  const from = await runTreatment(treatmentOf(string, 'fromChar'), { inputs: { chars: { batches: [[['a', 'b'], []], [['😀']]] } } });
  assert.deepEqual(from.outputs.text, ['ab', '', '😀']);
});

test('toUtf8 sends each batch of strings as one byte array', async () => {
  const r = await runTreatment(treatmentOf(string, 'toUtf8'), {
    inputs: { text: { batches: [['a', 'é'], [''], ['', 'b']] } },
    capacity: 1,
  });
  assert.deepEqual(r.outputs.encoded, [0x61, 0xc3, 0xa9, 0x62]);
  // The batch of empty strings delivers nothing (a batch is never empty).
  assert.equal(r.batches.encoded?.length, 2);
  for (const b of r.batches.encoded ?? []) assert.ok(b instanceof Uint8Array);
});

test('toUtf8 encodes lone surrogates on their own even when joining would pair them', async () => {
  const r = await runTreatment(treatmentOf(string, 'toUtf8'), { inputs: { text: ['a\ud83d', '\ude00'] } });
  assert.deepEqual(r.outputs.encoded, [0x61, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
});

test('fromUtf8 decodes each received chunk on its own', async () => {
  const r = await runTreatment(treatmentOf(string, 'fromUtf8'), {
    inputs: { encoded: { batches: [new Uint8Array([0x61, 0xc3]), new Uint8Array([0xa9, 0x62]), new Uint8Array([0xc3, 0xa9])] } },
    capacity: 1,
  });
  // `é` cut across two chunks becomes two replacement characters.
  assert.deepEqual(r.outputs.text, ['a\ufffd', '\ufffdb', 'é']);
  const arrays = await runTreatment(treatmentOf(string, 'fromUtf8'), { inputs: { encoded: [0xef, 0xbb, 0xbf, 0x68, 0x69] } });
  assert.deepEqual(arrays.outputs.text, ['\ufeffhi']);
  const none = await runTreatment(treatmentOf(string, 'fromUtf8'), { inputs: { encoded: [] } });
  assert.deepEqual(none.outputs.text, []);
});

test('char toString gives one string per received chunk', async () => {
  const r = await runTreatment(treatmentOf(char, 'toString'), { inputs: { chars: { batches: [['a', 'b'], ['😀'], ['c']] } }, capacity: 1 });
  assert.deepEqual(r.outputs.text, ['ab', '😀', 'c']);
});

test('char fromString flattens strings into chars', async () => {
  const r = await runTreatment(treatmentOf(char, 'fromString'), {
    inputs: { text: { batches: [['ab', ''], [''], ['😀c']] } },
    capacity: 1,
  });
  assert.deepEqual(r.outputs.chars, ['a', 'b', '😀', 'c']);
  assert.equal(r.batches.chars?.length, 2);
});

test('char toUtf8 reads its chars from the input named text', async () => {
  const r = await runTreatment(treatmentOf(char, 'toUtf8'), { inputs: { text: { batches: [['a', 'é'], ['😀']] } }, capacity: 1 });
  assert.deepEqual(r.outputs.encoded, [0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(
    r.batches.encoded?.map((b) => b.length),
    [3, 4],
  );
});
