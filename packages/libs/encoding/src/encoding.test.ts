import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { END, NOT_YET, type TreatmentDescriptor } from '@tutti/core';
import { Channel, Input, Output, runTreatment } from '@tutti/engine/testing';
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
  test('texts there with their end as it starts: encoded without waiting, the same bytes as when they come later', async () => {
    const cases: [string, string[][]][] = [
      ['iso-2022-jp', [['こ'], ['ん']]],
      ['utf-8', [['{"status":"ok"}']]],
      ['utf-8', [['a', 'çà 東京 🎻'], ['\ud800x'], ['']]],
      ['windows-1252', [['Ünïcödé €5']]],
      ['utf-8', []],
    ];
    for (const [encoding, batches] of cases) {
      const later = await runTreatment(encode, { params: { encoding, replace: false }, inputs: { text: { batches } } });
      // By hand: every batch queued and the input closed before `run`.
      const inChannel = new Channel(1 << 15);
      const feed = new Output('feed', [inChannel], false);
      for (const b of batches) await feed.sendMany([...b]);
      feed.close();
      const outChannel = new Channel(1 << 15);
      const data = new Output('data', [outChannel], false);
      const received = new Input('data', outChannel);
      const returned = (encode.run as NonNullable<typeof encode.run>)({
        inputs: { text: new Input('text', inChannel) },
        outputs: { data },
        params: { encoding, replace: false },
        generics: {},
        models: {},
        contexts: new Map(),
        track: 0,
        path: 'test/encode',
        signal: new AbortController().signal,
        log: () => {},
      });
      // Nothing to wait for: it ended, or ended with a send that did not wait (the final flush).
      if (returned !== undefined) await returned;
      data.close();
      const now: Uint8Array[] = [];
      for (;;) {
        const b = received.tryRecvMany();
        if (b === END) break;
        assert.notEqual(b, NOT_YET);
        now.push(b as Uint8Array);
      }
      assert.equal(bytesOf(now), bytesOf(later.batches.data!), `${encoding} ${JSON.stringify(batches)}`);
    }
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
