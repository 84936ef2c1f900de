/**
 * Realms in a worker thread, so that no script can keep the main thread from answering
 * SIGINT/SIGTERM. QuickJS evaluation is synchronous and a script may run up to its time
 * limit (10 s): on the main thread, signal handlers (which Node runs from the event loop,
 * and never in workers) would wait that long. Here the main thread only waits for a
 * message. Stopping a realm sets a flag shared with the worker (a SharedArrayBuffer) that
 * its QuickJS interrupt handler reads at every poll, so a running script stops within
 * milliseconds; the realm is then freed.
 *
 * All realms of the process share one worker, started with the first realm: evaluations
 * stay serialised, as they were on the main thread, and later realms start in
 * milliseconds (a worker thread costs about 0.1–0.3 s to start). Each request carries up
 * to {@link MAX_VALUES} values and returns within about 20 ms, so the message round trip
 * (tens of microseconds) is paid per slice, not per value.
 *
 * The worker keeps the process alive only while a request is pending: an idle realm must
 * not hide a deadlock from the CLI, which detects one when the event loop empties.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledModule } from './quickjs.js';
import type { RealmOptions } from './realm.js';

/** Most values sent in one evaluation request. */
export const MAX_VALUES = 256;

/** A request to the realm worker, for realm `realm`. */
export type RealmRequest =
  | { readonly id: number; readonly realm: number; readonly op: 'create'; readonly options: RealmOptions; readonly cancel: Int32Array }
  | { readonly id: number; readonly realm: number; readonly op: 'run'; readonly code: string }
  | { readonly id: number; readonly realm: number; readonly op: 'evaluate'; readonly values: readonly string[]; readonly code: string }
  | { readonly id: number; readonly realm: number; readonly op: 'dispose' };

/** The worker's answer: results of an evaluation (null for none), the realm's state. */
export interface RealmReply {
  readonly id: number;
  readonly broken: boolean;
  readonly results: readonly (string | null)[];
  readonly error?: string;
}

type RequestBody = RealmRequest extends infer R ? (R extends RealmRequest ? Omit<R, 'id' | 'realm'> : never) : never;

/**
 * The worker script: its single-file bundle in the package's dist/ (scripts/bundle.mjs
 * writes it beside this module's build, so an installed copy of tutti finds it from the
 * CLI bundle), else the package's build resolved by name (a build without the bundle step;
 * also from the TypeScript sources under tsx, whose loader worker threads do not inherit
 * on Node 20).
 */
function workerUrl(): URL {
  const bundled = new URL('../dist/realm-worker.bundle.mjs', import.meta.url);
  if (existsSync(bundled)) return bundled;
  return pathToFileURL(createRequire(import.meta.url).resolve('@tutti/lib-javascript/realm-worker'));
}

const LOST: Omit<RealmReply, 'id'> = { broken: true, results: [] };

/** The shared worker: started on demand, stopped when its last realm is gone. */
class RealmHost {
  readonly #pending = new Map<number, { realm: number; resolve: (r: RealmReply) => void }>();
  readonly #realms = new Set<number>();
  #next = 0;
  #dead = false;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: RealmReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
      p?.resolve(r);
    });
    // A crashed worker loses every realm; pending requests get nothing.
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Sends a request; requests from a realm that was released get nothing. */
  call(realm: number, body: RequestBody): Promise<RealmReply> {
    const id = this.#next++;
    if (this.#dead) return Promise.resolve({ id, ...LOST });
    if (body.op === 'create') this.#realms.add(realm);
    return new Promise((resolve) => {
      this.#pending.set(id, { realm, resolve });
      this.worker.ref();
      this.worker.postMessage({ ...body, id, realm });
    });
  }

  /** Frees a realm; its pending requests get nothing; the last one stops the worker. */
  release(realm: number): void {
    if (!this.#realms.delete(realm) || this.#dead) return;
    this.worker.postMessage({ op: 'dispose', id: this.#next++, realm });
    for (const [id, p] of this.#pending)
      if (p.realm === realm) {
        this.#pending.delete(id);
        p.resolve({ id, ...LOST });
      }
    if (this.#pending.size === 0) this.worker.unref();
    if (this.#realms.size === 0) {
      this.#dead = true;
      if (host === this) host = undefined;
      void this.worker.terminate();
    }
  }

  private fail(): void {
    this.#dead = true;
    if (host === this) host = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [id, p] of pending) p.resolve({ id, ...LOST });
  }
}

let host: RealmHost | undefined;
let nextRealm = 0;

async function realmHost(): Promise<RealmHost> {
  if (host === undefined || host.dead) {
    // The main thread's stack size, under which realm.ts's stack limits were measured; the
    // WebAssembly module compiled once here is shared with the worker.
    const wasmModule = await compiledModule();
    host ??= new RealmHost(new Worker(workerUrl(), { resourceLimits: { stackSizeMb: 1 }, workerData: { wasmModule } }));
  }
  return host;
}

/** The main thread's handle on a realm in the worker. */
export class RemoteRealm {
  #broken = false;
  #gone = false;

  private constructor(
    private readonly host: RealmHost,
    private readonly id: number,
    private readonly cancel: Int32Array,
  ) {}

  /** A fresh realm with the given limits. */
  static async create(options: RealmOptions): Promise<RemoteRealm> {
    const h = await realmHost();
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const realm = new RemoteRealm(h, nextRealm++, cancel);
    const r = await realm.call({ op: 'create', options, cancel });
    if (r.error !== undefined || r.broken) {
      realm.dispose();
      throw new Error(`the JavaScript realm could not be created: ${r.error ?? 'its worker stopped'}`);
    }
    return realm;
  }

  /** True once the realm failed at host level, its worker died, or it was disposed. */
  get broken(): boolean {
    return this.#broken || this.#gone || this.host.dead;
  }

  /** Runs a script for its effects (the model's `code`); errors are ignored. */
  async run(code: string): Promise<void> {
    await this.call({ op: 'run', code });
  }

  /**
   * Evaluates `code` for each JSON text of `values` (see Realm.evaluate), in order, and
   * returns the results of a prefix of them (possibly all; empty only if the realm is
   * lost): undefined for none.
   */
  async evaluate(values: readonly string[], code: string): Promise<(string | undefined)[]> {
    const r = await this.call({ op: 'evaluate', values: values.slice(0, MAX_VALUES), code });
    return r.results.map((x) => x ?? undefined);
  }

  /** Stops the realm, even in the middle of an evaluation, and frees it. */
  dispose(): void {
    if (this.#gone) return;
    this.#gone = true;
    Atomics.store(this.cancel, 0, 1);
    this.host.release(this.id);
  }

  private async call(body: RequestBody): Promise<RealmReply> {
    if (this.broken) return { id: -1, ...LOST };
    const r = await this.host.call(this.id, body);
    if (r.broken) this.#broken = true;
    return r;
  }
}
