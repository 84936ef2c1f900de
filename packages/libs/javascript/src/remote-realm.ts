/**
 * A {@link Realm} in a worker thread, so that no script can keep the main thread from
 * answering SIGINT/SIGTERM. QuickJS evaluation is synchronous and a script may run up to
 * its time limit (10 s): on the main thread, signal handlers (which Node runs from the
 * event loop) would wait that long. Here the main thread only waits for a message; when
 * the run stops, the engine's shutdown terminates the worker, which V8 interrupts even
 * inside a WebAssembly loop.
 *
 * Measured against the realm on the main thread (bench/javascript.mjs): each request
 * carries up to {@link MAX_VALUES} values and returns within about 20 ms, so the message
 * round trip (tens of microseconds) is paid per slice, not per value.
 *
 * The worker keeps the process alive only while a request is pending: an idle realm must
 * not hide a deadlock from the CLI, which detects one when the event loop empties.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledModule } from './quickjs.js';
import type { RealmOptions } from './realm.js';

/** Most values sent in one evaluation request. */
export const MAX_VALUES = 256;

/** A request to the realm worker. */
export type RealmRequest =
  | { readonly id: number; readonly op: 'create'; readonly options: RealmOptions }
  | { readonly id: number; readonly op: 'run'; readonly code: string }
  | { readonly id: number; readonly op: 'evaluate'; readonly values: readonly string[]; readonly code: string };

/** The worker's answer: results of an evaluation (null for none), the realm's state. */
export interface RealmReply {
  readonly id: number;
  readonly broken: boolean;
  readonly results: readonly (string | null)[];
  readonly error?: string;
}

type RequestBody = RealmRequest extends infer R ? (R extends RealmRequest ? Omit<R, 'id'> : never) : never;

/**
 * The worker script: the package's build, resolved by package name so that it is found
 * from the CLI bundle too (and from the TypeScript sources under tsx, whose loader worker
 * threads do not inherit on Node 20).
 */
function workerUrl(): URL {
  return pathToFileURL(createRequire(import.meta.url).resolve('@tutti/lib-javascript/realm-worker'));
}

/** The main thread's handle on a realm in its worker. */
export class RemoteRealm {
  readonly #pending = new Map<number, (r: RealmReply) => void>();
  #next = 0;
  #broken = false;
  #gone = false;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: RealmReply) => {
      this.#broken = r.broken;
      const resolve = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
      resolve?.(r);
    });
    // A crashed or terminated worker: the realm is lost, pending requests get nothing.
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  /** A fresh realm with the given limits, in a new worker. */
  static async create(options: RealmOptions): Promise<RemoteRealm> {
    // The main thread's stack size, under which realm.ts's stack limits were measured; the
    // WebAssembly module compiled once here is shared with every worker.
    const worker = new Worker(workerUrl(), { resourceLimits: { stackSizeMb: 1 }, workerData: { wasmModule: await compiledModule() } });
    const realm = new RemoteRealm(worker);
    const r = await realm.call({ op: 'create', options });
    if (r.error !== undefined) {
      realm.dispose();
      throw new Error(`the JavaScript realm could not be created: ${r.error}`);
    }
    if (r.broken) throw new Error('the JavaScript realm could not be created: its worker stopped');
    return realm;
  }

  /** True once the realm failed at host level, its worker died, or it was disposed. */
  get broken(): boolean {
    return this.#broken || this.#gone;
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

  /** Terminates the worker, even in the middle of an evaluation. */
  dispose(): void {
    if (this.#gone) return;
    this.#gone = true;
    void this.worker.terminate();
    this.fail();
  }

  private call(body: RequestBody): Promise<RealmReply> {
    const id = this.#next++;
    if (this.broken) return Promise.resolve({ id, broken: true, results: [] });
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.worker.ref();
      this.worker.postMessage({ ...body, id });
    });
  }

  private fail(): void {
    this.#broken = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    this.worker.unref();
    for (const [id, resolve] of pending) resolve({ id, broken: true, results: [] });
  }
}
