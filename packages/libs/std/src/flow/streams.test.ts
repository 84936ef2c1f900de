import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { flow } from '../flow.js';

const d = (name: string): TreatmentDescriptor => {
  const found = flow.find((e) => e.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};
const T = { T: 'u8' };

test('chain forwards all of first, then all of second', async () => {
  const r = await runTreatment(d('chain'), { generics: T, inputs: { first: { batches: [[1, 2], [3]] }, second: [4, 5] } });
  assert.deepEqual(r.outputs.chained, [1, 2, 3, 4, 5]);
  assert.equal(r.error, undefined);
});

test('chain with empty streams', async () => {
  const r = await runTreatment(d('chain'), { generics: T, inputs: { first: [], second: [7] } });
  assert.deepEqual(r.outputs.chained, [7]);
  const e = await runTreatment(d('chain'), { generics: T });
  assert.deepEqual(e.outputs.chained, []);
});

test('chain stops when its consumer is gone (rule C), without reading second', async () => {
  const r = await runTreatment(d('chain'), {
    generics: T,
    capacity: 1,
    inputs: { first: { batches: [[1], [2], [3], [4]] }, second: 'open' },
    outputs: { chained: { take: 1 } },
  });
  assert.deepEqual(r.outputs.chained, [1]);
  assert.equal(r.error, undefined);
});

test('merge forwards both inputs, keeping each order', async () => {
  const r = await runTreatment(d('merge'), { generics: T, inputs: { a: { batches: [[1, 2], [3]] }, b: { batches: [[10], [20, 30]] } } });
  const out = r.outputs.value as number[];
  assert.deepEqual(
    [...out].sort((x, y) => x - y),
    [1, 2, 3, 10, 20, 30],
  );
  assert.deepEqual(
    out.filter((v) => v < 10),
    [1, 2, 3],
  );
  assert.deepEqual(
    out.filter((v) => v >= 10),
    [10, 20, 30],
  );
});

test('merge forwards one input while the other stays open, and stops when the consumer leaves', async () => {
  const r = await runTreatment(d('merge'), {
    generics: T,
    capacity: 1,
    inputs: { a: { batches: [[1], [2], [3], [4], [5]] }, b: 'open' },
    outputs: { value: { take: 2 } },
  });
  assert.deepEqual(r.outputs.value, [1, 2]);
});

test('merge of two empty streams is empty', async () => {
  const r = await runTreatment(d('merge'), { generics: T, inputs: { a: [], b: [] } });
  assert.deepEqual(r.outputs.value, []);
});

test('arrange picks from a and b by select', async () => {
  const r = await runTreatment(d('arrange'), {
    generics: T,
    inputs: {
      a: { batches: [[1], [2, 3]] },
      b: [10, 20],
      select: {
        batches: [
          [true, false],
          [true, true, false],
        ],
      },
    },
  });
  assert.deepEqual(r.outputs.value, [1, 10, 2, 3, 20]);
});

test('arrange ends when the selected input is exhausted or select ends', async () => {
  const r = await runTreatment(d('arrange'), { generics: T, inputs: { a: [1], b: [10, 20, 30], select: [false, true, true, false] } });
  assert.deepEqual(r.outputs.value, [10, 1]);
  const s = await runTreatment(d('arrange'), { generics: T, inputs: { a: [1, 2], b: [10], select: [true] } });
  assert.deepEqual(s.outputs.value, [1]);
});

test('fill emits one value per pattern element', async () => {
  const r = await runTreatment(d('fill'), {
    generics: { T: 'string' },
    params: { value: 'x' },
    inputs: { pattern: { batches: [[undefined, undefined], [undefined]] } },
  });
  assert.deepEqual(r.outputs.filled, ['x', 'x', 'x']);
  const e = await runTreatment(d('fill'), { generics: { T: 'string' }, params: { value: 'x' } });
  assert.deepEqual(e.outputs.filled, []);
});

test('filter routes by select, pairwise', async () => {
  const r = await runTreatment(d('filter'), {
    generics: T,
    inputs: {
      value: {
        batches: [
          [1, 2, 3],
          [4, 5],
        ],
      },
      select: { batches: [[true], [false, true, false], [true, true]] },
    },
  });
  assert.deepEqual(r.outputs.accepted, [1, 3, 5]);
  assert.deepEqual(r.outputs.rejected, [2, 4]);
});

test('filter ends when either input ends', async () => {
  const r = await runTreatment(d('filter'), { generics: T, inputs: { value: [1, 2, 3], select: [false] } });
  assert.deepEqual(r.outputs.accepted, []);
  assert.deepEqual(r.outputs.rejected, [1]);
  const s = await runTreatment(d('filter'), { generics: T, inputs: { value: [1], select: [true, true, true] } });
  assert.deepEqual(s.outputs.accepted, [1]);
});

test('filter keeps going while one output is used, and stops once both are gone', async () => {
  const r = await runTreatment(d('filter'), {
    generics: T,
    inputs: { value: [1, 2, 3, 4], select: [true, false, true, false] },
    outputs: { accepted: { unconnected: true } },
  });
  assert.deepEqual(r.outputs.rejected, [2, 4]);
  const s = await runTreatment(d('filter'), {
    generics: T,
    inputs: { value: 'open', select: 'open' },
    outputs: { accepted: { unconnected: true }, rejected: { unconnected: true } },
  });
  assert.equal(s.error, undefined);
});

test('fit emits one value per pattern element and drops the surplus', async () => {
  const r = await runTreatment(d('fit'), {
    generics: T,
    inputs: {
      value: {
        batches: [
          [1, 2],
          [3, 4, 5],
        ],
      },
      pattern: { batches: [[undefined], [undefined, undefined]] },
    },
  });
  assert.deepEqual(r.outputs.fitted, [1, 2, 3]);
  const s = await runTreatment(d('fit'), { generics: T, inputs: { value: [1], pattern: [undefined, undefined] } });
  assert.deepEqual(s.outputs.fitted, [1]);
});

test('insert forwards the stream and the block value', async () => {
  const r = await runTreatment(d('insert'), { generics: T, inputs: { stream: { batches: [[1], [2, 3]] }, block: [9] } });
  const out = r.outputs.output as number[];
  assert.deepEqual([...out].sort(), [1, 2, 3, 9]);
  assert.deepEqual(
    out.filter((v) => v !== 9),
    [1, 2, 3],
  );
  const e = await runTreatment(d('insert'), { generics: T, inputs: { stream: [1, 2], block: [] } });
  assert.deepEqual(e.outputs.output, [1, 2]);
  const b = await runTreatment(d('insert'), { generics: T, inputs: { stream: [], block: [4] } });
  assert.deepEqual(b.outputs.output, [4]);
});

test('insert stops once its output is gone, even with the stream still open', async () => {
  const r = await runTreatment(d('insert'), {
    generics: T,
    inputs: { stream: 'open', block: [4] },
    outputs: { output: { unconnected: true } },
  });
  assert.equal(r.error, undefined);
  const s = await runTreatment(d('insert'), {
    generics: T,
    capacity: 1,
    inputs: { stream: { batches: [[1], [2], [3], [4]] }, block: 'open' },
    outputs: { output: { take: 1 } },
  });
  assert.deepEqual(s.outputs.output, [1]);
});

test('consume reads until the end', async () => {
  const r = await runTreatment(d('consume'), { generics: T, capacity: 1, inputs: { stream: { batches: [[1], [2], [3]] } } });
  assert.equal(r.error, undefined);
  assert.ok(r.maxPending <= 1);
});

test('pass forwards when cond, closes at once otherwise', async () => {
  const r = await runTreatment(d('pass'), { generics: T, params: { cond: true }, inputs: { stream: [1, 2] } });
  assert.deepEqual(r.outputs.passed, [1, 2]);
  const s = await runTreatment(d('pass'), { generics: T, params: { cond: false }, inputs: { stream: 'open' } });
  assert.deepEqual(s.outputs.passed, []);
});

test('barrier waits for leverage and forwards only on true', async () => {
  const r = await runTreatment(d('barrier'), { generics: T, inputs: { leverage: [true], stream: [1, 2] } });
  assert.deepEqual(r.outputs.passed, [1, 2]);
  const f = await runTreatment(d('barrier'), { generics: T, inputs: { leverage: [false], stream: 'open' } });
  assert.deepEqual(f.outputs.passed, []);
  const e = await runTreatment(d('barrier'), { generics: T, inputs: { leverage: [], stream: 'open' } });
  assert.deepEqual(e.outputs.passed, []);
});

test('cut stops forwarding when a cut value arrives', async () => {
  const r = await runTreatment(d('cut'), { generics: T, inputs: { cut: [undefined], stream: 'open' } });
  assert.deepEqual(r.outputs.passed, []);
  assert.equal(r.error, undefined);
});

test('cut closing empty does not stop forwarding', async () => {
  const r = await runTreatment(d('cut'), { generics: T, inputs: { cut: [], stream: { batches: [[1], [2, 3]] } } });
  assert.deepEqual(r.outputs.passed, [1, 2, 3]);
  const o = await runTreatment(d('cut'), { generics: T, inputs: { cut: 'open', stream: [1, 2] } });
  assert.deepEqual(o.outputs.passed, [1, 2]);
});

test('release forwards data after leverage, nothing when leverage closes empty', async () => {
  const r = await runTreatment(d('release'), { generics: T, inputs: { leverage: [undefined], data: [1, 2] } });
  assert.deepEqual(r.outputs.released, [1, 2]);
  const e = await runTreatment(d('release'), { generics: T, inputs: { leverage: [], data: 'open' } });
  assert.deepEqual(e.outputs.released, []);
});

test('forwarding treatments stop when their consumer is gone (rule C)', async () => {
  const batches = [[1], [2], [3], [4]];
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['pass', { cond: true }, { stream: { batches } }],
    ['barrier', {}, { leverage: [true], stream: { batches } }],
    ['cut', {}, { cut: 'open', stream: { batches } }],
    ['release', {}, { leverage: [undefined], data: { batches } }],
  ];
  for (const [name, params, inputs] of cases) {
    const out = d(name).outputs[0]?.name as string;
    const r = await runTreatment(d(name), {
      generics: T,
      capacity: 1,
      params,
      inputs: inputs as never,
      outputs: { [out]: { take: 1 } },
    });
    assert.deepEqual(r.outputs[out], [1], name);
    assert.equal(r.error, undefined, name);
  }
});
