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
  const all = async (sql: string, params: readonly unknown[] = []) => {
    const s = prepare(sql);
    if (s.reader) return s.all(...params) as Record<string, unknown>[];
    s.run(...params);
    return [];
  };
  const run = async (sql: string, params: readonly unknown[] = []) => {
    if (/^\s*CREATE\s/i.test(sql)) db.exec(sql);
    else prepare(sql).run(...params);
  };
  return {
    kind: 'sqlite',
    identity: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    all,
    run,
    transaction: async (fn) => {
      // better-sqlite3's transaction() takes synchronous functions; ours only await the
      // synchronous calls above, so BEGIN/COMMIT around them is equivalent.
      db.exec('BEGIN');
      try {
        await fn({ all, run });
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
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const on = (client: import('pg').Pool | import('pg').PoolClient) => ({
    all: async (sql: string, params: readonly unknown[] = []) =>
      (await client.query(numbered(sql), params as unknown[])).rows as Record<string, unknown>[],
    run: async (sql: string, params: readonly unknown[] = []) => {
      await client.query(numbered(sql), params as unknown[]);
    },
  });
  const direct = on(pool);
  await direct.all('SELECT 1');
  return {
    kind: 'postgres',
    identity: 'SERIAL PRIMARY KEY',
    ...direct,
    transaction: async (fn) => {
      // One client for the whole transaction; concurrent queries use the pool's others.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await fn(on(client));
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
