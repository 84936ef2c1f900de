/**
 * The sql library against real PostgreSQL and MariaDB servers: the shared servers of the
 * test run (TUTTI_TEST_PG_URL / TUTTI_TEST_MYSQL_URL, exported by `.ci/run`, or started by
 * scripts/sql-servers.mjs), each test file in its own fresh database; a private PostgreSQL
 * for the server-stopped fault. Skipped, with the reason, only when the server binaries
 * are not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
// @ts-expect-error: a plain ESM script without type declarations
import { ensureServers, privatePostgres } from '../../../../scripts/sql-servers.mjs';
import { sqlSuite } from '../test/suite.js';
import { connectedPool, makePool, one, plain, row, run, status } from '../test/support.js';

interface Servers {
  pg?: string;
  mysql?: string;
  skip: { pg?: string; mysql?: string };
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const dbName = `t_${process.pid}_${Date.now().toString(36)}`;
const servers: Promise<Servers> = ensureServers();
const created: (() => Promise<void>)[] = [];

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.href;
};

async function freshPg(): Promise<string | { skip: string }> {
  const s = await servers;
  if (s.pg === undefined) return { skip: s.skip.pg ?? 'no PostgreSQL' };
  const admin = new pg.Client({ connectionString: s.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  created.push(async () => {
    const c = new pg.Client({ connectionString: s.pg });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });
  return withDb(s.pg, dbName);
}

async function freshMysql(): Promise<string | { skip: string }> {
  const s = await servers;
  if (s.mysql === undefined) return { skip: s.skip.mysql ?? 'no MariaDB' };
  const uri = s.mysql;
  const admin = await mysql.createConnection({ uri });
  await admin.query(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4`);
  await admin.end();
  created.push(async () => {
    const c = await mysql.createConnection({ uri });
    await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await c.end();
  });
  return withDb(s.mysql, dbName);
}

let pgUrl: string | { skip: string } = { skip: 'not set up' };
let mysqlUrl: string | { skip: string } = { skip: 'not set up' };
let setUp: Promise<void> | undefined;
const setup = () => {
  setUp ??= (async () => {
    pgUrl = await freshPg();
    mysqlUrl = await freshMysql();
  })();
  return setUp;
};
before(setup);
after(async () => {
  for (const drop of created) await drop();
});

sqlSuite('postgres', async () => {
  await setup();
  return pgUrl;
});
sqlSuite('mysql', async () => {
  await setup();
  return mysqlUrl;
});

/** A test needing a server kind; skipped with the reason when it is not installed. */
const needs = (kind: 'pg' | 'mysql', name: string, fn: (url: string) => Promise<void>) =>
  test(name, async (t) => {
    const u = kind === 'pg' ? pgUrl : mysqlUrl;
    if (typeof u !== 'string') {
      t.skip(u.skip);
      return;
    }
    await fn(u);
  });

needs('pg', 'postgres: `?` is renumbered only for the scheme postgres, other symbols too (as the reference)', async (url) => {
  const bind = { bind: [row({ a: ['i32', 2], b: ['string', 'x'] })] };
  const p = await connectedPool(url);
  const r = await run('fetch', p, { sql: "SELECT ? + 1 AS a, ? || '?' AS b", bindings: ['a', 'b'] }, bind);
  // The symbol inside the literal is renumbered too, as in the reference (plain text search).
  assert.equal(status(r), 'completed finished', String(r.outputs.errors));
  assert.deepEqual(plain(r.outputs.data?.[0]), { a: ['i32', 3], b: ['string', 'x$3'] });
  const ok = await run('fetch', p, { sql: 'SELECT :v::int + 1 AS a, :v AS b', bindings: ['a', 'b'], bind_symbol: ':v' }, bind);
  assert.equal(status(ok), 'completed finished', String(ok.outputs.errors));
  await p.shutdown();
  const q = await connectedPool(url.replace(/^postgres:/, 'postgresql:'));
  const raw = await run('fetch', q, { sql: 'SELECT ?::int AS a', bindings: ['a'] }, bind);
  assert.equal(status(raw), 'failed finished');
  assert.match(String(raw.outputs.errors?.[0]), /syntax error/);
  await q.shutdown();
});

needs('pg', 'postgres: a wrong password fails the first query, not connect', async (url) => {
  const bad = new URL(url);
  bad.password = 'wrong';
  const p = await connectedPool(bad.href);
  const r = await run('executeRaw', p, { sql: 'SELECT 1' });
  assert.equal(status(r), 'failed finished');
  assert.match(String(one(r, 'error')), /password authentication failed/);
  await p.shutdown();
});

needs('mysql', 'mysql: a wrong password fails the first query, not connect', async (url) => {
  const bad = new URL(url);
  bad.password = 'wrong';
  const p = await connectedPool(bad.href);
  const r = await run('execute', p, { sql: 'SELECT 1', bindings: [] }, { bind: [row({})] });
  assert.equal(status(r), 'failed finished');
  assert.match(String(one(r, 'error')), /Access denied/);
  await p.shutdown();
});

test('an unreachable server: connect succeeds (lazy pool), queries fail with the reason', async () => {
  for (const url of ['postgres://tutti:tutti@127.0.0.1:1/x', 'mysql://tutti:tutti@127.0.0.1:1/x']) {
    const { pool, tracks } = makePool({ url, acquire_timeout: 2000 });
    await pool.connect(0);
    assert.equal(tracks[0]?.source, 'connected');
    const r = await run('executeEach', pool, { sql: 'SELECT 1', bindings: [] }, { bind: [row({}), row({})] });
    assert.equal(status(r), 'failed finished', url);
    assert.match(String(r.outputs.errors?.[0]), /ECONNREFUSED/, url);
    assert.equal(r.outputs.errors?.length, 1, 'stop_on_failure stops at the first error');
    await pool.shutdown();
  }
});

test('postgres: the server stopped while a pool is open: queries fail, the process survives, the pool closes', async (t) => {
  const s = await servers;
  if (s.pg === undefined) {
    t.skip(s.skip.pg ?? 'no PostgreSQL');
    return;
  }
  const server = await privatePostgres();
  try {
    const { pool, logs } = makePool({ url: server.url, acquire_timeout: 2000 });
    await pool.connect(0);
    const first = await run('executeRaw', pool, { sql: 'CREATE TABLE t (id INTEGER)' });
    assert.equal(status(first), 'completed finished', String(first.outputs.error));
    server.stop(); // idle connections are cut now
    await new Promise((r) => setTimeout(r, 200));
    const r = await run(
      'executeBatch',
      pool,
      { base: 'INSERT INTO t VALUES ', batch: '(?)', bindings: ['id'] },
      {
        bind: [row({ id: ['i32', 1] })],
      },
    );
    assert.equal(status(r), 'failed finished');
    assert.match(String(r.outputs.errors?.[0]), /ECONNREFUSED|terminat|Connection|shut/i);
    assert.ok(
      logs.some((l) => l.startsWith('warning: idle connection lost')),
      logs.join('\n'),
    );
    await pool.shutdown();
  } finally {
    server.remove();
  }
});

const program = join(ROOT, 'packages/libs/sql/test/rows.mel');
const tutti = join(ROOT, 'packages/cli/bin/tutti.js');

/** Runs test/rows.mel with the CLI (the built one: `npm test` builds first). */
function runProgram(url: string, table: string) {
  const r = spawnSync(process.execPath, [tutti, 'run', program, '--url', url, '--rows', '2500', '--table', table], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = r.stdout.split('\n').map((l) => l.replace(/^\[[^\]]+\] /, ''));
  return { code: r.status, lines: lines.filter((l) => l !== ''), stderr: r.stderr };
}

const expectedLines = [
  'info: row: {"n": 0, "label": "row"}',
  'info: row: {"n": 1, "label": "row"}',
  'info: row: {"n": 2, "label": "row"}',
  'info: sql: closed',
];

test('a .mel program writes 2500 rows and reads three back, on SQLite, PostgreSQL and MariaDB', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-sql-e2e-'));
  try {
    const sqlite = runProgram(`sqlite://${join(dir, 'rows.db')}?mode=rwc`, 'items');
    assert.deepEqual(sqlite.lines, expectedLines, sqlite.stderr);
    assert.equal(sqlite.code, 0);
    for (const [name, u] of [
      ['postgres', pgUrl],
      ['mysql', mysqlUrl],
    ] as const) {
      if (typeof u !== 'string') {
        t.diagnostic(`${name} skipped: ${u.skip}`);
        continue;
      }
      const r = runProgram(u, 'e2e_items');
      assert.deepEqual(r.lines, expectedLines, `${name}: ${r.stderr}`);
      assert.equal(r.code, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a .mel program with an invalid pool URL reports it through `failure`', () => {
  const r = runProgram('ftp://nowhere', 'x');
  assert.deepEqual(r.lines, [
    "error: connect: unsupported database URL scheme 'ftp' (expected postgres, postgresql, mysql, mariadb or sqlite)",
  ]);
});
