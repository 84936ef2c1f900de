import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ElementDescriptor, FunctionDescriptor, FunctionImpl, TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { engine } from '../engine.js';
import { LevelValue } from './level.js';
import { log } from './log.js';

const named = (n: string) => log.find((d) => d.name === n && d.kind === 'treatment') as TreatmentDescriptor;
/** The implementation of function `|n` among `list`; fails the test when there is none. */
function fnIn(list: readonly ElementDescriptor[], n: string): FunctionImpl {
  const d = list.find((e): e is FunctionDescriptor => e.kind === 'function' && e.name === n);
  assert.ok(d?.impl, `no function |${n}`);
  return d.impl;
}

test('logStream logs every message in order at its level and label', async () => {
  const r = await runTreatment(named('logStream'), {
    params: { level: LevelValue.of('warning'), label: 'w' },
    inputs: { messages: { batches: [['a', 'b'], ['c']] } },
  });
  assert.deepEqual(r.logs, [
    { level: 'warning', label: 'w', message: 'a' },
    { level: 'warning', label: 'w', message: 'b' },
    { level: 'warning', label: 'w', message: 'c' },
  ]);
});

test('logDataStream renders values with Display; an empty stream logs nothing', async () => {
  const r = await runTreatment(named('logDataStream'), {
    generics: { D: 'Vec<Option<byte>>' },
    params: { level: LevelValue.of('info'), label: 'v' },
    inputs: { display: [[0x2a, null]] },
  });
  assert.deepEqual(r.logs, [{ level: 'info', label: 'v', message: '[0x2a, _]' }]);
  const none = await runTreatment(named('logDataStream'), { generics: { D: 'u8' }, params: { level: LevelValue.of('info'), label: 'v' } });
  assert.deepEqual(none.logs, []);
});

test('label variants wait for the label (rule B: nothing without it)', async () => {
  const withLabel = await runTreatment(named('logBlockLabel'), {
    params: { level: LevelValue.of('error') },
    inputs: { label: ['L'], message: ['m'] },
  });
  assert.deepEqual(withLabel.logs, [{ level: 'error', label: 'L', message: 'm' }]);
  const without = await runTreatment(named('logStreamLabel'), {
    params: { level: LevelValue.of('error') },
    inputs: { label: 'closed', messages: ['x', 'y'] },
  });
  assert.deepEqual(without.logs, []);
  const data = await runTreatment(named('logDataBlockLabel'), {
    generics: { D: 'string' },
    params: { level: LevelValue.of('debug') },
    inputs: { label: ['s'], display: ['a\nb'] },
  });
  assert.deepEqual(data.logs, [{ level: 'debug', label: 's', message: '${a\nb}' }]);
});

test('Level values: order error < … < trace (the reference quirk), display, functions', () => {
  const levels = ['error', 'warning', 'info', 'debug', 'trace'].map((l) => fnIn(log, l)([], {}) as LevelValue);
  assert.deepEqual(
    levels.map((l) => l.display()),
    ['error', 'warning', 'info', 'debug', 'trace'],
  );
  assert.equal(levels[0]?.compare(levels[4]), -1);
  assert.equal(levels[2]?.equals(LevelValue.of('info')), true);
});

test('|min and |max of Level are trace and error (Bounded, against the order: the reference quirk)', async () => {
  const { types } = await import('../types.js');
  const level = { kind: 'data', id: 'std/engine/log::Level', name: 'Level' } as const;
  assert.equal((fnIn(types, 'min')([], { B: level }) as LevelValue).display(), 'trace');
  assert.equal((fnIn(types, 'max')([], { B: level }) as LevelValue).display(), 'error');
});

test('|version and |run_id', () => {
  const fnOf = (n: string) => fnIn(engine, n);
  assert.equal(fnOf('version')([], {}), '0.10.2');
  const id = String(fnOf('run_id')([], {}));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(fnOf('run_id')([], {}), id);
});
