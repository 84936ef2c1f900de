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
import { type Batch, END, treatment } from '@tutti/core';
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
    async run({ inputs, outputs, params }) {
      const encoder = createEncoder(params.encoding as string, params.replace === true);
      const out = new ByteWriter();
      for (;;) {
        const batch = await inputs.text.recvMany();
        if (batch === END) break;
        if (batch.length === 1 && encoder.encodeAlone !== undefined) {
          // One string (a body, a line): its bytes at once, without the writer's copies.
          const bytes = encoder.encodeAlone(batch[0] as string);
          if (bytes.length > 0 && !(await outputs.data.sendMany(bytes))) return;
          continue;
        }
        for (let i = 0; i < batch.length; i++) encoder.encode(batch[i] as string, out);
        if (out.length > 0 && !(await outputs.data.sendMany(out.take()))) return;
      }
      encoder.finish(out);
      if (out.length > 0) await outputs.data.sendMany(out.take());
    },
  }),
];
