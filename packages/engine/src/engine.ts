/**
 * The engine: runs a design. Models are created, initialised and their
 * background activities started; models create tracks for their sources; each track
 * builds fresh channels and one task per reached leaf; the run ends when no background
 * activity and no track is left.
 *
 * Track construction is planned once per (model, source, parameter set): the reached
 * leaves, the connections among them and which parameters are constant. Creating a
 * track then only allocates channels, ports and contexts and evaluates `var` values, so
 * sources that open many small tracks stay cheap.
 */
import {
  type Batch,
  elementIdentifier,
  type InputPort,
  type LogLevel,
  type ModelContext,
  type ModelInstance,
  type OutputPort,
  type ProgramSource,
  type RunLogRecord,
  type StepReport,
  type TrackOutcome,
  type TrackRequest,
  type TreatmentContext,
  type Value,
  valueEquals,
} from '@tutti/core';
import { type Design, evaluate, type LeafDesign, type TrackContexts, type ValueExpr } from '@tutti/design';
import { Channel, closedChannel, DEFAULT_CAPACITY, Input, Output, settledSend, type WaitWatcher } from './channel.js';

/** One log record handed to the host (the CLI prints it). */
export type LogRecord = RunLogRecord;

/** Options of {@link Engine}. */
export interface EngineOptions {
  readonly log: (r: LogRecord) => void;
  /** Values a connection holds before its producer waits. */
  readonly capacity?: number;
  /** Execution events for `--debug`. */
  readonly event?: (e: EngineEvent) => void;
  /** The program's sources, handed to models (`ModelContext.program`). */
  readonly program?: ProgramSource;
  /** Steps changing state (`EngineServices.reportStep`), for live views and run history. */
  readonly step?: (r: StepRecord) => void;
}

/** A step report as the host receives it: stamped with the time the engine took it. */
export interface StepRecord extends StepReport {
  readonly time: Date;
}

/**
 * An execution event (`--debug`). Values are previews
 * ({@link previewValue}): a long value or batch is shortened, never held back.
 */
export type EngineEvent =
  | { readonly kind: 'track-created'; readonly track: number; readonly source: string; readonly parent?: number }
  | { readonly kind: 'track-ended'; readonly track: number; readonly ok: boolean }
  | {
      readonly kind: 'treatment-started';
      readonly track: number;
      /** Place in the graph: the instance path from the entrypoint. */
      readonly path: string;
      /** The treatment's identifier, `package/area::name`. */
      readonly treatment: string;
      readonly origin?: string;
      readonly params: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'treatment-ended'; readonly track: number; readonly path: string; readonly ok: boolean; readonly sent: number }
  | {
      readonly kind: 'values';
      readonly track: number;
      /** The output, `path.port` (the track's source for values a model feeds). */
      readonly from: string;
      /** The inputs it is connected to, `path.port`. */
      readonly to: readonly string[];
      /** Values in this send. */
      readonly count: number;
      /** The first values of the send, previewed. */
      readonly values: readonly unknown[];
    }
  | { readonly kind: 'deadlock'; readonly track: number; readonly waiting: readonly string[] }
  | {
      readonly kind: 'step';
      readonly name: string;
      readonly state: StepReport['state'];
      readonly runner?: string;
      readonly detail?: string;
    };

/** How a run ended. */
export interface RunOutcome {
  /** False when a track or a model failed (exit status 1). */
  readonly ok: boolean;
  readonly tracks: number;
}

interface PlanLeaf {
  readonly leaf: LeafDesign;
  /** Input name → connection index, or -1 when nothing reached feeds it. */
  readonly inputs: readonly (readonly [string, number])[];
  /** Output name → connection indices. */
  readonly outputs: readonly OutputSpec[];
  /** Parameters when all are constant (shared by every track), else undefined. */
  readonly constParams: Readonly<Record<string, Value>> | undefined;
  /** Every parameter (name, expression), evaluated per track when some are not constant. */
  readonly paramExprs: readonly (readonly [string, ValueExpr])[];
  readonly models: Readonly<Record<string, unknown>>;
  /** `package/area::name` of the treatment (reports). */
  readonly identifier: string;
  /** The `inputs` record of a track's task from its ports, in the order of `inputs`. */
  readonly inputRecord: RecordMaker;
  /** The `outputs` record of a track's task from its ports, in the order of `outputs`. */
  readonly outputRecord: RecordMaker;
}

interface TrackPlan {
  readonly leaves: readonly PlanLeaf[];
  /**
   * Indexes in `leaves` in the order a track's tasks start: the order of `leaves`, with
   * producers moved before their consumers (a cycle keeps that order); see `startOrder`.
   */
  readonly startOrder: Int32Array;
  readonly connections: number;
  /** Channel slot → destination `path.input` (debug events; empty without an event listener). */
  readonly targets: readonly string[];
  /** Source output name → connection indices, for the model's feed. */
  readonly sourceOutputs: readonly OutputSpec[];
  readonly matched: number;
  /** `modelPath:source`, the feed task's name in reports. */
  readonly feeder: string;
  /** The feed's `outputs` record from its ports, in the order of `sourceOutputs`. */
  readonly feedRecord: RecordMaker;
}

/** Builds a record of named ports from the ports in a fixed order. */
type RecordMaker = <P>(ports: readonly P[]) => Record<string, P>;

/** Record makers by their names (tracks of every plan share them). */
const recordMakers = new Map<string, RecordMaker>();

/**
 * A maker of records with the keys `names`, in that order. Every track builds a record of
 * ports per task: filled key by key, each was a keyed store with a new name (the profile of
 * an HTTP server showed them as a tenth of its time per request); one object literal per
 * set of names makes them one allocation of a fixed shape, which the treatments' own
 * property reads then find monomorphic. Names are element names (identifiers), written as
 * JSON string keys; a name that a literal would not take as an own key falls back to stores.
 */
function recordMaker(names: readonly string[]): RecordMaker {
  const key = names.join('\n');
  let maker = recordMakers.get(key);
  if (maker !== undefined) return maker;
  if (names.includes('__proto__')) {
    maker = <P>(ports: readonly P[]) => {
      const r: Record<string, P> = {};
      for (let i = 0; i < names.length; i++)
        Object.defineProperty(r, names[i] as string, { value: ports[i], enumerable: true, writable: true });
      return r;
    };
  } else {
    maker = new Function('p', `return {${names.map((n, i) => `${JSON.stringify(n)}: p[${i}]`).join(', ')}};`) as RecordMaker;
  }
  recordMakers.set(key, maker);
  return maker;
}

/** What the tasks of every track call back into their engine (one object per engine). */
interface TrackHooks {
  /** Every unfinished task of `track` waits on a channel. */
  allBlocked(track: LiveTrack): void;
  /** `task` of `track` ended. */
  taskEnded(track: LiveTrack, task: Task): void;
  /** The treatment of `task` threw or rejected. */
  taskFailed(track: LiveTrack, task: LeafTask, e: unknown): void;
}

/**
 * A running track. Its channels belong to it alone, so when every unfinished task of the
 * track (its feed included) waits on a channel, nothing can ever wake them: a deadlock,
 * found here per track without looking at the rest of the run.
 */
class LiveTrack {
  readonly tasks: Task[] = [];
  /** Tasks not done. */
  running = 0;
  /** Tasks not done that wait on a channel. */
  blocked = 0;
  /** Channel waits that ended: a confirmation sees whether anything moved meanwhile. */
  progress = 0;
  checking = false;
  abandoned = false;
  /** Tasks not ended (the feed included). */
  pending = 0;
  ok = true;
  resolve: ((o: TrackOutcome) => void) | undefined = undefined;

  constructor(
    readonly id: number,
    readonly source: string,
    readonly hooks: TrackHooks,
  ) {}
}

/**
 * One task of a track (a reached leaf, or the model's feed of the source outputs). It is
 * also the watcher of its ports: one object per task, no closures, keeps track creation
 * cheap for sources that open a track per event (an HTTP request).
 */
class Task implements WaitWatcher {
  done = false;
  /** Channel waits under way (a task may wait on several ports at once). */
  waits = 0;

  constructor(
    readonly track: LiveTrack,
    readonly path: string,
    readonly inputs: readonly Input[],
    readonly outputs: readonly Output[],
  ) {}

  blocked(): void {
    if (this.done || this.waits++ > 0) return;
    const t = this.track;
    if (++t.blocked === t.running) t.hooks.allBlocked(t);
  }

  unblocked(): void {
    const t = this.track;
    t.progress++;
    if (this.done || --this.waits > 0) return;
    t.blocked--;
  }

  /** Closes the task's ports; returns the values the task sent. */
  closePorts(): number {
    for (const i of this.inputs) i.close();
    let sent = 0;
    for (const o of this.outputs) {
      o.close();
      sent += o.sent;
    }
    return sent;
  }
}

/** The task of a reached leaf: runs its treatment with its context. */
class LeafTask extends Task {
  constructor(
    track: LiveTrack,
    inputs: readonly Input[],
    outputs: readonly Output[],
    readonly plan: PlanLeaf,
    readonly ctx: TreatmentContext,
    readonly emit: ((e: EngineEvent) => void) | undefined,
  ) {
    super(track, plan.leaf.path, inputs, outputs);
  }

  /**
   * Runs the treatment, then ends the task: at once when the treatment is over as it
   * returns (nothing, or a send that did not wait: `emit` of a value already there), else
   * with a `then` (an async function and its await were two promises per task).
   */
  execute(): void {
    let running: Promise<unknown> | undefined;
    try {
      running = (this.plan.leaf.descriptor.run as NonNullable<LeafDesign['descriptor']['run']>)(this.ctx);
    } catch (e) {
      running = Promise.reject(e);
    }
    if (running === undefined || settledSend(running)) {
      this.end(true);
      return;
    }
    Promise.resolve(running).then(
      () => this.end(true),
      (e: unknown) => {
        this.track.hooks.taskFailed(this.track, this, e);
        this.end(false);
      },
    );
  }

  private end(good: boolean): void {
    const sent = this.closePorts();
    this.emit?.({ kind: 'treatment-ended', track: this.track.id, path: this.path, ok: good, sent });
    this.track.hooks.taskEnded(this.track, this);
  }
}

/** Runs one design once. */
export class Engine {
  private readonly abort = new AbortController();
  private readonly instances: (ModelInstance & object)[] = [];
  private readonly plans = new Map<string, TrackPlan>();
  /** Plans of tracks created without parameters, by model index then source. */
  private readonly unfiltered: Map<string, TrackPlan>[] = [];
  /** Registered source leaves by `model|source`. */
  private readonly registered = new Map<string, { leaf: LeafDesign; params: Record<string, Value> }[]>();
  private readonly byFrom = new Map<number, number[]>();
  private readonly live = new Map<number, LiveTrack>();
  private nextTrack = 1;
  private liveTracks = 0;
  private pendingActivities = 0;
  private started = false;
  private ended = false;
  private failed = false;
  private finish: (() => void) | undefined;
  private readonly capacity: number;

  constructor(
    readonly design: Design,
    private readonly options: EngineOptions,
  ) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    design.connections.forEach((c, i) => {
      const list = this.byFrom.get(c.from);
      if (list === undefined) this.byFrom.set(c.from, [i]);
      else list.push(i);
    });
    for (const s of design.sources) {
      const leaf = design.leaves[s.leaf] as LeafDesign;
      const key = `${s.model}|${s.source}`;
      const params: Record<string, Value> = {};
      for (const [k, e] of Object.entries(leaf.params)) params[k] = evaluate(e, undefined);
      // Frozen: a model may hand these very objects back as a track's `params`, and a frozen
      // object finds its plan by identity (see `plan`).
      Object.freeze(params);
      const list = this.registered.get(key);
      if (list === undefined) this.registered.set(key, [{ leaf, params }]);
      else list.push({ leaf, params });
    }
  }

  /** Aborted when the run ends or is stopped. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Runs to the end: models created and initialised, background activities, tracks. */
  async run(): Promise<RunOutcome> {
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    for (const m of this.design.models) {
      const create = m.descriptor.create;
      if (create === undefined) throw new Error(`model '${elementIdentifier(m.descriptor)}' has no behaviour`);
      this.instances.push(create(this.modelContext(m.index, m.path, m.params)));
    }
    for (const inst of this.instances) await inst.initialize?.();
    this.started = true;
    this.design.models.forEach((m, i) => {
      const inst = this.instances[i] as ModelInstance;
      if (inst.continuous === undefined) return;
      this.pendingActivities++;
      inst.continuous().then(
        () => this.activityEnded(),
        (e: unknown) => {
          this.report('error', m.path, `model failed: ${messageOf(e)}`, undefined, m.origin);
          this.failed = true;
          this.activityEnded();
        },
      );
    });
    this.checkEnd();
    await done;
    // Stopped from outside: the tasks see their closed ports and the abort in the next
    // microtasks, and their last words (a step reporter telling `cancelled`) must reach the
    // host before it sums the run up; one turn of the event loop lets every such chain end.
    if (this.stoppedFromOutside) await new Promise<void>((resolve) => setImmediate(resolve));
    this.abort.abort();
    for (const inst of this.instances) {
      try {
        await inst.shutdown?.();
      } catch (e) {
        this.report('error', 'engine', `model shutdown failed: ${messageOf(e)}`);
        this.failed = true;
      }
    }
    return { ok: !this.failed, tracks: this.nextTrack - 1 };
  }

  /** Whether {@link stop} ended the run. */
  private stoppedFromOutside = false;

  /** Stops the run now (SIGINT, SIGTERM, deadlock): live tracks are abandoned. */
  stop(reason: string, failed: boolean): void {
    this.stoppedFromOutside = true;
    if (failed) this.failed = true;
    if (!this.ended) this.report(failed ? 'error' : 'warning', 'engine', reason);
    this.ended = true;
    this.abort.abort();
    // Close every port of every live track: sends answer false and receives end, so tasks
    // that honour their ports (a cycle that feeds itself included) stop too.
    for (const t of this.live.values()) closePorts(t);
    this.finish?.();
  }

  /** Whether the run is still going (live tracks or background activities). */
  get running(): boolean {
    return !this.ended;
  }

  /** What every unfinished task waits for (reports of a run that cannot progress). */
  blocked(): string[] {
    const lines: string[] = [];
    for (const t of this.live.values()) lines.push(...waitingLines(t));
    return lines;
  }

  /**
   * Every task of `track` waits on a channel: confirm once the current turn of the event
   * loop is over (a wake-up may be queued) and a moment later (a task may hold a stale
   * wait from a race while it awaits something else), then abandon the track with a
   * deadlock report. Its ports close, so its tasks end; the run goes on and fails.
   */
  private confirmDeadlock(track: LiveTrack): void {
    if (track.checking || track.abandoned) return;
    track.checking = true;
    const seen = track.progress;
    const allBlocked = () => !track.abandoned && !this.ended && track.running > 0 && track.blocked === track.running;
    const still = () => allBlocked() && track.progress === seen;
    // Something moved: look again if the track is still fully blocked, else wait for the next transition.
    const again = () => {
      track.checking = false;
      if (allBlocked()) this.confirmDeadlock(track);
    };
    setImmediate(() => {
      if (!still()) return again();
      setTimeout(() => {
        if (!still()) return again();
        track.checking = false;
        track.abandoned = true;
        this.failed = true;
        const waiting = waitingLines(track);
        this.options.event?.({ kind: 'deadlock', track: track.id, waiting });
        this.report('error', 'engine', `deadlock: every live treatment waits on another; nothing can progress:\n  ${waiting.join('\n  ')}`);
        closePorts(track);
      }, DEADLOCK_GRACE_MS);
    });
  }

  private activityEnded(): void {
    this.pendingActivities--;
    this.checkEnd();
  }

  private checkEnd(): void {
    if (this.started && !this.ended && this.pendingActivities === 0 && this.liveTracks === 0) {
      this.ended = true;
      this.finish?.();
    }
  }

  private report(level: LogLevel, label: string, message: string, track?: number, origin?: string): void {
    const where = [track === undefined ? '' : `track ${track}`, origin === undefined ? '' : `instantiated at ${origin}`]
      .filter((x) => x !== '')
      .join(', ');
    this.emitLog({
      time: new Date(),
      level,
      label,
      message: where === '' ? message : `${message} (${where})`,
      ...(track === undefined ? {} : { track }),
    });
  }

  private modelContext(index: number, path: string, params: Readonly<Record<string, Value>>): ModelContext {
    return {
      params,
      path,
      ...(this.options.program === undefined ? {} : { program: this.options.program }),
      signal: this.abort.signal,
      log: (level, label, message, track) => this.log(level, label, message, track),
      reportStep: this.reportStep,
      registrations: (source) => (this.registered.get(`${index}|${source}`) ?? []).map((r) => r.params),
      createTrack: (source, request) => this.createTrack(index, source, request ?? {}),
      subscribeLogs: (listener) => {
        this.logListeners.push(listener);
        return () => {
          const i = this.logListeners.indexOf(listener);
          if (i >= 0) this.logListeners.splice(i, 1);
        };
      },
    };
  }

  /** Subscribers of {@link ModelContext.subscribeLogs}; empty in almost every run. */
  private readonly logListeners: ((r: LogRecord) => void)[] = [];

  private emitLog(r: LogRecord): void {
    this.options.log(r);
    for (let i = 0; i < this.logListeners.length; i++) this.logListeners[i]?.(r);
  }

  private readonly reportStep = (r: StepReport): void => {
    this.options.step?.({ ...r, time: new Date() });
    this.options.event?.({ kind: 'step', ...r });
  };

  private log(level: LogLevel, label: string, message: string, track?: number): void {
    this.emitLog({ time: new Date(), level, label, message, ...(track === undefined ? {} : { track }) });
  }

  /**
   * The plan of a track of `source` with `params`, found without filtering the registrations
   * in the usual cases: no parameters (every registered source takes part), or a frozen
   * parameter object already seen (a model handing back a registration's own parameters,
   * as an HTTP server does with the route a request matched).
   */
  private plan(model: number, source: string, params: Readonly<Record<string, Value>> | undefined): TrackPlan {
    if (params === undefined) {
      const unfiltered = this.unfiltered[model]?.get(source);
      if (unfiltered !== undefined) return unfiltered;
    } else {
      const known = this.byParams.get(params);
      if (known !== undefined && known.model === model && known.source === source) return known.plan;
    }
    const plan = this.buildPlan(model, source, params);
    if (params !== undefined && Object.isFrozen(params)) this.byParams.set(params, { model, source, plan });
    return plan;
  }

  /** Plans by frozen parameter object (see {@link plan}). */
  private readonly byParams = new WeakMap<object, { model: number; source: string; plan: TrackPlan }>();

  private buildPlan(model: number, source: string, params: Readonly<Record<string, Value>> | undefined): TrackPlan {
    const regs = this.registered.get(`${model}|${source}`) ?? [];
    const matching = regs.filter((r) => params === undefined || Object.entries(params).every(([k, v]) => valueEquals(r.params[k], v)));
    const key = `${model}|${source}|${matching.map((r) => r.leaf.index).join(',')}`;
    let plan = this.plans.get(key);
    if (plan !== undefined) return plan;
    const conns = this.design.connections;
    const allLeaves = this.design.leaves;
    // Reached leaves: forward from the source leaves. Each connection met gets the next channel
    // slot; each reached leaf's inputs are recorded by name as their slot is given. (Typed
    // arrays and per-leaf records, no string keys: a pipeline of 10 000 steps plans 120 000
    // leaves, and building `leaf.input` keys took most of its plan.)
    const mark = new Uint8Array(allLeaves.length); // 1 reached, 2 source
    const slotOf = new Int32Array(conns.length).fill(-1);
    const inputSlots: (Map<string, number> | undefined)[] = new Array(allLeaves.length);
    const order: number[] = []; // connection of each slot
    const reached: number[] = [];
    const work = matching.map((r) => r.leaf.index);
    for (const l of work) mark[l] = 2;
    while (work.length > 0) {
      const l = work.pop() as number;
      const from = this.byFrom.get(l);
      if (from === undefined) continue;
      for (const ci of from) {
        if (slotOf[ci] !== -1) continue;
        slotOf[ci] = order.length;
        order.push(ci);
        const c = conns[ci] as { to: number; input: string };
        (inputSlots[c.to] ??= new Map()).set(c.input, order.length - 1);
        if (mark[c.to] === 0) {
          mark[c.to] = 1;
          reached.push(c.to);
          work.push(c.to);
        }
      }
    }
    // Channel slot → destination `path.input`: for debug events only.
    const targets: string[] =
      this.options.event === undefined
        ? []
        : order.map((ci) => {
            const c = conns[ci] as { to: number; input: string };
            return `${(allLeaves[c.to] as LeafDesign).path}.${c.input}`;
          });
    const leaves: PlanLeaf[] = [];
    reached.sort((a, b) => a - b);
    /** Channel slot → index in `leaves` of the leaf sending on it (-1: the source). */
    const producerOf = new Int32Array(order.length).fill(-1);
    for (const li of reached) {
      const leaf = allLeaves[li] as LeafDesign;
      const slots = inputSlots[li];
      const inputs = leaf.descriptor.inputs.map((p) => [p.name, slots?.get(p.name) ?? -1] as const);
      const from = this.byFrom.get(li);
      const outputs = leaf.descriptor.outputs.map((p) => {
        const out: number[] = [];
        if (from !== undefined)
          for (const ci of from) if ((conns[ci] as { output: string }).output === p.name) out.push(slotOf[ci] as number);
        for (const slot of out) producerOf[slot] = leaves.length;
        return outputSpec(p.name, out, p.flow === 'Block');
      });
      const allConst = Object.values(leaf.params).every((e) => e.kind === 'const');
      const constParams = allConst
        ? Object.freeze(Object.fromEntries(Object.entries(leaf.params).map(([k, e]) => [k, evaluate(e, undefined)])))
        : undefined;
      const models: Record<string, unknown> = {};
      for (const [slot, mi] of Object.entries(leaf.models)) models[slot] = this.instances[mi];
      leaves.push({
        leaf,
        inputs,
        outputs,
        constParams,
        paramExprs: Object.entries(leaf.params),
        models,
        identifier: elementIdentifier(leaf.descriptor),
        inputRecord: recordMaker(inputs.map(([n]) => n)),
        outputRecord: recordMaker(outputs.map(([n]) => n)),
      });
    }
    const sourceOutputs = new Map<string, [number[], boolean]>();
    for (const r of matching) {
      for (const p of r.leaf.descriptor.outputs) {
        let entry = sourceOutputs.get(p.name);
        if (entry === undefined) {
          entry = [[], p.flow === 'Block'];
          sourceOutputs.set(p.name, entry);
        }
        for (const ci of this.byFrom.get(r.leaf.index) ?? [])
          if ((conns[ci] as { output: string }).output === p.name) entry[0].push(slotOf[ci] as number);
      }
    }
    plan = {
      leaves,
      startOrder: startOrder(leaves, producerOf),
      connections: order.length,
      targets,
      sourceOutputs: [...sourceOutputs].map(([n, [s, b]]) => outputSpec(n, s, b)),
      matched: matching.length,
      feeder: `${(this.design.models[model] as { path: string }).path}:${source}`,
      feedRecord: recordMaker([...sourceOutputs.keys()]),
    };
    this.plans.set(key, plan);
    if (params === undefined) (this.unfiltered[model] ??= new Map()).set(source, plan);
    return plan;
  }

  private createTrack(model: number, source: string, request: TrackRequest): Promise<TrackOutcome> {
    if (this.ended) return Promise.resolve({ id: 0, ok: false, created: false });
    const plan = this.plan(model, source, request.params);
    if (plan.matched === 0) return Promise.resolve({ id: 0, ok: true, created: false });
    const id = this.nextTrack++;
    this.liveTracks++;
    const emit = this.options.event;
    emit?.({ kind: 'track-created', track: id, source, ...(request.parent === undefined ? {} : { parent: request.parent }) });
    const contexts: TrackContexts = request.contexts ?? NO_CONTEXTS;
    const leaves = plan.leaves;

    // Parameters first: a failing var evaluation abandons the track before any task.
    const paramsOf: Readonly<Record<string, Value>>[] = new Array(leaves.length);
    for (let k = 0; k < leaves.length; k++) {
      const pl = leaves[k] as PlanLeaf;
      if (pl.constParams !== undefined) {
        paramsOf[k] = pl.constParams;
        continue;
      }
      try {
        const p: Record<string, Value> = {};
        for (const [name, e] of pl.paramExprs) p[name] = evaluate(e, contexts);
        paramsOf[k] = p;
      } catch (e) {
        this.report('error', pl.leaf.path, `track construction failed: ${messageOf(e)}`, id, pl.leaf.origin);
        this.failed = true;
        this.liveTracks--;
        emit?.({ kind: 'track-ended', track: id, ok: false });
        queueMicrotask(() => this.checkEnd());
        return Promise.resolve({ id, ok: false, created: true });
      }
    }

    const cap = this.capacity;
    const channels: Channel[] = new Array(plan.connections);
    for (let i = 0; i < plan.connections; i++) channels[i] = new Channel(cap);
    const track = new LiveTrack(id, source, this.hooks);
    const outcome = new Promise<TrackOutcome>((r) => {
      track.resolve = r;
    });
    this.live.set(id, track);
    track.pending = leaves.length + 1;
    const tap = emit === undefined ? undefined : { emit, track: id, targets: plan.targets };

    // Source outputs, fed by the model: a task of the track like the others.
    const feeder = plan.feeder;
    const feedList = makeOutputs(plan.sourceOutputs, channels, tap, feeder);
    const feedOutputs: Readonly<Record<string, OutputPort>> = plan.feedRecord(feedList);
    const feedTask = new Task(track, feeder, NO_INPUTS, feedList);
    track.tasks.push(feedTask);
    track.running++;
    // (A port connected to nothing is shared by every track and never waits: no watcher, so it
    // keeps no track alive.)
    for (const o of feedList) if (o.channels.length > 0) o.watcher = feedTask;

    const log = (level: LogLevel, label: string, message: string) => this.log(level, label, message, id);
    const signal = this.abort.signal;
    const tasks: LeafTask[] = new Array(leaves.length);
    for (let k = 0; k < leaves.length; k++) {
      const pl = leaves[k] as PlanLeaf;
      const inList: Input[] = new Array(pl.inputs.length);
      for (let j = 0; j < pl.inputs.length; j++) {
        const spec = pl.inputs[j] as readonly [string, number];
        const slot = spec[1];
        inList[j] = new Input(spec[0], slot === -1 ? closedChannel() : (channels[slot] as Channel));
      }
      const inputs: Record<string, InputPort> = pl.inputRecord(inList);
      const outList = makeOutputs(pl.outputs, channels, tap, pl.leaf.path);
      const outputs: Record<string, OutputPort> = pl.outputRecord(outList);
      const params = paramsOf[k] as Readonly<Record<string, Value>>;
      const ctx: TreatmentContext = {
        inputs,
        outputs,
        params,
        generics: pl.leaf.generics,
        models: pl.models,
        contexts,
        track: id,
        path: pl.leaf.path,
        signal,
        log,
        reportStep: this.reportStep,
      };
      const task = new LeafTask(track, inList, outList, pl, ctx, emit);
      tasks[k] = task;
      track.tasks.push(task);
      track.running++;
      for (const i of inList) i.watcher = task;
      for (const o of outList) if (o.channels.length > 0) o.watcher = task;
      emit?.({
        kind: 'treatment-started',
        track: id,
        path: pl.leaf.path,
        treatment: pl.identifier,
        ...(pl.leaf.origin === undefined ? {} : { origin: pl.leaf.origin }),
        params: previewParams(params),
      });
    }

    // Start on a microtask so that every task of the track exists before any runs. The feed
    // goes first, then each task after the tasks that feed it: what a task sends at once is
    // queued before its consumers first receive, so they take it without waiting (a wait
    // costs promises and deadlock bookkeeping).
    // (A resolved promise's `then`, not `queueMicrotask`: Node wraps each of those in an
    // AsyncResource, a cost per track that showed in the profile of an HTTP server.)
    const feed = request.feed;
    void RESOLVED.then(() => {
      if (feed === undefined) this.feedEnded(track, feedTask);
      else this.runFeed(track, feedTask, feed, feedOutputs);
      const start = plan.startOrder;
      for (let i = 0; i < start.length; i++) (tasks[start[i] as number] as LeafTask).execute();
    });
    return outcome;
  }

  /** Runs the feed; ends its task at once when it returns nothing (it sent everything already). */
  private runFeed(
    track: LiveTrack,
    task: Task,
    feed: NonNullable<TrackRequest['feed']>,
    outputs: Readonly<Record<string, OutputPort>>,
  ): void {
    let running: Promise<void> | undefined;
    try {
      running = feed(outputs, track.id);
    } catch (e) {
      this.feedFailed(track, e);
    }
    if (running === undefined) this.feedEnded(track, task);
    else
      running.then(
        () => this.feedEnded(track, task),
        (e: unknown) => {
          this.feedFailed(track, e);
          this.feedEnded(track, task);
        },
      );
  }

  private feedFailed(track: LiveTrack, e: unknown): void {
    track.ok = false;
    this.failed = true;
    this.report('error', track.source, `feeding the track failed: ${messageOf(e)}`, track.id);
  }

  private feedEnded(track: LiveTrack, task: Task): void {
    for (const o of task.outputs) o.close();
    this.taskEnded(track, task);
  }

  private taskEnded(track: LiveTrack, task: Task): void {
    task.done = true;
    track.running--;
    if (task.waits > 0) track.blocked--;
    if (--track.pending > 0) {
      if (track.running > 0 && track.blocked === track.running) this.confirmDeadlock(track);
      return;
    }
    this.live.delete(track.id);
    this.liveTracks--;
    if (track.abandoned) track.ok = false;
    const ok = track.ok;
    this.options.event?.({ kind: 'track-ended', track: track.id, ok });
    track.resolve?.({ id: track.id, ok, created: true });
    this.checkEnd();
  }

  private readonly hooks: TrackHooks = {
    allBlocked: (track) => this.confirmDeadlock(track),
    taskEnded: (track, task) => this.taskEnded(track, task),
    taskFailed: (track, task, e) => {
      track.ok = false;
      this.failed = true;
      this.report('error', task.path, `${task.plan.identifier} failed: ${messageOf(e)}`, track.id, task.plan.leaf.origin);
    },
  };
}

/**
 * The start order of a plan's leaves: the order of `leaves`, except that a leaf's producers
 * (the leaves sending on its inputs) start before it when they come later (a depth-first walk
 * of the producers of each leaf in turn). A producer on a cycle through the leaf keeps its
 * place. Leaves already in an order where producers come first keep it, so what a program
 * shows in the order of its steps does not move.
 */
function startOrder(leaves: readonly PlanLeaf[], producerOf: Int32Array): Int32Array {
  const n = leaves.length;
  const producers: (number[] | undefined)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    for (const spec of (leaves[k] as PlanLeaf).inputs) {
      const p = spec[1] === -1 ? -1 : (producerOf[spec[1]] as number);
      if (p !== -1 && p !== k) (producers[k] ??= []).push(p);
    }
  }
  const out = new Int32Array(n);
  let tail = 0;
  const state = new Uint8Array(n); // 0 not seen, 1 on the walk, 2 placed
  const stack: number[] = [];
  const next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const k = stack[top] as number;
      const ps = producers[k];
      const i = next[top] as number;
      if (ps !== undefined && i < ps.length) {
        next[top] = i + 1;
        const p = ps[i] as number;
        // On the walk already: a cycle, which keeps leaf order; placed: nothing to do.
        if (state[p] === 0) {
          state[p] = 1;
          stack.push(p);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        state[k] = 2;
        out[tail++] = k;
      }
    }
  }
  return out;
}

const NO_CONTEXTS: TrackContexts = new Map();
const RESOLVED: Promise<void> = Promise.resolve();
const NO_INPUTS: readonly Input[] = [];

/** Where a tapped output reports the values it sends (only when `--debug` listens). */
interface Tap {
  readonly emit: (e: EngineEvent) => void;
  readonly track: number;
  readonly targets: readonly string[];
}

/**
 * An output of a plan: name, channel slots, whether it is a Block, and for an output
 * connected to nothing, the one port every track shares (it never delivers nor waits, so
 * nothing of a track's lives in it: two objects less per such port and track).
 */
type OutputSpec = readonly [string, readonly number[], boolean, Output | undefined];

function outputSpec(name: string, slots: readonly number[], block: boolean): OutputSpec {
  return [name, slots, block, slots.length === 0 ? new Output(name, [], block) : undefined];
}

/**
 * Creates the outputs of `specs` (name, channel slots, block) on `channels`, in the order
 * of `specs`. With a tap, each output reports what it sends; without, outputs are the plain
 * class and the hot path pays nothing.
 */
function makeOutputs(specs: readonly OutputSpec[], channels: readonly Channel[], tap: Tap | undefined, owner: string): Output[] {
  const list: Output[] = new Array(specs.length);
  for (let k = 0; k < specs.length; k++) {
    // Read by index: array destructuring showed in the profile of a track per request.
    const spec = specs[k] as OutputSpec;
    const unconnected = spec[3];
    if (unconnected !== undefined && tap === undefined) {
      list[k] = unconnected;
      continue;
    }
    const name = spec[0];
    const slots = spec[1];
    const block = spec[2];
    const chans: Channel[] = new Array(slots.length);
    for (let j = 0; j < slots.length; j++) chans[j] = channels[slots[j] as number] as Channel;
    const o =
      tap === undefined
        ? new Output(name, chans, block)
        : new TappedOutput(
            name,
            chans,
            block,
            tap,
            `${owner}.${name}`,
            slots.map((s) => tap.targets[s] as string),
          );
    list[k] = o;
  }
  return list;
}

/** An output that reports each send as a `values` event before delivering it. */
class TappedOutput extends Output {
  constructor(
    name: string,
    channels: Channel[],
    block: boolean,
    private readonly tap: Tap,
    private readonly from: string,
    private readonly to: readonly string[],
  ) {
    super(name, channels, block);
  }

  override sendOne(v: Value): Promise<boolean> {
    if (!this.closed) this.report([v]);
    return super.sendOne(v);
  }

  override sendMany(values: Batch): Promise<boolean> {
    if (!this.closed && values.length > 0) this.report(values);
    return super.sendMany(values);
  }

  override trySendMany(values: Batch): boolean | Promise<boolean> {
    if (!this.closed && values.length > 0) this.report(values);
    return super.trySendMany(values);
  }

  override lend(values: Batch, release: () => void): Promise<boolean> {
    // Previewed now, before the memory can be reused.
    if (!this.closed && values.length > 0) this.report(values);
    return super.lend(values, release);
  }

  private report(values: Batch): void {
    const shown: unknown[] = [];
    const n = Math.min(values.length, PREVIEW_VALUES);
    for (let i = 0; i < n; i++) shown.push(previewValue(values[i]));
    this.tap.emit({ kind: 'values', track: this.tap.track, from: this.from, to: this.to, count: values.length, values: shown });
  }
}

/** Values of one send shown in a `values` event. */
const PREVIEW_VALUES = 8;
/** Characters of a string, items of a vector, bytes of a byte batch shown. */
const PREVIEW_LENGTH = 120;
/** Milliseconds a track stays fully blocked, with nothing moving, before it is a deadlock. */
const DEADLOCK_GRACE_MS = 20;

/**
 * A JSON-friendly preview of a value for debug events: numbers stay numbers (big
 * integers and non-finite floats become text), strings and vectors are cut after
 * {@link PREVIEW_LENGTH} items with a note of the full length, bytes show as hex.
 */
export function previewValue(v: Value, depth = 0): unknown {
  switch (typeof v) {
    case 'undefined':
      return '_';
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v;
    case 'string':
      return v.length > PREVIEW_LENGTH ? `${v.slice(0, PREVIEW_LENGTH)}… (${v.length} characters)` : v;
  }
  if (v === null) return null;
  if (v instanceof Uint8Array) {
    const shown = Buffer.from(v.buffer, v.byteOffset, Math.min(v.length, PREVIEW_LENGTH / 2)).toString('hex');
    return { bytes: v.length, hex: v.length > PREVIEW_LENGTH / 2 ? `${shown}…` : shown };
  }
  if (Array.isArray(v)) {
    if (depth > 3) return `[… ${v.length} items]`;
    const items = v.slice(0, PREVIEW_LENGTH / 4).map((x) => previewValue(x as Value, depth + 1));
    if (v.length > items.length) items.push(`… (${v.length} items)`);
    return items;
  }
  const text = String(v);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}

function previewParams(params: Readonly<Record<string, Value>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(params)) out[k] = previewValue(params[k] as Value);
  return out;
}

function closePorts(t: LiveTrack): void {
  for (const task of t.tasks) {
    for (const i of task.inputs) i.close();
    for (const o of task.outputs) o.close();
  }
}

/** `path (track N): receiving on 'x', sending on 'y'` for each unfinished task of `t`. */
function waitingLines(t: LiveTrack): string[] {
  const lines: string[] = [];
  for (const task of t.tasks) {
    if (task.done) continue;
    const waits: string[] = [];
    for (const i of task.inputs) if (i.waiting === 'receive') waits.push(`receiving on '${i.name}'`);
    for (const o of task.outputs) if (o.waiting === 'send') waits.push(`sending on '${o.name}'`);
    lines.push(`${task.path} (track ${t.id}): ${waits.length > 0 ? waits.join(', ') : 'waiting on something outside the graph'}`);
  }
  return lines;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
