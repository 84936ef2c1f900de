/**
 * Behaviour of the `sql` treatments. Status outputs:
 * `failed` + `error`/`errors` on failure, `completed` on success, `finished` last in every
 * case. A pool that is not connected (no `connect` yet, failed, or closed) is a failure.
 */
import { END, type OutputPort, type TreatmentContext, type Value } from '@tutti/core';
import type { MapValue } from '@tutti/lib-std';
import { type Bound, bindRow } from './binding.js';
import { errorText, type SqlDriver } from './drivers.js';
import { poolOf } from './pool.js';
import { batchStatement, rowsPerBatch, singleStatement } from './sql-text.js';

type Ctx = TreatmentContext;
type Outputs = Readonly<Record<string, OutputPort>>;

async function endBlock(o: Outputs, message: string | undefined, errorPort: 'error' | 'errors'): Promise<void> {
  if (message === undefined) {
    await o.completed?.sendOne(undefined);
  } else {
    await o.failed?.sendOne(undefined);
    await o[errorPort]?.sendOne(message);
  }
}

/** The pool's driver, or undefined after reporting failed + error + finished. */
async function driverOrFail(ctx: Ctx, errorPort: 'error' | 'errors'): Promise<SqlDriver | undefined> {
  const d = poolOf(ctx.models).driver();
  if (!(d instanceof Error)) return d;
  await endBlock(ctx.outputs, d.message, errorPort);
  await ctx.outputs.finished?.sendOne(undefined);
  return undefined;
}

/** `connect`: on trigger, creates the pool if not already created. */
export async function runConnect(ctx: Ctx): Promise<void> {
  if ((await ctx.inputs.trigger?.recvOne()) === END) return;
  await poolOf(ctx.models).connect(ctx.track);
}

/** `close`: on trigger, drains the pool if open. */
export async function runClose(ctx: Ctx): Promise<void> {
  if ((await ctx.inputs.trigger?.recvOne()) === END) return;
  await poolOf(ctx.models).close(ctx.track);
}

/**
 * `executeRaw`. ⚑ The reference runs as soon as its track starts and never reads `trigger`
 * (a reference quirk); here it waits for `trigger` — a value or its closure — which gives the same
 * result in the usual placement (the `connected` track) and lets other placements order it.
 */
export async function runExecuteRaw(ctx: Ctx): Promise<void> {
  await ctx.inputs.trigger?.recvOne();
  const d = await driverOrFail(ctx, 'error');
  if (d === undefined) return;
  await executeOnce(ctx, () => d.executeRaw(ctx.params.sql as string));
}

/** Runs one execution and reports it: `failed`/`error` or `completed` + `affected`, then `finished`. */
async function executeOnce(ctx: Ctx, run: () => Promise<number>): Promise<void> {
  let n = 0;
  let failure: string | undefined;
  try {
    n = await run();
  } catch (e) {
    failure = errorText(e);
  }
  await endBlock(ctx.outputs, failure, 'error');
  if (failure === undefined) await ctx.outputs.affected?.sendOne(n);
  await ctx.outputs.finished?.sendOne(undefined);
}

/** `execute`: waits for `bind` (rule B: none, nothing happens), runs once. */
export async function runExecute(ctx: Ctx): Promise<void> {
  const bind = await ctx.inputs.bind?.recvOne();
  if (bind === END || bind === undefined) return;
  const d = await driverOrFail(ctx, 'error');
  if (d === undefined) return;
  const p = ctx.params;
  await executeOnce(ctx, () => {
    const values: Bound[] = [];
    bindRow(bind as MapValue, p.bindings as string[], d.dialect, values);
    return d.execute(singleStatement(p.sql as string, p.bind_symbol as string, d.renumber), values);
  });
}

/** `executeEach`: one execution per received map. */
export async function runExecuteEach(ctx: Ctx): Promise<void> {
  const d = await driverOrFail(ctx, 'errors');
  if (d === undefined) return;
  const p = ctx.params;
  const sql = singleStatement(p.sql as string, p.bind_symbol as string, d.renumber);
  const bindings = p.bindings as string[];
  const stop = p.stop_on_failure as boolean;
  const o = ctx.outputs;
  let failed = false;
  read: for (;;) {
    const batch = await ctx.inputs.bind?.recvMany();
    if (batch === END || batch === undefined) break;
    const counts: number[] = [];
    for (const m of batch as readonly Value[]) {
      try {
        const values: Bound[] = [];
        bindRow(m as MapValue, bindings, d.dialect, values);
        counts.push(await d.execute(sql, values));
      } catch (e) {
        failed = true;
        await o.affected?.sendMany(counts.splice(0));
        await o.errors?.sendOne(errorText(e));
        if (stop) break read;
      }
    }
    await o.affected?.sendMany(counts);
  }
  await (failed ? o.failed : o.completed)?.sendOne(undefined);
  await o.finished?.sendOne(undefined);
}

/**
 * Shared loop of `executeBatch` and `fetchBatch`: groups received maps into batches of
 * `min(bind_limit, 65535) / len(bindings)` rows and hands each statement and its values to
 * `run`, which returns false to stop (nobody listens any more).
 */
async function batchLoop(ctx: Ctx, run: (d: SqlDriver, sql: string, values: Bound[]) => Promise<boolean>): Promise<void> {
  const d = await driverOrFail(ctx, 'errors');
  if (d === undefined) return;
  const p = ctx.params;
  const o = ctx.outputs;
  const bindings = p.bindings as string[];
  let rows: number;
  try {
    rows = rowsPerBatch(p.bind_limit as number | bigint, bindings.length, d.maxBinds);
  } catch (e) {
    await endBlock(o, errorText(e), 'errors');
    await o.finished?.sendOne(undefined);
    return;
  }
  const base = p.base as string;
  const part = p.batch as string;
  const separator = p.separator as string;
  const symbol = p.bind_symbol as string;
  const stop = p.stop_on_failure as boolean;
  let full: string | undefined;
  const statement = (n: number): string => {
    if (n < rows) return batchStatement(base, part, separator, n, symbol, d.renumber);
    full ??= batchStatement(base, part, separator, rows, symbol, d.renumber);
    return full;
  };
  let failed = false;
  let stopped = false;
  const flush = async (values: Bound[], n: number): Promise<void> => {
    try {
      if (!(await run(d, statement(n), values))) stopped = true;
    } catch (e) {
      failed = true;
      await o.errors?.sendOne(errorText(e));
      if (stop) stopped = true;
    }
  };
  // One statement in flight at a time (a failing batch stops the next one from starting),
  // but the next batch is read and bound while the previous one runs on the server.
  let inflight: Promise<void> | undefined;
  let values: Bound[] = [];
  let count = 0;
  read: while (!stopped) {
    const batch = await ctx.inputs.bind?.recvMany();
    if (batch === END || batch === undefined) break;
    for (const m of batch as readonly Value[]) {
      bindRow(m as MapValue, bindings, d.dialect, values);
      if (++count === rows) {
        await inflight;
        if (stopped) break read;
        inflight = flush(values, count);
        values = [];
        count = 0;
      }
    }
  }
  await inflight;
  if (!stopped && count > 0) await flush(values, count);
  await (failed ? o.failed : o.completed)?.sendOne(undefined);
  await o.finished?.sendOne(undefined);
}

/** `executeBatch`: `affected` per batch. */
export function runExecuteBatch(ctx: Ctx): Promise<void> {
  return batchLoop(ctx, async (d, sql, values) => {
    const n = await d.execute(sql, values);
    await ctx.outputs.affected?.sendOne(n);
    return true;
  });
}

/** `fetch`: waits for `bind` (rule B), streams the rows as `Map`s. */
export async function runFetch(ctx: Ctx): Promise<void> {
  const bind = await ctx.inputs.bind?.recvOne();
  if (bind === END || bind === undefined) return;
  const d = await driverOrFail(ctx, 'errors');
  if (d === undefined) return;
  const p = ctx.params;
  let failure: string | undefined;
  try {
    const values: Bound[] = [];
    bindRow(bind as MapValue, p.bindings as string[], d.dialect, values);
    const data = ctx.outputs.data;
    await d.fetch(singleStatement(p.sql as string, p.bind_symbol as string, d.renumber), values, (rows) =>
      data === undefined ? Promise.resolve(false) : data.sendMany(rows),
    );
  } catch (e) {
    failure = errorText(e);
  }
  await endBlock(ctx.outputs, failure, 'errors');
  await ctx.outputs.finished?.sendOne(undefined);
}

/** `fetchBatch`: the rows of every batch are streamed. */
export function runFetchBatch(ctx: Ctx): Promise<void> {
  const data = ctx.outputs.data;
  return batchLoop(ctx, async (d, sql, values) => {
    let more = true;
    await d.fetch(sql, values, async (rows) => {
      more = data !== undefined && (await data.sendMany(rows));
      return more;
    });
    return more;
  });
}
