import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolConfig, redact } from './url.js';

const params = (url: string, more: Record<string, unknown> = {}) => ({
  url,
  max_connections: 10,
  min_connections: 0,
  acquire_timeout: 10000,
  idle_timeout: 600000,
  max_lifetime: null,
  ...more,
});

test('the scheme selects the driver; only `postgres` renumbers placeholders', () => {
  assert.deepEqual(
    [
      poolConfig(params('postgres://u:p@h/db')),
      poolConfig(params('postgresql://u:p@h/db')),
      poolConfig(params('mysql://u:p@h:3306/db')),
    ].map((c) => [c.dialect, c.renumber]),
    [
      ['postgres', true],
      ['postgres', false],
      ['mysql', false],
    ],
  );
  assert.equal(poolConfig(params('postgres://h/db')).maxLifetime, null);
});

test('SQLite URLs: memory, relative and absolute paths, modes', () => {
  assert.deepEqual(poolConfig(params('sqlite::memory:')).sqlite, { filename: ':memory:', readonly: false, mustExist: false });
  assert.deepEqual(poolConfig(params('sqlite:data.db')).sqlite, { filename: 'data.db', readonly: false, mustExist: true });
  assert.deepEqual(poolConfig(params('sqlite:///tmp/x.db?mode=rwc')).sqlite, { filename: '/tmp/x.db', readonly: false, mustExist: false });
  assert.deepEqual(poolConfig(params('sqlite://x.db?mode=ro')).sqlite, { filename: 'x.db', readonly: true, mustExist: true });
});

test('invalid URLs and options are rejected with a message', () => {
  assert.throws(() => poolConfig(params('oracle://h/db')), /unsupported database URL scheme 'oracle'/);
  assert.throws(() => poolConfig(params('nothing')), /no scheme/);
  assert.throws(() => poolConfig(params('postgres://')), /invalid database URL|no host/);
  assert.throws(() => poolConfig(params('sqlite:')), /no file name/);
  assert.throws(() => poolConfig(params('sqlite:x?mode=weird')), /invalid SQLite mode 'weird'/);
  assert.throws(() => poolConfig(params('sqlite::memory:', { max_connections: 0 })), /max_connections must be at least 1/);
  assert.throws(() => poolConfig(params('sqlite::memory:', { min_connections: 11 })), /min_connections \(11\) is greater/);
});

test('passwords are hidden in messages', () => {
  assert.equal(redact('postgres://user:secret@host/db'), 'postgres://user:***@host/db');
});
