import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, type ModelContext, type ModelDescriptor, type TreatmentDescriptor, type Value } from '@tutti/core';
import { Channel, Input, Output, runTreatment, typeOf } from '@tutti/engine/testing';
import { concentrate } from './concentrate.js';
import { CONCENTRATOR_CAPACITY, Concentrator } from './concentrator.js';

const d = (name: string): TreatmentDescriptor => {
  const found = concentrate.find((e) => e.name === name);
  if (found === undefined || found.kind !== 'treatment') throw new Error(name);
  return found;
};

function newConcentrator(): Concentrator {
  const m = concentrate.find((e) => e.kind === 'model') as ModelDescriptor;
  const c = m.create?.({} as ModelContext);
  assert.ok(c instanceof Concentrator);
  return c;
}

/** A treatment running in `track`, with inputs fed and outputs read by the test. */
function start(name: string, conc: Concentrator, track: number, type = 'u8') {
  const desc = d(name);
  const feeds: Record<string, Output> = {};
  const inputs: Record<string, Input> = {};
  for (const p of desc.inputs) {
    const c = new Channel(1 << 15);
    inputs[p.name] = new Input(p.name, c);
    feeds[p.name] = new Output(p.name, [c], p.flow === 'Block');
  }
  const outputs: Record<string, Output> = {};
  const reads: Record<string, Input> = {};
  for (const p of desc.outputs) {
    const c = new Channel(1 << 15);
    outputs[p.name] = new Output(p.name, [c], p.flow === 'Block');
    reads[p.name] = new Input(p.name, c);
  }
  const done = (async () => {
    await desc.run?.({
      inputs,
      outputs,
      params: {},
      generics: { T: typeOf(type) },
      models: { concentrator: conc },
      contexts: new Map(),
      track,
      path: `test/${name}`,
      signal: new AbortController().signal,
      log: () => {},
    });
    for (const i of Object.values(inputs)) i.close();
    for (const o of Object.values(outputs)) o.close();
  })();
  return { feeds, reads, done };
}

async function all(input: Input | undefined): Promise<Value[]> {
  const out: Value[] = [];
  for (;;) {
    const b = await input?.recvMany();
    if (b === undefined || b === END) return out;
    for (const v of b) out.push(v);
  }
}

const sorted = (v: Value[]): number[] => [...(v as number[])].sort((a, b) => a - b);

test('concentrated re-emits the values of several producers of its track, then closes', async () => {
  const conc = newConcentrator();
  const models = { concentrator: conc };
  const [p1, p2, b, c] = await Promise.all([
    runTreatment(d('concentrate'), { generics: { T: 'u8' }, models, inputs: { data: { batches: [[1, 2], [3]] } } }),
    runTreatment(d('concentrate'), { generics: { T: 'u8' }, models, inputs: { data: [4, 5] } }),
    runTreatment(d('concentrateBlock'), { generics: { T: 'u8' }, models, inputs: { data: [6] } }),
    runTreatment(d('concentrated'), { generics: { T: 'u8' }, models, inputs: { trigger: [0] } }),
  ]);
  for (const r of [p1, p2, b, c]) assert.equal(r.error, undefined);
  const out = c.outputs.data as number[];
  assert.deepEqual(sorted(out), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    out.filter((v) => v <= 3),
    [1, 2, 3],
  );
  assert.equal(conc.size, 0, 'channels are forgotten once their participants finished');
});

test('values pushed before the trigger stay buffered until it arrives', async () => {
  const conc = newConcentrator();
  const consumer = start('concentrated', conc, 1);
  const producer = start('concentrate', conc, 1);
  await producer.feeds.data?.sendMany([1, 2, 3]);
  producer.feeds.data?.close();
  await producer.done;
  await consumer.feeds.trigger?.sendOne(9);
  const out = await all(consumer.reads.data);
  await consumer.done;
  assert.deepEqual(out, [1, 2, 3]);
});

test('concentrated stays open while a registered producer runs', async () => {
  const conc = newConcentrator();
  const consumer = start('concentrated', conc, 1);
  const producer = start('concentrate', conc, 1);
  await consumer.feeds.trigger?.sendOne(0);
  await producer.feeds.data?.sendMany([1]);
  assert.deepEqual(await consumer.reads.data?.recvMany(), [1]);
  await producer.feeds.data?.sendMany([2, 3]);
  assert.deepEqual(await consumer.reads.data?.recvMany(), [2, 3]);
  producer.feeds.data?.close();
  assert.equal(await consumer.reads.data?.recvMany(), END);
  await Promise.all([producer.done, consumer.done]);
});

test('concentrated closes when no producer is in the track (the reference never ends: fixed)', async () => {
  const conc = newConcentrator();
  const r = await runTreatment(d('concentrated'), { generics: { T: 'u8' }, models: { concentrator: conc }, inputs: { trigger: [0] } });
  assert.deepEqual(r.outputs.data, []);
  assert.equal(conc.size, 0);
});

test('concentrated emits nothing when its trigger closes empty (rule B)', async () => {
  const conc = newConcentrator();
  const models = { concentrator: conc };
  const [, c] = await Promise.all([
    runTreatment(d('concentrate'), { generics: { T: 'u8' }, models, inputs: { data: [1, 2] } }),
    runTreatment(d('concentrated'), { generics: { T: 'u8' }, models, inputs: { trigger: [] } }),
  ]);
  assert.deepEqual(c.outputs.data, []);
  assert.equal(conc.size, 0);
});

test('a producer starting in the same turn as the trigger is still counted', async () => {
  const conc = newConcentrator();
  const consumer = start('concentrated', conc, 1);
  const sent = consumer.feeds.trigger?.sendOne(0);
  // Starts after the trigger was delivered, but before the event loop turned.
  const producer = start('concentrate', conc, 1);
  await sent;
  await producer.feeds.data?.sendMany([7]);
  producer.feeds.data?.close();
  assert.deepEqual(await all(consumer.reads.data), [7]);
  await Promise.all([producer.done, consumer.done]);
});

test('channels are separated by track and by data type', async () => {
  const conc = newConcentrator();
  const c1 = start('concentrated', conc, 1);
  const c2 = start('concentrated', conc, 2);
  const cs = start('concentrated', conc, 1, 'string');
  const p1 = start('concentrate', conc, 1);
  const p2 = start('concentrate', conc, 2);
  const ps = start('concentrateBlock', conc, 1, 'string');
  await p1.feeds.data?.sendMany([1, 1]);
  await p2.feeds.data?.sendMany([2]);
  await ps.feeds.data?.sendOne('s');
  for (const p of [p1, p2, ps]) p.feeds.data?.close();
  for (const c of [c1, c2, cs]) await c.feeds.trigger?.sendOne(c === cs ? 'go' : 0);
  assert.deepEqual(await all(c1.reads.data), [1, 1]);
  assert.deepEqual(await all(c2.reads.data), [2]);
  assert.deepEqual(await all(cs.reads.data), ['s']);
  await Promise.all([c1, c2, cs, p1, p2, ps].map((t) => t.done));
  assert.equal(conc.size, 0);
});

test('a producer waits once 500 values are pending, until the consumer drains them', async () => {
  const conc = newConcentrator();
  const consumer = start('concentrated', conc, 1);
  const producer = start('concentrate', conc, 1);
  const n = CONCENTRATOR_CAPACITY * 3;
  const values = Array.from({ length: n }, (_, i) => i % 256);
  for (let i = 0; i < n; i += 100) await producer.feeds.data?.sendMany(values.slice(i, i + 100));
  producer.feeds.data?.close();
  // The producer cannot have finished: the channel holds at most 500 values before it waits.
  const raced = await Promise.race([producer.done.then(() => 'finished'), new Promise((r) => setImmediate(() => r('waiting')))]);
  assert.equal(raced, 'waiting');
  await consumer.feeds.trigger?.sendOne(0);
  assert.deepEqual(await all(consumer.reads.data), values);
  await Promise.all([producer.done, consumer.done]);
});

test('producers stop instead of hanging once no consumer is left', async () => {
  const conc = newConcentrator();
  const consumer = start('concentrated', conc, 1);
  const producer = start('concentrate', conc, 1);
  consumer.feeds.trigger?.close();
  await consumer.done;
  const n = CONCENTRATOR_CAPACITY * 2;
  for (let i = 0; i < n; i += 100) await producer.feeds.data?.sendMany(new Array(100).fill(1));
  await producer.done;
  assert.equal(conc.size, 0);
});

test('producers without any consumer in the track drop their values instead of hanging', async () => {
  const conc = newConcentrator();
  const r = await runTreatment(d('concentrate'), {
    generics: { T: 'u8' },
    models: { concentrator: conc },
    inputs: { data: new Array(CONCENTRATOR_CAPACITY * 2).fill(1) },
  });
  assert.equal(r.error, undefined);
  assert.equal(conc.size, 0);
});

test('concentrated stops when its own consumer is gone (rule C)', async () => {
  const conc = newConcentrator();
  const models = { concentrator: conc };
  const [p, c] = await Promise.all([
    runTreatment(d('concentrate'), { generics: { T: 'u8' }, models, capacity: 1, inputs: { data: { batches: [[1], [2], [3], [4]] } } }),
    runTreatment(d('concentrated'), { generics: { T: 'u8' }, models, inputs: { trigger: [0] }, outputs: { data: { take: 1 } } }),
  ]);
  assert.equal(p.error, undefined);
  assert.deepEqual(c.outputs.data, [1]);
});

test('a missing concentrator is reported clearly', async () => {
  const r = await runTreatment(d('concentrate'), { generics: { T: 'u8' }, inputs: { data: [1] } });
  assert.match(String(r.error), /Concentrator/);
});
