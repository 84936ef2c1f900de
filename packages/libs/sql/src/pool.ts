/**
 * The `SqlPool` model. Nothing happens until `connect`: it validates
 * the URL and options and creates the driver's pool, which opens connections lazily, so
 * `connected` fires even when the server is unreachable and connection errors surface on
 * the first query. `close` drains the pool and fires `closed`; the engine's shutdown closes
 * a pool still open.
 */
import type { ModelContext, ModelInstance } from '@tutti/core';
import { createDriver, errorText, type SqlDriver } from './drivers.js';
import { type PoolParams, poolConfig } from './url.js';

export class SqlPool implements ModelInstance {
  private current: SqlDriver | undefined;
  private closing: Promise<void> | undefined;
  private connecting = false;

  private constructor(private readonly ctx: ModelContext) {}

  static create(ctx: ModelContext): SqlPool {
    return new SqlPool(ctx);
  }

  /** The connected driver, or an Error saying why there is none. */
  driver(): SqlDriver | Error {
    return this.current ?? new Error('SQL pool is not connected');
  }

  /** Creates the pool if not already created; opens the `connected` or `failure` track. */
  async connect(track: number): Promise<void> {
    if (this.current !== undefined || this.connecting) return;
    let driver: SqlDriver;
    this.connecting = true;
    try {
      driver = await createDriver(poolConfig(this.ctx.params as unknown as PoolParams), (message) =>
        this.ctx.log('warning', this.ctx.path, `idle connection lost: ${message}`),
      );
    } catch (e) {
      const message = errorText(e);
      void this.ctx.createTrack('failure', {
        parent: track,
        feed: async (o) => {
          await Promise.all([o.failed?.sendOne(undefined), o.error?.sendOne(message)]);
        },
      });
      return;
    } finally {
      this.connecting = false;
    }
    this.current = driver;
    void this.ctx.createTrack('connected', {
      parent: track,
      feed: async (o) => {
        await o.trigger?.sendOne(undefined);
      },
    });
  }

  /** Drains and closes the pool if open, then opens the `closed` track. */
  async close(track: number): Promise<void> {
    const d = this.current;
    if (d === undefined) return;
    this.current = undefined;
    await this.drain(d);
    void this.ctx.createTrack('closed', {
      parent: track,
      feed: async (o) => {
        await o.trigger?.sendOne(undefined);
      },
    });
  }

  private async drain(d: SqlDriver): Promise<void> {
    this.closing = d.close().catch((e: unknown) => this.ctx.log('warning', this.ctx.path, `closing the pool: ${errorText(e)}`));
    await this.closing;
  }

  async shutdown(): Promise<void> {
    const d = this.current;
    this.current = undefined;
    if (d !== undefined) await this.drain(d);
    else await this.closing;
  }
}

/** The pool of a treatment's `sql_pool` slot. */
export function poolOf(models: Readonly<Record<string, unknown>>): SqlPool {
  return models.sql_pool as SqlPool;
}
