/**
 * UTF-8 for `std/text/convert`. Decoding is lossy like Rust's
 * `String::from_utf8_lossy`: the WHATWG decoder replaces the same maximal invalid
 * subparts by U+FFFD. It must keep a leading BOM (`ignoreBOM`), which the reference
 * never strips, and never runs in stream mode: each call decodes its bytes on their own.
 */
import type { Batch, Value } from '@tutti/core';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The UTF-8 bytes of `text`. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The UTF-8 bytes of every string of `texts`, concatenated in one buffer.
 *
 * @example
 * ```ts
 * encodeUtf8All(['h', 'é']); // Uint8Array [0x68, 0xc3, 0xa9]
 * ```
 */
export function encodeUtf8All(texts: Batch): Uint8Array {
  const strings = texts as readonly string[];
  if (strings.length === 1) return encoder.encode(strings[0] as string);
  // Encoding the joined text is exact unless a string ends with a lone high surrogate that
  // joining would pair with the next string's low one; each lone half must give U+FFFD.
  let joinable = true;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i] as string;
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      joinable = false;
      break;
    }
  }
  if (joinable) return encoder.encode(strings.join(''));
  const parts: Uint8Array[] = new Array(strings.length);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    const part = encoder.encode(strings[i] as string);
    parts[i] = part;
    total += part.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * `bytes` (a `Uint8Array` or an array of byte numbers) decoded as UTF-8, invalid
 * sequences replaced by U+FFFD.
 *
 * @example
 * ```ts
 * decodeUtf8Lossy(new Uint8Array([0x61, 0xff, 0x62])); // 'a\ufffdb'
 * ```
 */
export function decodeUtf8Lossy(bytes: Batch | Value): string {
  const view = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes as readonly number[]);
  return decoder.decode(view);
}
