import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataCodec, END, type ModelContext, type RunLogRecord, type TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { LevelValue } from '@tutti/lib-std';
import { console } from './console.js';
import { labelFileName, labelFiles } from './label-files.js';
import { LogValue } from './log-value.js';
import { LoggerModel, logger } from './logger.js';

const named = (n: string) => logger.find((d) => d.name === n && d.kind === 'treatment') as TreatmentDescriptor;
const at = new Date('2026-12-04T10:20:27.476Z');
const rec = (label: string, message: string, level: LogValue['level'] = 'info', track?: number) =>
  new LogValue(at, level, label, message, track, true);

/** A model context whose log stream the test drives. */
function context(): { ctx: ModelContext; emit: (r: RunLogRecord) => void; abort: AbortController } {
  const listeners: ((r: RunLogRecord) => void)[] = [];
  const abort = new AbortController();
  const ctx: ModelContext = {
    params: {},
    path: 'main/logger',
    signal: abort.signal,
    log: () => undefined,
    registrations: () => [],
    createTrack: async () => ({ id: 0, ok: true, created: false }),
    subscribeLogs: (l) => {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
  };
  return {
    ctx,
    emit: (r) => {
      for (const l of listeners) l(r);
    },
    abort,
  };
}

test('Log text is `[RFC 3339 ms] level: label: message`; Serialize round-trips it', () => {
  const l = rec('build', 'compiling', 'warning', 3);
  assert.equal(l.toString(), '[2026-12-04T10:20:27.476Z] warning: build: compiling');
  const codec = dataCodec('log/logger::Log');
  assert.ok(codec);
  const back = codec.decode(codec.encode(l)) as LogValue;
  assert.equal(back.toString(), l.toString());
  assert.equal(back.track, 3);
  assert.equal(back.shown, false, 'a record read back was not shown by this host');
  assert.throws(() => codec.decode({ timestamp: 'x', level: 'info', label: '', message: '' }), /not a log record/);
});

test('a Logger hands every engine record to its streams; stop waits for running entries', async () => {
  const { ctx, emit } = context();
  const model = new LoggerModel(ctx);
  const q = model.subscribe();
  const onlyTrack2 = model.subscribe((l) => l.track === 2);
  emit({ time: at, level: 'info', label: 'a', message: 'one', track: 1 });
  emit({ time: at, level: 'debug', label: 'b', message: 'two', track: 2 });
  let release!: () => void;
  const entry = model.entry(() => new Promise<void>((r) => (release = r)));
  model.stop();
  emit({ time: at, level: 'error', label: 'c', message: 'three' });
  const first = await q.next();
  assert.notEqual(first, END);
  assert.deepEqual(
    (first as LogValue[]).map((l) => `${l.label}:${l.message}`),
    ['a:one', 'b:two', 'c:three'],
  );
  assert.deepEqual(
    ((await onlyTrack2.next()) as LogValue[]).map((l) => l.message),
    ['two'],
  );
  release();
  await entry;
  assert.equal(await q.next(), END, 'the streams end once the last entry is done');
  emit({ time: at, level: 'info', label: 'late', message: 'ignored' });
  assert.equal(await model.subscribe().next(), END, 'a closed Logger gives ended streams');
});

test('the end of the run closes a Logger', async () => {
  const { ctx, abort } = context();
  const model = new LoggerModel(ctx);
  const q = model.subscribe();
  abort.abort();
  assert.equal(await q.next(), END);
});

test('filterLogs keeps the levels and labels asked for', async () => {
  const r = await runTreatment(named('filterLogs'), {
    params: { levels: [LevelValue.of('error'), LevelValue.of('info')], labels: ['build'] },
    inputs: { logs: [rec('build', '1'), rec('build', '2', 'debug'), rec('test', '3'), rec('build', '4', 'error')] },
  });
  assert.deepEqual(
    (r.outputs.filtered as LogValue[]).map((l) => l.message),
    ['1', '4'],
  );
});

test('console prints only the records the host has not shown, with the time when asked', async () => {
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => {
    written.push(s);
    return true;
  }) as typeof process.stdout.write;
  try {
    const unshown = new LogValue(at, 'error', 'remote', 'lost disk', undefined, false);
    await runTreatment(console[0] as TreatmentDescriptor, { params: { timestamp: true }, inputs: { logs: [rec('x', 'shown'), unshown] } });
    await runTreatment(console[0] as TreatmentDescriptor, { params: { timestamp: false }, inputs: { logs: [unshown] } });
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(written, ['[2026-12-04T10:20:27.476Z] error: remote: lost disk\n', 'error: remote: lost disk\n']);
});

test('writeLabelLogs writes one file per label', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-labels-'));
  try {
    await runTreatment(labelFiles[0] as TreatmentDescriptor, {
      params: { directory: join(dir, 'logs') },
      inputs: { logs: { batches: [[rec('build', 'a'), rec('unit tests', 'b')], [rec('build', 'c')]] } },
    });
    assert.equal(readFileSync(join(dir, 'logs', 'build.log'), 'utf8'), `${rec('build', 'a')}\n${rec('build', 'c')}\n`);
    assert.equal(readFileSync(join(dir, 'logs', 'unit_tests.log'), 'utf8'), `${rec('unit tests', 'b')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(labelFileName('../etc/passwd'), '__etc_passwd.log');
  assert.equal(labelFileName(''), '_.log');
});
