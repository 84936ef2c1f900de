/**
 * The track check: every instance that a source's track reaches
 * must find there the contexts it requires or reads. The entrypoint is expanded into its
 * static instance tree and each source's downstream is followed port by port,
 * into composite bodies through `Self` inputs and out through `Self` outputs.
 */
import type { DiagnosticSink } from '@tutti/core';
import type { ConnectionSyntax, TreatmentSyntax } from '../syntax/syntax.js';
import type { ContextSymbol, InstanceFacts, TreatmentSymbol } from './symbols.js';

/** Static tree nodes beyond which the check gives up (a pathological program). */
const MAX_NODES = 200_000;

interface Node {
  /** Unique per node: the key of the walk's visited set (a path string would grow with depth). */
  readonly id: number;
  readonly treatment: TreatmentSymbol;
  readonly parent: Node | undefined;
  readonly fact: InstanceFacts | undefined;
  readonly name: string;
  children: Map<string, Node> | undefined;
}

/** A node being expanded and the next of its instances. */
interface Frame {
  readonly node: Node;
  readonly facts: readonly InstanceFacts[];
  next: number;
}

/**
 * @param facts instance facts of every checked `.mel` treatment, by treatment id
 */
export function checkTrackContexts(
  entry: TreatmentSymbol,
  facts: ReadonlyMap<string, readonly InstanceFacts[]>,
  sink: DiagnosticSink,
): void {
  let count = 0;
  const sources: Node[] = [];
  // Expand depth first with an explicit stack (no recursion on user-controlled depth);
  // the treatments on the current chain stop a recursive program (reported elsewhere).
  const onChain = new Set<string>();
  const enter = (node: Node): Frame | undefined => {
    if (node.treatment.source !== undefined) sources.push(node);
    if (node.treatment.syntax === undefined || onChain.has(node.treatment.id)) return undefined;
    onChain.add(node.treatment.id);
    node.children = new Map();
    return { node, facts: facts.get(node.treatment.id) ?? [], next: 0 };
  };
  const first = enter({ id: 0, treatment: entry, parent: undefined, fact: undefined, name: entry.name, children: undefined });
  const stack: Frame[] = first === undefined ? [] : [first];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    const f = top.facts[top.next++];
    if (f === undefined) {
      onChain.delete(top.node.treatment.id);
      stack.pop();
      continue;
    }
    if (f.treatment === undefined) continue;
    if (++count > MAX_NODES) return;
    const child: Node = { id: count, treatment: f.treatment, parent: top.node, fact: f, name: f.syntax.name.text, children: undefined };
    top.node.children?.set(child.name, child);
    const frame = enter(child);
    if (frame !== undefined) stack.push(frame);
  }

  for (const s of sources) {
    const provided = new Set((s.treatment.source?.contexts ?? []).map((c) => c.id));
    const reached = new Set<Node>();
    const seen = new Set<string>();
    const work: [Node, 'in' | 'out', string][] = [];
    const push = (n: Node, dir: 'in' | 'out', port: string) => {
      const key = `${n.id}|${dir}|${port}`;
      if (seen.has(key)) return;
      seen.add(key);
      work.push([n, dir, port]);
    };
    for (let a: Node | undefined = s; a !== undefined; a = a.parent) reached.add(a);
    for (const o of s.treatment.outputs.keys()) push(s, 'out', o);
    while (work.length > 0) {
      const [n, dir, port] = work.pop() as [Node, 'in' | 'out', string];
      if (dir === 'in') {
        reached.add(n);
        const body = n.treatment.syntax;
        if (body === undefined || n.children === undefined) {
          for (const o of n.treatment.outputs.keys()) push(n, 'out', o);
          continue;
        }
        for (const c of connectionsFrom(body, 'Self', port)) route(n, c);
      } else {
        const p = n.parent;
        if (p === undefined || p.treatment.syntax === undefined) continue;
        for (const c of connectionsFrom(p.treatment.syntax, n.name, port)) route(p, c);
      }
    }
    function route(host: Node, c: ConnectionSyntax): void {
      if (c.to.instance.text === 'Self') push(host, 'out', c.to.port.text);
      else {
        const child = host.children?.get(c.to.instance.text);
        if (child !== undefined) push(child, 'in', c.to.port.text);
      }
    }
    for (const n of reached) {
      if (n.fact === undefined) continue;
      const needed = new Map<string, ContextSymbol>();
      for (const c of n.treatment.requires) needed.set(c.id, c);
      for (const c of n.fact.contextsRead) needed.set(c.id, c);
      for (const c of needed.values()) {
        if (provided.has(c.id)) continue;
        if (ancestorOffends(n, c, reached)) continue; // report the outermost only
        sink.report(
          'E_CONTEXT_NOT_AVAILABLE',
          n.fact.syntax.name.span,
          `'${n.name}' needs context '@${c.name}', which the track started by '${s.name}' (${s.treatment.name}) does not provide`,
          { hint: `feed '${n.name}' from a source that provides @${c.name}` },
        );
      }
    }
  }
}

function ancestorOffends(n: Node, c: ContextSymbol, reached: Set<Node>): boolean {
  for (let a = n.parent; a !== undefined; a = a.parent) {
    if (a.fact === undefined || !reached.has(a)) continue;
    if (a.treatment.requires.some((r) => r.id === c.id) || a.fact.contextsRead.some((r) => r.id === c.id)) return true;
  }
  return false;
}

const byEndpoint = new WeakMap<TreatmentSyntax, Map<string, ConnectionSyntax[]>>();
function connectionsFrom(body: TreatmentSyntax, instance: string, port: string): readonly ConnectionSyntax[] {
  let m = byEndpoint.get(body);
  if (m === undefined) {
    m = new Map();
    for (const c of body.connections) {
      const k = `${c.from.instance.text}.${c.from.port.text}`;
      const list = m.get(k);
      if (list === undefined) m.set(k, [c]);
      else list.push(c);
    }
    byEndpoint.set(body, m);
  }
  return m.get(`${instance}.${port}`) ?? [];
}
