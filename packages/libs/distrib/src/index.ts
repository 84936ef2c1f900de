/**
 * The `distrib` package: a treatment of the current program runs on
 * another engine (a `tutti dist` worker) while its inputs and outputs cross the connection.
 * The protocol is in protocol.ts (docs/protocol.md); the orchestrator side in distributor.ts.
 */
import { END, model, type PackageDescriptor, type TreatmentContext, treatment, type Value } from '@tutti/core';
import type { MapValue } from '@tutti/lib-std';
import { decodeBatch, encodeBatch, unserializable, wireType } from './codec.js';
import { type AccessLike, Distributor } from './distributor.js';

export { decodeBatch, decodeValue, encodeBatch, encodeValue, parseWireType, unserializable, wireType } from './codec.js';
export { normalFingerprint, openSocket } from './connect.js';
export { type AccessLike, Distributor, programFiles } from './distributor.js';
export {
  Connection,
  type ConnectionOptions,
  Credit,
  DEFAULT_WINDOW,
  defaultTimeout,
  encodeFrame,
  FrameReader,
  keysEqual,
  MELODIUM_VERSION,
  type Message,
  type PathFiles,
  PROTOCOL_VERSION,
  type ProgramFiles,
  ProtocolError,
  versionsCompatible,
  type WireLevel,
} from './protocol.js';
export { Streams, wireCost } from './streams.js';

const area = 'distrib';
const slot = { distributor: 'DistributionEngine' };

const distributorOf = (ctx: TreatmentContext): Distributor => ctx.models.distributor as Distributor;

/** Reads the `distribution_id` input; undefined when it closed without a value. */
async function idOf(ctx: TreatmentContext): Promise<number | undefined> {
  const v = await ctx.inputs.distribution_id?.recvOne();
  return v === undefined || v === END ? undefined : Number(v as Value);
}

/**
 * Where a send or a receive goes: the distributor and the remote instance, once the
 * `distribution_id` came; undefined when it closed empty or the distributor is not connected.
 */
async function remoteOf(
  ctx: TreatmentContext,
  port?: 'input' | 'output',
): Promise<{ readonly d: Distributor; readonly id: number } | undefined> {
  const d = distributorOf(ctx);
  const id = await idOf(ctx);
  if (id === undefined || !d.ready) return undefined;
  const problem = port === undefined ? undefined : d.portProblem(port, ctx.params.name as string, id);
  // A program error: the treatment fails (the engine reports it with its place) and so does the run.
  if (problem !== undefined) throw new Error(problem);
  return { d, id };
}

type ValueType = NonNullable<TreatmentContext['generics'][string]>;

/** The type a send serializes (its generic `S`); throws when the type cannot cross the connection. */
function sentType(ctx: TreatmentContext): ValueType {
  const type = ctx.generics.S as ValueType;
  const problem = unserializable(type);
  if (problem !== undefined) throw new Error(problem);
  return type;
}

export const distribElements = [
  model(area, 'DistributionEngine', {
    params: { treatment: 'string', version: 'string' },
    doc: 'One connection to one worker, on which `treatment` (of package version `version`) is launched by `start` and instantiated by `distribute`.',
    create: (ctx) => new Distributor(ctx),
  }),
  treatment(area, 'start', {
    models: slot,
    params: { params: 'var Map' },
    inputs: { access: 'Block<Access>' },
    outputs: { ready: 'Block<void>', failed: 'Block<void>', error: 'Block<string>' },
    doc: 'Connects to the worker of `access`, negotiates, ships the program and launches the treatment with `params`. Only the first start of a distributor does the work.',
    run: async (ctx) => {
      const d = distributorOf(ctx);
      const access = await ctx.inputs.access.recvOne();
      if (access === END) {
        await d.stop();
        return;
      }
      const e = await d.start(access as AccessLike, ctx.params.params as MapValue);
      if (e === undefined) await ctx.outputs.ready.sendOne(undefined);
      else {
        ctx.log('error', ctx.path, e);
        await ctx.outputs.failed.sendOne(undefined);
        await ctx.outputs.error.sendOne(e);
      }
    },
  }),
  treatment(area, 'stop', {
    models: slot,
    inputs: { trigger: 'Block<void>' },
    doc: 'On trigger, sends the end message and closes the connection (idempotent).',
    run: async (ctx) => {
      if ((await ctx.inputs.trigger.recvOne()) === END) return;
      await distributorOf(ctx).stop();
    },
  }),
  treatment(area, 'distribute', {
    models: slot,
    inputs: { trigger: 'Block<void>' },
    outputs: { distribution_id: 'Block<u64>', failed: 'Block<void>', error: 'Block<string>' },
    doc: 'On trigger, asks the worker for a new instance of the treatment: its id (1, 2, …), or `failed` and `error`.',
    run: async (ctx) => {
      if ((await ctx.inputs.trigger.recvOne()) === END) return;
      const r = await distributorOf(ctx).distribute();
      if (typeof r === 'number') await ctx.outputs.distribution_id.sendOne(r);
      else {
        await ctx.outputs.failed.sendOne(undefined);
        await ctx.outputs.error.sendOne(r);
      }
    },
  }),
  treatment(area, 'sendStream', {
    generics: 'S: Serialize',
    models: slot,
    params: { name: 'var string' },
    inputs: { distribution_id: 'Block<u64>', data: 'Stream<S>' },
    doc: 'Forwards every chunk of `data` to input `name` of the remote instance, then closes it.',
    run: async (ctx) => {
      const remote = await remoteOf(ctx, 'input');
      if (remote === undefined) return;
      const { d, id } = remote;
      const name = ctx.params.name as string;
      const type = sentType(ctx);
      const ty = wireType(type);
      try {
        for await (const batch of ctx.inputs.data) if (!(await d.streams.send(id, name, ty, encodeBatch(type, batch)))) break;
      } finally {
        await d.streams.closeSend(id, name);
      }
    },
  }),
  treatment(area, 'sendBlock', {
    generics: 'S: Serialize',
    models: slot,
    params: { name: 'var string' },
    inputs: { distribution_id: 'Block<u64>', data: 'Block<S>' },
    doc: 'Sends the single value of `data` (if any) to input `name` of the remote instance, then closes it.',
    run: async (ctx) => {
      const remote = await remoteOf(ctx, 'input');
      if (remote === undefined) return;
      const { d, id } = remote;
      const name = ctx.params.name as string;
      const type = sentType(ctx);
      try {
        const v = await ctx.inputs.data.recvOne();
        if (v !== END) await d.streams.send(id, name, wireType(type), encodeBatch(type, [v]));
      } finally {
        await d.streams.closeSend(id, name);
      }
    },
  }),
  treatment(area, 'recvStream', {
    generics: 'D: Deserialize',
    models: slot,
    params: { name: 'var string' },
    inputs: { distribution_id: 'Block<u64>' },
    outputs: { data: 'Stream<D>' },
    doc: 'Streams the remote output `name`; ends when the remote closes it. A value not of type `D` stops the receive.',
    run: async (ctx) => {
      const remote = await remoteOf(ctx, 'output');
      if (remote === undefined) return;
      const { d, id } = remote;
      const type = ctx.generics.D as ValueType;
      const r = await d.streams.drain(id, ctx.params.name as string, wireType(type), (w) => decodeBatch(type, w), ctx.outputs.data, false);
      if (r === 'mismatch')
        ctx.log('warning', ctx.path, `output '${String(ctx.params.name)}' sent values that are not ${wireType(type)}: receive stopped`);
    },
  }),
  treatment(area, 'recvBlock', {
    generics: 'D: Deserialize',
    models: slot,
    params: { name: 'var string' },
    inputs: { distribution_id: 'Block<u64>' },
    outputs: { data: 'Block<D>' },
    doc: 'The first value of the remote output `name` (if of type `D`), then stops listening.',
    run: async (ctx) => {
      const remote = await remoteOf(ctx, 'output');
      if (remote === undefined) return;
      const { d, id } = remote;
      const type = ctx.generics.D as ValueType;
      await d.streams.drain(id, ctx.params.name as string, wireType(type), (w) => decodeBatch(type, w), ctx.outputs.data, true);
    },
  }),
];

/** The bundled `distrib` package, version 0.10.2. */
export const distrib: PackageDescriptor = {
  name: 'distrib',
  version: '0.10.2',
  doc: 'Distributed execution: run a treatment on a worker engine and exchange its flows.',
  elements: distribElements,
};
