/**
 * The checker: walks the areas a program reaches from its roots, builds and checks every
 * `.mel` element there, then runs the program-wide checks (import cycles, recursive
 * treatments, entrypoints and the contexts of tracks). `check FILE` covers what the
 * entrypoint reaches, `check --all` every file of the project and its packages.
 */
import type { DiagnosticSink, Span } from '@tutti/core';
import type { UseSyntax } from '../syntax/syntax.js';
import { Area, type AreaHost } from './area.js';
import { checkModelDeclaration, checkTreatmentBody } from './body-check.js';
import type { PackageView, ProgramView } from './program.js';
import type { InstanceFacts, TreatmentSymbol } from './symbols.js';
import { checkTrackContexts } from './tracks.js';

/** An entrypoint to check: its identifier and where a failure to find it is reported. */
export interface EntrypointRequest {
  /** `pkg/area::Name`. */
  readonly id: string;
  /** Command name, for messages. */
  readonly command?: string;
  /** Where to report E_ENTRYPOINT_NOT_FOUND (a manifest line, or nothing). */
  readonly span?: Span;
  readonly file?: string;
  /** Skip silently when it does not exist (a script's `main` under `--all`, `info`). */
  readonly optional?: boolean;
  /** Added to E_ENTRYPOINT_NOT_FOUND. */
  readonly hint?: string;
}

/** What `check` produced besides diagnostics. */
export interface CheckResult {
  /** The entrypoints found, by identifier. */
  readonly entrypoints: ReadonlyMap<string, TreatmentSymbol>;
  /** Instance facts of every checked `.mel` treatment, by treatment id (for the engine). */
  readonly facts: ReadonlyMap<string, readonly InstanceFacts[]>;
  /** Every area reached. */
  readonly areas: readonly Area[];
}

/** Checks a program from `roots` (areas of the root package) and `entrypoints`. */
export function checkProgram(
  program: ProgramView,
  roots: readonly string[],
  entrypoints: readonly EntrypointRequest[],
  sink: DiagnosticSink,
): CheckResult {
  const host = new Host(program, sink);
  const facts = new Map<string, readonly InstanceFacts[]>();
  const queue: Area[] = [];
  const queued = new Set<Area>();
  const enqueue = (a: Area) => {
    if (!queued.has(a)) {
      queued.add(a);
      queue.push(a);
    }
  };
  for (const r of roots) enqueue(host.area(program.root, r));
  for (const e of entrypoints) {
    const areaPath = e.id.split('::')[0] as string;
    const pkg = program.packages.get(areaPath.split('/')[0] as string);
    if (pkg !== undefined) enqueue(host.area(pkg, areaPath));
  }

  for (let i = 0; i < queue.length; i++) {
    const area = queue[i] as Area;
    const mel = area.mel;
    if (mel === undefined || mel.syntax.broken) continue;
    for (const imp of area.imports.values()) {
      const e = imp.element;
      if (e !== undefined && e !== 'poisoned' && (e.kind === 'treatment' || e.kind === 'model') && e.area.mel !== undefined)
        enqueue(e.area);
    }
    checkDuplicateDeclarations(area, sink);
    for (const [name, decl] of area.declared) {
      const sym = area.lookup('name', name);
      if (sym?.kind === 'treatment' && decl.kind === 'treatment') facts.set(sym.id, checkTreatmentBody(area, sym));
      else if (sym?.kind === 'model') checkModelDeclaration(area, sym);
    }
    if (area.pkg.isUser)
      for (const imp of area.imports.values())
        if (!imp.used) sink.report('W_UNUSED_USE', imp.syntax.span, `'${imp.syntax.local.text}' is imported but never used`);
  }

  host.reportImportCycles(queue);
  reportRecursion(facts, sink);

  const found = new Map<string, TreatmentSymbol>();
  for (const e of entrypoints) {
    const t = findEntrypoint(host, program, e, sink);
    if (t === undefined) continue;
    found.set(e.id, t);
    const problems: string[] = [];
    if (t.generics.length > 0) problems.push('generics');
    if (t.modelSlots.length > 0) problems.push('configuration models');
    if (problems.length > 0 && t.syntax !== undefined)
      sink.report(
        'E_ENTRYPOINT_NOT_LAUNCHABLE',
        t.syntax.name.span,
        `entrypoint '${t.name}' cannot be launched: it has ${problems.join(' and ')}`,
        {
          hint: 'an entrypoint creates its models in its prelude and has no generics',
        },
      );
    else if (t.syntax !== undefined && (t.inputs.size > 0 || t.outputs.size > 0))
      sink.report('W_ENTRY_HAS_IO', t.syntax.name.span, `entrypoint '${t.name}' has inputs or outputs; a run neither feeds nor reads them`);
    if (usesContexts(queue)) checkTrackContexts(t, facts, sink);
  }
  return { entrypoints: found, facts, areas: queue };
}

function findEntrypoint(host: Host, program: ProgramView, e: EntrypointRequest, sink: DiagnosticSink): TreatmentSymbol | undefined {
  const [areaPath, name] = e.id.split('::') as [string, string | undefined];
  const pkg = program.packages.get(areaPath.split('/')[0] as string);
  const what = e.command !== undefined ? `entrypoint '${e.command}' (${e.id})` : `entrypoint '${e.id}'`;
  const notFound = (why: string) => {
    if (e.optional) return;
    sink.report('E_ENTRYPOINT_NOT_FOUND', e.span, `${what} ${why}`, {
      ...(e.file !== undefined ? { file: e.file } : {}),
      ...(e.hint !== undefined ? { hint: e.hint } : {}),
    });
  };
  if (pkg === undefined || name === undefined) {
    notFound('names no package of this program');
    return undefined;
  }
  const area = host.area(pkg, areaPath);
  if (area.broken) return undefined;
  const sym = area.lookup('name', name);
  if (sym === undefined) {
    notFound(
      area.exists ? `does not exist: area '${areaPath}' declares no treatment '${name}'` : `does not exist: there is no area '${areaPath}'`,
    );
    return undefined;
  }
  if (sym.kind !== 'treatment') {
    notFound(`names a ${sym.kind === 'data' ? 'data type' : sym.kind}, not a treatment`);
    return undefined;
  }
  return sym;
}

function usesContexts(areas: readonly Area[]): boolean {
  for (const a of areas) {
    const s = a.mel?.syntax;
    if (s === undefined) continue;
    for (const u of s.uses) if (u.targetKind === 'context') return true;
    for (const t of s.treatments) if (t.requires.length > 0) return true;
  }
  return false;
}

function checkDuplicateDeclarations(area: Area, sink: DiagnosticSink): void {
  const s = area.mel?.syntax;
  if (s === undefined) return;
  const all = [...s.treatments, ...s.models].sort((a, b) => a.span.start - b.span.start);
  const first = new Map<string, Span>();
  for (const d of all) {
    const prior = first.get(d.name.text);
    if (prior !== undefined)
      sink.report('E_DUPLICATE_NAME', d.name.span, `'${d.name.text}' is already declared in this file`, {
        related: [{ span: prior, message: 'first declared here' }],
      });
    else first.set(d.name.text, d.name.span);
  }
}

/** E_RECURSIVE_TREATMENT: the "contains an instance of" relation must be acyclic. */
function reportRecursion(facts: ReadonlyMap<string, readonly InstanceFacts[]>, sink: DiagnosticSink): void {
  const state = new Map<string, 1 | 2>(); // 1 on stack, 2 done
  for (const id of facts.keys()) {
    if (state.has(id)) continue;
    const stack: [string, number][] = [[id, 0]];
    state.set(id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [string, number];
      const list = facts.get(top[0]) ?? [];
      if (top[1] >= list.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const f = list[top[1]++] as InstanceFacts;
      const target = f.treatment;
      if (target?.syntax === undefined) continue;
      const st = state.get(target.id);
      if (st === 1)
        sink.report('E_RECURSIVE_TREATMENT', f.syntax.span, `treatment '${target.name}' contains itself through '${f.syntax.name.text}'`, {
          hint: 'a treatment cannot contain an instance of itself, directly or through others',
        });
      else if (st === undefined && facts.has(target.id)) {
        state.set(target.id, 1);
        stack.push([target.id, 0]);
      }
    }
  }
}

class Host implements AreaHost {
  readonly #areas = new Map<PackageView, Map<string, Area>>();
  readonly #melEdges = new Map<Area, { to: Area; use: UseSyntax }[]>();

  constructor(
    readonly program: ProgramView,
    readonly sink: DiagnosticSink,
  ) {}

  area(pkg: PackageView, path: string): Area {
    let m = this.#areas.get(pkg);
    if (m === undefined) this.#areas.set(pkg, (m = new Map()));
    let a = m.get(path);
    if (a === undefined) m.set(path, (a = new Area(this, pkg, path)));
    return a;
  }

  packageNamed(name: string): PackageView | undefined {
    return this.program.packages.get(name);
  }

  resolveDataName(name: string): string | undefined {
    return this.program.dataTypeNames.get(name);
  }

  noteMelImport(from: Area, to: Area, use: UseSyntax): void {
    let list = this.#melEdges.get(from);
    if (list === undefined) this.#melEdges.set(from, (list = []));
    list.push({ to, use });
  }

  /** E_IMPORT_CYCLE at the `use` that closes a cycle, walking from the roots. */
  reportImportCycles(order: readonly Area[]): void {
    const state = new Map<Area, 1 | 2>();
    for (const start of order) {
      if (state.has(start)) continue;
      const stack: [Area, number][] = [[start, 0]];
      state.set(start, 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1] as [Area, number];
        const edges = this.#melEdges.get(top[0]) ?? [];
        if (top[1] >= edges.length) {
          state.set(top[0], 2);
          stack.pop();
          continue;
        }
        const e = edges[top[1]++] as { to: Area; use: UseSyntax };
        const st = state.get(e.to);
        if (st === 1)
          this.sink.report(
            'E_IMPORT_CYCLE',
            e.use.span,
            e.to === top[0]
              ? `this file imports its own element '${e.use.target.text}': elements of the same file are visible without use`
              : `importing from '${e.to.path}' closes an import cycle (it imports from this area, directly or not)`,
          );
        else if (st === undefined) {
          state.set(e.to, 1);
          stack.push([e.to, 0]);
        }
      }
    }
  }
}
