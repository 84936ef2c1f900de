/**
 * The legacy single-byte encodings (and x-user-defined), decoded and encoded from the
 * WHATWG indexes in `single-byte-indexes.ts`: a byte is ASCII below 0x80, else the
 * index's code point. Decoding is stateless, so chunk boundaries never matter.
 */
import type { StreamDecoder } from './codec.js';
import { SINGLE_BYTE_INDEXES } from './single-byte-indexes.js';

const utf16 = new TextDecoder('utf-16le');

/** Whether `encoding` is table-driven single-byte (including x-user-defined). */
export function isSingleByte(encoding: string): boolean {
  return encoding === 'x-user-defined' || encoding === 'iso-8859-8-i' || Object.hasOwn(SINGLE_BYTE_INDEXES, encoding);
}

const decodeTables = new Map<string, Uint16Array>();

/** Code unit of every byte (0xFFFD for a byte without entry). */
function decodeTable(encoding: string): Uint16Array {
  let t = decodeTables.get(encoding);
  if (t !== undefined) return t;
  t = new Uint16Array(256);
  for (let b = 0; b < 0x80; b++) t[b] = b;
  if (encoding === 'x-user-defined') for (let b = 0x80; b < 0x100; b++) t[b] = 0xf780 + b - 0x80;
  else {
    const upper = SINGLE_BYTE_INDEXES[encoding === 'iso-8859-8-i' ? 'iso-8859-8' : encoding]!;
    for (let b = 0x80; b < 0x100; b++) t[b] = upper.charCodeAt(b - 0x80);
  }
  decodeTables.set(encoding, t);
  return t;
}

/** Decoder of a single-byte encoding. */
export class SingleByteDecoder implements StreamDecoder {
  private readonly table: Uint16Array;

  constructor(encoding: string) {
    this.table = decodeTable(encoding);
  }

  decode(bytes: Uint8Array): string {
    if (bytes.length === 0) return '';
    const units = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) units[i] = this.table[bytes[i]!]!;
    return utf16.decode(units);
  }

  finish(): string {
    return '';
  }
}

const encodeTables = new Map<string, ReadonlyMap<number, number>>();

/** Byte of every non-ASCII code point the encoding has. */
export function singleByteEncodeTable(encoding: string): ReadonlyMap<number, number> {
  let m = encodeTables.get(encoding);
  if (m !== undefined) return m;
  const t = decodeTable(encoding);
  const map = new Map<number, number>();
  for (let b = 0x80; b < 0x100; b++) if (t[b] !== 0xfffd && !map.has(t[b]!)) map.set(t[b]!, b);
  m = map;
  encodeTables.set(encoding, m);
  return m;
}
