/**
 * Values on the wire (docs/protocol.md, "Values"): a batch of one port's type is encoded
 * once per batch, by the type:
 *
 * - `byte` batches: the bytes themselves (a MessagePack binary string: no per-byte cost);
 * - numbers: a `Float64Array` (one raw block) when every value is a JavaScript number,
 *   else an array where `i128`/`u128` beyond 64 bits travel as decimal strings;
 * - `bool`, `char`, `string`, `void`, `Vec`, `Option`: MessagePack's own forms (`Vec<byte>`
 *   as binary);
 * - library data types declaring `Serialize`/`Deserialize`: the codec their library
 *   registered (core's `registerDataCodec`: std's `StringMap` and `Level`, process's
 *   `Command` and `Environment`).
 *
 * The receiver compares the sender's type text with its own `D` first: a batch of
 * another type stops the receive (as `recvStream`/`recvBlock` do in the reference).
 */
import { type Batch, type DataType, dataCodec, isCoreTypeName, type Value } from '@tutti/core';

const NUMERIC = new Set(['i8', 'i16', 'i32', 'i64', 'i128', 'u8', 'u16', 'u32', 'u64', 'u128', 'f32', 'f64']);
const WIDE = new Set(['i64', 'i128', 'u64', 'u128']);

/** The type as its wire name (the Mélodium text with data types by identifier). */
export function wireType(t: DataType): string {
  switch (t.kind) {
    case 'vec':
      return `Vec<${wireType(t.of)}>`;
    case 'option':
      return `Option<${wireType(t.of)}>`;
    case 'data':
      return t.id;
    default:
      return t.name;
  }
}

/** Why `t` cannot cross the connection, or undefined when it can. */
export function unserializable(t: DataType): string | undefined {
  switch (t.kind) {
    case 'core':
      return undefined;
    case 'vec':
    case 'option':
      return unserializable(t.of);
    case 'data':
      return dataCodec(t.id) !== undefined ? undefined : `values of ${t.name} cannot be sent to another engine by this version of Tutti`;
    default:
      return `generic type ${t.name} is not resolved`;
  }
}

/**
 * A `Buffer` view of bytes: MessagePack's binary form, which the decoder hands back as a
 * view into the received frame (no copy), where a plain `Uint8Array` would be an extension
 * decoded by copying.
 */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Numbers into a `Float64Array` (a plain loop: `Float64Array.from` is twice as slow here). */
function toFloat64(batch: readonly number[] | Uint8Array): Float64Array {
  const f = new Float64Array(batch.length);
  for (let i = 0; i < batch.length; i++) f[i] = batch[i] as number;
  return f;
}

/** Encodes one batch of values of type `t` for the wire. */
export function encodeBatch(t: DataType, batch: Batch): unknown {
  if (t.kind === 'core') {
    if (t.name === 'byte') return asBuffer(batch instanceof Uint8Array ? batch : Uint8Array.from(batch as readonly number[]));
    if (NUMERIC.has(t.name)) {
      if (!WIDE.has(t.name)) return toFloat64(batch as readonly number[]);
      let allNumbers = true;
      for (let i = 0; i < batch.length; i++)
        if (typeof batch[i] !== 'number') {
          allNumbers = false;
          break;
        }
      if (allNumbers) return toFloat64(batch as readonly number[]);
      return Array.from(batch as readonly Value[], (v) => (typeof v === 'bigint' ? v.toString() : v));
    }
    if (t.name === 'void') return batch.length;
    return batch;
  }
  const out: unknown[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) out[i] = encodeValue(t, batch[i]);
  return out;
}

/** Decodes a batch encoded by {@link encodeBatch} for type `t`. */
export function decodeBatch(t: DataType, w: unknown): Batch {
  if (t.kind === 'core') {
    if (t.name === 'byte') return w as Uint8Array;
    if (NUMERIC.has(t.name)) {
      if (w instanceof Float64Array) {
        const out: number[] = new Array(w.length);
        for (let i = 0; i < w.length; i++) out[i] = w[i] as number;
        return out;
      }
      return (w as unknown[]).map((v) => (typeof v === 'string' ? canonicalInt(BigInt(v)) : typeof v === 'bigint' ? canonicalInt(v) : v));
    }
    if (t.name === 'void') return new Array<undefined>(w as number).fill(undefined);
    return w as readonly Value[];
  }
  return (w as unknown[]).map((x) => decodeValue(t, x));
}

function canonicalInt(b: bigint): Value {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/** Encodes one value (parameters, structured types). */
export function encodeValue(t: DataType, v: Value): unknown {
  switch (t.kind) {
    case 'core':
      if (typeof v === 'bigint') return v.toString();
      return v;
    case 'vec': {
      if (t.of.kind === 'core' && t.of.name === 'byte') return asBuffer(v instanceof Uint8Array ? v : Uint8Array.from(v as number[]));
      return Array.from(v as readonly Value[], (x) => encodeValue(t.of, x));
    }
    case 'option':
      return v === null ? null : [encodeValue(t.of, v)];
    case 'data': {
      const c = dataCodec(t.id);
      if (c === undefined) throw new Error(`values of ${t.name} cannot be sent to another engine`);
      return c.encode(v);
    }
    default:
      throw new Error('unresolved generic type');
  }
}

/** Decodes a value encoded by {@link encodeValue}. */
export function decodeValue(t: DataType, w: unknown): Value {
  switch (t.kind) {
    case 'core':
      if (isCoreTypeName(t.name) && NUMERIC.has(t.name) && typeof w === 'string') return canonicalInt(BigInt(w));
      if (typeof w === 'bigint') return canonicalInt(w);
      return w;
    case 'vec':
      if (t.of.kind === 'core' && t.of.name === 'byte') return w as Uint8Array;
      return (w as unknown[]).map((x) => decodeValue(t.of, x));
    case 'option':
      return w === null ? null : decodeValue(t.of, (w as unknown[])[0]);
    case 'data': {
      const c = dataCodec(t.id);
      if (c === undefined) throw new Error(`values of ${t.name} cannot be received from another engine`);
      return c.decode(w);
    }
    default:
      throw new Error('unresolved generic type');
  }
}

/** Parses a type written by {@link wireType}. */
export function parseWireType(text: string): DataType {
  const m = /^(Vec|Option)<(.*)>$/.exec(text);
  if (m !== null) return { kind: m[1] === 'Vec' ? 'vec' : 'option', of: parseWireType(m[2] as string) };
  if (isCoreTypeName(text)) return { kind: 'core', name: text };
  const i = text.indexOf('::');
  if (i > 0) return { kind: 'data', id: text, name: text.slice(i + 2) };
  throw new Error(`'${text}' is not a type`);
}
