/**
 * Database URLs of `SqlPool`: which driver a URL selects and the
 * options the pool parameters give it. Validation happens at `connect`; nothing here opens
 * a connection (the pool is lazy: connection errors surface on the first query).
 */

/** The driver families the `sql` package speaks. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite';

/** A validated `SqlPool` configuration. */
export interface PoolConfig {
  readonly url: string;
  readonly dialect: Dialect;
  /**
   * Whether `bind_symbol` occurrences are renumbered `$1, $2, …`: only when the scheme is
   * exactly `postgres` (⚑ the reference's quirk, reproduced: `postgresql://` sends `?` unchanged).
   */
  readonly renumber: boolean;
  readonly maxConnections: number;
  readonly minConnections: number;
  /** Milliseconds. */
  readonly acquireTimeout: number;
  /** Milliseconds, or null for never. */
  readonly idleTimeout: number | null;
  /** Milliseconds, or null for never. */
  readonly maxLifetime: number | null;
  /** SQLite only: the file (or `:memory:`) and how to open it. */
  readonly sqlite?: SqliteTarget;
}

/** How a `sqlite:` URL opens its database. */
export interface SqliteTarget {
  readonly filename: string;
  readonly readonly: boolean;
  /** Without `mode=rwc` (or `mode=memory`) the file must exist, as in the reference driver. */
  readonly mustExist: boolean;
}

/** The raw parameters of the `SqlPool` model (const values). */
export interface PoolParams {
  readonly url: string;
  readonly max_connections: number;
  readonly min_connections: number;
  readonly acquire_timeout: number | bigint;
  readonly idle_timeout: number | bigint | null;
  readonly max_lifetime: number | bigint | null;
}

const ms = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

/** Validates the pool parameters; throws an Error with a user-facing message. */
export function poolConfig(p: PoolParams): PoolConfig {
  const colon = p.url.indexOf(':');
  const scheme = colon > 0 ? p.url.slice(0, colon) : '';
  let dialect: Dialect;
  let sqlite: SqliteTarget | undefined;
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      dialect = 'postgres';
      checkNetworkUrl(p.url);
      break;
    case 'mysql':
    case 'mariadb':
      dialect = 'mysql';
      checkNetworkUrl(p.url);
      break;
    case 'sqlite':
      dialect = 'sqlite';
      sqlite = sqliteTarget(p.url);
      break;
    default:
      throw new Error(
        scheme === ''
          ? `invalid database URL '${p.url}': no scheme (expected postgres://, mysql:// or sqlite:)`
          : `unsupported database URL scheme '${scheme}' (expected postgres, postgresql, mysql, mariadb or sqlite)`,
      );
  }
  if (p.max_connections < 1) throw new Error('max_connections must be at least 1');
  if (p.min_connections > p.max_connections) {
    throw new Error(`min_connections (${p.min_connections}) is greater than max_connections (${p.max_connections})`);
  }
  return {
    url: p.url,
    dialect,
    renumber: scheme === 'postgres',
    maxConnections: p.max_connections,
    minConnections: p.min_connections,
    acquireTimeout: ms(p.acquire_timeout),
    idleTimeout: p.idle_timeout === null ? null : ms(p.idle_timeout),
    maxLifetime: p.max_lifetime === null ? null : ms(p.max_lifetime),
    ...(sqlite === undefined ? {} : { sqlite }),
  };
}

function checkNetworkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid database URL '${redact(url)}'`);
  }
  if (u.hostname === '' && !u.searchParams.has('host') && !u.searchParams.has('socket')) {
    throw new Error(`invalid database URL '${redact(url)}': no host`);
  }
}

/**
 * `sqlite::memory:`, `sqlite:path`, `sqlite://path`, `sqlite:///absolute/path`, with an
 * optional `?mode=ro|rw|rwc|memory` (other query options are ignored).
 */
function sqliteTarget(url: string): SqliteTarget {
  let rest = url.slice('sqlite:'.length);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (rest.startsWith('//')) rest = rest.slice(2);
  const mode = new URLSearchParams(query).get('mode') ?? 'rw';
  if (!['ro', 'rw', 'rwc', 'memory'].includes(mode)) throw new Error(`invalid SQLite mode '${mode}' (expected ro, rw, rwc or memory)`);
  const memory = rest === ':memory:' || mode === 'memory';
  if (rest === '' && !memory) throw new Error(`invalid SQLite URL '${url}': no file name`);
  return {
    filename: memory ? ':memory:' : decodeURIComponent(rest),
    readonly: mode === 'ro',
    mustExist: !memory && mode !== 'rwc',
  };
}

/** The URL with its password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
