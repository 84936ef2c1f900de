/**
 * The behaviour suite every driver passes, against a real database: statuses, binding and
 * decoding tables, batches, constraint violations, invalid SQL, pool lifecycle.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Dialect } from '../src/url.js';
import { connectedPool, makePool, one, plain, row, run, status } from './support.js';

interface DialectFacts {
  readonly typesTable: string;
  /** Column `u` read back as text, to see that the u64 value arrived exactly. */
  readonly uAsText: string;
  readonly expected: Record<string, [string, unknown]>;
  readonly nulls: Record<string, [string, unknown]>;
  readonly u64: bigint;
}

const big60 = (1n << 60n) + 1n;
const u64max = (1n << 64n) - 1n;

const FACTS: Record<Dialect, DialectFacts> = {
  postgres: {
    typesTable:
      'CREATE TABLE types (b BOOLEAN, s SMALLINT, i INTEGER, g BIGINT, r REAL, d DOUBLE PRECISION, t TEXT, y BYTEA, u NUMERIC(30,0))',
    uAsText: 'SELECT u::text AS u FROM types WHERE u IS NOT NULL',
    u64: u64max,
    expected: {
      b: ['bool', true],
      s: ['i16', -3],
      i: ['i32', 70000],
      g: ['i64', big60],
      r: ['f32', 1.5],
      d: ['f64', 0.1],
      t: ['string', 'é'],
      y: ['Vec<byte>', [7]],
      u: ['Option<void>', null], // NUMERIC is not in the decoding table: none
    },
    nulls: {
      b: ['Option<bool>', null],
      s: ['Option<i16>', null],
      i: ['Option<i32>', null],
      g: ['Option<i64>', null],
      r: ['Option<f32>', null],
      d: ['Option<f64>', null],
      t: ['Option<string>', null],
      y: ['Option<Vec<byte>>', null],
      u: ['Option<void>', null],
    },
  },
  mysql: {
    typesTable: 'CREATE TABLE types (b BOOLEAN, s SMALLINT, i INT, g BIGINT, r FLOAT, d DOUBLE, t TEXT, y BLOB, u BIGINT UNSIGNED)',
    uAsText: 'SELECT CAST(u AS CHAR) AS u FROM types WHERE u IS NOT NULL',
    u64: u64max,
    expected: {
      b: ['bool', true],
      s: ['i16', -3],
      i: ['i32', 70000],
      g: ['i64', big60],
      r: ['f32', 1.5],
      d: ['f64', 0.1],
      t: ['string', 'é'],
      y: ['Vec<byte>', [7]],
      u: ['Option<void>', null], // above the i64 range: cannot be decoded
    },
    nulls: {
      b: ['Option<bool>', null],
      s: ['Option<i16>', null],
      i: ['Option<i32>', null],
      g: ['Option<i64>', null],
      r: ['Option<f32>', null],
      d: ['Option<f64>', null],
      t: ['Option<string>', null],
      y: ['Option<Vec<byte>>', null],
      u: ['Option<i64>', null],
    },
  },
  sqlite: {
    typesTable: 'CREATE TABLE types (b BOOLEAN, s SMALLINT, i INTEGER, g BIGINT, r REAL, d DOUBLE, t TEXT, y BLOB, u INTEGER)',
    uAsText: 'SELECT CAST(u AS TEXT) AS u FROM types WHERE u IS NOT NULL',
    u64: (1n << 62n) + 3n, // inside SQLite's 64-bit integers: exact
    expected: {
      b: ['bool', true],
      s: ['i64', -3],
      i: ['i64', 70000],
      g: ['i64', big60],
      r: ['f64', 1.5],
      d: ['f64', 0.1],
      t: ['string', 'é'],
      y: ['Vec<byte>', [7]],
      u: ['i64', (1n << 62n) + 3n],
    },
    nulls: {
      b: ['Option<bool>', null],
      s: ['Option<void>', null],
      i: ['Option<void>', null],
      g: ['Option<void>', null],
      r: ['Option<void>', null],
      d: ['Option<void>', null],
      t: ['Option<void>', null],
      y: ['Option<void>', null],
      u: ['Option<void>', null],
    },
  },
};

/** Registers the suite; `setup` resolves to a URL of a fresh, empty database (or a skip reason). */
export function sqlSuite(dialect: Dialect, setup: () => Promise<string | { skip: string }>): void {
  let url = '';
  let skip: string | undefined;
  before(async () => {
    const s = await setup();
    if (typeof s === 'string') url = s;
    else skip = s.skip;
  });
  const facts = FACTS[dialect];
  const it = (name: string, fn: () => Promise<void>) =>
    test(`${dialect}: ${name}`, async (t) => {
      if (skip !== undefined) {
        t.skip(skip);
        return;
      }
      await fn();
    });

  it('connect fires `connected`; executeRaw runs several statements and sums affected rows', async () => {
    const pool = await connectedPool(url);
    try {
      const r = await run('executeRaw', pool, {
        sql: "CREATE TABLE raw_t (id INTEGER PRIMARY KEY, name VARCHAR(20)); INSERT INTO raw_t VALUES (1, 'a'); INSERT INTO raw_t VALUES (2, 'b'), (3, 'c')",
      });
      assert.equal(status(r), 'completed finished');
      assert.equal(one(r, 'affected'), 3);
      assert.deepEqual(r.outputs.error, []);
    } finally {
      await pool.shutdown();
    }
  });

  it('values bind and rows decode as the drivers of the reference do (u64 exact where the driver allows)', async () => {
    const pool = await connectedPool(url);
    try {
      assert.equal(status(await run('executeRaw', pool, { sql: facts.typesTable })), 'completed finished');
      const values = row({
        b: ['bool', true],
        s: ['i8', -3],
        i: ['u32', 70000],
        g: ['i64', big60],
        r: ['f32', 1.5],
        d: ['f64', 0.1],
        t: ['string', 'é'],
        y: ['byte', 7],
        u: ['u64', facts.u64],
      });
      const cols = ['b', 's', 'i', 'g', 'r', 'd', 't', 'y', 'u'];
      const insert = `INSERT INTO types (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
      const r = await run('execute', pool, { sql: insert, bindings: cols }, { bind: [values] });
      assert.equal(status(r), 'completed finished', String(r.outputs.error));
      assert.equal(one(r, 'affected'), 1);
      // Missing keys, none and vectors bind NULL.
      const nulls = row({ b: ['Option<bool>', null], s: ['Vec<u8>', [1]], i: ['void', undefined] });
      assert.equal(status(await run('execute', pool, { sql: insert, bindings: cols }, { bind: [nulls] })), 'completed finished');

      const f = await run('fetch', pool, { sql: 'SELECT * FROM types ORDER BY b IS NULL', bindings: [] }, { bind: [row({})] });
      assert.equal(status(f), 'completed finished', String(f.outputs.errors));
      assert.equal(f.outputs.data?.length, 2);
      assert.deepEqual(plain(f.outputs.data?.[0]), facts.expected);
      assert.deepEqual(plain(f.outputs.data?.[1]), facts.nulls);
      const u = await run('fetch', pool, { sql: facts.uAsText, bindings: [] }, { bind: [row({})] });
      assert.deepEqual(plain(u.outputs.data?.[0]), { u: ['string', facts.u64.toString()] });
    } finally {
      await pool.shutdown();
    }
  });

  it('executeEach: affected per map; a constraint violation goes to errors; stop_on_failure decides', async () => {
    const pool = await connectedPool(url);
    try {
      await run('executeRaw', pool, { sql: 'CREATE TABLE each_t (id INTEGER PRIMARY KEY, name VARCHAR(20))' });
      const maps = [1, 1, 2].map((id) => row({ id: ['i32', id], name: ['string', `n${id}`] }));
      const p = { sql: 'INSERT INTO each_t (id, name) VALUES (?, ?)', bindings: ['id', 'name'] };
      const stopped = await run('executeEach', pool, p, { bind: maps });
      assert.equal(status(stopped), 'failed finished');
      assert.deepEqual(stopped.outputs.affected, [1]);
      assert.equal(stopped.outputs.errors?.length, 1);
      assert.match(String(stopped.outputs.errors?.[0]), /duplicate|unique/i);
      const more = [3, 3, 4].map((id) => row({ id: ['i32', id], name: ['string', `n${id}`] }));
      const going = await run('executeEach', pool, { ...p, stop_on_failure: false }, { bind: more });
      assert.equal(status(going), 'failed finished');
      assert.deepEqual(going.outputs.affected, [1, 1]);
      const count = await run('fetch', pool, { sql: 'SELECT COUNT(*) AS c FROM each_t', bindings: [] }, { bind: [row({})] });
      assert.equal(Number((plain(count.outputs.data?.[0]).c as [string, unknown])[1]), 3);
      const ok = await run('executeEach', pool, p, { bind: [row({ id: ['i32', 9] })] });
      assert.equal(status(ok), 'completed finished');
    } finally {
      await pool.shutdown();
    }
  });

  it('executeBatch groups rows by bind_limit; a failing batch is skipped without stop_on_failure', async () => {
    const pool = await connectedPool(url);
    try {
      await run('executeRaw', pool, { sql: 'CREATE TABLE batch_t (id INTEGER PRIMARY KEY, name VARCHAR(20))' });
      const rows = (ids: number[]) => ids.map((id) => row({ id: ['u64', id], name: ['string', `r${id}`] }));
      const p = { base: 'INSERT INTO batch_t (id, name) VALUES ', batch: '(?, ?)', bindings: ['id', 'name'], bind_limit: 6 };
      const r = await run('executeBatch', pool, p, { bind: { batches: [rows([1, 2, 3, 4]), rows([5, 6, 7, 8, 9, 10])] } });
      assert.equal(status(r), 'completed finished', String(r.outputs.errors));
      assert.deepEqual(r.outputs.affected, [3, 3, 3, 1]);
      const dup = await run('executeBatch', pool, { ...p, stop_on_failure: false }, { bind: rows([11, 12, 13, 14, 1, 15, 16]) });
      assert.equal(status(dup), 'failed finished');
      assert.deepEqual(dup.outputs.affected, [3, 1]);
      assert.equal(dup.outputs.errors?.length, 1);
      const stop = await run('executeBatch', pool, p, { bind: rows([2, 20, 21, 22, 23, 24]) });
      assert.equal(status(stop), 'failed finished');
      assert.deepEqual(stop.outputs.affected, []);
      const empty = await run('executeBatch', pool, { ...p, bindings: [] }, { bind: rows([30]) });
      assert.equal(status(empty), 'failed finished');
      assert.deepEqual(empty.outputs.errors, ['bindings must not be empty']);
    } finally {
      await pool.shutdown();
    }
  });

  it('fetchBatch streams the rows of every batch; fetch reports invalid SQL on errors', async () => {
    const pool = await connectedPool(url);
    try {
      await run('executeRaw', pool, { sql: 'CREATE TABLE fb_t (id INTEGER, name VARCHAR(20))' });
      await run(
        'executeBatch',
        pool,
        { base: 'INSERT INTO fb_t (id, name) VALUES ', batch: '(?, ?)', bindings: ['id', 'name'] },
        {
          bind: [1, 2, 3, 4, 5].map((id) => row({ id: ['i32', id], name: ['string', `x${id}`] })),
        },
      );
      const f = await run(
        'fetchBatch',
        pool,
        { base: 'SELECT id, name FROM fb_t WHERE id = -1', batch: ' OR id = ?', separator: '', bindings: ['id'], bind_limit: 2 },
        { bind: [5, 1, 3].map((id) => row({ id: ['i32', id] })) },
      );
      assert.equal(status(f), 'completed finished', String(f.outputs.errors));
      // Batches of two ids (5, 1) then (3); rows of a batch come in table order.
      assert.deepEqual(
        f.outputs.data?.map((m) => plain(m).name?.[1]),
        ['x1', 'x5', 'x3'],
      );
      const bad = await run('fetch', pool, { sql: 'SELEC nothing FROM', bindings: [] }, { bind: [row({})] });
      assert.equal(status(bad), 'failed finished');
      assert.match(String(bad.outputs.errors?.[0]), /syntax|error/i);
      const raw = await run('executeRaw', pool, { sql: 'DROP TABLE does_not_exist' });
      assert.equal(status(raw), 'failed finished');
      assert.equal(r1(raw.outputs.error), 1);
      // Rule B: no bind, nothing happens.
      const none = await run('fetch', pool, { sql: 'SELECT 1', bindings: [] }, { bind: [] });
      assert.equal(status(none), '');
    } finally {
      await pool.shutdown();
    }
  });

  it('a pool not connected, or closed, makes every treatment fail; close fires `closed`', async () => {
    const { pool, tracks } = makePool({ url });
    const before = await run('execute', pool, { sql: 'SELECT 1', bindings: [] }, { bind: [row({})] });
    assert.equal(status(before), 'failed finished');
    assert.deepEqual(before.outputs.error, ['SQL pool is not connected']);
    await pool.connect(0);
    await pool.connect(0); // already created: no second `connected`
    await pool.close(0);
    assert.deepEqual(
      tracks.map((t) => t.source),
      ['connected', 'closed'],
    );
    const after = await run('executeBatch', pool, { base: 'x', batch: 'y', bindings: ['a'] }, { bind: [row({})] });
    assert.equal(status(after), 'failed finished');
    assert.deepEqual(after.outputs.errors, ['SQL pool is not connected']);
  });
}

const r1 = (v: unknown[] | undefined) => v?.length ?? 0;
