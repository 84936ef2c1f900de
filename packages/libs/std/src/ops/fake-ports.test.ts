/**
 * Test support, no tests of its own: runs a treatment against inputs that never end and
 * outputs nobody consumes, counting the batches each input delivered. A treatment that
 * honours rule C (libraries spec §1.4) stops after its first failed send; one that does
 * not would keep reading until the safety limit, which the counts expose.
 */
import type { Batch, InputPort, OutputPort, TreatmentDescriptor, Value } from '@tutti/core';
import { END } from '@tutti/core';
import { typeOf } from '@tutti/engine/testing';

/** Batches handed out per input before it ends anyway (so a faulty treatment cannot hang a test). */
const LIMIT = 50;

const gone: OutputPort = {
  name: 'gone',
  sendOne: () => Promise.resolve(false),
  sendMany: () => Promise.resolve(false),
  close: () => {},
  usable: false,
};

/**
 * Runs `d` with every input repeating `batches[name]` and every output unconnected; returns
 * how many batches each input delivered.
 */
export async function readsWithoutConsumers(
  d: TreatmentDescriptor,
  batches: Readonly<Record<string, Batch>>,
  o: {
    generics?: Readonly<Record<string, string>>;
    params?: Readonly<Record<string, Value>>;
    dataTypes?: Readonly<Record<string, string>>;
  } = {},
): Promise<Record<string, number>> {
  const reads: Record<string, number> = {};
  const inputs: Record<string, InputPort> = {};
  for (const p of d.inputs) {
    const batch = batches[p.name] ?? [];
    reads[p.name] = 0;
    const recvMany = async () => {
      if ((reads[p.name] as number) >= LIMIT || batch.length === 0) return END;
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
        for (;;) {
          const b = await recvMany();
          if (b === END) return;
          yield b;
        }
      },
    };
  }
  const outputs: Record<string, OutputPort> = {};
  for (const p of d.outputs) outputs[p.name] = gone;
  const generics: Record<string, ReturnType<typeof typeOf>> = {};
  for (const [k, t] of Object.entries(o.generics ?? {})) generics[k] = typeOf(t, o.dataTypes);
  const abort = new AbortController();
  await d.run?.({
    inputs,
    outputs,
    params: o.params ?? {},
    generics,
    models: {},
    contexts: new Map(),
    track: 0,
    path: `test/${d.name}`,
    signal: abort.signal,
    log: () => {},
  });
  return reads;
}
