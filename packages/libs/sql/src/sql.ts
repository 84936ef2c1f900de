/** `sql`: the connection pool model, its sources and the query treatments. */
import { model, source, treatment } from '@tutti/core';
import { SqlPool } from './pool.js';
import { runClose, runConnect, runExecute, runExecuteBatch, runExecuteEach, runExecuteRaw, runFetch, runFetchBatch } from './treatments.js';

const area = 'sql';

const pool = { sql_pool: 'SqlPool' };

export const sqlElements = [
  model(area, 'SqlPool', {
    params: {
      url: 'string',
      max_connections: 'u32 = 10',
      min_connections: 'u32 = 0',
      acquire_timeout: 'u64 = 10000',
      idle_timeout: 'Option<u64> = 600000',
      max_lifetime: 'Option<u64> = 1800000',
    },
    sources: ['connected', 'failure', 'closed'],
    doc: 'Lazy connection pool over one PostgreSQL, MySQL/MariaDB or SQLite URL; nothing happens until `connect`.',
    create: SqlPool.create,
  }),
  source(area, 'connected', {
    model: 'SqlPool',
    outputs: { trigger: 'Block<void>' },
    doc: 'Opens a track after a successful `connect`; queries are usually placed in it.',
  }),
  source(area, 'failure', {
    model: 'SqlPool',
    outputs: { failed: 'Block<void>', error: 'Block<string>' },
    doc: 'Opens a track when `connect` fails (invalid URL or options).',
  }),
  source(area, 'closed', {
    model: 'SqlPool',
    outputs: { trigger: 'Block<void>' },
    doc: 'Opens a track after `close` drained an open pool.',
  }),
  treatment(area, 'connect', {
    models: pool,
    inputs: { trigger: 'Block<void>' },
    doc: 'On trigger, creates the pool if not already created.',
    run: runConnect,
  }),
  treatment(area, 'close', {
    models: pool,
    inputs: { trigger: 'Block<void>' },
    doc: 'On trigger, closes the pool if open.',
    run: runClose,
  }),
  treatment(area, 'executeRaw', {
    models: pool,
    params: { sql: 'var string' },
    inputs: { trigger: 'Block<void>' },
    outputs: {
      affected: 'Block<u64>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      error: 'Block<string>',
    },
    doc: 'Runs `sql` as-is (possibly several statements) and emits the number of affected rows.',
    run: runExecuteRaw,
  }),
  treatment(area, 'execute', {
    models: pool,
    params: { sql: 'var string', bindings: 'var Vec<string>', bind_symbol: 'var string = "?"' },
    inputs: { bind: 'Block<Map>' },
    outputs: {
      affected: 'Block<u64>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      error: 'Block<string>',
    },
    doc: 'Runs `sql` once with the values of `bind` named by `bindings` bound to its placeholders.',
    run: runExecute,
  }),
  treatment(area, 'executeEach', {
    models: pool,
    params: {
      sql: 'var string',
      bindings: 'var Vec<string>',
      bind_symbol: 'var string = "?"',
      stop_on_failure: 'var bool = true',
    },
    inputs: { bind: 'Stream<Map>' },
    outputs: {
      affected: 'Stream<u64>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Runs `sql` once per received map, emitting the affected rows of each success.',
    run: runExecuteEach,
  }),
  treatment(area, 'executeBatch', {
    models: pool,
    params: {
      base: 'var string',
      batch: 'var string',
      bindings: 'var Vec<string>',
      bind_symbol: 'var string = "?"',
      bind_limit: 'var u64 = 65535',
      separator: 'var string = ", "',
      stop_on_failure: 'var bool = true',
    },
    inputs: { bind: 'Stream<Map>' },
    outputs: {
      affected: 'Stream<u64>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Groups received maps into batches and runs `base` + `batch` repeated once per row for each batch.',
    run: runExecuteBatch,
  }),
  treatment(area, 'fetch', {
    models: pool,
    params: { sql: 'var string', bindings: 'var Vec<string>', bind_symbol: 'var string = "?"' },
    inputs: { bind: 'Block<Map>' },
    outputs: {
      data: 'Stream<Map>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Runs the query with the values of `bind` and streams each row as a `Map` (column name → value).',
    run: runFetch,
  }),
  treatment(area, 'fetchBatch', {
    models: pool,
    params: {
      base: 'var string',
      batch: 'var string',
      bindings: 'var Vec<string>',
      bind_limit: 'var u64 = 65535',
      bind_symbol: 'var string = "?"',
      separator: 'var string = ", "',
      stop_on_failure: 'var bool = true',
    },
    inputs: { bind: 'Stream<Map>' },
    outputs: {
      data: 'Stream<Map>',
      finished: 'Block<void>',
      completed: 'Block<void>',
      failed: 'Block<void>',
      errors: 'Stream<string>',
    },
    doc: 'Batched form of `fetch`, built like `executeBatch`; the rows of every batch are streamed.',
    run: runFetchBatch,
  }),
];
