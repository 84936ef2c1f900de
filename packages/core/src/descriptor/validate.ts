/**
 * Consistency check of package descriptors, run by each library's tests: every type text
 * parses, every trait exists, every model, context and data type named exists, and no
 * two elements of an area share a name in one namespace.
 */
import { isTraitName } from '../traits.js';
import { parseTypeText } from '../type-text.js';
import { type ElementDescriptor, elementIdentifier, type PackageDescriptor } from './descriptor.js';

/**
 * Maps data type short names (`StringMap`) and identifiers to identifiers across the given
 * packages. Library type texts name data types by short name when it is unique, else by
 * identifier.
 */
export function dataTypeNames(packages: readonly PackageDescriptor[]): Map<string, string> {
  const names = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const p of packages) {
    for (const e of p.elements) {
      if (e.kind !== 'data') continue;
      const id = elementIdentifier(e);
      names.set(id, id);
      const prior = names.get(e.name);
      // Two areas may declare the same short name (cicd's gitlab and github `StepState`):
      // descriptors then name it by identifier, and the short name resolves to nothing.
      if (ambiguous.has(e.name) || (prior !== undefined && prior !== id)) {
        ambiguous.add(e.name);
        names.delete(e.name);
      } else names.set(e.name, id);
    }
  }
  return names;
}

/** Returns one line per problem found in `packages` (empty when consistent). */
export function validatePackages(packages: readonly PackageDescriptor[]): string[] {
  const problems: string[] = [];
  let names: Map<string, string>;
  try {
    names = dataTypeNames(packages);
  } catch (e) {
    return [(e as Error).message];
  }
  const ids = new Map<string, ElementDescriptor>();
  for (const p of packages) {
    for (const e of p.elements) {
      const id = elementIdentifier(e);
      if (!e.area.startsWith(p.name) || (e.area !== p.name && e.area[p.name.length] !== '/'))
        problems.push(`${id}: area is outside package '${p.name}'`);
      if (ids.has(id)) problems.push(`${id}: declared twice`);
      ids.set(id, e);
    }
  }
  for (const [id, e] of ids) {
    const generics = new Set<string>();
    // A short name two packages share resolves to the element's own area's declaration.
    const resolve = (n: string) => names.get(n) ?? (ids.get(`${e.area}::${n}`)?.kind === 'data' ? `${e.area}::${n}` : undefined);
    const check = (text: string, what: string) => {
      try {
        parseTypeText(text, resolve, generics);
      } catch (err) {
        problems.push(`${id}: ${what}: ${(err as Error).message}`);
      }
    };
    if (e.kind === 'treatment' || e.kind === 'function') {
      for (const g of e.generics) {
        generics.add(g.name);
        for (const t of g.traits) if (!isTraitName(t)) problems.push(`${id}: unknown trait '${t}'`);
      }
    }
    switch (e.kind) {
      case 'treatment':
        for (const p of e.params) check(p.type, `parameter '${p.name}'`);
        for (const p of e.inputs) check(p.type, `input '${p.name}'`);
        for (const p of e.outputs) check(p.type, `output '${p.name}'`);
        for (const m of e.models) if (ids.get(m.model)?.kind !== 'model') problems.push(`${id}: unknown model '${m.model}'`);
        for (const c of [...e.requires, ...(e.source?.contexts ?? [])])
          if (ids.get(c)?.kind !== 'context') problems.push(`${id}: unknown context '${c}'`);
        break;
      case 'function':
        for (const p of e.params) check(p.type, `parameter '${p.name}'`);
        check(e.returns, 'return type');
        break;
      case 'model':
        for (const p of e.params) check(p.type, `parameter '${p.name}'`);
        for (const s of e.sources) {
          const t = ids.get(`${e.area}::${s}`);
          if (t?.kind !== 'treatment' || t.source === undefined) problems.push(`${id}: source '${s}' is not declared`);
        }
        break;
      case 'context':
        for (const f of e.fields) check(f.type, `field '${f.name}'`);
        break;
      case 'data':
        for (const t of e.traits) if (!isTraitName(t)) problems.push(`${id}: unknown trait '${t}'`);
        break;
    }
  }
  return problems;
}
