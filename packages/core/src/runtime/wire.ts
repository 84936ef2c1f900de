/**
 * The behaviour of the `Serialize`/`Deserialize` traits for library data types: how a value
 * crosses to another engine (`distrib`, docs/protocol.md). A library registers a codec for
 * each of its data types declaring those traits when its module loads; the wire form must
 * be made of plain values (strings, numbers, booleans, null, arrays, byte arrays).
 *
 * The registry is global (`Symbol.for`), so a user package importing its own copy of
 * `@tutti/core` shares it with the bundled engine, as for {@link END}.
 */
import type { Value } from './values.js';

/** Encodes values of one data type to a plain wire form and back. */
export interface DataCodec {
  encode(value: Value): unknown;
  /** Throws when `wire` is not a value of the type. */
  decode(wire: unknown): Value;
}

const KEY = Symbol.for('tutti.dataCodecs');
const holder = globalThis as { [KEY]?: Map<string, DataCodec> };
const registry: Map<string, DataCodec> = holder[KEY] ?? new Map();
holder[KEY] = registry;

/** Registers the codec of the data type `typeId` (`pkg/area::Name`). */
export function registerDataCodec(typeId: string, codec: DataCodec): void {
  registry.set(typeId, codec);
}

/** The codec of `typeId`, when its library registered one. */
export function dataCodec(typeId: string): DataCodec | undefined {
  return registry.get(typeId);
}
