/**
 * JSON ↔ JavaScript values, by the rules of the reference's
 * `javascript::process` (with two fixes, see javascript's prelude.ts), so that package and
 * any other can share them: JSON → JS gives plain objects (members in key order) and
 * numbers; JS → JSON keeps integral numbers below 2^53 as integers and other finite
 * numbers as floats, turns NaN/±∞ into `null`, omits `undefined`- and function-valued
 * members (`null` in arrays, as `JSON.stringify`), and fails on BigInt, Symbol, cycles and
 * a top-level `undefined` or function.
 */
import { JsonValue } from './json-value.js';
import { floatRaw, JsonFloat, JsonObject, type JsonRaw } from './raw.js';

/** The plain JavaScript form of `v` (wide integers lose precision, as numbers). */
export function jsonToJs(v: JsonValue): unknown {
  return rawToJs(v.raw);
}

function rawToJs(r: JsonRaw): unknown {
  switch (typeof r) {
    case 'bigint':
      return Number(r);
    case 'object': {
      if (r === null) return null;
      if (r instanceof JsonFloat) return r.value;
      if (Array.isArray(r)) {
        const items = r as readonly JsonRaw[];
        const out: unknown[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) out[i] = rawToJs(items[i] as JsonRaw);
        return out;
      }
      const o = r as JsonObject;
      const out: Record<string, unknown> = {};
      // defineProperty: a `__proto__` key must stay an own member, not set the prototype.
      for (let i = 0; i < o.size; i++) {
        Object.defineProperty(out, o.keys[i] as string, {
          value: rawToJs(o.values[i] as JsonRaw),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      return r;
  }
}

const OMIT = Symbol('omit');

/** The JSON of a JavaScript value, or null when it has none (see the rules above). */
export function jsonFromJs(x: unknown): JsonValue | null {
  const seen = new Set<object>();
  try {
    const r = fromJs(x, seen);
    return r === OMIT ? null : JsonValue.of(r);
  } catch (e) {
    if (e === NOT_JSON) return null;
    throw e;
  }
}

const NOT_JSON = new Error('not convertible to JSON');

function fromJs(x: unknown, seen: Set<object>): JsonRaw | typeof OMIT {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      if (!Number.isFinite(x)) return null;
      return Number.isSafeInteger(x) && !Object.is(x, -0) ? x : floatRaw(x);
    case 'undefined':
    case 'function':
      return OMIT;
    case 'object': {
      if (x === null) return null;
      if (seen.has(x)) throw NOT_JSON;
      seen.add(x);
      const r = Array.isArray(x) ? arrayFromJs(x, seen) : objectFromJs(x, seen);
      seen.delete(x);
      return r;
    }
    default:
      // bigint, symbol
      throw NOT_JSON;
  }
}

function arrayFromJs(x: readonly unknown[], seen: Set<object>): JsonRaw[] {
  const out: JsonRaw[] = new Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const r = fromJs(x[i], seen);
    out[i] = r === OMIT ? null : r;
  }
  return out;
}

function objectFromJs(x: object, seen: Set<object>): JsonObject {
  const keys: string[] = [];
  const values: JsonRaw[] = [];
  // Own string-keyed properties, enumerable or not (as the reference); accessors give null.
  for (const key of Object.getOwnPropertyNames(x)) {
    const d = Object.getOwnPropertyDescriptor(x, key);
    if (d === undefined) continue;
    const r = 'value' in d ? fromJs(d.value, seen) : null;
    if (r === OMIT) continue;
    keys.push(key);
    values.push(r);
  }
  return JsonObject.from(keys, values);
}
