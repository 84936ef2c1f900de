import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment, typeOf } from '@tutti/engine/testing';
import { opsBin } from './bin.js';

function treatmentOf(name: string): TreatmentDescriptor {
  const d = opsBin.find((e): e is TreatmentDescriptor => e.kind === 'treatment' && e.name === name);
  assert.ok(d, name);
  return d;
}

function call(name: string, b: string, ...args: Value[]): Value {
  const d = opsBin.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === name);
  assert.ok(d?.impl, name);
  return d.impl(args, { B: typeOf(b) });
}

describe('std/ops/bin functions', () => {
  test('bool', () => {
    const pairs: [boolean, boolean][] = [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ];
    assert.deepEqual(
      pairs.map(([a, b]) => call('and', 'bool', a, b)),
      [false, false, false, true],
    );
    assert.deepEqual(
      pairs.map(([a, b]) => call('or', 'bool', a, b)),
      [false, true, true, true],
    );
    assert.deepEqual(
      pairs.map(([a, b]) => call('xor', 'bool', a, b)),
      [false, true, true, false],
    );
    assert.equal(call('not', 'bool', true), false);
    assert.equal(call('not', 'bool', false), true);
  });

  test('byte', () => {
    assert.equal(call('and', 'byte', 0b1100, 0b1010), 0b1000);
    assert.equal(call('or', 'byte', 0b1100, 0b1010), 0b1110);
    assert.equal(call('xor', 'byte', 0xff, 0x0f), 0xf0);
    assert.equal(call('not', 'byte', 0x0f), 0xf0);
    assert.equal(call('not', 'byte', 0), 0xff);
    assert.equal(call('not', 'byte', 0xff), 0);
  });

  test('other types are refused', () => {
    assert.throws(() => call('and', 'u8', 1, 2), /not defined for type 'u8'/);
  });
});

describe('std/ops/bin treatments', () => {
  test('bool streams; the xor output port is `or` (as in the reference)', async () => {
    const a = [true, true, false, false];
    const b = { batches: [[true], [false, true, false]] };
    const run = async (name: string, port: string) =>
      (await runTreatment(treatmentOf(name), { generics: { B: 'bool' }, inputs: { a, b } })).outputs[port];
    assert.deepEqual(await run('and', 'and'), [true, false, false, false]);
    assert.deepEqual(await run('or', 'or'), [true, true, true, false]);
    assert.deepEqual(await run('xor', 'or'), [false, true, true, false]);
    const not = await runTreatment(treatmentOf('not'), { generics: { B: 'bool' }, inputs: { value: [true, false] } });
    assert.deepEqual(not.outputs.not, [false, true]);
  });

  test('byte streams travel as Uint8Array batches', async () => {
    const r = await runTreatment(treatmentOf('xor'), {
      generics: { B: 'byte' },
      inputs: { a: { batches: [Uint8Array.of(0xff, 0x0f), Uint8Array.of(1)] }, b: [0x0f, 0x0f, 3, 4] },
    });
    assert.deepEqual(r.outputs.or, [0xf0, 0x00, 2]);
    assert.ok((r.batches.or ?? []).every((batch) => batch instanceof Uint8Array));
    const not = await runTreatment(treatmentOf('not'), { generics: { B: 'byte' }, inputs: { value: Uint8Array.of(0, 0x0f, 0xff) } });
    assert.deepEqual(not.outputs.not, [0xff, 0xf0, 0]);
    assert.ok((not.batches.not ?? []).every((batch) => batch instanceof Uint8Array));
  });

  test('pairwise ends and rule C', async () => {
    const noA = await runTreatment(treatmentOf('and'), { generics: { B: 'byte' }, inputs: { a: [], b: 'open' } });
    assert.deepEqual(noA.outputs.and, []);
    const noB = await runTreatment(treatmentOf('or'), { generics: { B: 'bool' }, inputs: { a: [true], b: [] } });
    assert.deepEqual(noB.outputs.or, []);
    const batches = Array.from({ length: 10 }, () => [true]);
    const taken = await runTreatment(treatmentOf('xor'), {
      generics: { B: 'bool' },
      inputs: { a: { batches }, b: { batches } },
      outputs: { or: { take: 1 } },
    });
    assert.equal(taken.error, undefined);
    assert.deepEqual(taken.outputs.or, [false]);
    const gone = await runTreatment(treatmentOf('not'), {
      generics: { B: 'byte' },
      inputs: { value: { batches: [[1], [2]] } },
      outputs: { not: { unconnected: true } },
    });
    assert.equal(gone.error, undefined);
  });
});
