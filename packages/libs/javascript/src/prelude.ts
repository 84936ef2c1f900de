/**
 * Source of the script the sandbox runs once in every fresh realm, before the model's
 * `code`. It evaluates to a pair of functions that live inside the realm and never go on
 * its global object, so user code can neither call nor replace them:
 *
 * - `inject(text)` parses one JSON text and defines the global `value` (as the reference does:
 *   the previous `value` is deleted, then a writable, enumerable, configurable data
 *   property is created);
 * - `convert(result)` returns the JSON text of a completion value, or `undefined` when it
 *   has none (see {@link PRELUDE} for the rules).
 *
 * Values cross the sandbox boundary only as strings: no host object is ever handed in.
 * The intrinsics the functions use are captured here, before any user code runs, so a
 * script that replaces `JSON`, `Object.getOwnPropertyNames` or `String.prototype` methods
 * does not change what `process` outputs.
 */

/** Deepest array/object nesting a result may have: deeper, the `Json` parser refuses it. */
export const MAX_RESULT_DEPTH = 128;

/**
 * The prelude. Conversion rules (the reference's, with two fixes: nested `undefined` and
 * functions are omitted instead of killing the realm, and integral numbers are integers):
 *
 * - `undefined`, a function, a symbol or a BigInt at the top, a cycle, nesting deeper than
 *   {@link MAX_RESULT_DEPTH}, or an exception → `undefined` (none);
 * - `null`, booleans and strings as they are; NaN and ±∞ → `null`;
 * - numbers (approximating the reference, which writes only 32-bit integers as such): an
 *   integral number of magnitude below 2^53 is written as a JSON integer (`-0` as `0`),
 *   any other finite number as a JSON float, with `.0` added when its shortest form has neither fraction nor exponent (`9007199254740992.0`);
 * - arrays: elements `0…length−1` read with `[[Get]]`; holes, `undefined` and functions
 *   give `null` (a fix, as `JSON.stringify`); a symbol or BigInt element fails;
 * - other objects: every own string-keyed property, enumerable or not, in
 *   `Object.getOwnPropertyNames` order (the `Json` value sorts keys anyway); an accessor
 *   gives `null` without running its getter; `undefined`- and function-valued members are
 *   omitted (a fix); `toJSON` is not consulted, as in the reference.
 */
export const PRELUDE = `(() => {
  'use strict';
  const g = globalThis;
  const parse = JSON.parse;
  const quote = JSON.stringify;
  const isArray = Array.isArray;
  const ownNames = Object.getOwnPropertyNames;
  const ownDescriptor = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const hasOwn = Object.hasOwn;
  const create = Object.create;
  const isInteger = Number.isInteger;
  const finite = Number.isFinite;
  const str = String;
  const MAX_DEPTH = ${MAX_RESULT_DEPTH};
  const LIMIT = 9007199254740992;
  const OMIT = {};
  const FAIL = {};

  function inject(text) {
    const v = parse(text);
    try { delete g.value; } catch (e) {}
    try {
      defineProperty(g, 'value', { value: v, writable: true, enumerable: true, configurable: true });
    } catch (e) {
      // A non-configurable \`value\` (a top-level \`var value\`): assign instead.
      g.value = v;
    }
  }

  function number(x) {
    if (!finite(x)) return 'null';
    if (isInteger(x) && x < LIMIT && x > -LIMIT) return x === 0 ? '0' : str(x);
    const s = str(x);
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '.' || c === 'e' || c === 'E') return s;
    }
    return s + '.0';
  }

  // The objects being converted, by depth: a null-prototype record, so that no setter a
  // script put on Array.prototype or Object.prototype runs while it is written.
  function conv(x, stack, depth) {
    switch (typeof x) {
      case 'string': return quote(x);
      case 'number': return number(x);
      case 'boolean': return x ? 'true' : 'false';
      case 'undefined':
      case 'function': return OMIT;
      case 'object': break;
      default: throw FAIL;
    }
    if (x === null) return 'null';
    if (depth >= MAX_DEPTH) throw FAIL;
    for (let i = 0; i < depth; i++) if (stack[i] === x) throw FAIL;
    stack[depth] = x;
    let out;
    if (isArray(x)) {
      const n = x.length;
      out = '[';
      for (let i = 0; i < n; i++) {
        const r = conv(x[i], stack, depth + 1);
        out += (i === 0 ? '' : ',') + (r === OMIT ? 'null' : r);
      }
      out += ']';
    } else {
      const keys = ownNames(x);
      let first = true;
      out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const d = ownDescriptor(x, k);
        if (d === undefined) continue;
        const r = hasOwn(d, 'value') ? conv(d.value, stack, depth + 1) : 'null';
        if (r === OMIT) continue;
        out += (first ? '' : ',') + quote(k) + ':' + r;
        first = false;
      }
      out += '}';
    }
    stack[depth] = undefined;
    return out;
  }

  function convert(result) {
    try {
      const r = conv(result, create(null), 0);
      return r === OMIT ? undefined : r;
    } catch (e) {
      return undefined;
    }
  }

  return [inject, convert];
})()`;
