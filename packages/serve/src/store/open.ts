/**
 * Opens the store: SQLite in the data directory by default (better-sqlite3, synchronous and
 * in-process: no server to set up), PostgreSQL when a `postgres://` URL is configured (pg,
 * a pool). Both drivers are loaded only here, when the server starts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type SqlDb, SqlStore } from './sql-store.js';
import type { Store } from './types.js';

/** Opens (and migrates) the store: `database` is a PostgreSQL URL, else SQLite in `dataDir`. */
export async function openStore(o: { dataDir: string; database?: string | undefined }): Promise<Store> {
  const db = o.database === undefined ? await sqlite(o.dataDir) : await postgres(o.database);
  const store = new SqlStore(db);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

async function sqlite(dataDir: string): Promise<SqlDb> {
  mkdirSync(dataDir, { recursive: true });
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'tutti.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  interface Prepared {
    readonly reader: boolean;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): unknown;
  }
  const statements = new Map<string, Prepared>();
  const prepare = (sql: string): Prepared => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = db.prepare(sql) as unknown as Prepared;
      statements.set(sql, s);
    }
    return s;
  };
  return {
    kind: 'sqlite',
    identity: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    all: async (sql, params = []) => {
      const s = prepare(sql);
      if (s.reader) return s.all(...(params as unknown[])) as Record<string, unknown>[];
      s.run(...(params as unknown[]));
      return [];
    },
    run: async (sql, params = []) => {
      if (/^\s*CREATE\s/i.test(sql)) db.exec(sql);
      else prepare(sql).run(...(params as unknown[]));
    },
    transaction: async (fn) => {
      // better-sqlite3's transaction() takes synchronous functions; ours only await the
      // synchronous calls above, so BEGIN/COMMIT around them is equivalent.
      db.exec('BEGIN');
      try {
        await fn();
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    close: async () => {
      db.close();
    },
  };
}

async function postgres(url: string): Promise<SqlDb> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // A client checked out for a transaction; statements of the transaction go through it.
  let tx: import('pg').PoolClient | undefined;
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const query = async (sql: string, params: readonly unknown[] = []) =>
    (await (tx ?? pool).query(numbered(sql), params as unknown[])).rows as Record<string, unknown>[];
  await query('SELECT 1');
  return {
    kind: 'postgres',
    identity: 'SERIAL PRIMARY KEY',
    all: query,
    run: async (sql, params) => {
      await query(sql, params);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      tx = client;
      try {
        await client.query('BEGIN');
        await fn();
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        tx = undefined;
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
