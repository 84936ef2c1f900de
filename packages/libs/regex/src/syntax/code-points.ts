/**
 * Character classes as explicit code point ranges, for the linear-time engine (RE2 syntax
 * has no set operations, no `Alphabetic`, `Join_Control` or `scx=`, and ASCII-only Perl
 * classes). A class is evaluated here with Rust's meaning: Unicode properties are read
 * from the JavaScript engine's own Unicode data (the same data the parser validated the
 * names against), case-insensitive leaves are closed under simple case folding before
 * negation and set operations apply, as Rust does.
 *
 * A property's ranges are found by running `\p{…}+` once over a string of every scalar
 * value (a few tens of milliseconds the first time), then kept.
 */
import type { ClassExpr, Range } from './ast.js';
import { caseOrbits } from './case-fold.js';

const MAX = 0x10ffff;

/** Rust's Unicode word characters (UTS #18 `\w`), as a JavaScript `v` class. */
const WORD_UNICODE = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';

/** Sorted, disjoint, non-adjacent ranges. */
export type RangeSet = readonly Range[];

/** Sorts and merges ranges into a {@link RangeSet}. */
export function normalize(ranges: readonly Range[]): RangeSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Every scalar value not in `s` (surrogates count as members, so they stay out). */
export function complement(s: RangeSet): RangeSet {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of s) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

function intersect(a: RangeSet, b: RangeSet): RangeSet {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i] as Range;
    const [blo, bhi] = b[j] as Range;
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

const minus = (a: RangeSet, b: RangeSet) => intersect(a, complement(b));

/** Whether `cp` is in `s` (binary search). */
function has(s: RangeSet, cp: number): boolean {
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = s[mid] as Range;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Adds every case variant of the members (simple case folding). */
function fold(s: RangeSet): RangeSet {
  const extra: Range[] = [];
  for (const [c, orbit] of caseOrbits()) if (has(s, c)) for (const o of orbit) if (!has(s, o)) extra.push([o, o]);
  return extra.length === 0 ? s : normalize([...s, ...extra]);
}

let scalarStrings: [string, string] | undefined;

/** Every scalar value in order: below the surrogates, and above them. */
function scalars(): [string, string] {
  if (scalarStrings !== undefined) return scalarStrings;
  const units = (lo: number, hi: number): string => {
    const n = hi - lo + 1 + Math.max(0, hi - Math.max(lo, 0x10000) + 1);
    const buf = new Uint16Array(n);
    let k = 0;
    for (let c = lo; c <= hi; c++) {
      if (c < 0x10000) buf[k++] = c;
      else {
        const v = c - 0x10000;
        buf[k++] = 0xd800 + (v >> 10);
        buf[k++] = 0xdc00 + (v & 0x3ff);
      }
    }
    return new TextDecoder('utf-16le').decode(buf);
  };
  scalarStrings = [units(0, 0xd7ff), units(0xe000, MAX)];
  return scalarStrings;
}

const propertyCache = new Map<string, RangeSet>();

/** The members of a JavaScript `v`-mode class (`\p{Nd}`, `[\p{L}\p{M}]`), as ranges. */
function jsClassRanges(source: string): RangeSet {
  const hit = propertyCache.get(source);
  if (hit !== undefined) return hit;
  const [low, high] = scalars();
  const re = new RegExp(`${source}+`, 'gv');
  const out: Range[] = [];
  for (const m of low.matchAll(re)) out.push([m.index, m.index + m[0].length - 1]);
  // In the upper string, E000–FFFF take one unit each, the rest two.
  const at = (i: number) => (i < 0x2000 ? 0xe000 + i : 0x10000 + ((i - 0x2000) >> 1));
  for (const m of high.matchAll(re)) {
    const last = m.index + m[0].length - 1;
    out.push([at(m.index), at(last >= 0x2000 ? last - 1 : last)]);
  }
  const s = normalize(out);
  propertyCache.set(source, s);
  return s;
}

/** The code points of a class, with Rust's meaning; `caseless`: close leaves under case folding. */
export function classRanges(e: ClassExpr, caseless: boolean): RangeSet {
  const leaf = (s: RangeSet) => (caseless ? fold(s) : s);
  switch (e.t) {
    case 'ranges':
      return leaf(normalize(e.ranges));
    case 'prop': {
      const s = leaf(jsClassRanges(`\\p{${e.body}}`));
      return e.neg ? complement(s) : s;
    }
    case 'perl': {
      const s = jsClassRanges(e.k === 'd' ? '\\p{Nd}' : e.k === 's' ? '\\p{White_Space}' : WORD_UNICODE);
      return e.neg ? complement(s) : s;
    }
    case 'union':
      return normalize(e.items.flatMap((i) => classRanges(i, caseless)));
    case 'op': {
      const a = classRanges(e.a, caseless);
      const b = classRanges(e.b, caseless);
      if (e.op === '&&') return intersect(a, b);
      if (e.op === '--') return minus(a, b);
      return normalize([...minus(a, b), ...minus(b, a)]);
    }
    case 'not':
      return complement(classRanges(e.of, caseless));
  }
}

/** Rust's Unicode `\w`, as ranges (for word boundaries). */
export function unicodeWordRanges(): RangeSet {
  return jsClassRanges(WORD_UNICODE);
}
