/**
 * Signatures of `.mel` treatments and models:
 * generics, configuration models, parameters, inputs, outputs, prelude models and
 * requirements, with the declaration rules checked once when the symbol is built.
 */
import { containsGeneric, type DataType, isCoreTypeName, isTraitName } from '@tutti/core';
import type { ModelSyntax, ParamSyntax, TreatmentSyntax, ValueSyntax } from '../syntax/syntax.js';
import type { Area } from './area.js';
import type {
  ContextSymbol,
  GenericSymbol,
  ModelSlotSymbol,
  ModelSymbol,
  ParamSymbol,
  PortSymbol,
  PreludeModelSymbol,
  TreatmentSymbol,
} from './symbols.js';
import { resolvePortType, resolveValueType, type TypeScope } from './type-check.js';
import { checkLiteral, isLiteral } from './value-check.js';

/** A type scope over a file's imports and some generics. */
export function typeScope(area: Area, generics: ReadonlyMap<string, GenericSymbol>): TypeScope {
  return {
    generics,
    lookupPlain: (name) => {
      const imp = area.imports.get(name);
      if (imp === undefined) return undefined;
      imp.used = true;
      return imp.element;
    },
  };
}

/** Builds (and checks) the signature of a treatment declared in `.mel`. */
export function buildTreatmentSymbol(area: Area, syntax: TreatmentSyntax): TreatmentSymbol {
  const sink = area.host.sink;
  const generics = new Map<string, GenericSymbol>();
  for (const g of syntax.generics) {
    const n = g.name.text;
    if (generics.has(n)) {
      sink.report('E_DUPLICATE_DECLARATION', g.name.span, `generic '${n}' is declared twice`);
      continue;
    }
    const imported = area.imports.get(n)?.element;
    if (
      isCoreTypeName(n) ||
      n === 'Vec' ||
      n === 'Option' ||
      n === 'Block' ||
      n === 'Stream' ||
      (imported !== undefined && imported !== 'poisoned' && imported.kind === 'data')
    )
      sink.report('E_INVALID_GENERIC_NAME', g.name.span, `'${n}' is a type name and cannot name a generic`);
    const traits = new Set<string>();
    for (const t of g.traits) {
      if (!isTraitName(t.text)) sink.report('E_UNKNOWN_TRAIT', t.span, `unknown trait '${t.text}'`);
      else traits.add(t.text);
    }
    generics.set(n, { name: n, traits });
  }
  const scope = typeScope(area, generics);

  // Configuration model slots and prelude models share one namespace.
  const modelNames = new Set<string>();
  const modelSlots: ModelSlotSymbol[] = [];
  for (const m of syntax.modelParams) {
    if (modelNames.has(m.name.text)) sink.report('E_DUPLICATE_DECLARATION', m.name.span, `model '${m.name.text}' is declared twice`);
    modelNames.add(m.name.text);
    if (m.default !== undefined)
      sink.report('E_DEFAULT_NOT_ALLOWED', m.default.span, 'a configuration model parameter cannot have a default');
    let model: ModelSymbol | undefined;
    if (m.type.arg !== undefined) sink.report('E_INVALID_TYPE_STRUCTURE', m.type.span, 'a configuration model type takes no type argument');
    else model = resolveModelName(area, m.type.name.text, m.type.name.span, 'file-first');
    modelSlots.push({ name: m.name.text, model, span: m.name.span });
  }

  const params = buildParams(area, syntax.params, scope, 'treatment');

  const ports = (list: TreatmentSyntax['inputs'], what: string) => {
    const map = new Map<string, PortSymbol>();
    for (const p of list) {
      if (map.has(p.name.text)) {
        sink.report('E_DUPLICATE_DECLARATION', p.name.span, `${what} '${p.name.text}' is declared twice`);
        continue;
      }
      if (p.default !== undefined) sink.report('E_DEFAULT_NOT_ALLOWED', p.default.span, `an ${what} cannot have a default value`);
      const { flow, type } = resolvePortType(p.type, scope, sink);
      map.set(p.name.text, { name: p.name.text, flow, type, span: p.name.span });
    }
    return map;
  };
  const inputs = ports(syntax.inputs, 'input');
  const outputs = ports(syntax.outputs, 'output');

  const preludeModels: PreludeModelSymbol[] = [];
  for (const pm of syntax.models) {
    if (modelNames.has(pm.name.text)) sink.report('E_DUPLICATE_DECLARATION', pm.name.span, `model '${pm.name.text}' is declared twice`);
    modelNames.add(pm.name.text);
    preludeModels.push({ name: pm.name.text, model: resolveModelName(area, pm.type.text, pm.type.span, 'imports-first'), span: pm.span });
  }

  const requires: ContextSymbol[] = [];
  const seenContexts = new Set<string>();
  for (const r of syntax.requires) {
    if (seenContexts.has(r.text)) {
      sink.report('E_DUPLICATE_DECLARATION', r.span, `context '@${r.text}' is required twice`);
      continue;
    }
    seenContexts.add(r.text);
    const c = area.lookupImported('context', r.text);
    if (c === undefined)
      sink.report('E_UNKNOWN_ELEMENT', r.span, `unknown context '@${r.text}'`, { hint: `import it: use <package>/<area>::@${r.text}` });
    else if (c !== 'poisoned' && c.kind === 'context') requires.push(c);
  }

  return {
    kind: 'treatment',
    id: `${area.path}::${syntax.name.text}`,
    name: syntax.name.text,
    area,
    doc: syntax.doc ?? '',
    generics: [...generics.values()],
    modelSlots,
    params,
    inputs,
    outputs,
    requires,
    syntax,
    preludeModels,
  };
}

/** Builds the signature of a model declared in `.mel`; its base is resolved lazily. */
export function buildModelSymbol(area: Area, syntax: ModelSyntax): ModelSymbol {
  const params = buildParams(area, syntax.params, typeScope(area, new Map()), 'model');
  let base: ModelSymbol | undefined | null = null;
  let resolving = false;
  const symbol: ModelSymbol = {
    kind: 'model',
    id: `${area.path}::${syntax.name.text}`,
    name: syntax.name.text,
    area,
    doc: syntax.doc ?? '',
    params,
    syntax,
    base: () => {
      if (base === null) {
        if (resolving) return undefined; // a loop; reported by the model check
        resolving = true;
        base = resolveModelName(area, syntax.base.text, syntax.base.span, 'file-first', true);
        resolving = false;
      }
      return base;
    },
  };
  return symbol;
}

/**
 * Resolves a model name: `file-first` (base of a model declaration, configuration slots) or
 * `imports-first` (prelude models). Reports unknown names and kind mismatches.
 */
export function resolveModelName(
  area: Area,
  name: string,
  span: import('@tutti/core').Span,
  order: 'file-first' | 'imports-first',
  quiet = false,
): ModelSymbol | undefined {
  const sink = area.host.sink;
  const fromFile = () => (area.declared.has(name) ? area.lookup('name', name) : undefined);
  const fromImports = () => {
    const imp = area.imports.get(name);
    if (imp !== undefined) imp.used = true;
    return imp?.element;
  };
  const e = order === 'file-first' ? (fromFile() ?? fromImports()) : (fromImports() ?? fromFile());
  if (e === 'poisoned') return undefined;
  if (e === undefined) {
    if (!quiet)
      sink.report('E_UNKNOWN_ELEMENT', span, `unknown model '${name}'`, { hint: 'declare it in this file or import it with use' });
    return undefined;
  }
  if (e.kind !== 'model') {
    if (!quiet) sink.report('E_ELEMENT_KIND_MISMATCH', span, `'${name}' is a ${e.kind === 'data' ? 'data type' : e.kind}, not a model`);
    return undefined;
  }
  return e;
}

function buildParams(area: Area, list: readonly ParamSyntax[], scope: TypeScope, owner: 'treatment' | 'model'): Map<string, ParamSymbol> {
  const sink = area.host.sink;
  const map = new Map<string, ParamSymbol>();
  for (const p of list) {
    const n = p.name.text;
    if (map.has(n)) {
      sink.report('E_DUPLICATE_DECLARATION', p.name.span, `parameter '${n}' is declared twice`);
      continue;
    }
    let variability: 'const' | 'var' = owner === 'model' ? 'const' : 'var';
    if (p.variability !== undefined) {
      if (owner === 'model' && p.variability.text === 'var')
        sink.report('E_MODEL_PARAM_NOT_CONST', p.variability.span, `model parameter '${n}' cannot be var: model parameters are constant`);
      else variability = p.variability.text as 'const' | 'var';
    }
    const type = resolveValueType(p.type, scope, sink);
    if (p.default !== undefined && type !== undefined) checkDefault(area, p.default, type, p);
    map.set(n, {
      name: n,
      variability,
      type,
      hasDefault: p.default !== undefined,
      ...(p.default !== undefined ? { defaultValue: p.default } : {}),
      span: p.name.span,
    });
  }
  return map;
}

function checkDefault(area: Area, value: ValueSyntax, type: DataType, p: ParamSyntax): void {
  const sink = area.host.sink;
  if (containsGeneric(type)) {
    sink.report('E_DEFAULT_NOT_ALLOWED', p.span, `parameter '${p.name.text}' has a generic type and cannot have a default`);
    return;
  }
  if (!isLiteral(value)) {
    sink.report(
      'E_DEFAULT_NOT_LITERAL',
      value.span,
      'a default value must be a literal (number, string, character, byte, boolean, _ or array of those)',
    );
    return;
  }
  checkLiteral(value, type, sink);
}
