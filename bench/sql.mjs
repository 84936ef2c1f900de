#!/usr/bin/env node
// SQL benchmark (issue 9): ROWS rows inserted by `sql::executeBatch` against the driver
// called directly in a loop with the same statement and batch size, measured in the same run:
//   SQLite     better-sqlite3, a file database (batches of 32766 rows: SQLite's limit)
//   PostgreSQL pg, the shared test server (batches of 65535 rows)
// Every side inserts one bound value per row (`(?, 'row')`), connects and disconnects once.
//   direct     the driver in a loop, values from a plain array;
//   treatment  the executeBatch treatment fed Map rows (built beforehand, as the direct
//              loop's values are) through the engine's channels — the target, ≥ 70 %;
//   .mel       a whole program, generate → count → entry → executeBatch, run in-process:
//              this one also pays for building the Maps upstream (std's `entry`), shown
//              alone as "upstream only" for scale.
// Environment: ROWS (default 1 000 000), RUNS (3); PostgreSQL from TUTTI_TEST_PG_URL or
// scripts/sql-servers.mjs (skipped when PostgreSQL is not installed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureServers } from '../scripts/sql-servers.mjs';
import { median, prepareProgram, printMachine } from './lib.mjs';

printMachine();

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const work = mkdtempSync(join(tmpdir(), 'tutti-bench-sql-'));
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const { runTreatment } = await import('@tutti/engine/testing');
const { sql: sqlPackage } = await import('@tutti/lib-sql');
const { MapValue } = await import('@tutti/lib-std');
const { coreType } = await import('@tutti/core');
const { SqlPool } = await import(pathToFileURL(join(ROOT, 'packages/libs/sql/dist/pool.js')).href);
const executeBatch = sqlPackage.elements.find((e) => e.name === 'executeBatch');

/** Map rows fed to the treatment: batches of 4096 distinct maps, the same batches repeated. */
const FEED = 4096;
const feedRows = Array.from({ length: FEED }, (_, i) => MapValue.entry('id', i, coreType('u128')));
const feed = [];
for (let left = ROWS; left > 0; left -= FEED) feed.push(left >= FEED ? feedRows : feedRows.slice(0, left));

/** The executeBatch treatment on a pool of its own (connected and closed in the timing). */
async function treatmentRun(url, batch) {
  let tracks = 0;
  const pool = SqlPool.create({
    params: { url, max_connections: 10, min_connections: 0, acquire_timeout: 10000, idle_timeout: 600000, max_lifetime: 1800000 },
    path: 'bench/pool',
    signal: new AbortController().signal,
    log: () => {},
    registrations: () => [],
    createTrack: async () => {
      tracks++;
      return { id: tracks, ok: true, created: true };
    },
  });
  await pool.connect(0);
  const r = await runTreatment(executeBatch, {
    models: { sql_pool: pool },
    params: {
      base: 'INSERT INTO rows (id, name) VALUES ',
      batch: "(?, 'row')",
      bindings: ['id'],
      bind_symbol: '?',
      bind_limit: batch,
      separator: ', ',
      stop_on_failure: true,
    },
    inputs: { bind: { batches: feed } },
  });
  await pool.shutdown();
  if (r.outputs.failed.length > 0) throw new Error(`executeBatch failed: ${r.outputs.errors.join('; ')}`);
}

const program = (url, bindLimit) => `#!/usr/bin/env melodium
#! name = bench_sql
#! version = 0.1.0
#! require = std:0.10.2 sql:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/flow::count
use std/data/map::entry
use sql::SqlPool
use sql::connect
use sql::connected
use sql::close
use sql::executeBatch

treatment main()
  model pool: SqlPool(url = "${url}")
{
    startup()
    connect[sql_pool=pool]()
    startup.trigger -> connect.trigger

    connected[sql_pool=pool]()
    length: emit<u128>(value = ${ROWS})
    generate<u128>(data = 0)
    count<u128>()
    entry<u128>(key = "id")
    insert: executeBatch[sql_pool=pool](base = "INSERT INTO rows (id, name) VALUES ", batch = "(?, 'row')", bindings = ["id"], bind_limit = ${bindLimit})
    close[sql_pool=pool]()

    connected.trigger -> length.trigger,emit -> generate.length,stream -> count.stream,count -> entry.value,map -> insert.bind
    insert.finished -> close.trigger
}
`;

const statement = (rows, numbered) => {
  const parts = new Array(rows);
  for (let r = 0; r < rows; r++) parts[r] = numbered ? `($${r + 1}, 'row')` : "(?, 'row')";
  return `INSERT INTO rows (id, name) VALUES ${parts.join(', ')}`;
};

/** Inserts ROWS rows in batches of `batch` through `exec(sql, values)`. */
async function directLoop(batch, numbered, exec) {
  const full = statement(batch, numbered);
  for (let start = 0; start < ROWS; start += batch) {
    const n = Math.min(batch, ROWS - start);
    const values = new Array(n);
    for (let i = 0; i < n; i++) values[i] = start + i;
    await exec(n === batch ? full : statement(n, numbered), values);
  }
}

const results = [];

async function compare(name, batch, direct, reset, count, url) {
  const file = join(work, `${name}.mel`);
  writeFileSync(file, program(url, batch));
  const runMel = await prepareProgram(file);
  const mel = async () => {
    await reset();
    const ms = (await runMel()).ms;
    const n = await count();
    if (n !== ROWS) throw new Error(`${name}: .mel inserted ${n} rows, not ${ROWS}`);
    return ms;
  };
  const raw = async () => {
    await reset();
    const t0 = now();
    await direct();
    const ms = now() - t0;
    const n = await count();
    if (n !== ROWS) throw new Error(`${name}: direct loop inserted ${n} rows, not ${ROWS}`);
    return ms;
  };
  const treatment = async () => {
    await reset();
    const t0 = now();
    await treatmentRun(url, batch);
    const ms = now() - t0;
    const n = await count();
    if (n !== ROWS) throw new Error(`${name}: executeBatch inserted ${n} rows, not ${ROWS}`);
    return ms;
  };
  // Warm-up with each, then interleaved measures (the machine is shared).
  await raw();
  await treatment();
  await mel();
  const times = { raw: [], treatment: [], mel: [] };
  for (let i = 0; i < RUNS; i++) {
    times.raw.push(await raw());
    times.treatment.push(await treatment());
    times.mel.push(await mel());
  }
  const rate = (ms) => (ROWS / ms) * 1000;
  const r = { name, batch, raw: rate(median(times.raw)), treatment: rate(median(times.treatment)), mel: rate(median(times.mel)) };
  results.push(r);
}

// SQLite: a file database, one connection, as the library opens it.
{
  const { default: Database } = await import('better-sqlite3');
  const path = join(work, 'bench.db');
  const admin = new Database(path);
  admin.exec('CREATE TABLE rows (id INTEGER, name TEXT)');
  const batch = 32766;
  await compare(
    'SQLite',
    batch,
    async () => {
      const db = new Database(path, { fileMustExist: true });
      const cache = new Map();
      await directLoop(batch, false, async (sql, values) => {
        let s = cache.get(sql);
        if (s === undefined) cache.set(sql, (s = db.prepare(sql)));
        s.run(...values);
      });
      db.close();
    },
    async () => admin.exec('DELETE FROM rows'),
    async () => admin.prepare('SELECT COUNT(*) AS c FROM rows').get().c,
    `sqlite:${path}`,
  );
  admin.close();
}

// PostgreSQL: the shared server, a database of its own.
const servers = await ensureServers();
if (servers.pg === undefined) {
  results.push({ name: 'PostgreSQL', skipped: servers.skip.pg });
} else {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: servers.pg });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS tutti_bench_sql WITH (FORCE)');
  await admin.query('CREATE DATABASE tutti_bench_sql');
  const u = new URL(servers.pg);
  u.pathname = '/tutti_bench_sql';
  const url = u.href;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('CREATE TABLE rows (id BIGINT, name TEXT)');
  const batch = 65535;
  await compare(
    'PostgreSQL',
    batch,
    async () => {
      const pool = new pg.Pool({ connectionString: url, max: 10 });
      await directLoop(batch, true, (sql, values) => pool.query(sql, values));
      await pool.end();
    },
    async () => db.query('TRUNCATE rows'),
    async () => Number((await db.query('SELECT COUNT(*) AS c FROM rows')).rows[0].c),
    url,
  );
  await db.end();
  await admin.query('DROP DATABASE IF EXISTS tutti_bench_sql WITH (FORCE)');
  await admin.end();
}
// The .mel programs' upstream alone: the same generate → count → entry, Maps discarded.
const upstreamFile = join(work, 'upstream.mel');
writeFileSync(
  upstreamFile,
  program('sqlite::memory:', 1)
    .replace(
      /\n {4}(connect|close)\[[^\n]*|\n {4}insert:[^\n]*|\n {4}connected\[[^\n]*|\n {4}insert\.finished[^\n]*|\n {4}startup\.trigger -> connect[^\n]*/g,
      '',
    )
    .replace('use std/data/map::entry', 'use std/data/map::entry\nuse std/data/map::Map\nuse std/flow::consume')
    .replace('connected.trigger -> length.trigger', 'startup.trigger -> length.trigger')
    .replace('map -> insert.bind', 'map -> consume.stream')
    .replace('entry<u128>(key = "id")', 'entry<u128>(key = "id")\n    consume<Map>()'),
);
const runUpstream = await prepareProgram(upstreamFile);
await runUpstream();
const upstream = (ROWS / median([(await runUpstream()).ms, (await runUpstream()).ms, (await runUpstream()).ms])) * 1000;
rmSync(work, { recursive: true, force: true });

console.log(`sql benchmark: ${fmt(ROWS)} rows inserted by executeBatch vs the driver in a loop (${RUNS} runs each, median)`);
for (const r of results) {
  if (r.skipped !== undefined) {
    console.log(`    ${r.name}: skipped (${r.skipped})`);
    continue;
  }
  const pct = (x) => `${fmt((x / r.raw) * 100, 1)} %`;
  console.log(`    ${r.name} (batches of ${fmt(r.batch)} rows): direct loop ${fmt(r.raw)} rows/s`);
  console.log(
    `      executeBatch treatment   ${fmt(r.treatment)} rows/s = ${pct(r.treatment)} of direct (target ≥ 70 %: ${r.treatment / r.raw >= 0.7 ? 'ok' : 'UNDER TARGET'})`,
  );
  console.log(`      whole .mel program       ${fmt(r.mel)} rows/s = ${pct(r.mel)} of direct`);
}
console.log(`    upstream only (generate → count → entry, no database): ${fmt(upstream)} rows/s`);
