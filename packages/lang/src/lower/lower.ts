/**
 * Lowering: a checked entrypoint to a design (genesis). The static
 * instance tree is expanded from the entrypoint; composite treatments disappear into
 * wiring, their parameters substituted into the values of the instances they
 * hold; constants and constant function calls are evaluated here, once per use site;
 * every prelude model becomes one model instance per composite node, built as its native
 * root ancestor through the chain of declared models.
 *
 * Only checked programs are lowered: anything the checker rejects is an internal error
 * here. Launch failures are collected, not thrown: every constant call that throws
 * (E_LAUNCH) and every element without behaviour (E_NOT_IMPLEMENTED, once per element,
 * at its first use with the other uses related) goes to the sink, and no design is
 * returned. The expansion keeps an explicit stack, so any nesting depth the checker
 * accepts is lowered (issue 8).
 */
import { type DataType, DiagnosticSink, elementIdentifier, SourceFile, type Span, substitute, type Value } from '@tutti/core';
import {
  type ConnectionDesign,
  type Design,
  evaluate,
  type LeafDesign,
  type ModelDesign,
  type SourceDesign,
  type ValueExpr,
} from '@tutti/design';
import { parseValueText } from '../parser/parser.js';
import type { Area } from '../semantic/area.js';
import type { FunctionSymbol, InstanceFacts, ModelSymbol, ParamSymbol, TreatmentSymbol } from '../semantic/symbols.js';
import { resolveValueType } from '../semantic/type-check.js';
import type { ConnectionSyntax, TreatmentSyntax, TypeSyntax, ValueSyntax } from '../syntax/syntax.js';
import { literalValue } from './literal.js';

/** Options of {@link lowerProgram}. */
export interface LowerOptions {
  readonly entry: TreatmentSymbol;
  /** Instance facts of every checked treatment, by treatment id (CheckResult.facts). */
  readonly facts: ReadonlyMap<string, readonly InstanceFacts[]>;
  /** Entrypoint argument values by parameter name; the others take their defaults. */
  readonly args: ReadonlyMap<string, Value>;
  /** Renders a span as `file:line:col` for messages. */
  readonly origin: (span: Span) => string;
}

interface CompositeNode {
  readonly kind: 'composite';
  readonly name: string;
  readonly parent: CompositeNode | undefined;
  readonly syntax: TreatmentSyntax;
  readonly children: Map<string, CompositeNode | LeafNode>;
  /** Connections of the body by source endpoint `instance.port`. */
  readonly from: Map<string, ConnectionSyntax[]>;
}

interface LeafNode {
  readonly kind: 'leaf';
  readonly name: string;
  readonly parent: CompositeNode;
  readonly index: number;
}

interface Scope {
  readonly area: Area;
  readonly generics: ReadonlyMap<string, DataType>;
  readonly params: ReadonlyMap<string, ValueExpr>;
  readonly models: ReadonlyMap<string, number>;
}

const NO_SINK = new DiagnosticSink();

/** A frame of the expansion: a composite node and the next of its instances to expand. */
interface Frame {
  readonly node: CompositeNode;
  readonly treatment: TreatmentSymbol;
  readonly path: string;
  readonly scope: Scope;
  readonly facts: readonly InstanceFacts[];
  next: number;
}

/**
 * Builds the design of `o.entry`. Launch failures (E_LAUNCH) and elements without
 * behaviour (E_NOT_IMPLEMENTED) are reported into `sink`; the result is then undefined.
 *
 * @example
 * const sink = new DiagnosticSink();
 * const design = lowerProgram({ entry, facts: checked.facts, args: new Map(), origin }, sink);
 * if (design === undefined) for (const d of sink.items) console.error(d.message);
 */
export function lowerProgram(o: LowerOptions, sink: DiagnosticSink): Design | undefined {
  const errorsBefore = sink.errorCount;
  /** Elements without behaviour, by identifier: what they are and where they are used. */
  const missing = new Map<string, { what: string; uses: Span[]; seen: Set<string> }>();
  const noteMissing = (id: string, what: string, at: Span) => {
    const key = `${at.file.path}:${at.start}`;
    const m = missing.get(id);
    if (m === undefined) missing.set(id, { what, uses: [at], seen: new Set([key]) });
    else if (!m.seen.has(key)) {
      m.seen.add(key);
      m.uses.push(at);
    }
  };
  const leaves: LeafDesign[] = [];
  const models: ModelDesign[] = [];
  const sources: SourceDesign[] = [];
  const leafNodes: LeafNode[] = [];

  const entryParams = new Map<string, ValueExpr>();
  for (const p of o.entry.params.values()) {
    const given = o.args.get(p.name);
    entryParams.set(
      p.name,
      given !== undefined || o.args.has(p.name) ? { kind: 'const', value: given } : defaultExpr(p, o.entry, new Map()),
    );
  }

  /** A composite node for `t`, with its prelude models instantiated (one per node). */
  const enter = (t: TreatmentSymbol, name: string, parent: CompositeNode | undefined, path: string, scopeIn: Scope): Frame => {
    const syntax = t.syntax as TreatmentSyntax;
    const from = new Map<string, ConnectionSyntax[]>();
    for (const c of syntax.connections) {
      const k = `${c.from.instance.text}.${c.from.port.text}`;
      const list = from.get(k);
      if (list === undefined) from.set(k, [c]);
      else list.push(c);
    }
    const node: CompositeNode = { kind: 'composite', name, parent, syntax, children: new Map(), from };
    const scopeModels = new Map(scopeIn.models);
    syntax.models.forEach((pm, i) => {
      const m = t.preludeModels[i]?.model;
      if (m === undefined) throw new Error(`unresolved model '${pm.type.text}'`);
      const values = new Map<string, ValueExpr>();
      for (const a of pm.assigns) {
        const p = m.params.get(a.name.text);
        values.set(a.name.text, lowerValue(a.value, p?.type, scopeIn));
      }
      scopeModels.set(pm.name.text, instantiateModel(m, values, `${path}/${pm.name.text}`, pm.span));
    });
    const scope: Scope = { ...scopeIn, models: scopeModels };
    return { node, treatment: t, path, scope, facts: o.facts.get(t.id) ?? [], next: 0 };
  };

  /** Expands the instance tree under `root` depth first, leaves numbered in that order. */
  const expand = (root: Frame): void => {
    const stack: Frame[] = [root];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const f = frame.facts[frame.next++];
      if (f === undefined) {
        stack.pop();
        continue;
      }
      const { node, scope } = frame;
      const child = f.treatment;
      if (child === undefined) throw new Error(`unresolved treatment '${f.syntax.type.text}'`);
      const childName = f.syntax.name.text;
      const childPath = `${frame.path}/${childName}`;
      const generics = new Map<string, DataType>();
      child.generics.forEach((g, i) => {
        const ts = f.syntax.generics?.[i];
        if (ts !== undefined) generics.set(g.name, resolveType(ts, scope));
      });
      const assigned = new Map(f.syntax.params.map((a) => [a.name.text, a.value]));
      const params = new Map<string, ValueExpr>();
      for (const p of child.params.values()) {
        const expected = p.type === undefined ? undefined : substitute(p.type, generics);
        const v = assigned.get(p.name);
        params.set(p.name, v !== undefined ? lowerValue(v, expected, scope) : defaultExpr(p, child, generics));
      }
      const slots = new Map<string, number>();
      for (const a of f.syntax.models) {
        if (a.value.kind !== 'name') continue;
        const idx = scope.models.get(a.value.name.text);
        if (idx === undefined) throw new Error(`unresolved model '${a.value.name.text}'`);
        slots.set(a.name.text, idx);
      }
      if (child.native !== undefined) {
        const index = leaves.length;
        const g: Record<string, DataType> = {};
        for (const [k, v] of generics) g[k] = v;
        const leaf: LeafDesign = {
          index,
          path: childPath,
          descriptor: child.native,
          generics: g,
          params: Object.fromEntries(params),
          models: Object.fromEntries(slots),
          origin: o.origin(f.syntax.span),
        };
        leaves.push(leaf);
        const ln: LeafNode = { kind: 'leaf', name: childName, parent: node, index };
        leafNodes.push(ln);
        node.children.set(childName, ln);
        if (child.native.source !== undefined) {
          const slot = child.native.models[0]?.name;
          const model = slot === undefined ? undefined : slots.get(slot);
          if (model === undefined) throw new Error(`source '${childPath}' has no model`);
          sources.push({ leaf: index, model, source: child.native.name });
        } else if (child.native.run === undefined) noteMissing(elementIdentifier(child.native), 'treatment', f.syntax.span);
      } else {
        const sub = enter(child, childName, node, childPath, { area: child.area, generics, params, models: slots });
        node.children.set(childName, sub.node);
        stack.push(sub);
      }
    }
  };

  /** Lowers a value written in `scope` (an instance parameter, a model assignment). */
  function lowerValue(v: ValueSyntax, expected: DataType | undefined, scope: Scope): ValueExpr {
    switch (v.kind) {
      case 'name': {
        const e = scope.params.get(v.name.text);
        if (e === undefined) throw new Error(`unresolved parameter '${v.name.text}'`);
        return e;
      }
      case 'context': {
        const c = scope.area.lookupImported('context', v.context.text);
        if (c === undefined || c === 'poisoned' || c.kind !== 'context') throw new Error(`unresolved context '${v.context.text}'`);
        return { kind: 'context', context: c.id, field: v.field.text };
      }
      case 'call': {
        const f = scope.area.lookupImported('function', v.fn.text);
        if (f === undefined || f === 'poisoned' || f.kind !== 'function') throw new Error(`unresolved function '${v.fn.text}'`);
        return lowerCall(f, v, scope);
      }
      case 'error':
        throw new Error('a broken value reached the engine');
      case 'array': {
        // Items may be calls, parameters or contexts, not only literals.
        let of = expected;
        while (of !== undefined && of.kind === 'option') of = of.of;
        const itemType = of?.kind === 'vec' ? of.of : undefined;
        const items = v.items.map((i) => lowerValue(i, itemType, scope));
        if (items.every((i) => i.kind === 'const')) return { kind: 'const', value: items.map((i) => (i as { value: Value }).value) };
        return { kind: 'array', items };
      }
      default:
        if (expected === undefined) throw new Error('a literal without a type reached the engine');
        return { kind: 'const', value: literalValue(v, expected) };
    }
  }

  function lowerCall(f: FunctionSymbol, v: ValueSyntax & { kind: 'call' }, scope: Scope): ValueExpr {
    const generics = new Map<string, DataType>();
    f.generics.forEach((g, i) => {
      const ts = v.generics?.[i];
      if (ts !== undefined) generics.set(g.name, resolveType(ts, scope));
    });
    // Arguments beyond the declared parameters are ignored (as the reference does; the
    // checker warned with W_IGNORED_ARGUMENT).
    const args = v.args.slice(0, f.params.length).map((a, i) => {
      const t = f.params[i]?.type;
      return lowerValue(a, t === undefined ? undefined : substitute(t, generics), scope);
    });
    const impl = f.native.impl;
    if (impl === undefined) {
      noteMissing(f.id, 'function', v.span);
      return { kind: 'const', value: undefined };
    }
    const g: Record<string, DataType> = {};
    for (const [k, t] of generics) g[k] = t;
    const call: ValueExpr = { kind: 'call', name: f.id, impl, generics: g, args };
    // Constant calls are evaluated once, here (at genesis, not per track).
    if (args.every((a) => a.kind === 'const')) {
      try {
        return { kind: 'const', value: evaluate(call, undefined) };
      } catch (e) {
        sink.report('E_LAUNCH', v.span, `function '${f.id}' failed: ${e instanceof Error ? e.message : String(e)}`);
        return { kind: 'const', value: undefined };
      }
    }
    return call;
  }

  function resolveType(ts: TypeSyntax, scope: Scope): DataType {
    const t = resolveValueType(
      ts,
      {
        generics: new Map([...scope.generics.keys()].map((k) => [k, { name: k, traits: new Set<string>() }])),
        lookupPlain: (n) => {
          const imp = scope.area.imports.get(n);
          return imp?.element;
        },
      },
      NO_SINK,
    );
    if (t === undefined) throw new Error(`unresolved type '${ts.name.text}'`);
    return substitute(t, scope.generics);
  }

  /** The default of `p` (declared on `owner`), as an expression. */
  function defaultExpr(p: ParamSymbol, owner: TreatmentSymbol | ModelSymbol, generics: ReadonlyMap<string, DataType>): ValueExpr {
    const d = p.defaultValue;
    if (d === undefined) throw new Error(`parameter '${p.name}' of '${owner.id}' has no value`);
    const syntax = typeof d === 'string' ? parseValueText(new SourceFile(`${owner.id}`, d), NO_SINK) : d;
    if (syntax === undefined) throw new Error(`bad default '${String(d)}' of '${owner.id}'`);
    const expected = p.type === undefined ? undefined : substitute(p.type, generics);
    return lowerValue(syntax, expected, { area: owner.area, generics, params: new Map(), models: new Map() });
  }

  /** Instantiates `m`: its native root ancestor, parameters through the chain. */
  function instantiateModel(m: ModelSymbol, given: ReadonlyMap<string, ValueExpr>, path: string, at: Span): number {
    let cur: ModelSymbol = m;
    let values = new Map<string, ValueExpr>();
    for (const p of cur.params.values()) values.set(p.name, given.get(p.name) ?? defaultExpr(p, cur, new Map()));
    const seen = new Set<string>();
    while (cur.native === undefined) {
      if (seen.has(cur.id)) throw new Error(`model '${m.id}' derives from itself`);
      seen.add(cur.id);
      const base = cur.base();
      const syntax = cur.syntax;
      if (base === undefined || syntax === undefined) throw new Error(`model '${cur.id}' has no base`);
      const scope: Scope = { area: cur.area, generics: new Map(), params: values, models: new Map() };
      const next = new Map<string, ValueExpr>();
      const assigned = new Map(syntax.assigns.map((a) => [a.name.text, a.value]));
      for (const p of base.params.values()) {
        const v = assigned.get(p.name);
        next.set(p.name, v !== undefined ? lowerValue(v, p.type, scope) : defaultExpr(p, base, new Map()));
      }
      values = next;
      cur = base;
    }
    const params: Record<string, Value> = {};
    for (const [k, e] of values) {
      if (e.kind !== 'const') throw new Error(`model parameter '${k}' of '${cur.id}' is not constant`);
      params[k] = e.value;
    }
    if (cur.native.create === undefined) noteMissing(elementIdentifier(cur.native), 'model', at);
    const index = models.length;
    models.push({ index, path, descriptor: cur.native, params, origin: o.origin(at) });
    return index;
  }

  const entry = o.entry;
  if (entry.syntax === undefined) {
    sink.report('E_LAUNCH', undefined, `the entrypoint '${entry.id}' must be declared in Mélodium, not native`);
    return undefined;
  }
  expand(
    enter(entry, entry.name, undefined, entry.name, { area: entry.area, generics: new Map(), params: entryParams, models: new Map() }),
  );

  for (const [id, m] of missing) {
    const [first, ...others] = m.uses as [Span, ...Span[]];
    sink.report('E_NOT_IMPLEMENTED', first, `${m.what} '${id}' has no behaviour in this version of tutti`, {
      related: others.slice(0, 8).map((span) => ({ span, message: `'${id}' is also used here` })),
      ...(others.length > 8 ? { hint: `used in ${others.length - 8} more places` } : {}),
    });
  }
  if (sink.errorCount > errorsBefore) return undefined;

  // Flatten the wiring: every leaf output to the leaf inputs it reaches.
  const connections: ConnectionDesign[] = [];
  for (const ln of leafNodes) {
    const d = leaves[ln.index] as LeafDesign;
    for (const out of d.descriptor.outputs) {
      const seen = new Set<string>();
      const targets: [number, string][] = [];
      follow(ln.parent, ln.name, out.name, targets, seen);
      for (const [to, input] of targets) connections.push({ from: ln.index, output: out.name, to, input });
    }
  }
  return { entry: entry.id, leaves, models, connections, sources };
}

/** Collects the leaf inputs reached from `instance.port` inside `node`'s body. */
function follow(node: CompositeNode, instance: string, port: string, out: [number, string][], seen: Set<string>): void {
  // Iterative walk: composite nesting follows the program, but fan-out can be wide.
  const work: [CompositeNode, string, string][] = [[node, instance, port]];
  while (work.length > 0) {
    const [n, inst, p] = work.pop() as [CompositeNode, string, string];
    for (const c of n.from.get(`${inst}.${p}`) ?? []) {
      const toInst = c.to.instance.text;
      const toPort = c.to.port.text;
      if (toInst === 'Self') {
        if (n.parent !== undefined) work.push([n.parent, n.name, toPort]);
        continue;
      }
      const child = n.children.get(toInst);
      if (child === undefined) continue;
      if (child.kind === 'leaf') {
        const key = `${child.index}.${toPort}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push([child.index, toPort]);
        }
      } else work.push([child, 'Self', toPort]);
    }
  }
}
