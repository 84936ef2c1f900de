/**
 * A harness that runs one native treatment on real channels, for library unit tests:
 * inputs are fed from arrays (in the batches given), outputs are collected until they
 * close, and the same completion rules as the engine apply (when `run` returns, every
 * input and then every output is closed).
 *
 * @example
 * ```ts
 * const r = await runTreatment(count, { generics: { T: 'u8' }, inputs: { stream: [[1, 2], [3]] } });
 * assert.deepEqual(r.outputs.count, [0, 1, 2]);
 * ```
 */
import {
  type Batch,
  type DataType,
  END,
  type InputPort,
  type LogLevel,
  type OutputPort,
  parseTypeText,
  type TreatmentContext,
  type TreatmentDescriptor,
  type Value,
} from '@tutti/core';
import { Channel, closedChannel, Input, Output } from './channel.js';

/** Channels and their ports, for library tests that drive a treatment or model by hand. */
export { Channel, Input, Output } from './channel.js';

/** A fed input: batches (arrays of arrays), a flat array (one batch), or `open` (never closes). */
export type FeedSpec = readonly Value[] | Uint8Array | { readonly batches: readonly (readonly Value[] | Uint8Array)[] } | 'open' | 'closed';

/** How the harness consumes an output. */
export interface ConsumeSpec {
  /** Close the input after this many values (a consumer that goes away, rule C). */
  readonly take?: number;
  /** Leave the output without any consumer (sends fail). */
  readonly unconnected?: boolean;
  /**
   * Consume as a treatment that releases its batches (`Input.releasesBatches`): producers
   * may reuse a batch's memory once the next one is received, so the harness keeps copies.
   */
  readonly releasing?: boolean;
}

/** Options of {@link runTreatment}. */
export interface RunOptions {
  /** Generic arguments as type text (`'u8'`, `'Vec<string>'`). */
  readonly generics?: Readonly<Record<string, string>>;
  /** Parameter values (run-time representation, see core's values.ts); defaults are not applied. */
  readonly params?: Readonly<Record<string, Value>>;
  readonly inputs?: Readonly<Record<string, FeedSpec>>;
  readonly outputs?: Readonly<Record<string, ConsumeSpec>>;
  readonly models?: Readonly<Record<string, unknown>>;
  readonly contexts?: ReadonlyMap<string, Readonly<Record<string, Value>>>;
  /** Channel capacity (values) to exercise backpressure. */
  readonly capacity?: number;
  /** Data type names → identifiers, to parse generic texts naming data types (`Json`). */
  readonly dataTypes?: Readonly<Record<string, string>>;
}

/** What the run produced. */
export interface RunResult {
  /** Every value received on each output, in order. */
  readonly outputs: Record<string, Value[]>;
  /** Batches received on each output, as received (to observe chunking and byte batches). */
  readonly batches: Record<string, Batch[]>;
  /** Order in which outputs were observed closed. */
  readonly closeOrder: string[];
  /** The exception thrown by `run`, if any. */
  readonly error?: unknown;
  readonly logs: { level: LogLevel; label: string; message: string }[];
  /** Largest number of values ever pending on one input (backpressure checks). */
  readonly maxPending: number;
}

/** Parses type text for tests. */
export function typeOf(text: string, dataTypes: Readonly<Record<string, string>> = {}): DataType {
  return parseTypeText(text, (n) => dataTypes[n], new Set());
}

/** Runs `d` once, as in one track. */
export async function runTreatment(d: TreatmentDescriptor, o: RunOptions = {}): Promise<RunResult> {
  if (d.run === undefined) throw new Error(`${d.area}::${d.name} has no behaviour`);
  const capacity = o.capacity ?? 1 << 15;
  const generics: Record<string, DataType> = {};
  for (const [k, t] of Object.entries(o.generics ?? {})) generics[k] = typeOf(t, o.dataTypes);
  const logs: RunResult['logs'] = [];
  const abort = new AbortController();
  let maxPending = 0;

  const inputs: Record<string, Input> = {};
  const feeders: Promise<void>[] = [];
  for (const p of d.inputs) {
    const spec = o.inputs?.[p.name] ?? 'closed';
    if (spec === 'closed') {
      inputs[p.name] = new Input(p.name, closedChannel());
      continue;
    }
    const ch = new Channel(capacity);
    inputs[p.name] = new Input(p.name, ch);
    if (spec === 'open') continue;
    const batches: readonly (readonly Value[] | Uint8Array)[] =
      Array.isArray(spec) || spec instanceof Uint8Array
        ? spec.length === 0
          ? []
          : [spec as readonly Value[]]
        : (spec as { batches: readonly (readonly Value[] | Uint8Array)[] }).batches;
    const out = new Output(`feed:${p.name}`, [ch], false);
    feeders.push(
      (async () => {
        for (const b of batches) {
          const ok = await out.sendMany(b instanceof Uint8Array ? b.slice() : [...b]);
          maxPending = Math.max(maxPending, ch.pending);
          if (!ok) break;
        }
        out.close();
      })(),
    );
  }

  const outputs: Record<string, Output> = {};
  const collected: Record<string, Value[]> = {};
  const batches: Record<string, Batch[]> = {};
  const closeOrder: string[] = [];
  const consumers: Promise<void>[] = [];
  for (const p of d.outputs) {
    const spec = o.outputs?.[p.name] ?? {};
    collected[p.name] = [];
    batches[p.name] = [];
    if (spec.unconnected === true) {
      outputs[p.name] = new Output(p.name, [], p.flow === 'Block');
      continue;
    }
    const ch = new Channel(capacity);
    outputs[p.name] = new Output(p.name, [ch], p.flow === 'Block');
    const input = new Input(p.name, ch);
    if (spec.releasing === true) input.releasesBatches();
    consumers.push(
      (async () => {
        for (;;) {
          maxPending = Math.max(maxPending, ch.pending);
          const received = await input.recvMany();
          if (received === END) break;
          // (`new Uint8Array` copies; a Buffer's `slice` would only be a view.)
          const b = spec.releasing === true ? (received instanceof Uint8Array ? new Uint8Array(received) : [...received]) : received;
          const list = collected[p.name] as Value[];
          (batches[p.name] as Batch[]).push(b);
          for (const v of b) {
            if (spec.take !== undefined && list.length >= spec.take) break;
            list.push(v);
          }
          if (spec.take !== undefined && list.length >= spec.take) {
            input.close();
            break;
          }
        }
        closeOrder.push(p.name);
      })(),
    );
  }

  const ctx: TreatmentContext = {
    inputs,
    outputs,
    params: o.params ?? {},
    generics,
    models: o.models ?? {},
    contexts: o.contexts ?? new Map(),
    track: 0,
    path: `test/${d.name}`,
    signal: abort.signal,
    log: (level, label, message) => {
      logs.push({ level, label, message });
    },
  };
  let error: unknown;
  try {
    await d.run(ctx);
  } catch (e) {
    error = e;
  }
  for (const i of Object.values(inputs)) i.close();
  for (const out of Object.values(outputs)) out.close();
  await Promise.all(feeders);
  await Promise.all(consumers);
  abort.abort();
  const r: RunResult = { outputs: collected, batches, closeOrder, logs, maxPending };
  return error === undefined ? r : { ...r, error };
}

/** Batches an input hands out before it ends anyway, so a faulty treatment cannot hang a test. */
const STALL_LIMIT = 50;

/** An output whose consumers are all gone: every send fails. */
const GONE: OutputPort = {
  name: 'gone',
  sendOne: () => Promise.resolve(false),
  sendMany: () => Promise.resolve(false),
  close: () => {},
  usable: false,
};

/**
 * Rule C probe (when every consumer of an output is gone, the treatment must stop): runs
 * `d` with every input repeating `batches[name]` (an input without a batch is closed) and
 * every output without a consumer, and returns how many batches each input delivered. A treatment that honours rule C stops after its
 * first failed send; one that does not reads on until the safety limit.
 */
export async function readsWithoutConsumers(
  d: TreatmentDescriptor,
  batches: Readonly<Record<string, Batch>>,
  o: Pick<RunOptions, 'generics' | 'params' | 'dataTypes'> = {},
): Promise<Record<string, number>> {
  if (d.run === undefined) throw new Error(`${d.area}::${d.name} has no behaviour`);
  const reads: Record<string, number> = {};
  const inputs: Record<string, InputPort> = {};
  for (const p of d.inputs) {
    const batch = batches[p.name] ?? [];
    reads[p.name] = 0;
    const recvMany = async (): Promise<Batch | typeof END> => {
      if ((reads[p.name] as number) >= STALL_LIMIT || batch.length === 0) return END;
      reads[p.name] = (reads[p.name] as number) + 1;
      return batch;
    };
    inputs[p.name] = {
      name: p.name,
      recvMany,
      recvOne: async () => {
        const b = await recvMany();
        return b === END ? END : b[0];
      },
      close: () => {},
      async *[Symbol.asyncIterator]() {
        for (let b = await recvMany(); b !== END; b = await recvMany()) yield b;
      },
    };
  }
  const outputs: Record<string, OutputPort> = {};
  for (const p of d.outputs) outputs[p.name] = GONE;
  const generics: Record<string, DataType> = {};
  for (const [k, t] of Object.entries(o.generics ?? {})) generics[k] = typeOf(t, o.dataTypes);
  await d.run({
    inputs,
    outputs,
    params: o.params ?? {},
    generics,
    models: {},
    contexts: new Map(),
    track: 0,
    path: `test/${d.name}`,
    signal: new AbortController().signal,
    log: () => {},
  });
  return reads;
}
