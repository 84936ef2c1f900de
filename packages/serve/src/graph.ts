/**
 * A run's graph: the nodes and edges the studio draws, laid out here, on the server, once
 * per graph shape (cached on disk by a hash of the shape), so a page never lays out.
 *
 * Small graphs (up to {@link DAGRE_LIMIT} nodes) are laid out by dagre, whose crossing
 * reduction gives the best pictures; dagre is quadratic-ish (measured here: 1 000 nodes in
 * 5 s, 3 000 in 26 s), so larger graphs get a linear layered layout of our own: cycles
 * broken by a depth-first search, longest-path layers, two barycenter sweeps to reduce
 * crossings, fixed spacing. A 10 000-node graph lays out in well under a second.
 *
 * The critical path is the longest chain of node durations along the edges (back edges of
 * cycles ignored): the chain that decided when the job ended.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { elementIdentifier } from '@tutti/core';
import type { Design } from '@tutti/design';

/** A node as the studio draws it. */
export interface GraphNode {
  readonly id: string;
  readonly label: string;
  /** What it is: a treatment identifier, a job's kind. */
  readonly sub: string;
  /** Where it is written (`file:line:col`), for diagnostics and the side panel. */
  readonly origin?: string;
  /** Fed by a model (a track's source), not started as a treatment. */
  readonly source?: boolean;
  x: number;
  y: number;
  readonly w: number;
  readonly h: number;
}

/** A laid-out graph: nodes with places; edges as pairs of node indices. */
export interface LaidOutGraph {
  readonly nodes: GraphNode[];
  readonly edges: (readonly [number, number])[];
  width: number;
  height: number;
  readonly layout: 'dagre' | 'layered';
}

/** Nodes up to which dagre lays out; larger graphs use the layered layout. */
export const DAGRE_LIMIT = 400;
const NODE_H = 32;
const GAP_X = 60;
const GAP_Y = 14;

/** The graph of a design: one node per native treatment instance, one edge per connected pair. */
export function designGraph(design: Design, originOf: (o: string) => string = (o) => o): { nodes: GraphNode[]; edges: [number, number][] } {
  const sources = new Set(design.sources.map((s) => s.leaf));
  const nodes = design.leaves.map((leaf, i) => {
    const last = leaf.path.slice(leaf.path.lastIndexOf('/') + 1);
    return {
      id: leaf.path,
      label: last,
      sub: elementIdentifier(leaf.descriptor),
      ...(leaf.origin === undefined ? {} : { origin: originOf(leaf.origin) }),
      ...(sources.has(i) ? { source: true } : {}),
      x: 0,
      y: 0,
      w: Math.min(220, Math.max(90, 8 * Math.max(last.length, 10))),
      h: NODE_H,
    };
  });
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  for (const c of design.connections) {
    const key = c.from * 1_000_003 + c.to;
    if (c.from === c.to || seen.has(key)) continue;
    seen.add(key);
    edges.push([c.from, c.to]);
  }
  return { nodes, edges };
}

/** Lays out a graph, from the cache in `cacheDir` when this shape was laid out before. */
export async function layoutGraph(
  g: { nodes: GraphNode[]; edges: readonly (readonly [number, number])[] },
  cacheDir?: string,
): Promise<LaidOutGraph> {
  const hash = createHash('sha256');
  for (const n of g.nodes) hash.update(`${n.id}\0${n.w}\0`);
  for (const [a, b] of g.edges) hash.update(`${a}>${b};`);
  const key = hash.digest('hex').slice(0, 32);
  const file = cacheDir === undefined ? undefined : join(cacheDir, `${key}.json`);
  if (file !== undefined && existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as {
        xy: number[];
        width: number;
        height: number;
        layout: LaidOutGraph['layout'];
      };
      g.nodes.forEach((n, i) => {
        n.x = cached.xy[2 * i] ?? 0;
        n.y = cached.xy[2 * i + 1] ?? 0;
      });
      return { nodes: g.nodes, edges: [...g.edges], width: cached.width, height: cached.height, layout: cached.layout };
    } catch {
      // A damaged cache entry is laid out again and rewritten.
    }
  }
  const out = g.nodes.length <= DAGRE_LIMIT ? await dagreLayout(g) : layeredLayout(g);
  if (file !== undefined && cacheDir !== undefined) {
    mkdirSync(cacheDir, { recursive: true });
    const xy = out.nodes.flatMap((n) => [Math.round(n.x), Math.round(n.y)]);
    writeFileSync(file, JSON.stringify({ xy, width: out.width, height: out.height, layout: out.layout }));
  }
  return out;
}

async function dagreLayout(g: { nodes: GraphNode[]; edges: readonly (readonly [number, number])[] }): Promise<LaidOutGraph> {
  const { default: dagre } = await import('@dagrejs/dagre');
  const dg = new dagre.graphlib.Graph();
  dg.setGraph({ rankdir: 'LR', nodesep: GAP_Y, ranksep: GAP_X, marginx: 10, marginy: 10 });
  dg.setDefaultEdgeLabel(() => ({}));
  for (const [i, n] of g.nodes.entries()) dg.setNode(String(i), { width: n.w, height: n.h });
  for (const [a, b] of g.edges) dg.setEdge(String(a), String(b));
  dagre.layout(dg);
  let width = 0;
  let height = 0;
  g.nodes.forEach((n, i) => {
    const p = dg.node(String(i)) as { x: number; y: number };
    // dagre gives centres; the studio draws from the top-left corner.
    n.x = p.x - n.w / 2;
    n.y = p.y - n.h / 2;
    width = Math.max(width, n.x + n.w);
    height = Math.max(height, n.y + n.h);
  });
  return { nodes: g.nodes, edges: [...g.edges], width: width + 10, height: height + 10, layout: 'dagre' };
}

/** Edges that close a cycle (found by an iterative depth-first search), as a set of edge indices. */
function backEdges(n: number, edges: readonly (readonly [number, number])[]): Set<number> {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [i, [a]] of edges.entries()) out[a]?.push(i);
  const state = new Uint8Array(n);
  const back = new Set<number>();
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const list = out[top[0]] as number[];
      if (top[1] < list.length) {
        const e = list[top[1]++] as number;
        const to = (edges[e] as readonly [number, number])[1];
        if (state[to] === 1) back.add(e);
        else if (state[to] === 0) {
          state[to] = 1;
          stack.push([to, 0]);
        }
      } else {
        state[top[0]] = 2;
        stack.pop();
      }
    }
  }
  return back;
}

/** A topological order of the graph without its back edges, and the forward adjacency. */
function forward(n: number, edges: readonly (readonly [number, number])[]) {
  const back = backEdges(n, edges);
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Uint32Array(n);
  edges.forEach(([a, b], i) => {
    if (back.has(i)) return;
    succ[a]?.push(b);
    pred[b]?.push(a);
    indegree[b] = (indegree[b] ?? 0) + 1;
  });
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const m of succ[order[k] as number] as number[]) {
      indegree[m] = (indegree[m] as number) - 1;
      if (indegree[m] === 0) order.push(m);
    }
  }
  return { order, succ, pred };
}

/** The linear layered layout for large graphs (see the file's comment). */
export function layeredLayout(g: { nodes: GraphNode[]; edges: readonly (readonly [number, number])[] }): LaidOutGraph {
  const n = g.nodes.length;
  const { order, pred } = forward(n, g.edges);
  const layer = new Uint32Array(n);
  for (const v of order) for (const u of pred[v] as number[]) layer[v] = Math.max(layer[v] as number, (layer[u] as number) + 1);
  const layers: number[][] = [];
  for (const v of order) {
    const l = layer[v] as number;
    (layers[l] ??= []).push(v);
  }
  const pos = new Float64Array(n);
  for (const vs of layers) for (const [i, v] of vs.entries()) pos[v] = i;
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const v of order) for (const u of pred[v] as number[]) succ[u]?.push(v);
  const sweep = (down: boolean) => {
    const range = down ? layers.keys() : [...layers.keys()].reverse();
    for (const l of range) {
      const vs = layers[l] as number[];
      const key = new Float64Array(n);
      for (const v of vs) {
        const ns = (down ? pred[v] : succ[v]) as number[];
        key[v] = ns.length === 0 ? (pos[v] as number) : ns.reduce((s, u) => s + (pos[u] as number), 0) / ns.length;
      }
      vs.sort((a, b) => (key[a] as number) - (key[b] as number));
      for (const [i, v] of vs.entries()) pos[v] = i;
    }
  };
  sweep(true);
  sweep(false);
  sweep(true);
  let x = 10;
  let height = 0;
  for (const vs of layers) {
    let w = 0;
    let y = 10;
    for (const v of vs) {
      const node = g.nodes[v] as GraphNode;
      node.x = x;
      node.y = y;
      y += node.h + GAP_Y;
      w = Math.max(w, node.w);
    }
    height = Math.max(height, y);
    x += w + GAP_X;
  }
  return { nodes: g.nodes, edges: [...g.edges], width: x, height: height + 10, layout: 'layered' };
}

/**
 * The critical path: node indices of the chain with the largest total duration
 * (`durations[i]` in ms, 0 for nodes that did not run), following edges forward.
 */
export function criticalPath(n: number, edges: readonly (readonly [number, number])[], durations: ArrayLike<number>): number[] {
  if (n === 0) return [];
  const { order, pred } = forward(n, edges);
  const best = new Float64Array(n);
  const from = new Int32Array(n).fill(-1);
  for (const v of order) {
    let b = 0;
    for (const u of pred[v] as number[]) {
      if ((best[u] as number) > b) {
        b = best[u] as number;
        from[v] = u;
      }
    }
    // A microsecond per node: among chains of equal time (nodes that took under 1 ms), the longest wins.
    best[v] = b + Math.max(0, durations[v] ?? 0) + 1e-3;
  }
  let end = 0;
  for (let i = 1; i < n; i++) if ((best[i] as number) > (best[end] as number)) end = i;
  if ((best[end] as number) === 0) return [];
  const path: number[] = [];
  for (let v = end; v !== -1; v = from[v] as number) path.push(v);
  return path.reverse();
}
