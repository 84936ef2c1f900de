import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { encodingElements } from './encoding.js';

const [decode, encode] = encodingElements as [TreatmentDescriptor, TreatmentDescriptor];
const bytesOf = (batches: unknown[]) => Buffer.concat((batches as Uint8Array[]).map((b) => Buffer.from(b))).toString('hex');

describe('decode', () => {
  test('one string per received chunk, then the flush', async () => {
    const r = await runTreatment(decode, {
      params: { encoding: 'utf-8' },
      inputs: { data: { batches: [Uint8Array.of(0x61, 0xe2), Uint8Array.of(0x82), Uint8Array.of(0xac)] } },
      capacity: 1,
    });
    assert.deepEqual(r.outputs.text, ['a', '', '€', '']);
  });
  test('accepts byte batches as arrays of numbers', async () => {
    const r = await runTreatment(decode, { params: { encoding: 'latin1' }, inputs: { data: { batches: [[0x63, 0x61, 0x66, 0xe9]] } } });
    assert.deepEqual(r.outputs.text, ['café', '']);
  });
  test('a truncated tail ends with U+FFFD', async () => {
    const r = await runTreatment(decode, { params: { encoding: 'utf-8' }, inputs: { data: [0xe2, 0x82] } });
    assert.deepEqual(r.outputs.text, ['', '\ufffd']);
  });
  test('an empty stream still flushes', async () => {
    const r = await runTreatment(decode, { params: { encoding: 'utf-8' }, inputs: { data: [] } });
    assert.deepEqual(r.outputs.text, ['']);
  });
  test('rule C: stops when the consumer is gone', async () => {
    const r = await runTreatment(decode, {
      params: { encoding: 'utf-8' },
      inputs: { data: { batches: [[0x61], [0x62], [0x63]] } },
      outputs: { text: { take: 1 } },
      capacity: 1,
    });
    assert.deepEqual(r.outputs.text, ['a']);
    assert.equal(r.error, undefined);
  });
});

describe('encode', () => {
  test('bytes of each batch, state carried, final return to ASCII', async () => {
    const r = await runTreatment(encode, {
      params: { encoding: 'iso-2022-jp', replace: false },
      inputs: { text: { batches: [['こ'], ['ん']] } },
    });
    assert.equal(bytesOf(r.batches.data!), '1b2442243324731b2842');
    assert.ok(r.batches.data!.every((b) => b instanceof Uint8Array && b.length > 0));
  });
  test('windows-1252: letters with diacritics and the euro sign', async () => {
    const r = await runTreatment(encode, { params: { encoding: 'windows-1252', replace: false }, inputs: { text: ['Ünïcödé €5'] } });
    assert.equal(bytesOf(r.batches.data!), 'dc6eef63f664e9208035');
  });
  test('utf-8: one string alone or several in a batch give the same bytes, lone surrogates as U+FFFD', async () => {
    const texts = ['a', 'çà 東京 🎻', '\ud800x', 'y\udfff', ''];
    const alone = await runTreatment(encode, {
      params: { encoding: 'utf-8', replace: false },
      inputs: { text: { batches: texts.map((t) => [t]) } },
      capacity: 1,
    });
    const together = await runTreatment(encode, { params: { encoding: 'utf-8', replace: false }, inputs: { text: { batches: [texts] } } });
    const expected = Buffer.from(new TextEncoder().encode(texts.join(''))).toString('hex');
    assert.equal(bytesOf(alone.batches.data!), expected);
    assert.equal(bytesOf(together.batches.data!), expected);
    assert.ok(expected.includes('efbfbd'), 'U+FFFD for the lone surrogates');
    assert.equal(alone.batches.data!.length, 4, 'one batch per non-empty string');
  });
  test('empty results are not transmitted', async () => {
    const r = await runTreatment(encode, {
      params: { encoding: 'utf-8', replace: false },
      inputs: { text: { batches: [[''], ['', '']] } },
    });
    assert.deepEqual(r.batches.data, []);
  });
  test('replace writes HTML references for unmappable characters', async () => {
    const r = await runTreatment(encode, { params: { encoding: 'ascii', replace: true }, inputs: { text: ['a→b'] } });
    assert.equal(Buffer.from(bytesOf(r.batches.data!), 'hex').toString(), 'a&#8594;b');
  });
  test('rule C: stops when the consumer is gone', async () => {
    const r = await runTreatment(encode, {
      params: { encoding: 'utf-8', replace: false },
      inputs: { text: { batches: [['a'], ['b'], ['c']] } },
      outputs: { data: { take: 1 } },
      capacity: 1,
    });
    assert.deepEqual(r.outputs.data, [0x61]);
    assert.equal(r.error, undefined);
  });
});
