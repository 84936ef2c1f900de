/**
 * The sandbox of `javascript::JavaScriptEngine`: one ECMAScript realm in which the model's
 * `code` and every `process` script run.
 *
 * ## Choice of sandbox: QuickJS compiled to WebAssembly (`quickjs-emscripten-core`)
 *
 * Three candidates were measured on Node 20.20 (x86-64, this repository's machine), each
 * behind the same interface (inject the JSON text of `value`, evaluate the script, convert
 * the completion value to JSON text inside the sandbox); throughput is for
 * `annotate(value)` (a function reshaping a word into three fields) on `{"word":"stressed"}`, with a time limit:
 *
 * | | `node:vm`, fresh null-prototype context | `isolated-vm` 5.0.4 | QuickJS 2025-09-13 (`quickjs-emscripten` 0.32.0, release-sync build) |
 * |---|---|---|---|
 * | `require`, `process`, `this.constructor.constructor('return process')()`, `Function(...)`, `Error.prepareStackTrace` call sites | no host reached | no host reached | no host reached |
 * | `import('fs')` (also via `eval`, `Function`) | **escapes**: the rejection is a host-realm `TypeError`, `e.constructor.constructor('return process')()` returns the host's `process`; Node 20 offers no way to intercept `import()` without `--experimental-vm-modules` | rejected inside the isolate | rejected with an in-realm `ReferenceError` ("could not load module") |
 * | `while (true) {}` | stopped by `timeout`, realm kept | stopped, realm kept | stopped by the interrupt handler (uncatchable), realm kept |
 * | memory bomb | **kills the host** (V8 heap limit, in < 1 s; the timeout cannot help) | isolate disposed: realm lost | with the instance's memory bounded (quickjs.ts): `out of memory` inside the realm within 0.1–1 s, realm kept (replaced if too full to run anything); unbounded, it grew to 2 GiB of host memory first |
 * | deep recursion | in-realm `RangeError` | in-realm `RangeError` | in-realm `InternalError` (with a stack limit ≤ 256 KiB; 512 KiB overflows the host stack first) |
 * | evaluations/s with a time limit | ≈ 3 900 (each `timeout` run starts a watchdog thread, ≈ 110 µs; 151 000 without timeout) | ≈ 61 000 | ≈ 23 600 |
 * | installation | built in | native addon: no prebuilt binary reachable here, its install script is blocked by npm's `allowScripts` policy, builds by hand with node-gyp in ≈ 60 s; needs `--no-node-snapshot` on Node ≥ 20 | pure WebAssembly (≈ 0.7 MB), no install script |
 *
 * `node:vm` is ruled out by the `import()` escape and by the shared heap; `isolated-vm` by
 * its native build. QuickJS gives a realm that holds nothing of the host (its heap is the
 * instance's linear memory, its global object has only ECMAScript built-ins, no module
 * loader is installed), with a memory limit, a stack limit and an interrupt handler. It is
 * an interpreter: compute-bound scripts run several times slower than under V8's JIT.
 * As implemented here (bench/javascript.mjs), `annotate(value)` runs at ≈ 40 000–48 000
 * evaluations/s on the realm directly and ≈ 80 % of that through `process`; a realm costs
 * ≈ 5–50 ms to create (the WebAssembly code is compiled once per process).
 *
 * ## Limits (best effort)
 *
 * - Time: every evaluation (the model's `code`, each `process` script with its conversion
 *   and the promise jobs it queued) has {@link RealmOptions.timeLimitMs}, 10 s by default;
 *   past it the evaluation gives none and the realm stays usable.
 * - `loop_iteration_limit`: QuickJS polls its interrupt handler about once per 5 000 loop
 *   iterations or calls; an evaluation stops (none) once the polls exceed
 *   `loop_iteration_limit / 5000`. The count is per evaluation, not per loop as in Boa.
 * - `recursion_limit`: sets the QuickJS stack limit to 640 bytes per allowed call, within
 *   64–256 KiB (a plain recursive function then reaches about 1 300 calls at the default
 *   400, against exactly 400 in the reference). `stack_size_limit` (Boa's value stack) has
 *   no QuickJS equivalent and is ignored.
 * - Memory: {@link RealmOptions.memoryLimitBytes}, 512 MiB by default, is the size the
 *   instance's WebAssembly memory may grow to (see quickjs.ts). An allocation past it fails
 *   inside the realm (none); if the realm is then left with less than 1 MiB to work with
 *   (the script keeps what it allocated), it counts as {@link Realm.broken} and is
 *   replaced.
 *
 * A few native QuickJS paths recurse without checking its stack limit (`JSON.stringify` or
 * `String()` of an array nested 100 000 deep, `JSON.parse` of such text): they exhaust the
 * host's stack instead, which surfaces here as a host `RangeError`. The evaluation then
 * gives none and the realm is marked {@link Realm.broken}: the model replaces it with a
 * fresh one (its code is evaluated again, other global state is lost) and logs a warning.
 *
 * ## Other differences from the reference (Boa 0.20)
 *
 * - Promise jobs queued by a script run right after its result was converted, within its
 *   time limit (the reference never runs them; left queued they would accumulate).
 * - Strings with lone surrogates in a result make it not convertible (none).
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import { PRELUDE } from './prelude.js';
import { newQuickJS, type WasmMemory } from './quickjs.js';

/** Settings of a realm; the model derives them from its parameters. */
export interface RealmOptions {
  /** Scripts run in strict mode (model parameter `strict`). */
  readonly strict: boolean;
  /** Model parameter `recursion_limit` (see the module doc). */
  readonly recursionLimit: number;
  /** Model parameter `loop_iteration_limit` (see the module doc). */
  readonly loopIterationLimit: number;
  /** Wall-clock limit of one evaluation, in milliseconds. */
  readonly timeLimitMs?: number;
  /** Memory limit of the realm, in bytes (at least 32 MiB). */
  readonly memoryLimitBytes?: number;
}

/** Default time limit of one evaluation. */
export const DEFAULT_TIME_LIMIT_MS = 10_000;
/** Default memory limit of one realm. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
/** Loop iterations or calls between two interrupt polls of QuickJS (measured: 10^7 iterations, 2 001 polls). */
export const TICKS_PER_POLL = 5000;
const STACK_BYTES_PER_CALL = 640;
const MIN_STACK_BYTES = 64 * 1024;
// Above about 300 KiB, a QuickJS stack overflow exhausts Node's own stack first.
const MAX_STACK_BYTES = 256 * 1024;

/** The QuickJS stack limit for a `recursion_limit`. */
export function stackBytesFor(recursionLimit: number): number {
  return Math.min(MAX_STACK_BYTES, Math.max(MIN_STACK_BYTES, recursionLimit * STACK_BYTES_PER_CALL));
}

/**
 * One sandboxed realm. Every method is synchronous, so evaluations are serialised by
 * construction; the only values crossing the boundary are strings.
 */
export class Realm {
  private deadline = Number.POSITIVE_INFINITY;
  private polls = 0;
  private isBroken = false;
  private disposed = false;

  private constructor(
    private readonly memory: WasmMemory,
    private readonly maxBytes: number,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly inject: QuickJSHandle,
    private readonly convert: QuickJSHandle,
    private readonly options: RealmOptions,
    private readonly timeLimitMs: number,
    private readonly pollBudget: number,
    cancel: Int32Array | undefined,
  ) {
    runtime.setInterruptHandler(
      cancel === undefined
        ? () => ++this.polls > this.pollBudget || Date.now() > this.deadline
        : () => ++this.polls > this.pollBudget || Date.now() > this.deadline || Atomics.load(cancel, 0) !== 0,
    );
  }

  /**
   * A fresh realm with the given limits (no user code run yet). `cancel`, a shared flag:
   * once another thread sets its first element, evaluations stop at the next interrupt
   * poll (remote-realm.ts).
   */
  static async create(options: RealmOptions, cancel?: Int32Array): Promise<Realm> {
    const { quickjs, memory, maxBytes } = await newQuickJS(options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES);
    const runtime = quickjs.newRuntime();
    runtime.setMaxStackSize(stackBytesFor(options.recursionLimit));
    runtime.removeModuleLoader();
    const context = runtime.newContext();
    const pair = context.unwrapResult(context.evalCode(PRELUDE, 'tutti:prelude', { type: 'global', strict: true }));
    const inject = context.getProp(pair, 0);
    const convert = context.getProp(pair, 1);
    pair.dispose();
    const pollBudget = Math.floor(options.loopIterationLimit / TICKS_PER_POLL);
    return new Realm(
      memory,
      maxBytes,
      runtime,
      context,
      inject,
      convert,
      options,
      options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
      pollBudget,
      cancel,
    );
  }

  /**
   * True once the realm hit a host-level failure (see the module doc) or was disposed: it
   * must not be used any more.
   */
  get broken(): boolean {
    return this.isBroken || this.disposed;
  }

  /** Runs a script for its effects (the model's `code`); errors are ignored. */
  run(code: string): void {
    this.guard(() => {
      this.start();
      this.context.evalCode(code, 'code.js', { type: 'global', strict: this.options.strict }).dispose();
      this.runJobs();
      return undefined;
    });
  }

  /**
   * Defines the global `value` from `valueText` (JSON), evaluates `code` and returns the
   * JSON text of its completion value, or undefined for none.
   */
  evaluate(valueText: string, code: string): string | undefined {
    return this.guard(() => {
      const { context } = this;
      this.start();
      const text = context.newString(valueText);
      const injected = context.callFunction(this.inject, context.undefined, text);
      text.dispose();
      const ok = injected.error === undefined;
      injected.dispose();
      if (!ok) return undefined;
      const result = context.evalCode(code, 'process.js', { type: 'global', strict: this.options.strict });
      let out: string | undefined;
      if (result.error === undefined) {
        const converted = context.callFunction(this.convert, context.undefined, result.value);
        if (converted.error === undefined && context.typeof(converted.value) === 'string') out = context.getString(converted.value);
        converted.dispose();
      }
      result.dispose();
      this.runJobs();
      if (out === undefined) this.checkMemory();
      return out;
    });
  }

  /** Frees the realm (a broken one is only dropped: its memory may be inconsistent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.isBroken) return;
    try {
      this.inject.dispose();
      this.convert.dispose();
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      // Dropped with its WebAssembly instance either way.
    }
  }

  private start(): void {
    this.polls = 0;
    this.deadline = Date.now() + this.timeLimitMs;
  }

  // A script that filled the memory with data it still references leaves a realm where
  // little or nothing can run any more (not even `hog = null`): when the memory has grown
  // near its bound (its last growth steps may stop short of it) and 1 MiB cannot be had,
  // give the realm up.
  private checkMemory(): void {
    if (this.memory.buffer.byteLength * 4 < this.maxBytes * 3) return;
    const probe = this.context.evalCode('new ArrayBuffer(1048576).byteLength');
    if (probe.error !== undefined) this.isBroken = true;
    probe.dispose();
  }

  private runJobs(): void {
    if (!this.runtime.hasPendingJob()) return;
    this.runtime.executePendingJobs(-1).dispose();
  }

  // Host exceptions out of QuickJS (an exhausted host stack, a WebAssembly trap) leave its
  // memory in an unknown state: the realm is given up.
  private guard<T>(body: () => T | undefined): T | undefined {
    if (this.broken) return undefined;
    try {
      return body();
    } catch {
      this.isBroken = true;
      return undefined;
    } finally {
      this.deadline = Number.POSITIVE_INFINITY;
    }
  }
}
