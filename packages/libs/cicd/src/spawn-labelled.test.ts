import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTreatment } from '@tutti/engine/testing';
import { CommandValue } from '@tutti/lib-process';
import { spawnLabelled } from './spawn-labelled.js';

const sh = (script: string) => new CommandValue('sh', ['-c', script]);
const run = (commands: CommandValue[], extra: { executor_name?: readonly (string | null)[]; terminate?: 'open' | 'closed' | [] } = {}) =>
  runTreatment(spawnLabelled, {
    inputs: {
      label: ['step'],
      executor_name: extra.executor_name ?? [null],
      environment: [null],
      commands,
      terminate: extra.terminate ?? 'closed',
    },
  });
const lines = (r: Awaited<ReturnType<typeof run>>, level = 'debug') =>
  r.logs.filter((l) => l.label === 'step' && l.level === level).map((l) => l.message);
const sent = (r: Awaited<ReturnType<typeof run>>) =>
  Object.entries(r.outputs)
    .filter(([, v]) => v.length > 0)
    .map(([k]) => k)
    .sort();

test('spawnLabelled: lines of stdout and stderr cut on \\n as ioToString cuts them, then success', async () => {
  // A UTF-8 character cut across two writes, `\r\n` and trailing blanks trimmed, an empty
  // line kept, a tail without newline kept, output carried across commands.
  const r = await run([sh("printf 'caf\\303'; sleep 0.05; printf '\\251 \\r\\n\\nsec'"), sh("printf 'ond\\n'; echo oops >&2")]);
  assert.equal(r.error, undefined);
  // stdout and stderr are two streams: their lines are compared without their interleaving.
  assert.deepEqual(lines(r).sort(), ['', 'café', 'oops', 'second']);
  assert.deepEqual(sent(r), ['completed', 'exit', 'finished', 'started', 'success']);
  assert.deepEqual(r.outputs.exit, [0]);
  // finished is the last word.
  assert.equal(r.closeOrder.at(-1), 'finished');
});

test('spawnLabelled: a non-zero exit fails, stops the sequence, logs the error and gives error', async () => {
  const r = await run([sh('echo one; exit 3'), sh('echo never')]);
  assert.deepEqual(lines(r), ['one']);
  assert.deepEqual(lines(r, 'error'), ['Commands failed (non-zero exit)']);
  assert.deepEqual(sent(r), ['error', 'exit', 'failed', 'finished', 'started']);
  assert.deepEqual(r.outputs.exit, [3]);
});

test('spawnLabelled: no command gives neither success nor error, and still finishes', async () => {
  const r = await run([]);
  assert.deepEqual(sent(r), ['completed', 'finished']);
});

test('spawnLabelled: an executor that cannot be had fails with its error, then finishes', async () => {
  const r = await run([sh('echo never')], { executor_name: ['box'] });
  assert.deepEqual(lines(r, 'error'), ['Executor name not set']);
  assert.deepEqual(sent(r), ['failed', 'finished']);
});

test('spawnLabelled: no executor name, nothing runs and nothing is told', async () => {
  const r = await run([sh('echo never')], { executor_name: [] });
  assert.deepEqual(sent(r), []);
  assert.deepEqual(r.logs, []);
});

test('spawnLabelled: terminate stops the commands: terminated, then finished, long before the sleep', async () => {
  const t0 = Date.now();
  const r = await runTreatment(spawnLabelled, {
    inputs: {
      label: ['step'],
      executor_name: [null],
      environment: [null],
      commands: [sh('exit 0'), sh('sleep 30')],
      terminate: [undefined],
    },
  });
  assert.ok(Date.now() - t0 < 10_000);
  assert.ok(r.outputs.terminated?.length === 1, JSON.stringify(r.outputs));
  assert.equal(r.outputs.completed?.length ?? 0, 0);
  assert.equal(r.outputs.finished?.length, 1);
});
