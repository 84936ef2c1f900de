/**
 * `cicd/services/github::|github_expressions()`: GitHub's expression functions and operators
 * as JavaScript, for the expression realm (a `javascript::JavaScriptEngine`'s `code`, run in
 * every new realm and fork). The reference's helpers evaluate `${{ … }}` as JavaScript, whose
 * rules differ from GitHub's (libraries.md §15.8.7); `tutti github import` compiles each
 * expression of a workflow into calls of these `__gh_*` functions (the bridge's compile.ts),
 * so that the realm gives GitHub's results.
 *
 * Each function follows `@actions/expressions` (its evaluator, `result.ts`, `funcs/*`):
 * GitHub's kinds (null, boolean, number, string, array, object) over plain JavaScript values
 * (`undefined` counts as null), its coercions and comparisons (strings without case, numbers
 * and strings compared as numbers, null and booleans as numbers, objects by identity), `&&`
 * and `||` giving an operand, member access without case on objects, `*` filters, and the
 * functions with their errors. `__gh_str` is the text GitHub puts in a string.
 */
import { fn } from '@tutti/core';
import { area } from './state.js';

/** The JavaScript source of GitHub's functions and operators (`__gh_*`). */
export const GITHUB_EXPRESSIONS = String.raw`function __gh_kind(v) {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  return t === "string" || t === "number" || t === "boolean" ? t : "object";
}
function __gh_prim(v) { const k = __gh_kind(v); return k !== "array" && k !== "object"; }
function __gh_num(v) {
  switch (__gh_kind(v)) {
    case "null": return 0;
    case "boolean": return v ? 1 : 0;
    case "number": return v;
    case "string": return Number(v);
    default: return NaN;
  }
}
function __gh_numstr(n) { return n === 0 ? "0" : String(+n.toFixed(15)); }
function __gh_tostr(v) {
  switch (__gh_kind(v)) {
    case "null": return "";
    case "boolean": return v ? "true" : "false";
    case "number": return __gh_numstr(v);
    case "string": return v;
    case "array": return "Array";
    default: return "Object";
  }
}
function __gh_str(v) {
  const k = __gh_kind(v);
  if (k === "array" || k === "object") return JSON.stringify(v, null, 2);
  return __gh_tostr(v);
}
function __gh_truthy(v) {
  switch (__gh_kind(v)) {
    case "null": return false;
    case "boolean": return v;
    case "number": return !(v === 0 || isNaN(v));
    case "string": return v.length > 0;
    default: return true;
  }
}
function __gh_upper(s) { return s.split("\u0131").map((x) => x.toUpperCase()).join("\u0131"); }
function __gh_coerce(l, r) {
  const lk = __gh_kind(l), rk = __gh_kind(r);
  if (lk === rk) return [l, r];
  if (lk === "number" && rk === "string") return [l, Number(r)];
  if (lk === "string" && rk === "number") return [Number(l), r];
  if (lk === "null" || lk === "boolean") return __gh_coerce(__gh_num(l), r);
  if (rk === "null" || rk === "boolean") return __gh_coerce(l, __gh_num(r));
  return [l, r];
}
function __gh_eq(a, b) {
  const [l, r] = __gh_coerce(a, b);
  const k = __gh_kind(l);
  if (k !== __gh_kind(r)) return false;
  switch (k) {
    case "null": return true;
    case "number": return !isNaN(l) && !isNaN(r) && l == r;
    case "string": return __gh_upper(l) === __gh_upper(r);
    case "boolean": return l === r;
    default: return l === r;
  }
}
function __gh_ne(a, b) { return !__gh_eq(a, b); }
function __gh_gt(a, b) {
  const [l, r] = __gh_coerce(a, b);
  const k = __gh_kind(l);
  if (k !== __gh_kind(r)) return false;
  switch (k) {
    case "number": return !isNaN(l) && !isNaN(r) && l > r;
    case "string": return __gh_upper(l) > __gh_upper(r);
    case "boolean": return l && !r;
    default: return false;
  }
}
function __gh_lt(a, b) {
  const [l, r] = __gh_coerce(a, b);
  const k = __gh_kind(l);
  if (k !== __gh_kind(r)) return false;
  switch (k) {
    case "number": return !isNaN(l) && !isNaN(r) && l < r;
    case "string": return __gh_upper(l) < __gh_upper(r);
    case "boolean": return !l && r;
    default: return false;
  }
}
function __gh_ge(a, b) { return __gh_eq(a, b) || __gh_gt(a, b); }
function __gh_le(a, b) { return __gh_eq(a, b) || __gh_lt(a, b); }
function __gh_not(v) { return !__gh_truthy(v); }
function __gh_and(v, ...rest) {
  for (const f of rest) { if (!__gh_truthy(v)) return v; v = f(); }
  return v;
}
function __gh_or(v, ...rest) {
  for (const f of rest) { if (__gh_truthy(v)) return v; v = f(); }
  return v;
}
function __gh_filtered(values) {
  Object.defineProperty(values, "__gh_filtered", { value: true, enumerable: false });
  return values;
}
function __gh_get(o, key) {
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return { value: o[k] === undefined ? null : o[k] };
  return undefined;
}
function __gh_index(i) {
  const out = {};
  if (__gh_prim(i)) out.str = __gh_tostr(i);
  const f = __gh_num(i);
  if (!isNaN(f) && isFinite(f) && f >= 0) out.int = Math.floor(f);
  return out;
}
function __gh_star(o) {
  const k = __gh_kind(o);
  if (k === "array" && o.__gh_filtered === true) {
    const out = [];
    for (const item of o) {
      const ik = __gh_kind(item);
      if (ik === "object") out.push(...Object.values(item).map((x) => (x === undefined ? null : x)));
      else if (ik === "array") out.push(...item);
    }
    return __gh_filtered(out);
  }
  if (k === "array") return __gh_filtered(o.slice());
  if (k === "object") return __gh_filtered(Object.values(o).map((x) => (x === undefined ? null : x)));
  return __gh_filtered([]);
}
function __gh_idx(o, i) {
  const idx = __gh_index(i);
  const k = __gh_kind(o);
  if (k === "array" && o.__gh_filtered === true) {
    const out = [];
    for (const item of o) {
      const ik = __gh_kind(item);
      if (ik === "object" && idx.str !== undefined) {
        const got = __gh_get(item, idx.str);
        if (got !== undefined) out.push(got.value);
      } else if (ik === "array" && idx.int !== undefined && idx.int < item.length) out.push(item[idx.int]);
    }
    return __gh_filtered(out);
  }
  if (k === "array") return idx.int !== undefined && idx.int < o.length && o[idx.int] !== undefined ? o[idx.int] : null;
  if (k === "object" && idx.str !== undefined) {
    const got = __gh_get(o, idx.str);
    return got === undefined ? null : got.value;
  }
  return null;
}
function __gh_contains(l, r) {
  if (__gh_prim(l)) return __gh_prim(r) && __gh_tostr(l).toLowerCase().includes(__gh_tostr(r).toLowerCase());
  if (__gh_kind(l) === "array") return l.some((v) => __gh_eq(r, v === undefined ? null : v));
  return false;
}
function __gh_startsWith(l, r) {
  return __gh_prim(l) && __gh_prim(r) && __gh_upper(__gh_tostr(l)).startsWith(__gh_upper(__gh_tostr(r)));
}
function __gh_endsWith(l, r) {
  return __gh_prim(l) && __gh_prim(r) && __gh_upper(__gh_tostr(l)).endsWith(__gh_upper(__gh_tostr(r)));
}
function __gh_format(...args) {
  const fs = __gh_tostr(args[0]);
  const result = [];
  const at = (i) => (fs.length > i ? fs[i] : "\0");
  let index = 0;
  while (index < fs.length) {
    const lbrace = fs.indexOf("{", index);
    const rbrace = fs.indexOf("}", index);
    if (lbrace >= 0 && (rbrace < 0 || rbrace > lbrace)) {
      if (at(lbrace + 1) === "{") {
        result.push(fs.substr(index, lbrace - index + 1));
        index = lbrace + 2;
        continue;
      }
      if (rbrace > lbrace + 1) {
        let length = 0;
        while (at(lbrace + 1 + length) >= "0" && at(lbrace + 1 + length) <= "9") length++;
        const n = length < 1 ? NaN : parseInt(fs.substr(lbrace + 1, length));
        if (!isNaN(n)) {
          if (1 + n > args.length - 1) throw new Error("The following format string references more arguments than were supplied: " + fs);
          if (lbrace > index) result.push(fs.substr(index, lbrace - index));
          result.push(__gh_tostr(args[1 + n]));
          index = rbrace + 1;
          continue;
        }
      }
      throw new Error("The following format string is invalid: " + fs);
    } else if (rbrace >= 0) {
      if (at(rbrace + 1) === "}") {
        result.push(fs.substr(index, rbrace - index + 1));
        index = rbrace + 2;
      } else throw new Error("The following format string is invalid: " + fs);
    } else {
      result.push(fs.substr(index));
      break;
    }
  }
  return result.join("");
}
function __gh_join(...args) {
  const a = args[0];
  if (__gh_prim(a)) return __gh_tostr(a);
  if (__gh_kind(a) === "array") {
    const sep = args.length > 1 && __gh_prim(args[1]) ? __gh_tostr(args[1]) : ",";
    return a.map((v) => __gh_tostr(v)).join(sep);
  }
  return "";
}
function __gh_toJSON(v) { return JSON.stringify(v === undefined ? null : v, null, "  "); }
function __gh_fromJSON(v) {
  const s = __gh_tostr(v);
  if (s.trim() === "") throw new Error("empty input");
  return JSON.parse(s);
}
function __gh_case(...args) {
  for (let i = 0; i < args.length - 1; i += 2) {
    if (__gh_kind(args[i]) !== "boolean") throw new Error("case predicate must evaluate to a boolean value");
    if (args[i]) return args[i + 1];
  }
  return args[args.length - 1];
}
function __gh_env(base, ...pairs) {
  const out = {};
  if (__gh_kind(base) === "object") for (const k of Object.keys(base)) out[k] = base[k];
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]] = pairs[i + 1];
  return out;
}
function __gh_envunder(base, ...pairs) {
  const out = {};
  if (__gh_kind(base) === "object") for (const k of Object.keys(base)) out[k] = base[k];
  const given = __gh_kind(base) === "object" ? base : {};
  for (let i = 0; i + 1 < pairs.length; i += 2) if (__gh_get(given, pairs[i]) === undefined) out[pairs[i]] = pairs[i + 1];
  return out;
}
function __gh_envor(base, name, fallback) {
  const got = __gh_kind(base) === "object" ? __gh_get(base, name) : undefined;
  return got === undefined ? fallback : got.value;
}
var __gh_hashes = {};
var __gh_hashes_wanted = [];
function __gh_hashFiles(...patterns) {
  // the realm has no file system: the helpers compute what is asked here, then evaluate again (realm.ts)
  const key = JSON.stringify(patterns.map((p) => __gh_tostr(p)));
  if (Object.prototype.hasOwnProperty.call(__gh_hashes, key)) return __gh_hashes[key];
  __gh_hashes_wanted.push(key);
  return "";
}
true`;

export const githubExpressionsFunction = fn(area, 'github_expressions', {
  returns: 'string',
  doc:
    "JavaScript defining GitHub's expression functions and operators (`__gh_*`: GitHub's coercions, " +
    'comparisons without case, `&&`/`||` giving an operand, member access without case, `*` filters, ' +
    "`contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`, `fromJSON`, `case`, `__gh_env` (the realm's " +
    '`env` with the values the workflow sets), and `__gh_str`, ' +
    'the text GitHub puts in a string), as `@actions/expressions` evaluates them: the `code` of a ' +
    '`javascript::JavaScriptEngine` whose expressions `tutti github import` compiled (Tutti’s extension).',
  impl: () => GITHUB_EXPRESSIONS,
});
