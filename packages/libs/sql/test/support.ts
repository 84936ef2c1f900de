/**
 * Test support for the sql library: a `SqlPool` driven outside the engine (its tracks are
 * recorded), treatments run by `@tutti/engine/testing` with their defaults applied, `Map`
 * rows, and fresh databases on the shared servers (scripts/sql-servers.mjs).
 */
import type { ModelContext, OutputPort, TrackRequest, TreatmentDescriptor, Value } from '@tutti/core';
import { type RunOptions, type RunResult, runTreatment, typeOf } from '@tutti/engine/testing';
import { MapValue } from '@tutti/lib-std';
import { SqlPool } from '../src/pool.js';
import { sqlElements } from '../src/sql.js';

/** A track a pool opened: its source and what the feed sent on each output. */
export interface RecordedTrack {
  readonly source: string;
  readonly outputs: Record<string, Value[]>;
}

function recorder(name: string, into: Record<string, Value[]>): OutputPort {
  const values: Value[] = [];
  into[name] = values;
  return {
    name,
    sendOne: async (v) => {
      values.push(v);
      return true;
    },
    sendMany: async (b) => {
      for (const v of b) values.push(v);
      return true;
    },
    close: () => {},
    usable: true,
  };
}

/** A pool with the model's defaults, its recorded tracks and logs. */
export function makePool(params: { url: string } & Record<string, Value>): {
  pool: SqlPool;
  tracks: RecordedTrack[];
  logs: string[];
} {
  const tracks: RecordedTrack[] = [];
  const logs: string[] = [];
  const ctx: ModelContext = {
    params: {
      max_connections: 10,
      min_connections: 0,
      acquire_timeout: 10000,
      idle_timeout: 600000,
      max_lifetime: 1800000,
      ...params,
    },
    path: 'test/pool',
    signal: new AbortController().signal,
    log: (level, _label, message) => logs.push(`${level}: ${message}`),
    registrations: () => [],
    createTrack: async (source: string, request?: TrackRequest) => {
      const outputs: Record<string, Value[]> = {};
      const ports: Record<string, OutputPort> = {};
      for (const name of ['trigger', 'failed', 'error']) ports[name] = recorder(name, outputs);
      // Recorded at once, as the engine creates the track synchronously.
      tracks.push({ source, outputs });
      const id = tracks.length;
      await request?.feed?.(ports, id);
      return { id, ok: true, created: true };
    },
  };
  return { pool: SqlPool.create(ctx), tracks, logs };
}

/** A pool after `connect`; throws when `connected` did not fire. */
export async function connectedPool(url: string, params: Record<string, Value> = {}): Promise<SqlPool> {
  const { pool, tracks } = makePool({ url, ...params });
  await pool.connect(0);
  if (tracks[0]?.source !== 'connected') throw new Error(`connect failed: ${JSON.stringify(tracks)}`);
  return pool;
}

const DEFAULTS: Record<string, Record<string, Value>> = {
  execute: { bind_symbol: '?' },
  executeEach: { bind_symbol: '?', stop_on_failure: true },
  executeBatch: { bind_symbol: '?', bind_limit: 65535, separator: ', ', stop_on_failure: true },
  fetch: { bind_symbol: '?' },
  fetchBatch: { bind_symbol: '?', bind_limit: 65535, separator: ', ', stop_on_failure: true },
};

/** The descriptor of treatment `name`. */
export function treatmentOf(name: string): TreatmentDescriptor {
  const d = sqlElements.find((e) => e.kind === 'treatment' && e.name === name && e.source === undefined);
  if (d === undefined) throw new Error(`no treatment ${name}`);
  return d as TreatmentDescriptor;
}

/** Runs treatment `name` on `pool` with its defaults applied. */
export function run(
  name: string,
  pool: SqlPool,
  params: Record<string, Value>,
  inputs: RunOptions['inputs'] = {},
  o: Omit<RunOptions, 'params' | 'inputs' | 'models'> = {},
): Promise<RunResult> {
  return runTreatment(treatmentOf(name), { ...o, params: { ...DEFAULTS[name], ...params }, inputs, models: { sql_pool: pool } });
}

/** A `Map` from `{ key: [typeText, value] }`. */
export function row(entries: Record<string, readonly [string, Value]>): MapValue {
  return MapValue.from(Object.entries(entries).map(([k, [t, v]]) => [k, { value: v, type: typeOf(t) }] as const));
}

/** A decoded row as `{ key: [typeText, value] }`, for assertions. */
export function plain(m: Value): Record<string, [string, Value]> {
  const out: Record<string, [string, Value]> = {};
  for (const [k, e] of m as MapValue) out[k] = [typeText(e.type), e.value instanceof Uint8Array ? [...e.value] : e.value];
  return out;
}

function typeText(t: ReturnType<typeof typeOf>): string {
  switch (t.kind) {
    case 'core':
      return t.name;
    case 'vec':
      return `Vec<${typeText(t.of)}>`;
    case 'option':
      return `Option<${typeText(t.of)}>`;
    case 'data':
      return t.name;
    default:
      return t.name;
  }
}

/** The one value of a Block output, or undefined. */
export const one = (r: RunResult, port: string): Value => r.outputs[port]?.[0];

/** Which status outputs emitted, in the order the harness saw them close with a value. */
export function status(r: RunResult): string {
  return ['completed', 'failed', 'finished'].filter((p) => (r.outputs[p]?.length ?? 0) > 0).join(' ');
}
