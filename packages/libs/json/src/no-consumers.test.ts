/**
 * Test support, no tests of its own: runs a treatment whose inputs never end (they repeat
 * one batch, up to a safety limit) and whose outputs nobody consumes, and counts the
 * batches read. A treatment honouring rule C (libraries spec §1.4) stops after its first
 * failed send, so it reads one batch; one that does not reads until the limit.
 */
import { type Batch, END, type InputPort, type OutputPort, type TreatmentDescriptor, type Value } from '@tutti/core';
import { typeOf } from '@tutti/engine/testing';

const LIMIT = 50;

const gone: OutputPort = {
  name: 'gone',
  sendOne: () => Promise.resolve(false),
  sendMany: () => Promise.resolve(false),
  close: () => {},
  usable: false,
};

/** Batches read from input `input` (repeating `batch`) with every output unconnected. */
export async function readsWithoutConsumers(
  d: TreatmentDescriptor,
  input: string,
  batch: Batch,
  o: { generics?: Readonly<Record<string, string>>; params?: Readonly<Record<string, Value>> } = {},
): Promise<number> {
  let reads = 0;
  const recvMany = async (): Promise<Batch | typeof END> => {
    if (reads >= LIMIT) return END;
    reads++;
    return batch;
  };
  const port: InputPort = {
    name: input,
    recvMany,
    recvOne: async () => {
      const b = await recvMany();
      return b === END ? END : b[0];
    },
    close: () => {},
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const b = await recvMany();
        if (b === END) return;
        yield b;
      }
    },
  };
  const outputs: Record<string, OutputPort> = {};
  for (const p of d.outputs) outputs[p.name] = gone;
  const generics: Record<string, ReturnType<typeof typeOf>> = {};
  for (const [k, t] of Object.entries(o.generics ?? {}))
    generics[k] = typeOf(t, { Json: 'json::Json', StringMap: 'std/data/string_map::StringMap' });
  await d.run?.({
    inputs: { [input]: port },
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
