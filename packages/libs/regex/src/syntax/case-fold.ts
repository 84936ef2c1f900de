/**
 * Simple case folding orbits (the characters that match each other case-insensitively),
 * for patterns where only parts are case-insensitive: Node 20's RegExp has no scoped
 * `(?i:…)`, so those parts are rewritten with explicit alternatives (`k` → `[kKK]`).
 *
 * The orbits come from the JavaScript engine itself: pairs found through
 * `toLowerCase`/`toUpperCase` are kept when a case-insensitive `v` RegExp (which uses
 * simple case folding, like Rust) confirms them. Built lazily, once (about 20 ms).
 */

let orbits: Map<number, readonly number[]> | undefined;

// No cased character lies beyond the Supplementary Multilingual Plane.
const LAST_CASED_PLANE_END = 0x1ffff;

function build(): Map<number, readonly number[]> {
  const sets = new Map<number, Set<number>>();
  const join = (a: number, b: number) => {
    const sa = sets.get(a);
    const sb = sets.get(b);
    if (sa === undefined && sb === undefined) {
      const s = new Set([a, b]);
      sets.set(a, s);
      sets.set(b, s);
    } else if (sa !== undefined && sb === undefined) {
      sa.add(b);
      sets.set(b, sa);
    } else if (sa === undefined && sb !== undefined) {
      sb.add(a);
      sets.set(a, sb);
    } else if (sa !== sb) {
      for (const x of sb!) {
        sa!.add(x);
        sets.set(x, sa!);
      }
    }
  };
  for (let cp = 0; cp <= LAST_CASED_PLANE_END; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    for (const t of [s.toLowerCase(), s.toUpperCase()]) {
      if (t === s) continue;
      const o = t.codePointAt(0)!;
      if (t.length !== (o > 0xffff ? 2 : 1)) continue;
      if (new RegExp(`^\\u{${cp.toString(16)}}$`, 'iv').test(t)) join(cp, o);
    }
  }
  const out = new Map<number, readonly number[]>();
  for (const [cp, s] of sets)
    out.set(
      cp,
      [...s].sort((a, b) => a - b),
    );
  return out;
}

/** The characters equal to `cp` under simple case folding, `cp` included, sorted. */
export function caseOrbit(cp: number): readonly number[] {
  orbits ??= build();
  return orbits.get(cp) ?? [cp];
}

/** Every character that has case variants, with its orbit. */
export function caseOrbits(): ReadonlyMap<number, readonly number[]> {
  orbits ??= build();
  return orbits;
}

/**
 * Whether a character has no case variant, without building the table: every member of
 * an orbit changes under lower- or upper-casing.
 */
export function isCaseless(cp: number): boolean {
  const s = String.fromCodePoint(cp);
  return s.toLowerCase() === s && s.toUpperCase() === s;
}
