/**
 * The executive interfaces: what a native element sees when it runs
 * (docs/native-packages.md). The engine implements them; libraries only import these types, so a
 * library never depends on the engine.
 *
 * Values travel in batches: `recvMany`/`sendMany` move arrays, and a hot treatment
 * should use them (one promise per batch, not per value). `recvOne`/`sendOne` are the
 * convenient form for treatments that handle few values.
 */
import type { DataType } from '../types.js';
import type { End, GenericArgs, NotYet, Value } from './values.js';

/**
 * A batch of values: a read-only array, or for `byte` flows preferably a `Uint8Array`
 * (a Node `Buffer` is one), so that files and process output move as bytes, not as
 * arrays of numbers. Consumers must accept both forms: read with `length`, `[i]` or
 * `for…of`, never `.map` (a `Uint8Array`'s `map` coerces results to numbers).
 */
export type Batch<T = Value> = readonly T[] | Uint8Array;

/** Log levels, most severe first (as `std/engine/log::Level`). */
export type LogLevel = 'error' | 'warning' | 'info' | 'debug' | 'trace';

/** An input port of a running treatment. */
export interface InputPort<T = Value> {
  readonly name: string;
  /** The next value, or {@link End} once the input is closed and drained. */
  recvOne(): Promise<T | End>;
  /**
   * Every value available now as one non-empty batch (waiting for at least one), or
   * {@link End}. The array is shared with other receivers of the same output: never
   * mutate it.
   */
  recvMany(): Promise<Batch<T> | End>;
  /** Stops receiving: the producer's sends towards this input are dropped. */
  close(): void;
  /**
   * True when a receive now would not wait: a value is there, or the input is closed.
   * Optional: a port without it does not tell (treat as false).
   */
  readonly ready?: boolean;
  /**
   * The next value at once when one is there (or {@link End} once closed and drained), else
   * {@link NotYet}, without a promise: a treatment whose input is already there (a Block
   * sent before it started) can finish without waiting a turn. Optional: use `recvOne`
   * when a port lacks it or gives {@link NotYet}.
   */
  tryRecvOne?(): T | End | NotYet;
  /**
   * Every value there now as one batch (as {@link recvMany} gives it), {@link End} once
   * closed and drained, else {@link NotYet}, without a promise. Optional, as `tryRecvOne`.
   */
  tryRecvMany?(): Batch<T> | End | NotYet;
  /**
   * Promises that no batch received here is used after the `keep`-th next receive on this
   * input (default 1: the next; or after closing it, or the end of the run): producers may
   * then lend memory they reuse (see {@link OutputPort.lend}). A consumer working on several
   * batches at once (writes in flight) keeps that many. Optional: a port without it never
   * lets memory be reused.
   */
  releasesBatches?(keep?: number): void;
  /** Iterates the batches until the end. */
  [Symbol.asyncIterator](): AsyncIterator<Batch<T>>;
}

/** An output port of a running treatment. */
export interface OutputPort<T = Value> {
  readonly name: string;
  /**
   * Sends one value; waits while every open receiver is full (backpressure). Resolves to
   * false when no receiver takes it (none connected, all closed, or a Block output that
   * already sent its value).
   */
  sendOne(value: T): Promise<boolean>;
  /**
   * Sends a batch (an empty batch is a no-op that succeeds while the output is usable).
   * The array is handed over: do not mutate it afterwards.
   */
  sendMany(values: Batch<T>): Promise<boolean>;
  /**
   * Sends a batch as {@link sendMany}, and calls `release` once no receiver uses it any
   * more, after which the caller may overwrite it (a pool of read buffers). `release` is
   * only called when every open receiver promised to release (`InputPort.releasesBatches`);
   * otherwise the batch is handed over for good. Optional: use `sendMany` without it.
   */
  lend?(values: Batch<T>, release: () => void): Promise<boolean>;
  /**
   * Sends a batch as {@link sendMany}; when the send did not have to wait (every open
   * receiver had room), gives its result at once as a boolean, else the promise. A treatment
   * whose values are all there can run to its end without a promise. Optional: use
   * `sendMany` without it.
   */
  trySendMany?(values: Batch<T>): boolean | Promise<boolean>;
  /** Closes the output: buffered values are still delivered, then receivers see the end. */
  close(): void;
  /** Whether a send could still be delivered (open, with at least one open receiver). */
  readonly usable: boolean;
}

/**
 * The state of a pipeline step (a CI/CD step, a GitHub Actions job or step, a GitLab job),
 * for live views, summaries and run history. `waiting`: known, its trigger or inputs not
 * there yet; `preparing`: its runner, containers or volumes are being made ready.
 */
export type StepState = 'waiting' | 'preparing' | 'running' | 'passed' | 'failed' | 'cancelled' | 'skipped';

/** A step's change of state, told to the host by the element that runs the step. */
export interface StepReport {
  /** The step's name, as the program gives it (the label its logs carry). */
  readonly name: string;
  readonly state: StepState;
  /** The runner (worker, container) it runs on, when not the host itself. */
  readonly runner?: string;
  /** A short detail for the view: an exit code, a failure reason. */
  readonly detail?: string;
}

/** A log record of the run as the engine hands it to its host and to log subscribers. */
export interface RunLogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly label: string;
  readonly message: string;
  readonly track?: number;
}

/** Engine services shared by treatments and models. */
export interface EngineServices {
  /** Hands a log record to the engine (printed as `[time] level: label: message`). */
  log(level: LogLevel, label: string, message: string, track?: number): void;
  /**
   * Tells the host a step changed state (CI/CD elements). Optional: hosts without a live
   * view or history ignore it, and contexts built by hand in tests may leave it out.
   */
  reportStep?(report: StepReport): void;
  /** Aborted when the engine stops (end of run, SIGINT/SIGTERM, fatal error). */
  readonly signal: AbortSignal;
}

/** What a native treatment receives for one track. */
export interface TreatmentContext<I extends string = string, O extends string = string, P extends string = string> extends EngineServices {
  readonly inputs: { readonly [K in I]: InputPort };
  readonly outputs: { readonly [K in O]: OutputPort };
  readonly params: { readonly [K in P]: Value };
  /** Generic arguments, fully substituted (`ctx.generics.T`). */
  readonly generics: GenericArgs;
  /** Model instances by slot name: the objects their descriptors' `create` returned. */
  readonly models: Readonly<Record<string, unknown>>;
  /** Context values of the track by context identifier (`testkit::@Turn` → fields). */
  readonly contexts: ReadonlyMap<string, Readonly<Record<string, Value>>>;
  /** The track id. */
  readonly track: number;
  /** The instance's place in the graph: `main/parser/emit`. */
  readonly path: string;
}

/** The body of a native treatment: one asynchronous task per track. */
export type TreatmentRun<I extends string = string, O extends string = string, P extends string = string> = (
  ctx: TreatmentContext<I, O, P>,
) => Promise<unknown> | undefined;

/** Options of {@link ModelContext.createTrack}. */
export interface TrackRequest {
  /** Only source instances registered with these (const) parameter values take part. */
  readonly params?: Readonly<Record<string, Value>>;
  /** Context values by context identifier (one per context the source declares). */
  readonly contexts?: ReadonlyMap<string, Readonly<Record<string, Value>>>;
  /** Parent track id, for reporting. */
  readonly parent?: number;
  /**
   * The model-side task feeding the source outputs of the new track. The outputs are
   * closed when it returns, or once its promise settles. Without it, the outputs close at
   * once (empty).
   */
  readonly feed?: (outputs: Readonly<Record<string, OutputPort>>, track: number) => Promise<void> | undefined;
}

/** How a track ended. */
export interface TrackOutcome {
  readonly id: number;
  /** False when a treatment of the track failed or its construction failed. */
  readonly ok: boolean;
  /** False when no registered source instance matched (no track was created). */
  readonly created: boolean;
}

/**
 * Where the running program came from, for models that ship it to another engine
 * (`distrib`): the host that checked the program gives it to the run.
 */
export interface ProgramSource {
  /** `script`: one `.mel` file; `project`: a folder holding `Compo.toml`. */
  readonly kind: 'script' | 'project';
  /** Absolute path of the script file or of the project folder. */
  readonly path: string;
  /** The root package's name and version. */
  readonly name: string;
  readonly version: string;
  /** The `--path` locations the program was loaded with (absolute): their `.mel` packages are shipped with it. */
  readonly paths?: readonly string[];
}

/** What a native model receives at creation. */
export interface ModelContext extends EngineServices {
  /** The running program's sources, when the host gave them (`tutti run` does). */
  readonly program?: ProgramSource;
  /** Its const parameters, defaults applied. */
  readonly params: Readonly<Record<string, Value>>;
  /** The instance's place: `main/startup/engine`. */
  readonly path: string;
  /** Parameter sets of the source instances registered on this model for `source`. */
  registrations(source: string): readonly Readonly<Record<string, Value>>[];
  /** Creates a track for `source`; resolves when the track has ended. */
  createTrack(source: string, request?: TrackRequest): Promise<TrackOutcome>;
  /**
   * Calls `listener` with every log record of the run from now on, right after the host
   * got it; returns the function that unsubscribes. For models that expose the run's logs
   * as a stream (the 0.9 `log/logger::Logger`, docs/legacy.md). Optional: hosts
   * and hand-made contexts may leave it out.
   */
  subscribeLogs?(listener: (record: RunLogRecord) => void): () => void;
}

/** A live model: lifecycle hooks (created, initialised, then its background activity). */
export interface ModelInstance {
  /** Called once after every model was created. */
  initialize?(): void | Promise<void>;
  /** The background activity; the run cannot end before it resolves. */
  continuous?(): Promise<void>;
  /** Called once at the end of the run. */
  shutdown?(): void | Promise<void>;
}

/** Creates a model instance. */
export type ModelCreate = (ctx: ModelContext) => ModelInstance;

/**
 * A native function's body: positional arguments (already of the declared types) and
 * generic arguments. Functions are pure; a thrown error fails the launch (genesis) or the
 * track construction.
 */
export type FunctionImpl = (args: readonly Value[], generics: GenericArgs) => Value;

/** The type of a port or parameter after generic substitution, for treatments that need it. */
export type ResolvedType = DataType;
