#!/usr/bin/env node
// Database servers for the sql library's tests and benchmarks: one PostgreSQL and one
// MariaDB server for a whole test run, started by hand (no systemd) on loopback with their
// own data directories under $TUTTI_SQL_SERVERS_DIR (default /tmp/tutti-sql-servers).
// Idempotent: a server already answering is reused.
//
//   node scripts/sql-servers.mjs start   # starts what is missing; prints `export …` lines
//   node scripts/sql-servers.mjs stop    # stops both
//
// Exported URLs: TUTTI_TEST_PG_URL (postgres://tutti:tutti@127.0.0.1:55432/postgres) and
// TUTTI_TEST_MYSQL_URL (mysql://tutti:tutti@127.0.0.1:53306/mysql). Password authentication
// is on over TCP (the fault tests need a wrong password to fail). `.ci/run` calls `start`;
// the tests call ensureServers() when the variables are absent. The binaries come from
// Debian's postgresql and mariadb-server packages.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const PG_PORT = 55432;
export const MYSQL_PORT = 53306;
const USER = 'tutti';
const PASSWORD = 'tutti';
const BASE = process.env.TUTTI_SQL_SERVERS_DIR ?? join(tmpdir(), 'tutti-sql-servers');
const isRoot = process.getuid?.() === 0;

export const pgUrl = (port = PG_PORT, db = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
export const mysqlUrl = (port = MYSQL_PORT, db = 'mysql') => `mysql://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;

/** Directory of the PostgreSQL server binaries (initdb, pg_ctl), or undefined. */
export function pgBin() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin/initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && existsSync(join(dir, 'initdb'))) return dir;
  return undefined;
}

/** Path of a MariaDB program (mariadbd lives in /usr/sbin), or undefined. */
function mariadb(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Why a server kind cannot be started here, or undefined when its binaries are installed. */
export function missing(kind) {
  if (kind === 'pg') return pgBin() === undefined ? 'PostgreSQL server binaries not installed (apt-get install postgresql)' : undefined;
  return mariadb('mariadbd') === undefined || mariadb('mariadb-install-db') === undefined
    ? 'MariaDB server binaries not installed (apt-get install mariadb-server)'
    : undefined;
}

function run(cmd, args, asPostgres = false) {
  // PostgreSQL refuses to run as root: run its tools as the `postgres` account then.
  const [c, a] = asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1', () => done(true));
  });
}

async function waitFor(check, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start within ${ms / 1000} s`);
}

/** A TCP port free on loopback now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ownedDir(dir, forPostgres) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (forPostgres && isRoot) {
    const uid = Number(run('id', ['-u', 'postgres']).trim());
    const gid = Number(run('id', ['-g', 'postgres']).trim());
    chownSync(dir, uid, gid);
  }
}

/**
 * Starts a PostgreSQL server in `dir` on `port` (initialising the cluster if needed) and
 * resolves when it accepts connections. `fsync` is off: test data need not survive a crash.
 */
export async function startPostgres(dir, port) {
  const bin = pgBin();
  if (bin === undefined) throw new Error(missing('pg'));
  const data = join(dir, 'data');
  ownedDir(dir, true);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const pw = join(dir, 'pw');
    writeFileSync(pw, `${PASSWORD}\n`, { mode: 0o644 });
    run(
      join(bin, 'initdb'),
      ['-D', data, '-U', USER, `--pwfile=${pw}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'],
      true,
    );
  }
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start'], true);
  await waitFor(() => tryConnect(port), `PostgreSQL on port ${port}`);
}

/** Stops the PostgreSQL server of `dir` at once (`immediate`: connections are cut). */
export function stopPostgres(dir) {
  const bin = pgBin();
  if (bin === undefined || !existsSync(join(dir, 'data', 'postmaster.pid'))) return;
  run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], true);
}

/** Starts a MariaDB server in `dir` on `port`, with the user tutti/tutti. */
export async function startMariadb(dir, port) {
  const server = mariadb('mariadbd');
  const install = mariadb('mariadb-install-db');
  if (server === undefined || install === undefined) throw new Error(missing('mysql'));
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  const user = isRoot ? ['--user=root'] : [];
  if (!existsSync(join(data, 'mysql'))) {
    run(install, ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user]);
  }
  const socket = join(dir, 'sock');
  const child = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'pid')}`,
      `--log-error=${join(dir, 'log')}`,
      '--skip-log-bin',
      '--innodb-flush-log-at-trx-commit=0',
      '--max-connections=500',
      ...user,
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  await waitFor(() => tryConnect(port), `MariaDB on port ${port}`);
  const client = mariadb('mariadb') ?? mariadb('mysql');
  const grant = ['localhost', '%']
    .map(
      (h) =>
        `CREATE USER IF NOT EXISTS '${USER}'@'${h}' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON *.* TO '${USER}'@'${h}' WITH GRANT OPTION;`,
    )
    .join(' ');
  // The socket may answer a little after the TCP port.
  await waitFor(
    () => {
      try {
        run(client, ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', grant]);
        return true;
      } catch {
        return false;
      }
    },
    'MariaDB account setup',
    15_000,
  );
}

/** Stops the MariaDB server of `dir`. */
export async function stopMariadb(dir) {
  const pidFile = join(dir, 'pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(execFileSync('cat', [pidFile], { encoding: 'utf8' }).trim());
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    'MariaDB shutdown',
    30_000,
  );
}

/** Serialises concurrent starters (test files run in parallel) with a lock directory. */
async function locked(fn) {
  mkdirSync(BASE, { recursive: true, mode: 0o755 });
  const lock = join(BASE, 'lock');
  const end = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a starter that died.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > end) throw new Error(`timed out waiting for ${lock}`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The URLs of the shared servers: from TUTTI_TEST_PG_URL / TUTTI_TEST_MYSQL_URL when set,
 * else started here (reused when already running). A kind whose binaries are not installed
 * is reported in `skip` with the reason instead.
 */
export async function ensureServers() {
  const out = { pg: process.env.TUTTI_TEST_PG_URL, mysql: process.env.TUTTI_TEST_MYSQL_URL, skip: {} };
  if (out.pg !== undefined && out.mysql !== undefined) return out;
  await locked(async () => {
    if (out.pg === undefined) {
      const why = missing('pg');
      if (why !== undefined) out.skip.pg = why;
      else {
        if (!(await tryConnect(PG_PORT))) await startPostgres(join(BASE, 'pg'), PG_PORT);
        out.pg = pgUrl();
      }
    }
    if (out.mysql === undefined) {
      const why = missing('mysql');
      if (why !== undefined) out.skip.mysql = why;
      else {
        if (!(await tryConnect(MYSQL_PORT))) await startMariadb(join(BASE, 'mysql'), MYSQL_PORT);
        out.mysql = mysqlUrl();
      }
    }
  });
  return out;
}

/**
 * A private PostgreSQL server on a free port (for tests that stop it): `stop()` cuts it
 * off, `remove()` stops it and deletes its files.
 */
export async function privatePostgres() {
  const dir = join(BASE, `private-pg-${process.pid}-${Date.now()}`);
  const port = await freePort();
  await startPostgres(dir, port);
  return {
    url: pgUrl(port),
    stop: () => stopPostgres(dir),
    remove: () => {
      try {
        stopPostgres(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  if (cmd === 'start') {
    delete process.env.TUTTI_TEST_PG_URL;
    delete process.env.TUTTI_TEST_MYSQL_URL;
    const s = await ensureServers();
    for (const [k, why] of Object.entries(s.skip)) process.stderr.write(`sql-servers: ${k}: ${why}\n`);
    if (s.pg !== undefined) process.stdout.write(`export TUTTI_TEST_PG_URL=${s.pg}\n`);
    if (s.mysql !== undefined) process.stdout.write(`export TUTTI_TEST_MYSQL_URL=${s.mysql}\n`);
  } else if (cmd === 'stop') {
    stopPostgres(join(BASE, 'pg'));
    await stopMariadb(join(BASE, 'mysql'));
  } else {
    process.stderr.write('usage: node scripts/sql-servers.mjs start|stop\n');
    process.exitCode = 2;
  }
}
