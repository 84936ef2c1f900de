/**
 * `to_bytes`: the binary form of a value. Numbers are big-endian
 * over their type's width (an `i8` is one byte, a `u128` sixteen, an `f32` its four IEEE
 * bytes), `bool` one byte 1/0, `byte` itself, `char`/`string` their UTF-8, `void` and
 * data objects nothing, an `Option` its inner value's bytes or nothing.
 *
 * Vectors differ by form (a quirk of the reference, reproduced): the function gives `[]`, while the
 * treatment gives the vector of its elements' conversions, nested (`[[0, 1], [0, 2]]`
 * for a `Vec<u16>` `[1, 2]`), although its output is declared `Vec<byte>`.
 */
import { type DataType, INT_TYPES, isIntType, toBig, type Value } from '@tutti/core';
import type { Converter } from './data-traits.js';
import type { Int } from './numbers.js';

const utf8 = new TextEncoder();

/**
 * The converter of values of type `from` into their bytes; `nested` selects the
 * treatment's element-wise handling of vectors.
 *
 * @example
 * ```ts
 * bytesConverter(coreType('i16'), false)(-2); // Uint8Array [0xff, 0xfe]
 * ```
 */
export function bytesConverter(from: DataType, nested: boolean): Converter {
  switch (from.kind) {
    case 'core':
      return coreBytes(from.name);
    case 'option': {
      const inner = bytesConverter(from.of, nested);
      return (v) => (v === null ? new Uint8Array(0) : inner(v));
    }
    case 'vec': {
      if (!nested) return () => new Uint8Array(0);
      const item = bytesConverter(from.of, true);
      return (v) => {
        const items = v as ArrayLike<Value>;
        const out: Value[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) out[i] = item(items[i]);
        return out;
      };
    }
    case 'data':
      return () => new Uint8Array(0);
    case 'generic':
      throw new Error(`Generic type '${from.name}' was not substituted before conversion`);
  }
}

function coreBytes(name: string): Converter {
  switch (name) {
    case 'void':
      return () => new Uint8Array(0);
    case 'bool':
      return (v) => Uint8Array.of(v ? 1 : 0);
    case 'byte':
      return (v) => Uint8Array.of(v as number);
    case 'char':
    case 'string':
      return (v) => utf8.encode(v as string);
    case 'f32':
      return (v) => {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setFloat32(0, v as number);
        return out;
      };
    case 'f64':
      return (v) => {
        const out = new Uint8Array(8);
        new DataView(out.buffer).setFloat64(0, v as number);
        return out;
      };
    default:
      if (!isIntType(name)) throw new Error(`Type '${name}' has no binary form`);
      return intBytes(INT_TYPES[name].bits / 8);
  }
}

/** Two's complement, big-endian, over `width` bytes. */
function intBytes(width: number): Converter {
  return (v) => {
    const out = new Uint8Array(width);
    if (typeof v === 'number' && width <= 4) {
      // Fits 32 bits in two's complement: the low bytes of the (signed) 32-bit value.
      for (let i = width - 1, n = v; i >= 0; i--, n >>= 8) out[i] = n & 0xff;
      return out;
    }
    let n = BigInt.asUintN(width * 8, toBig(v as Int));
    for (let i = width - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
    return out;
  };
}
