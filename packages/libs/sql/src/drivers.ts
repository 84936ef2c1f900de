/**
 * The three drivers behind `SqlPool` and row decoding, SQL → `Map`.
 * Treatments see only {@link SqlDriver}; each implementation talks to its npm driver.
 *
 * Row decoding: NULL → none (entry type `Option<T>` with the column's type when known,
 * else `Option<void>`); BOOLEAN → `bool`; SMALLINT → `i16`; INTEGER → `i32`; BIGINT → `i64`
 * (exact: a bigint past 2^53); REAL → `f32`; DOUBLE → `f64`; text types → `string`; binary
 * types → `Vec<byte>` (a Uint8Array); anything else (NUMERIC, dates, JSON…) cannot be
 * decoded → none. Per driver:
 * - PostgreSQL: by column type (`bool`, `int2`, `int4`, `int8`, `float4`, `float8`, `text`,
 *   `varchar`, `bpchar`, `name`, `"char"`, `bytea`).
 * - MySQL/MariaDB: `TINYINT(1)` (what `BOOLEAN` creates) → `bool`; other `TINYINT` and
 *   `SMALLINT` → `i16`; `MEDIUMINT`, `INT` → `i32`; `BIGINT` → `i64`; an unsigned column
 *   takes the next wider type (a `BIGINT UNSIGNED` value above the i64 range → none);
 *   `FLOAT` → `f32`; `DOUBLE` → `f64`; `CHAR`/`VARCHAR`/`TEXT` → `string`; `BINARY`/
 *   `VARBINARY`/`BLOB` → `Vec<byte>`.
 * - SQLite has per-value storage classes: INTEGER → `i64` (`bool` when the declared column
 *   type contains `BOOL`); REAL → `f64` (SQLite reals are 8-byte); TEXT → `string`;
 *   BLOB → `Vec<byte>`.
 */
import { canon, coreType, type DataType, optionType, vecType } from '@tutti/core';
import { type MapEntry, MapValue } from '@tutti/lib-std';
import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import type { Bound } from './binding.js';
import type { Dialect, PoolConfig } from './url.js';

/** Receives decoded rows in chunks; false stops the fetch (nobody listens any more). */
export type RowSink = (rows: MapValue[]) => Promise<boolean>;

/** What the treatments need from a connected pool. */
export interface SqlDriver {
  readonly dialect: Dialect;
  /** Whether `bind_symbol` is renumbered `$1, $2, …` (URL scheme exactly `postgres`). */
  readonly renumber: boolean;
  /** Most values one statement can bind (PostgreSQL and MySQL 65535, SQLite 32766). */
  readonly maxBinds: number;
  /** Runs `sql` as-is (possibly several statements); the total of affected rows. */
  executeRaw(sql: string): Promise<number>;
  /** Runs one statement with positional values; affected rows. */
  execute(sql: string, values: readonly Bound[]): Promise<number>;
  /** Runs a query and hands its rows to `sink` in chunks. */
  fetch(sql: string, values: readonly Bound[], sink: RowSink): Promise<void>;
  /** Drains and closes every connection. */
  close(): Promise<void>;
}

/** Rows per chunk handed to a {@link RowSink}. */
const CHUNK = 1024;

const T = {
  bool: coreType('bool'),
  i16: coreType('i16'),
  i32: coreType('i32'),
  i64: coreType('i64'),
  f32: coreType('f32'),
  f64: coreType('f64'),
  string: coreType('string'),
  bytes: vecType(coreType('byte')),
  none: optionType(coreType('void')),
};
const NULL_OF = new Map<DataType, DataType>(Object.values(T).map((t) => [t, t === T.none ? t : optionType(t)]));

/** A column decoder: the column's type (for NULLs) and how a non-null value converts. */
interface Column {
  readonly name: string;
  readonly type: DataType;
  readonly decode: (v: unknown) => { value: unknown; type: DataType } | null;
}

function entry(col: Column, raw: unknown): MapEntry {
  if (raw === null || raw === undefined) return { value: null, type: NULL_OF.get(col.type) ?? T.none };
  const d = col.decode(raw);
  return d === null ? { value: null, type: T.none } : d;
}

function rowOf(cols: readonly Column[], raw: readonly unknown[]): MapValue {
  const entries: [string, MapEntry][] = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as Column;
    entries[i] = [c.name, entry(c, raw[i])];
  }
  return MapValue.from(entries);
}

async function sendRows(cols: readonly Column[], rows: readonly (readonly unknown[])[], sink: RowSink): Promise<boolean> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const end = Math.min(rows.length, start + CHUNK);
    const out: MapValue[] = new Array(end - start);
    for (let i = start; i < end; i++) out[i - start] = rowOf(cols, rows[i] as readonly unknown[]);
    if (!(await sink(out))) return false;
  }
  return true;
}

const as = (type: DataType, f: (v: never) => unknown): Column['decode'] => {
  return (v) => ({ value: f(v as never), type });
};
const unknownColumn = (name: string): Column => ({ name, type: T.none, decode: () => null });
const i64Of = (v: string | number | bigint): number | bigint => (typeof v === 'number' ? v : canon(BigInt(v)));

/** The message of a driver error (connection errors may be AggregateErrors without one). */
export function errorText(e: unknown): string {
  if (e instanceof AggregateError && e.message === '') return e.errors.map(errorText).join('; ');
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return e.message !== '' ? e.message : typeof code === 'string' ? code : String(e);
  }
  return String(e);
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

/** Every column arrives as its text form; decoding goes by column type (below). */
const RAW_TEXT = { getTypeParser: () => (v: string) => v };

function pgColumn(name: string, oid: number): Column {
  switch (oid) {
    case 16:
      return { name, type: T.bool, decode: as(T.bool, (v: string) => v === 't') };
    case 21:
      return { name, type: T.i16, decode: as(T.i16, Number) };
    case 23:
      return { name, type: T.i32, decode: as(T.i32, Number) };
    case 20:
      return { name, type: T.i64, decode: as(T.i64, i64Of) };
    case 700:
      return { name, type: T.f32, decode: as(T.f32, (v: string) => Math.fround(Number.parseFloat(v))) };
    case 701:
      return { name, type: T.f64, decode: as(T.f64, Number.parseFloat) };
    case 25:
    case 1043:
    case 1042:
    case 19:
    case 18:
      return { name, type: T.string, decode: as(T.string, (v: string) => v) };
    case 17:
      return { name, type: T.bytes, decode: as(T.bytes, (v: string) => new Uint8Array(Buffer.from(v.slice(2), 'hex'))) };
    default:
      return unknownColumn(name);
  }
}

interface PgResult {
  rowCount: number | null;
  fields: { name: string; dataTypeID: number }[];
  rows: unknown[][];
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly renumber: boolean;
  readonly maxBinds = 65535;
  private readonly pool: pg.Pool;

  constructor(driver: typeof pg, cfg: PoolConfig, onIdleError: (message: string) => void) {
    this.renumber = cfg.renumber;
    this.pool = new driver.Pool({
      connectionString: cfg.url,
      max: cfg.maxConnections,
      min: cfg.minConnections,
      connectionTimeoutMillis: cfg.acquireTimeout,
      idleTimeoutMillis: cfg.idleTimeout ?? 0,
      maxLifetimeSeconds: cfg.maxLifetime === null ? 0 : Math.max(1, Math.ceil(cfg.maxLifetime / 1000)),
      types: RAW_TEXT,
    });
    // An idle connection whose server goes away must not crash the process.
    this.pool.on('error', (e) => onIdleError(errorText(e)));
  }

  async executeRaw(sql: string): Promise<number> {
    const r = (await this.pool.query(sql)) as unknown as PgResult | PgResult[];
    if (!Array.isArray(r)) return r.rowCount ?? 0;
    let n = 0;
    for (const x of r) n += x.rowCount ?? 0;
    return n;
  }

  async execute(sql: string, values: readonly Bound[]): Promise<number> {
    const r = await this.pool.query({ text: sql, values: values as unknown[] });
    return r.rowCount ?? 0;
  }

  async fetch(sql: string, values: readonly Bound[], sink: RowSink): Promise<void> {
    const r = (await this.pool.query({ text: sql, values: values as unknown[], rowMode: 'array' })) as unknown as PgResult | PgResult[];
    for (const x of Array.isArray(r) ? r : [r]) {
      if (x.fields === undefined || x.fields.length === 0) continue;
      const cols = x.fields.map((f) => pgColumn(f.name, f.dataTypeID));
      if (!(await sendRows(cols, x.rows, sink))) return;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

// ---------------------------------------------------------------------------------------
// MySQL / MariaDB

const UNSIGNED = 32;
const BINARY_CHARSET = 63;

interface MysqlField {
  name: string;
  columnType?: number;
  columnLength?: number;
  flags?: number;
  characterSet?: number;
}

function mysqlColumn(f: MysqlField): Column {
  const name = f.name;
  const unsigned = ((f.flags ?? 0) & UNSIGNED) !== 0;
  switch (f.columnType) {
    case 1: // TINYINT
      if (f.columnLength === 1 && !unsigned) return { name, type: T.bool, decode: as(T.bool, (v: number) => v !== 0) };
      return { name, type: T.i16, decode: as(T.i16, Number) };
    case 2: // SMALLINT
      return unsigned ? { name, type: T.i32, decode: as(T.i32, Number) } : { name, type: T.i16, decode: as(T.i16, Number) };
    case 9: // MEDIUMINT
      return { name, type: T.i32, decode: as(T.i32, Number) };
    case 3: // INT
      return unsigned ? { name, type: T.i64, decode: as(T.i64, Number) } : { name, type: T.i32, decode: as(T.i32, Number) };
    case 8: // BIGINT
      return {
        name,
        type: T.i64,
        decode: (v) => {
          const x = i64Of(v as string | number);
          return typeof x === 'bigint' && x > 0x7fff_ffff_ffff_ffffn ? null : { value: x, type: T.i64 };
        },
      };
    case 4:
      return { name, type: T.f32, decode: as(T.f32, (v: number) => Math.fround(v)) };
    case 5:
      return { name, type: T.f64, decode: as(T.f64, Number) };
    case 15:
    case 252:
    case 253:
    case 254: {
      if (f.characterSet === BINARY_CHARSET) return { name, type: T.bytes, decode: as(T.bytes, (v: Buffer) => new Uint8Array(v)) };
      return { name, type: T.string, decode: as(T.string, String) };
    }
    default:
      return unknownColumn(name);
  }
}

export class MysqlDriver implements SqlDriver {
  readonly dialect = 'mysql';
  readonly renumber = false;
  readonly maxBinds = 65535;
  private readonly pool: mysql.Pool;

  constructor(driver: typeof mysql, cfg: PoolConfig, onIdleError: (message: string) => void) {
    this.pool = driver.createPool({
      uri: cfg.url,
      connectionLimit: cfg.maxConnections,
      maxIdle: cfg.maxConnections,
      idleTimeout: cfg.idleTimeout ?? 2 ** 31 - 1,
      connectTimeout: cfg.acquireTimeout,
      multipleStatements: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: true,
    });
    (this.pool as unknown as { pool: NodeJS.EventEmitter }).pool.on('error', (e: unknown) => onIdleError(errorText(e)));
  }

  async executeRaw(sql: string): Promise<number> {
    const [r] = await this.pool.query(sql);
    return affected(r);
  }

  async execute(sql: string, values: readonly Bound[]): Promise<number> {
    const [r] = await this.pool.query(sql, values as unknown[]);
    return affected(r);
  }

  async fetch(sql: string, values: readonly Bound[], sink: RowSink): Promise<void> {
    const [rows, fields] = (await this.pool.query({ sql, rowsAsArray: true }, values as unknown[])) as unknown as [unknown, unknown];
    const sets = Array.isArray(fields) && Array.isArray(fields[0]) ? (fields as MysqlField[][]) : [fields as MysqlField[] | undefined];
    const data = Array.isArray(fields) && Array.isArray(fields[0]) ? (rows as unknown[][][]) : [rows as unknown[][]];
    for (let s = 0; s < sets.length; s++) {
      const fs = sets[s];
      if (fs === undefined || fs === null || !Array.isArray(data[s])) continue;
      if (!(await sendRows(fs.map(mysqlColumn), data[s] as unknown[][], sink))) return;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function affected(r: unknown): number {
  if (Array.isArray(r)) {
    let n = 0;
    for (const x of r) if (x !== null && typeof x === 'object' && 'affectedRows' in x) n += Number(x.affectedRows);
    return n;
  }
  return r !== null && typeof r === 'object' && 'affectedRows' in r ? Number(r.affectedRows) : 0;
}

// ---------------------------------------------------------------------------------------
// SQLite

function sqliteColumn(name: string, declared: string | null): Column {
  const bool = declared !== null && /BOOL/i.test(declared);
  return {
    name,
    type: bool ? T.bool : T.none,
    decode: (v) => {
      if (typeof v === 'bigint') return bool ? { value: v !== 0n, type: T.bool } : { value: canon(v), type: T.i64 };
      if (typeof v === 'number') return { value: v, type: T.f64 };
      if (typeof v === 'string') return { value: v, type: T.string };
      if (v instanceof Uint8Array) return { value: new Uint8Array(v), type: T.bytes };
      return null;
    },
  };
}

const STATEMENT_CACHE = 64;

/**
 * SQLite through better-sqlite3: one connection, opened on first use (so `connect` never
 * fails on a missing file; the first query does). better-sqlite3 is synchronous, so more
 * connections in one thread would gain nothing: `max_connections` is not used.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly renumber = false;
  /** SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite. */
  readonly maxBinds = 32766;
  private db: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly driver: typeof Database,
    private readonly cfg: PoolConfig,
  ) {}

  private open(): Database.Database {
    if (this.db === undefined) {
      const t = this.cfg.sqlite;
      if (t === undefined) throw new Error('not a SQLite pool');
      this.db = new this.driver(t.filename, { readonly: t.readonly, fileMustExist: t.mustExist, timeout: this.cfg.acquireTimeout });
    }
    return this.db;
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.open().prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, s);
    }
    return s;
  }

  async executeRaw(sql: string): Promise<number> {
    const db = this.open();
    const total = this.statement('SELECT total_changes()').pluck();
    const before = total.get() as number;
    db.exec(sql);
    return (total.get() as number) - before;
  }

  async execute(sql: string, values: readonly Bound[]): Promise<number> {
    const s = this.statement(sql);
    if (s.reader) {
      s.raw(true).all(...values);
      return 0;
    }
    return s.run(...values).changes;
  }

  async fetch(sql: string, values: readonly Bound[], sink: RowSink): Promise<void> {
    const s = this.statement(sql);
    if (!s.reader) {
      s.run(...values);
      return;
    }
    // all(), not iterate(): an open iterator would keep the connection busy while rows wait
    // for downstream room, and every other query of the pool would fail meanwhile.
    const rows = s
      .raw(true)
      .safeIntegers(true)
      .all(...values) as unknown[][];
    const cols = s.columns().map((c) => sqliteColumn(c.name, c.type));
    await sendRows(cols, rows, sink);
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }
}

/**
 * The driver for a validated configuration. The npm drivers are loaded on first use, so a
 * program without `sql` (or the CLI's start-up) never pays for loading them.
 */
export async function createDriver(cfg: PoolConfig, onIdleError: (message: string) => void): Promise<SqlDriver> {
  switch (cfg.dialect) {
    case 'postgres':
      return new PostgresDriver((await import('pg')).default, cfg, onIdleError);
    case 'mysql':
      return new MysqlDriver((await import('mysql2/promise')).default, cfg, onIdleError);
    case 'sqlite':
      return new SqliteDriver((await import('better-sqlite3')).default, cfg);
  }
}
