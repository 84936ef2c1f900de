import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { criticalPath, GraphError, orderJobs, runGraph } from './scheduler.js';

const job = (id: string, needs: string[] = [], ms = 0) => ({ id, needs, ms });

test('a job starts the moment its needs are done, not when a whole level is', async () => {
  // a (10 ms) → c ; b (80 ms). c must start right after a, long before b ends.
  const jobs = [job('a', [], 10), job('b', [], 80), job('c', ['a'], 10)];
  const out = await runGraph({
    jobs,
    run: async (j) => {
      await sleep(j.ms);
      return {};
    },
  });
  const a = out.get('a')!;
  const b = out.get('b')!;
  const c = out.get('c')!;
  assert.equal(c.result, 'success');
  assert.ok(c.startedAt! - a.endedAt < 15, `c started ${c.startedAt! - a.endedAt} ms after a ended`);
  assert.ok(c.endedAt < b.endedAt, 'c ended before b');
});

test('failed needs skip their dependants by default; decide can run them anyway', async () => {
  const jobs = [job('a'), job('b', ['a']), job('always', ['a']), job('c', ['b'])];
  const out = await runGraph({
    jobs,
    decide: (j, needs) => (j.id === 'always' || [...needs.values()].every((o) => o.result === 'success') ? 'run' : 'skip'),
    run: async (j) => {
      if (j.id === 'a') throw new Error('boom');
      return {};
    },
  });
  assert.deepEqual(
    [...out.values()].map((o) => [o.id, o.result]),
    [
      ['a', 'failure'],
      ['b', 'skipped'],
      ['always', 'success'],
      ['c', 'skipped'],
    ],
  );
  assert.equal((out.get('a')!.error as Error).message, 'boom');
});

test('concurrency limits running jobs', async () => {
  let running = 0;
  let peak = 0;
  const jobs = Array.from({ length: 6 }, (_, i) => job(`j${i}`, [], 15));
  await runGraph({
    jobs,
    concurrency: 2,
    run: async (j) => {
      peak = Math.max(peak, ++running);
      await sleep(j.ms);
      running--;
      return {};
    },
  });
  assert.equal(peak, 2);
});

test('prepare runs ahead while a job waits, and is released after the run', async () => {
  const log: string[] = [];
  const jobs = [job('a', [], 40), job('b', ['a'], 0)];
  const out = await runGraph({
    jobs,
    prepare: async (j) => {
      log.push(`prepare ${j.id}`);
      await sleep(20);
      log.push(`prepared ${j.id}`);
      return `runner-${j.id}`;
    },
    release: (j, p) => {
      log.push(`release ${j.id} ${p}`);
    },
    run: async (j, ctx) => {
      log.push(`run ${j.id} with ${ctx.prepared}`);
      await sleep(j.ms);
      return {};
    },
  });
  // b was prepared while a ran: its preparation ended before a did.
  assert.ok(log.indexOf('prepared b') < log.indexOf('release a runner-a'), log.join('\n'));
  assert.ok(log.includes('run b with runner-b'));
  assert.ok(log.includes('release b runner-b'));
  assert.ok(out.get('b')!.startedAt! - out.get('a')!.endedAt < 15);
});

test('a failed preparation fails its job', async () => {
  const out = await runGraph({
    jobs: [job('a')],
    prepare: async () => {
      throw new Error('no image');
    },
    run: async () => ({}),
  });
  assert.equal(out.get('a')!.result, 'failure');
  assert.equal((out.get('a')!.error as Error).message, 'no image');
});

test('cancelling aborts running jobs, cancels waiting ones and releases prepared-but-unused runners', async () => {
  const ac = new AbortController();
  const released: string[] = [];
  const jobs = [job('long'), job('after', ['long'])];
  setTimeout(() => ac.abort(), 20);
  const out = await runGraph({
    jobs,
    signal: ac.signal,
    prepare: async (j) => j.id,
    release: (_j, p) => {
      released.push(p);
    },
    run: (j, ctx) =>
      new Promise((_, reject) => {
        if (j.id === 'long') ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
      }),
  });
  assert.equal(out.get('long')!.result, 'cancelled');
  assert.equal(out.get('after')!.result, 'cancelled');
  assert.deepEqual(released.sort(), ['after', 'long']);
});

test('cancelOnFailure stops the others', async () => {
  const out = await runGraph({
    jobs: [job('bad'), job('slow'), job('next', ['slow'])],
    cancelOnFailure: true,
    run: async (j, ctx) => {
      if (j.id === 'bad') return { result: 'failure' };
      await sleep(1000, undefined, { signal: ctx.signal });
      return {};
    },
  });
  assert.equal(out.get('bad')!.result, 'failure');
  assert.equal(out.get('slow')!.result, 'cancelled');
  assert.equal(out.get('next')!.result, 'cancelled');
});

test('invalid graphs are refused before anything runs', async () => {
  assert.throws(() => orderJobs([job('a', ['b'])]), /needs 'b', which does not exist/);
  assert.throws(() => orderJobs([job('a', ['b']), job('b', ['a'])]), GraphError);
  await assert.rejects(runGraph({ jobs: [job('a', ['a'])], run: async () => ({}) }), /cycle: a → a/);
});

test('the critical path follows the need that ended last', async () => {
  const jobs = [job('a', [], 10), job('b', [], 40), job('c', ['a', 'b'], 10)];
  const out = await runGraph({
    jobs,
    run: async (j) => {
      await sleep(j.ms);
      return {};
    },
  });
  const cp = criticalPath(jobs, out);
  assert.deepEqual(cp.ids, ['b', 'c']);
  assert.ok(cp.ms >= 48, String(cp.ms));
});
