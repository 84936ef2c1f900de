/**
 * Byte plumbing shared by client and server: byte batches as Node buffers (a batch may be a
 * `Uint8Array` or an array of numbers, see core's `Batch`), and waiting for a writable
 * stream to drain, so a slow peer slows the producer instead of filling memory.
 */
import type { Writable } from 'node:stream';
import type { Batch } from '@tutti/core';

/** The bytes of a `byte` batch, without copying when it already is a `Uint8Array`. */
export function bytesOf(batch: Batch): Uint8Array {
  return batch instanceof Uint8Array ? batch : Uint8Array.from(batch as readonly number[]);
}

/** Resolves true once `w` drained, false when it closed or failed first. */
export function drained(w: Writable): Promise<boolean> {
  if (w.destroyed || w.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      w.off('drain', onDrain);
      w.off('close', onClose);
      w.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    w.on('drain', onDrain);
    w.on('close', onClose);
    w.on('error', onClose);
  });
}

/** Writes `chunk`, waiting for the drain when the stream's buffer is full; false when `w` is gone. */
export async function writeBytes(w: Writable, chunk: Uint8Array): Promise<boolean> {
  if (w.destroyed || w.writableEnded) return false;
  return w.write(chunk) ? true : drained(w);
}

/** A header value that reads as one text value (visible ASCII, space and tab). */
export function isTextHeaderValue(v: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(v);
}
