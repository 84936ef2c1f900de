/**
 * Rule C (when every consumer of an output is gone, the treatment stops) for every text
 * treatment: with an input that never ends and an output nobody consumes, a treatment
 * must stop after its first failed send instead of reading on. The input ends by itself after a limit, so a faulty treatment fails the
 * count instead of hanging the test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Batch, TreatmentDescriptor, Value } from '@tutti/core';
import { readsWithoutConsumers } from '@tutti/engine/testing';
import { StringMapValue } from '../data/string-map-value.js';
import { textCompare } from './compare.js';
import { textCompose } from './compose.js';
import { textConvert } from './convert.js';

/** A sample batch per port type. */
const samples: Record<string, Batch> = {
  string: [' a\nb '],
  char: ['a'],
  'Vec<char>': [['a']],
  byte: new Uint8Array([0x61]),
  StringMap: [StringMapValue.from({ a: '1' })],
};

const values: Record<string, Value> = {
  delimiter: '\n',
  inclusive: true,
  format: '{a}',
  substring: 'a',
  pattern: 'a',
  reference: 'a',
  base: 10,
};

/** Batches read, all inputs together, with every output unconnected. */
async function batchesRead(d: TreatmentDescriptor): Promise<number> {
  const batches: Record<string, Batch> = {};
  for (const p of d.inputs) {
    const batch = samples[p.type];
    assert.ok(batch !== undefined, p.type);
    batches[p.name] = batch;
  }
  const params: Record<string, Value> = Object.fromEntries(d.params.map((p) => [p.name, values[p.name]]));
  const reads = await readsWithoutConsumers(d, batches, { params });
  return Object.values(reads).reduce((x, y) => x + y, 0);
}

test('every text treatment stops reading once its output has no consumer', async () => {
  const all = [...textCompose, ...textCompare, ...textConvert].filter((e): e is TreatmentDescriptor => e.kind === 'treatment');
  assert.equal(all.length, 27);
  for (const d of all) assert.equal(await batchesRead(d), 1, `${d.area}::${d.name}`);
});
