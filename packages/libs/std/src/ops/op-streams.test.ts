import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Batch, END, type End, type InputPort, type OutputPort, type Value } from '@tutti/core';
import { MAX_CHUNK, mapKernel, mapStream, pairKernel, pairwise } from './op-streams.js';

/** An input serving `batches` (then the end), or endless batches of `[k]` when `batches` is 'endless'. */
function input(name: string, batches: Batch[] | 'endless', log: string[]): InputPort {
  let i = 0;
  return {
    name,
    async recvOne() {
      throw new Error('not used');
    },
    async recvMany(): Promise<Batch | End> {
      log.push(name);
      if (batches === 'endless') return [i++];
      return i < batches.length ? (batches[i++] as Batch) : END;
    },
    close() {},
    [Symbol.asyncIterator]() {
      throw new Error('not used');
    },
  };
}

/** An output collecting batches; sends fail from the `failFrom`-th on (1-based). */
function output(failFrom = Number.POSITIVE_INFINITY): OutputPort & { batches: Batch[]; sends: number } {
  const o = {
    name: 'out',
    batches: [] as Batch[],
    sends: 0,
    usable: true,
    async sendOne(): Promise<boolean> {
      throw new Error('not used');
    },
    async sendMany(values: Batch): Promise<boolean> {
      o.sends++;
      if (o.sends >= failFrom) return false;
      o.batches.push(values);
      return true;
    },
    close() {},
  };
  return o;
}

const flat = (batches: Batch[]): Value[] => batches.flatMap((b) => [...b]);
const sum = pairKernel((x, y) => (x as number) + (y as number));

describe('pairwise (rule Z)', () => {
  test('pairs values in order across unequal batches, without losing leftovers', async () => {
    const log: string[] = [];
    const out = output();
    await pairwise(input('a', [[1, 2, 3], [4], [5, 6, 7]], log), input('b', [[10], [20], [30, 40, 50, 60]], log), out, sum);
    assert.deepEqual(flat(out.batches), [11, 22, 33, 44, 55, 66]);
    assert.deepEqual(
      out.batches.map((b) => b.length),
      [1, 1, 1, 1, 2],
    );
  });

  test('reads a before b, and stops at the first end without reading the other side again', async () => {
    const log: string[] = [];
    await pairwise(input('a', [[1]], log), input('b', [[1, 2, 3]], log), output(), sum);
    assert.deepEqual(log, ['a', 'b', 'a']);
    const log2: string[] = [];
    await pairwise(input('a', [[1, 2], [3]], log2), input('b', [[1]], log2), output(), sum);
    assert.deepEqual(log2, ['a', 'b', 'b']);
    const log3: string[] = [];
    await pairwise(input('a', [], log3), input('b', 'endless', log3), output(), sum);
    assert.deepEqual(log3, ['a']);
  });

  test('rule C: returns at the first failed send, even with endless inputs', async () => {
    const out = output(3);
    await pairwise(input('a', 'endless', []), input('b', 'endless', []), out, sum);
    assert.equal(out.sends, 3);
    assert.deepEqual(flat(out.batches), [0, 2]);
  });

  test(`builds batches of at most ${MAX_CHUNK} values`, async () => {
    const n = 3 * MAX_CHUNK + 5;
    const a = Array.from({ length: n }, (_, i) => i);
    const out = output();
    await pairwise(input('a', [a], []), input('b', [a, [0]], []), out, sum);
    assert.deepEqual(
      out.batches.map((b) => b.length),
      [MAX_CHUNK, MAX_CHUNK, MAX_CHUNK, 5],
    );
    assert.deepEqual(
      flat(out.batches),
      a.map((x) => 2 * x),
    );
  });
});

describe('mapStream', () => {
  const double = mapKernel((x) => 2 * (x as number));

  test('maps every batch in order, in chunks', async () => {
    const big = Array.from({ length: MAX_CHUNK + 1 }, (_, i) => i);
    const out = output();
    await mapStream(input('v', [[1, 2], big], []), out, double);
    assert.deepEqual(
      out.batches.map((b) => b.length),
      [2, MAX_CHUNK, 1],
    );
    assert.deepEqual(flat(out.batches), [2, 4, ...big.map((x) => 2 * x)]);
  });

  test('accepts byte batches', async () => {
    const out = output();
    await mapStream(input('v', [Uint8Array.of(1, 255)], []), out, double);
    assert.deepEqual(flat(out.batches), [2, 510]);
  });

  test('rule C: returns at the first failed send', async () => {
    const out = output(2);
    await mapStream(input('v', 'endless', []), out, double);
    assert.equal(out.sends, 2);
  });
});
