/**
 * The engine: runs a design (language spec §5). Models are created, initialised and their
 * background activities started; models create tracks for their sources; each track
 * builds fresh channels and one task per reached leaf; the run ends when no background
 * activity and no track is left (§5.9).
 *
 * Track construction is planned once per (model, source, parameter set): the reached
 * leaves, the connections among them and which parameters are constant. Creating a
 * track then only allocates channels, ports and contexts and evaluates `var` values, so
 * sources that open many small tracks stay cheap.
 */
import {
  elementIdentifier,
  type InputPort,
  type LogLevel,
  type ModelContext,
  type ModelInstance,
  type OutputPort,
  type TrackOutcome,
  type TrackRequest,
  type TreatmentContext,
  type Value,
  valueEquals,
} from '@tutti/core';
import { type Design, evaluate, type LeafDesign, type TrackContexts } from '@tutti/design';
import { Channel, closedChannel, DEFAULT_CAPACITY, Input, Output } from './channel.js';

/** One log record handed to the host (the CLI prints it). */
export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly label: string;
  readonly message: string;
  readonly track?: number;
}

/** Options of {@link Engine}. */
export interface EngineOptions {
  readonly log: (r: LogRecord) => void;
  /** Values a connection holds before its producer waits. */
  readonly capacity?: number;
  /** Execution events for `--debug`. */
  readonly event?: (e: EngineEvent) => void;
}

/** An execution event (`--debug`). */
export type EngineEvent =
  | { readonly kind: 'track-created'; readonly track: number; readonly source: string; readonly parent?: number }
  | { readonly kind: 'track-ended'; readonly track: number; readonly ok: boolean }
  | { readonly kind: 'treatment-started'; readonly track: number; readonly path: string }
  | { readonly kind: 'treatment-ended'; readonly track: number; readonly path: string; readonly ok: boolean; readonly sent: number };

/** How a run ended. */
export interface RunOutcome {
  /** False when a track or a model failed (exit status 1, §5.10). */
  readonly ok: boolean;
  readonly tracks: number;
}

interface PlanLeaf {
  readonly leaf: LeafDesign;
  /** Input name → connection index, or -1 when nothing reached feeds it. */
  readonly inputs: readonly (readonly [string, number])[];
  /** Output name → connection indices. */
  readonly outputs: readonly (readonly [string, readonly number[], boolean])[];
  /** Parameters when all are constant (shared by every track), else undefined. */
  readonly constParams: Readonly<Record<string, Value>> | undefined;
  readonly models: Readonly<Record<string, unknown>>;
}

interface TrackPlan {
  readonly leaves: readonly PlanLeaf[];
  readonly connections: number;
  /** Source output name → connection indices, for the model's feed. */
  readonly sourceOutputs: readonly (readonly [string, readonly number[], boolean])[];
  readonly matched: number;
}

interface LiveTask {
  readonly path: string;
  readonly inputs: readonly Input[];
  readonly outputs: readonly Output[];
  done: boolean;
}

interface LiveTrack {
  readonly id: number;
  readonly source: string;
  readonly tasks: LiveTask[];
}

/** Runs one design once. */
export class Engine {
  private readonly abort = new AbortController();
  private readonly instances: (ModelInstance & object)[] = [];
  private readonly plans = new Map<string, TrackPlan>();
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
      const list = this.registered.get(key);
      if (list === undefined) this.registered.set(key, [{ leaf, params }]);
      else list.push({ leaf, params });
    }
  }

  /** Aborted when the run ends or is stopped. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Runs to the end (§5.1 phases 4–7). */
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

  /** Stops the run now (SIGINT, SIGTERM, deadlock): live tracks are abandoned. */
  stop(reason: string, failed: boolean): void {
    if (failed) this.failed = true;
    if (!this.ended) this.report(failed ? 'error' : 'warning', 'engine', reason);
    this.ended = true;
    this.abort.abort();
    this.finish?.();
  }

  /** Whether the run is still going (live tracks or background activities). */
  get running(): boolean {
    return !this.ended;
  }

  /** What every unfinished task waits for (deadlock reports). */
  blocked(): string[] {
    const lines: string[] = [];
    for (const t of this.live.values()) {
      for (const task of t.tasks) {
        if (task.done) continue;
        const waits: string[] = [];
        for (const i of task.inputs) if (i.waiting === 'receive') waits.push(`receiving on '${i.name}'`);
        for (const o of task.outputs) if (o.waiting === 'send') waits.push(`sending on '${o.name}'`);
        lines.push(`${task.path} (track ${t.id}): ${waits.length > 0 ? waits.join(', ') : 'waiting on something outside the graph'}`);
      }
    }
    return lines;
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
    this.options.log({
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
      signal: this.abort.signal,
      log: (level, label, message, track) => this.log(level, label, message, track),
      registrations: (source) => (this.registered.get(`${index}|${source}`) ?? []).map((r) => r.params),
      createTrack: (source, request) => this.createTrack(index, source, request ?? {}),
    };
  }

  private log(level: LogLevel, label: string, message: string, track?: number): void {
    this.options.log({ time: new Date(), level, label, message, ...(track === undefined ? {} : { track }) });
  }

  private plan(model: number, source: string, params: Readonly<Record<string, Value>> | undefined): TrackPlan {
    // Without parameters every registered source takes part: one plan, found without filtering.
    const unfiltered = params === undefined ? this.plans.get(`${model}|${source}|*`) : undefined;
    if (unfiltered !== undefined) return unfiltered;
    const regs = this.registered.get(`${model}|${source}`) ?? [];
    const matching = regs.filter((r) => params === undefined || Object.entries(params).every(([k, v]) => valueEquals(r.params[k], v)));
    const key = `${model}|${source}|${matching.map((r) => r.leaf.index).join(',')}`;
    let plan = this.plans.get(key);
    if (plan !== undefined) return plan;
    const conns = this.design.connections;
    // Reached leaves: forward from the source leaves (§5.4).
    const reached = new Set<number>();
    const used: number[] = [];
    const work = matching.map((r) => r.leaf.index);
    const sourceSet = new Set(work);
    while (work.length > 0) {
      const l = work.pop() as number;
      for (const ci of this.byFrom.get(l) ?? []) {
        used.push(ci);
        const to = (conns[ci] as { to: number }).to;
        if (!reached.has(to) && !sourceSet.has(to)) {
          reached.add(to);
          work.push(to);
        }
      }
    }
    const index = new Map<number, number>(); // design connection → track channel slot
    for (const ci of used) if (!index.has(ci)) index.set(ci, index.size);
    const slotOfInput = new Map<string, number>(); // `leaf.input` → channel slot
    for (const [ci, slot] of index) {
      const c = conns[ci] as { to: number; input: string };
      slotOfInput.set(`${c.to}.${c.input}`, slot);
    }
    const leaves: PlanLeaf[] = [];
    for (const li of [...reached].sort((a, b) => a - b)) {
      const leaf = this.design.leaves[li] as LeafDesign;
      const inputs = leaf.descriptor.inputs.map((p) => [p.name, slotOfInput.get(`${li}.${p.name}`) ?? -1] as const);
      const outputs = leaf.descriptor.outputs.map((p) => {
        const slots: number[] = [];
        for (const ci of this.byFrom.get(li) ?? [])
          if ((conns[ci] as { output: string }).output === p.name) slots.push(index.get(ci) as number);
        return [p.name, slots, p.flow === 'Block'] as const;
      });
      const allConst = Object.values(leaf.params).every((e) => e.kind === 'const');
      const constParams = allConst
        ? Object.freeze(Object.fromEntries(Object.entries(leaf.params).map(([k, e]) => [k, evaluate(e, undefined)])))
        : undefined;
      const models: Record<string, unknown> = {};
      for (const [slot, mi] of Object.entries(leaf.models)) models[slot] = this.instances[mi];
      leaves.push({ leaf, inputs, outputs, constParams, models });
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
          if ((conns[ci] as { output: string }).output === p.name) entry[0].push(index.get(ci) as number);
      }
    }
    plan = {
      leaves,
      connections: index.size,
      sourceOutputs: [...sourceOutputs].map(([n, [s, b]]) => [n, s, b] as const),
      matched: matching.length,
    };
    this.plans.set(key, plan);
    if (params === undefined) this.plans.set(`${model}|${source}|*`, plan);
    return plan;
  }

  private createTrack(model: number, source: string, request: TrackRequest): Promise<TrackOutcome> {
    if (this.ended) return Promise.resolve({ id: 0, ok: false, created: false });
    const plan = this.plan(model, source, request.params);
    if (plan.matched === 0) return Promise.resolve({ id: 0, ok: true, created: false });
    const id = this.nextTrack++;
    this.liveTracks++;
    this.options.event?.({ kind: 'track-created', track: id, source, ...(request.parent === undefined ? {} : { parent: request.parent }) });
    const contexts: TrackContexts = request.contexts ?? new Map();
    const cap = this.capacity;
    const channels: Channel[] = new Array(plan.connections);
    for (let i = 0; i < plan.connections; i++) channels[i] = new Channel(cap);

    // Parameters first: a failing var evaluation abandons the track before any task (§5.10).
    const paramsOf: Readonly<Record<string, Value>>[] = [];
    for (const pl of plan.leaves) {
      if (pl.constParams !== undefined) {
        paramsOf.push(pl.constParams);
        continue;
      }
      try {
        const p: Record<string, Value> = {};
        for (const [k, e] of Object.entries(pl.leaf.params)) p[k] = evaluate(e, contexts);
        paramsOf.push(p);
      } catch (e) {
        this.report('error', pl.leaf.path, `track construction failed: ${messageOf(e)}`, id, pl.leaf.origin);
        this.failed = true;
        this.liveTracks--;
        this.options.event?.({ kind: 'track-ended', track: id, ok: false });
        queueMicrotask(() => this.checkEnd());
        return Promise.resolve({ id, ok: false, created: true });
      }
    }

    let resolveOutcome!: (o: TrackOutcome) => void;
    const outcome = new Promise<TrackOutcome>((r) => {
      resolveOutcome = r;
    });
    const track: LiveTrack = { id, source, tasks: [] };
    this.live.set(id, track);
    let pending = plan.leaves.length + 1;
    let ok = true;
    const taskEnded = () => {
      if (--pending > 0) return;
      this.live.delete(id);
      this.liveTracks--;
      this.options.event?.({ kind: 'track-ended', track: id, ok });
      resolveOutcome({ id, ok, created: true });
      this.checkEnd();
    };

    // Source outputs, fed by the model.
    const feedOutputs: Record<string, OutputPort> = {};
    const feedList = makeOutputs(plan.sourceOutputs, channels, feedOutputs);

    const log = (level: LogLevel, label: string, message: string) => this.log(level, label, message, id);
    plan.leaves.forEach((pl, k) => {
      const inputs: Record<string, InputPort> = {};
      const inList: Input[] = [];
      for (const [name, slot] of pl.inputs) {
        const i = new Input(name, slot === -1 ? closedChannel() : (channels[slot] as Channel));
        inputs[name] = i;
        inList.push(i);
      }
      const outputs: Record<string, OutputPort> = {};
      const outList = makeOutputs(pl.outputs, channels, outputs);
      const task: LiveTask = { path: pl.leaf.path, inputs: inList, outputs: outList, done: false };
      track.tasks.push(task);
      const ctx: TreatmentContext = {
        inputs,
        outputs,
        params: paramsOf[k] as Readonly<Record<string, Value>>,
        generics: pl.leaf.generics,
        models: pl.models,
        contexts,
        track: id,
        path: pl.leaf.path,
        signal: this.abort.signal,
        log,
      };
      const run = pl.leaf.descriptor.run;
      this.options.event?.({ kind: 'treatment-started', track: id, path: pl.leaf.path });
      const end = (good: boolean) => {
        for (const i of inList) i.close();
        let sent = 0;
        for (const o of outList) {
          o.close();
          sent += o.sent;
        }
        task.done = true;
        this.options.event?.({ kind: 'treatment-ended', track: id, path: pl.leaf.path, ok: good, sent });
        taskEnded();
      };
      // Start on a microtask so that every task of the track exists before any runs.
      Promise.resolve()
        .then(() => (run as NonNullable<typeof run>)(ctx))
        .then(
          () => end(true),
          (e: unknown) => {
            ok = false;
            this.failed = true;
            this.report('error', pl.leaf.path, `${elementIdentifier(pl.leaf.descriptor)} failed: ${messageOf(e)}`, id, pl.leaf.origin);
            end(false);
          },
        );
    });

    const feed = request.feed;
    const closeFeed = () => {
      for (const o of feedList) o.close();
      taskEnded();
    };
    if (feed === undefined) queueMicrotask(closeFeed);
    else
      Promise.resolve()
        .then(() => feed(feedOutputs, id))
        .then(closeFeed, (e: unknown) => {
          ok = false;
          this.failed = true;
          this.report('error', source, `feeding the track failed: ${messageOf(e)}`, id);
          closeFeed();
        });
    return outcome;
  }
}

/** Creates the outputs of `specs` (name, channel slots, block) on `channels`, filling `byName`. */
function makeOutputs(
  specs: readonly (readonly [string, readonly number[], boolean])[],
  channels: readonly Channel[],
  byName: Record<string, OutputPort>,
): Output[] {
  const list: Output[] = [];
  for (const [name, slots, block] of specs) {
    const o = new Output(
      name,
      slots.map((s) => channels[s] as Channel),
      block,
    );
    byName[name] = o;
    list.push(o);
  }
  return list;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
