/**
 * Rule C (libraries §1.4) for every text treatment: with an input that never ends and an
 * output nobody consumes, a treatment must stop after its first failed send instead of
 * reading on. The input ends by itself after a limit, so a faulty treatment fails the
 * count instead of hanging the test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Batch, END, type InputPort, type OutputPort, type TreatmentContext, type TreatmentDescriptor, type Value } from '@tutti/core';
import { StringMapValue } from '../data/string-map-value.js';
import { textCompare } from './compare.js';
import { textCompose } from './compose.js';
import { textConvert } from './convert.js';

const LIMIT = 20;

const gone: OutputPort = {
  name: 'gone',
  sendOne: () => Promise.resolve(false),
  sendMany: () => Promise.resolve(false),
  close: () => {},
  usable: false,
};

/** A sample batch per port type. */
const samples: Record<string, Batch> = {
  string: [' a\nb '],
  char: ['a'],
  'Vec<char>': [['a']],
  byte: new Uint8Array([0x61]),
  StringMap: [StringMapValue.from({ a: '1' })],
};

const params: Record<string, Value> = {
  delimiter: '\n',
  inclusive: true,
  format: '{a}',
  substring: 'a',
  pattern: 'a',
  reference: 'a',
  base: 10,
};

async function batchesRead(d: TreatmentDescriptor): Promise<number> {
  let reads = 0;
  const inputs: Record<string, InputPort> = {};
  for (const p of d.inputs) {
    const batch = samples[p.type];
    assert.ok(batch !== undefined, p.type);
    const recvMany = async (): Promise<Batch | typeof END> => {
      if (reads >= LIMIT) return END;
      reads++;
      return batch;
    };
    inputs[p.name] = {
      name: p.name,
      recvMany,
      recvOne: async () => {
        const b = await recvMany();
        return b === END ? END : b[0];
      },
      close: () => {},
      async *[Symbol.asyncIterator]() {
        for (let b = await recvMany(); b !== END; b = await recvMany()) yield b;
      },
    };
  }
  const outputs: Record<string, OutputPort> = {};
  for (const p of d.outputs) outputs[p.name] = gone;
  const ctx: TreatmentContext = {
    inputs,
    outputs,
    params: Object.fromEntries(d.params.map((p) => [p.name, params[p.name]])),
    generics: {},
    models: {},
    contexts: new Map(),
    track: 0,
    path: `test/${d.name}`,
    signal: new AbortController().signal,
    log: () => {},
  };
  assert.ok(d.run !== undefined, `${d.area}::${d.name} has no behaviour`);
  await d.run(ctx);
  return reads;
}

test('every text treatment stops reading once its output has no consumer', async () => {
  const all = [...textCompose, ...textCompare, ...textConvert].filter((e): e is TreatmentDescriptor => e.kind === 'treatment');
  assert.equal(all.length, 27);
  for (const d of all) assert.equal(await batchesRead(d), 1, `${d.area}::${d.name}`);
});
