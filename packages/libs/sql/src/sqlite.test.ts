import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sqlSuite } from '../test/suite.js';
import { connectedPool, one, row, run, status } from '../test/support.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

sqlSuite('sqlite', async () => `sqlite://${join(dir, 'suite.db')}?mode=rwc`);

test('sqlite: without mode=rwc a missing file fails on the first query, not at connect', async () => {
  const pool = await connectedPool(`sqlite:${join(dir, 'missing.db')}`);
  const r = await run('executeRaw', pool, { sql: 'SELECT 1' });
  assert.equal(status(r), 'failed finished');
  assert.match(String(one(r, 'error')), /unable to open database file|does not exist/);
  await pool.shutdown();
});

test('sqlite: placeholders are never renumbered, whatever bind_symbol', async () => {
  const pool = await connectedPool('sqlite::memory:');
  const r = await run(
    'fetch',
    pool,
    { sql: 'SELECT ? AS a, ? AS b', bindings: ['x', 'y'], bind_symbol: '$' },
    { bind: [row({ x: ['i32', 1], y: ['string', 'z'] })] },
  );
  assert.equal(status(r), 'completed finished', String(r.outputs.errors));
  assert.equal(r.outputs.data?.length, 1);
  await pool.shutdown();
});

test("sqlite: the default bind_limit is fitted to SQLite's 32766 values per statement", async () => {
  const pool = await connectedPool('sqlite::memory:');
  await run('executeRaw', pool, { sql: 'CREATE TABLE big (a INTEGER, b TEXT)' });
  const rows = Array.from({ length: 40000 }, (_, i) => row({ a: ['u32', i], b: ['string', 'x'] }));
  const r = await run('executeBatch', pool, { base: 'INSERT INTO big VALUES ', batch: '(?, ?)', bindings: ['a', 'b'] }, { bind: rows });
  assert.equal(status(r), 'completed finished', String(r.outputs.errors));
  assert.deepEqual(r.outputs.affected, [16383, 16383, 7234]);
  await pool.shutdown();
});
