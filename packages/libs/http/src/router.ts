/**
 * Routes of `http/server`: a pattern is `/`-separated segments, each
 * a literal, a `:name` parameter or `*` (the rest of the path, possibly empty, only last).
 * When several routes match, the most specific wins, segment by segment: a literal beats a
 * parameter, which beats `*` — the rule of the reference's router. A pattern the grammar
 * does not accept (an empty `:`, a `*` before the end, a repeated parameter name) is left
 * out, as the reference ignores it.
 */

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest' };

/** A parsed route and what it serves. */
export interface Route<T> {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly target: T;
}

/** A matched route: its target and the values of its `:name` segments. */
export interface RouteMatch<T> {
  readonly route: Route<T>;
  readonly parameters: readonly (readonly [string, string])[];
}

/** Parses `pattern`; undefined when it is not a route. */
export function parseRoute(pattern: string): Segment[] | undefined {
  if (!pattern.startsWith('/')) return undefined;
  const parts = splitPath(pattern);
  const names = new Set<string>();
  const segments: Segment[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p === '*') {
      if (i !== parts.length - 1) return undefined;
      segments.push({ kind: 'rest' });
    } else if (p.startsWith(':')) {
      const name = p.slice(1);
      if (!/^\w+$/.test(name) || names.has(name)) return undefined;
      names.add(name);
      segments.push({ kind: 'param', name });
    } else if (p.includes('*') || p.includes(':')) return undefined;
    else segments.push({ kind: 'literal', text: p });
  }
  return segments;
}

/** The routes of one server, matched by method and path. */
export class Router<T> {
  private readonly byMethod = new Map<string, Route<T>[]>();
  /**
   * Per method whose routes have no `*`, the matches of its literal routes by normalized
   * path (`/` and the segments, no trailing `/`). Such a route is then the best match of
   * its path (every segment scores highest and every match has as many segments), so a
   * request for it is answered by one lookup, without splitting its path.
   */
  private readonly literal = new Map<string, Map<string, RouteMatch<T>>>();

  /** Adds a route; false when `pattern` does not parse (the route is ignored). */
  add(method: string, pattern: string, target: T): boolean {
    const segments = parseRoute(pattern);
    if (segments === undefined) return false;
    const list = this.byMethod.get(method) ?? [];
    const route: Route<T> = { method, pattern, segments, target };
    list.push(route);
    this.byMethod.set(method, list);
    if (list.some((r) => r.segments.some((x) => x.kind === 'rest'))) this.literal.delete(method);
    else {
      let exact = this.literal.get(method);
      if (exact === undefined) this.literal.set(method, (exact = new Map()));
      const key = `/${segments.map((x) => (x.kind === 'literal' ? x.text : '')).join('/')}`;
      // The first of equal routes wins, as in the general match.
      if (segments.every((x) => x.kind === 'literal') && !exact.has(key)) exact.set(key, { route, parameters: [] });
    }
    return true;
  }

  /** The best route for `method` and `path` (the path without its query), if any. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const routes = this.byMethod.get(method);
    if (routes === undefined) return undefined;
    if (path.startsWith('/')) {
      const hit = this.literal.get(method)?.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
      if (hit !== undefined) return hit;
    }
    const parts = splitPath(path);
    let best: RouteMatch<T> | undefined;
    let bestScore: number[] = [];
    for (const route of routes) {
      const score: number[] = [];
      const parameters = matchSegments(route.segments, parts, score);
      if (parameters !== undefined && (best === undefined || compareScores(score, bestScore) > 0)) {
        best = { route, parameters };
        bestScore = score;
      }
    }
    return best;
  }
}

function splitPath(path: string): string[] {
  const parts = path.split('/').slice(1);
  // A trailing slash does not make another resource: `/a/` is `/a`.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[], score: number[]): [string, string][] | undefined {
  const parameters: [string, string][] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if (s.kind === 'rest') {
      score.push(1);
      return parameters;
    }
    const p = parts[i];
    if (p === undefined) return undefined;
    if (s.kind === 'literal') {
      if (p !== s.text) return undefined;
      score.push(3);
    } else {
      if (p === '') return undefined;
      parameters.push([s.name, decode(p)]);
      score.push(2);
    }
  }
  return parts.length === segments.length ? parameters : undefined;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
