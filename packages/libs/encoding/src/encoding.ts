/**
 * `encoding`: streaming text decoding and encoding with WHATWG labels.
 *
 * `decode` emits one string per received chunk (empty when the chunk completes no
 * character) and a final flush string when `data` closes; characters split across chunks
 * are completed, never lost, and a truncated tail becomes U+FFFD (the reference loses
 * characters on small chunks and panics on a truncated tail: fixed).
 * `encode` emits the bytes of each received batch of strings (nothing for an empty
 * result) and, at the end, the ISO-2022-JP return to ASCII (the reference never flushes: fixed).
 */
import { type Batch, END, NOT_YET, type TreatmentContext, treatment } from '@tutti/core';
import type { StreamEncoder } from './codec.js';
import { createDecoder } from './decoder.js';
import { ByteWriter, createEncoder } from './encoder.js';

const area = 'encoding';

const asBytes = (batch: Batch): Uint8Array => (batch instanceof Uint8Array ? batch : Uint8Array.from(batch as readonly number[]));

export const encodingElements = [
  treatment(area, 'decode', {
    params: { encoding: 'var string = "utf-8"' },
    inputs: { data: 'Stream<byte>' },
    outputs: { text: 'Stream<string>' },
    doc: 'Stateful decoder for the WHATWG label `encoding` (a BOM overrides it): one string per chunk, then a flush.',
    async run({ inputs, outputs, params }) {
      const decoder = createDecoder(params.encoding as string);
      for (;;) {
        const batch = await inputs.data.recvMany();
        if (batch === END) break;
        if (!(await outputs.text.sendOne(decoder.decode(asBytes(batch))))) return;
      }
      await outputs.text.sendOne(decoder.finish());
    },
  }),
  treatment(area, 'encode', {
    params: { encoding: 'var string = "utf-8"', replace: 'var bool = false' },
    inputs: { text: 'Stream<string>' },
    outputs: { data: 'Stream<byte>' },
    doc: 'Encodes each string in the target encoding; unmappable characters as `&#NNNN;` when `replace`.',
    run: encode,
  }),
];

type EncodeContext = TreatmentContext<'text', 'data', 'encoding' | 'replace'>;

/**
 * `encode`. What is there as it starts (a body sent by the treatments before it, and their
 * end) is encoded and sent without a promise, as long as no send has to wait; the rest in
 * {@link encodeLater}.
 */
function encode(ctx: EncodeContext): Promise<unknown> | undefined {
  const encoder = createEncoder(ctx.params.encoding as string, ctx.params.replace === true);
  const out = new ByteWriter();
  const input = ctx.inputs.text;
  const output = ctx.outputs.data;
  if (input.tryRecvMany === undefined || output.trySendMany === undefined) return encodeLater(ctx, encoder, out);
  for (;;) {
    const batch = input.tryRecvMany();
    if (batch === NOT_YET) return encodeLater(ctx, encoder, out);
    if (batch === END) break;
    const bytes = encodeBatch(encoder, batch, out);
    if (bytes === undefined) continue;
    const sent = output.trySendMany(bytes);
    if (sent === false) return undefined;
    if (sent !== true) return sent.then((ok) => (ok ? encodeLater(ctx, encoder, out) : undefined));
  }
  encoder.finish(out);
  return out.length > 0 ? output.sendMany(out.take()) : undefined;
}

/** The bytes of `batch`, or undefined when it encodes to nothing (the encoder may hold some). */
function encodeBatch(encoder: StreamEncoder, batch: Batch, out: ByteWriter): Uint8Array | undefined {
  if (batch.length === 1 && encoder.encodeAlone !== undefined) {
    // One string (a body, a line): its bytes at once, without the writer's copies.
    const bytes = encoder.encodeAlone(batch[0] as string);
    return bytes.length > 0 ? bytes : undefined;
  }
  for (let i = 0; i < batch.length; i++) encoder.encode(batch[i] as string, out);
  return out.length > 0 ? out.take() : undefined;
}

async function encodeLater(ctx: EncodeContext, encoder: StreamEncoder, out: ByteWriter): Promise<void> {
  for (;;) {
    const batch = await ctx.inputs.text.recvMany();
    if (batch === END) break;
    const bytes = encodeBatch(encoder, batch, out);
    if (bytes !== undefined && !(await ctx.outputs.data.sendMany(bytes))) return;
  }
  encoder.finish(out);
  if (out.length > 0) await ctx.outputs.data.sendMany(out.take());
}
