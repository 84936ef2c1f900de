import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteRealm } from './remote-realm.js';

const OPTIONS = { strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 };

test('disposing a realm stops its running script at once; the other realms of the worker go on', async () => {
  const a = await RemoteRealm.create(OPTIONS);
  const b = await RemoteRealm.create(OPTIONS);
  try {
    await b.run('var base = 40;');
    const looping = a.evaluate(['1'], 'while (true) {}');
    setTimeout(() => a.dispose(), 100);
    // Well below the 10 s time limit the script would otherwise run to.
    const started = Date.now();
    assert.deepEqual(await looping, []);
    assert.ok(Date.now() - started < 5000);
    assert.equal(a.broken, true);
    // One value per request: an answer covers a prefix of the values (a time slice).
    assert.deepEqual(await b.evaluate(['1'], 'base + value'), ['41']);
    assert.deepEqual(await b.evaluate(['2'], 'base + value'), ['42']);
    assert.equal(b.broken, false);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('an evaluation answers for a prefix of its values, at most one slice of work', async () => {
  const r = await RemoteRealm.create(OPTIONS);
  try {
    const values = Array.from({ length: 300 }, (_, i) => String(i));
    const first = await r.evaluate(values, 'value * 2');
    assert.ok(first.length > 0 && first.length <= 256);
    assert.deepEqual(
      first,
      values.slice(0, first.length).map((v) => String(2 * Number(v))),
    );
  } finally {
    r.dispose();
  }
});
