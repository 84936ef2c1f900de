/**
 * Checks of a `.mel` treatment body (instances and connections) and of model declarations.
 * Cycles among instances are legal (the reference's HTTP servers loop a connection's
 * output back to its inputs): nothing here looks for them.
 * Connections are checked link by link; a link rejected only for its flow or data type still
 * counts as connecting its destination, to avoid cascades.
 */
import { containsGeneric, type DataType, type Flow, formatPortType, type Span, substitute, typeEquals, type Value } from '@tutti/core';
import { literalValue } from '../lower/literal.js';
import type { AssignSyntax, ConnectionSyntax, Ident, InstanceSyntax, ModelSyntax, TreatmentSyntax } from '../syntax/syntax.js';
import type { Area } from './area.js';
import { resolveModelName } from './signature.js';
import {
  type ContextSymbol,
  derivesFrom,
  type InstanceFacts,
  type ModelSymbol,
  type ParamSymbol,
  type PortSymbol,
  type TreatmentSymbol,
} from './symbols.js';
import { checkGenericArgs, checkTarget, checkValue, isLiteral, type ValueScope } from './value-check.js';

interface InstanceInfo {
  readonly syntax: InstanceSyntax;
  readonly treatment: TreatmentSymbol | undefined;
  /** Generic substitution of the instance (undefined when its generics are wrong). */
  readonly subst: Map<string, DataType> | undefined;
}

/** Checks the body of `t` (a `.mel` treatment) and returns what the graph checks need. */
export function checkTreatmentBody(area: Area, t: TreatmentSymbol): InstanceFacts[] {
  const syntax = t.syntax as TreatmentSyntax;
  const sink = area.host.sink;
  const scope: ValueScope = {
    area,
    params: t.params,
    contexts: new Map(t.requires.map((c) => [c.id, c])),
    generics: new Map(t.generics.map((g) => [g.name, g])),
    dataType: (id) => dataTypeById(area, id),
  };
  const modelScope: ValueScope = { ...scope, contexts: 'model' };

  // Prelude models: const, context-free parameters.
  syntax.models.forEach((pm, i) => {
    const m = t.preludeModels[i]?.model;
    checkModelAssignments(area, pm.assigns, m, modelScope, pm.type, `model '${pm.type.text}'`);
  });

  // Models a configuration slot may receive: host slots and prelude models.
  const hostModels = new Map<string, ModelSymbol | undefined>();
  for (const s of t.modelSlots) hostModels.set(s.name, s.model);
  for (const pm of t.preludeModels) hostModels.set(pm.name, pm.model);

  const instances = new Map<string, InstanceInfo>();
  const facts: InstanceFacts[] = [];
  for (const inst of syntax.instances) {
    const n = inst.name.text;
    if (n === 'Self') sink.report('E_RESERVED_NAME', inst.name.span, "an instance cannot be named 'Self'");
    const prior = instances.get(n);
    if (prior !== undefined) {
      sink.report('E_DUPLICATE_INSTANCE', inst.name.span, `instance '${n}' is declared twice in '${t.name}'`, {
        related: [{ span: prior.syntax.name.span, message: 'first declared here' }],
        ...(inst.name === inst.type ? { hint: `give each one an alias: a: ${inst.type.text}<…>(…)` } : {}),
      });
      continue;
    }
    const info = checkInstance(area, inst, scope, hostModels);
    instances.set(n, info);
    facts.push({ syntax: inst, treatment: info.treatment, contextsRead: info.treatment ? contextsReadBy(inst, scope) : [] });
  }

  checkConnections(area, t, syntax, instances);
  return facts;
}

function contextsReadBy(inst: InstanceSyntax, scope: ValueScope): ContextSymbol[] {
  // Values were checked already; collect the contexts again without reporting.
  const out: ContextSymbol[] = [];
  for (const a of inst.params) {
    const stack = [a.value];
    while (stack.length > 0) {
      const v = stack.pop();
      if (v === undefined) continue;
      if (v.kind === 'context') {
        const c = scope.area.lookupImported('context', v.context.text);
        if (c !== undefined && c !== 'poisoned' && c.kind === 'context') out.push(c);
      } else if (v.kind === 'array') stack.push(...v.items);
      else if (v.kind === 'call') stack.push(...v.args);
    }
  }
  return out;
}

function checkInstance(
  area: Area,
  inst: InstanceSyntax,
  scope: ValueScope,
  hostModels: Map<string, ModelSymbol | undefined>,
): InstanceInfo {
  const sink = area.host.sink;
  const e = area.lookupLocal(inst.type.text);
  let treatment: TreatmentSymbol | undefined;
  if (e === undefined)
    sink.report('E_UNKNOWN_ELEMENT', inst.type.span, `unknown treatment '${inst.type.text}'`, {
      hint: `declare it in this file or import it with use <package>/<area>::${inst.type.text}`,
    });
  else if (e !== 'poisoned') {
    if (e.kind === 'treatment') treatment = e;
    else
      sink.report(
        'E_ELEMENT_KIND_MISMATCH',
        inst.type.span,
        `'${inst.type.text}' is a ${e.kind === 'data' ? 'data type' : e.kind}, not a treatment`,
      );
  }
  if (treatment === undefined) {
    // Still check the values for their own problems (unknown parameters referenced…).
    for (const a of inst.params) checkValue(a.value, undefined, scope);
    return { syntax: inst, treatment: undefined, subst: undefined };
  }
  const subst = checkGenericArgs(inst.generics, treatment.generics, inst.type.span, `treatment '${treatment.name}'`, scope);

  // Configuration models: each slot assigned exactly once, to a model of that type or derived from it.
  const slots = new Map(treatment.modelSlots.map((s) => [s.name, s]));
  const assigned = new Set<string>();
  for (const a of inst.models) {
    const slot = slots.get(a.name.text);
    if (assigned.has(a.name.text)) {
      sink.report('E_DUPLICATE_ASSIGNMENT', a.span, `model '${a.name.text}' is assigned twice`);
      continue;
    }
    if (slot === undefined) {
      sink.report('E_UNKNOWN_MODEL_PARAMETER', a.name.span, `treatment '${treatment.name}' has no model parameter '${a.name.text}'`, {
        hint: slots.size > 0 ? `model parameters: ${[...slots.keys()].join(', ')}` : 'it takes no model',
      });
      continue;
    }
    assigned.add(a.name.text);
    if (a.value.kind !== 'name') {
      sink.report('E_MODEL_NAME_REQUIRED', a.value.span, 'a model parameter takes the name of a model of this treatment');
      continue;
    }
    const name = a.value.name.text;
    if (!hostModels.has(name)) {
      sink.report('E_UNDECLARED_MODEL', a.value.span, `'${name}' is not a model of this treatment`, {
        hint: 'declare it in the prelude (model x: Model()) or as a model parameter [x: Model]',
      });
      continue;
    }
    const given = hostModels.get(name);
    if (given !== undefined && slot.model !== undefined && !derivesFrom(given, slot.model))
      sink.report(
        'E_MODEL_TYPE_MISMATCH',
        a.span,
        `model '${name}' is a '${given.name}', but '${slot.name}' expects a '${slot.model.name}'`,
      );
  }
  const missingModels = treatment.modelSlots.filter((s) => !assigned.has(s.name));
  if (missingModels.length > 0)
    sink.report(
      'E_MISSING_MODEL',
      inst.type.span,
      `treatment '${treatment.name}' needs model${missingModels.length > 1 ? 's' : ''} ${missingModels.map((s) => `'${s.name}'`).join(', ')}`,
      { hint: `write ${inst.type.text}[${missingModels.map((s) => `${s.name} = …`).join(', ')}](…)` },
    );

  checkParamAssignments(
    area,
    inst.params,
    treatment.params,
    subst,
    treatment.generics.length > 0,
    scope,
    inst.type,
    `treatment '${treatment.name}'`,
    'treatment',
  );
  validateLiterals(area, inst, treatment, subst);
  return { syntax: inst, treatment, subst };
}

/** Asks a native treatment to validate its literal parameters (a constant regex pattern…). */
function validateLiterals(area: Area, inst: InstanceSyntax, treatment: TreatmentSymbol, subst: Map<string, DataType> | undefined): void {
  const validate = treatment.native?.validate;
  if (validate === undefined) return;
  const values: Record<string, Value> = {};
  const spans = new Map<string, Span>();
  for (const a of inst.params) {
    const p = treatment.params.get(a.name.text);
    const t = p?.type === undefined ? undefined : subst === undefined ? p.type : substitute(p.type, subst);
    if (t === undefined || containsGeneric(t) || !isLiteral(a.value)) continue;
    try {
      values[a.name.text] = literalValue(a.value, t);
      spans.set(a.name.text, a.value.span);
    } catch {
      // Not convertible: already reported by the value check.
    }
  }
  if (spans.size === 0) return;
  const problem = validate(values);
  if (problem !== undefined) area.host.sink.report('E_INVALID_VALUE', spans.get(problem.param) ?? inst.type.span, `${problem.message}`);
}

/** Parameter assignments of an instance: each at most once, every one without default assigned. */
function checkParamAssignments(
  area: Area,
  assigns: readonly AssignSyntax[],
  params: ReadonlyMap<string, ParamSymbol>,
  subst: Map<string, DataType> | undefined,
  isGeneric: boolean,
  scope: ValueScope,
  at: Ident,
  what: string,
  kind: 'treatment' | 'model',
): void {
  const sink = area.host.sink;
  const seen = new Set<string>();
  for (const a of assigns) {
    const p = params.get(a.name.text);
    if (seen.has(a.name.text)) {
      sink.report('E_DUPLICATE_ASSIGNMENT', a.span, `parameter '${a.name.text}' is assigned twice`);
      continue;
    }
    seen.add(a.name.text);
    if (p === undefined) {
      sink.report('E_UNKNOWN_PARAMETER', a.name.span, `${what} has no parameter '${a.name.text}'`, {
        hint: params.size > 0 ? `parameters: ${[...params.keys()].join(', ')}` : 'it takes no parameter',
      });
      checkValue(a.value, undefined, scope);
      continue;
    }
    let expected = p.type;
    if (expected !== undefined && isGeneric) expected = subst === undefined ? undefined : substitute(expected, subst);
    const info = checkValue(a.value, expected, scope);
    const target = kind === 'model' ? 'model' : p.variability;
    checkTarget(info, target, a.value, `parameter '${p.name}' of ${what}`, sink);
  }
  const missing = [...params.values()].filter((p) => !p.hasDefault && !seen.has(p.name));
  if (missing.length > 0)
    sink.report(
      'E_MISSING_PARAMETER',
      at.span,
      `${what} needs parameter${missing.length > 1 ? 's' : ''} ${missing.map((p) => `'${p.name}'`).join(', ')}`,
      { hint: `write ${missing.map((p) => `${p.name} = …`).join(', ')}` },
    );
}

function checkModelAssignments(
  area: Area,
  assigns: readonly AssignSyntax[],
  model: ModelSymbol | undefined,
  scope: ValueScope,
  at: Ident,
  what: string,
): void {
  if (model === undefined) {
    for (const a of assigns) checkValue(a.value, undefined, scope);
    return;
  }
  checkParamAssignments(area, assigns, model.params, undefined, false, scope, at, what, 'model');
}

/** Whether a model's base chain loops, for the model symbols already walked (symbols belong to one check). */
const chainLoops = new WeakMap<ModelSymbol, boolean>();

/** Checks a model declaration `model M(params) : B { … }`. */
export function checkModelDeclaration(area: Area, m: ModelSymbol): void {
  const syntax = m.syntax as ModelSyntax;
  const sink = area.host.sink;
  // A base chain that loops. Each model's outcome is remembered, so that checking
  // every model of a long chain stays linear.
  const base = resolveModelName(area, syntax.base.text, syntax.base.span, 'file-first');
  const walked: ModelSymbol[] = [m];
  // By symbol, not identifier: a 0.9 layer's model derives from the 0.10 model of the same
  // identifier (`work/distant::DistantEngine`, docs/legacy.md).
  const seen = new Set<ModelSymbol>([m]);
  let loops = false;
  for (let cur = base; cur !== undefined; cur = cur.base()) {
    const known = chainLoops.get(cur);
    if (known !== undefined) {
      loops = known;
      break;
    }
    if (seen.has(cur)) {
      loops = true;
      break;
    }
    seen.add(cur);
    walked.push(cur);
  }
  for (const w of walked) chainLoops.set(w, loops);
  if (loops) {
    sink.report('E_RECURSIVE_MODEL', syntax.name.span, `model '${m.name}' derives from itself through its base models`);
    return;
  }
  const scope: ValueScope = {
    area,
    params: m.params,
    contexts: 'model',
    generics: new Map(),
    dataType: (id) => dataTypeById(area, id),
  };
  checkModelAssignments(area, syntax.assigns, base, scope, syntax.base, `model '${syntax.base.text}'`);
}

function dataTypeById(area: Area, id: string) {
  const [areaPath, name] = id.split('::') as [string, string];
  const pkg = area.host.packageNamed(areaPath.split('/')[0] as string);
  if (pkg === undefined) return undefined;
  const e = area.host.area(pkg, areaPath).lookup('name', name);
  return e?.kind === 'data' ? e : undefined;
}

// ---- connections ------------------------------------------------------------------------

interface PortEnd {
  readonly flow: Flow;
  readonly type: DataType | undefined;
}

function checkConnections(area: Area, t: TreatmentSymbol, syntax: TreatmentSyntax, instances: Map<string, InstanceInfo>): void {
  const sink = area.host.sink;
  for (const d of syntax.dataless)
    sink.report(
      'E_CONNECTION_WITHOUT_DATA',
      (d.names[0] as Ident).span,
      'a connection must name its ports: source.output -> destination.input',
    );

  const incoming = new Map<string, ConnectionSyntax>(); // "instance.input" / "Self.output" → first connection
  // Instances whose connections name an input they lack: their unconnected inputs follow
  // from that mistake and are not reported again.
  const misnamed = new Set<string>();

  for (const c of syntax.connections) {
    const src = resolveEnd(c.from, 'source');
    const dst = resolveEnd(c.to, 'destination');
    if (dst === undefined) misnamed.add(c.to.instance.text);
    if (dst !== 'skip' && dst !== undefined) {
      const key = `${c.to.instance.text}.${c.to.port.text}`;
      const first = incoming.get(key);
      if (first !== undefined) {
        if (c.to.instance.text === 'Self')
          sink.report('E_SELF_OUTPUT_OVERLOADED', c.span, `output '${c.to.port.text}' of '${t.name}' is driven more than once`, {
            related: [{ span: first.span, message: 'first driven here' }],
          });
        else
          sink.report('E_INPUT_ALREADY_CONNECTED', c.span, `input '${key}' already has an incoming connection`, {
            related: [{ span: first.span, message: 'first connected here' }],
          });
      } else incoming.set(key, c);
    }
    if (src !== 'skip' && src !== undefined && dst !== 'skip' && dst !== undefined) {
      // The link's source endpoint: `inst.port`, or only `port` when a chain continues.
      const written = c.from.instance.span.end + 1 === c.from.port.span.start;
      const at = written ? { ...c.from.instance.span, end: c.from.port.span.end } : c.from.port.span;
      if (src.flow !== dst.flow)
        sink.report(
          'E_CONNECTION_KIND_MISMATCH',
          at,
          `connection from '${c.from.instance.text}.${c.from.port.text}' (${fmt(src)}) to '${c.to.instance.text}.${c.to.port.text}' (${fmt(dst)}) changes flow kind`,
          {
            related: [{ span: c.to.port.span, message: `destination is ${fmt(dst)}` }],
            hint:
              src.flow === 'Block'
                ? 'std/flow::stream turns a Block into a Stream'
                : 'std/flow::trigger gives the first or last value of a Stream as a Block',
          },
        );
      else if (src.type !== undefined && dst.type !== undefined && !typeEquals(src.type, dst.type))
        sink.report(
          'E_CONNECTION_TYPE_MISMATCH',
          at,
          `connection from '${c.from.instance.text}.${c.from.port.text}' (${fmt(src)}) to '${c.to.instance.text}.${c.to.port.text}' (${fmt(dst)}) joins different data types`,
          { related: [{ span: c.to.port.span, message: `destination is ${fmt(dst)}` }] },
        );
    }
  }

  // Unconnected inputs of instances and undriven outputs of the treatment.
  for (const [name, info] of instances) {
    if (info.treatment === undefined || misnamed.has(name)) continue;
    const missing = [...info.treatment.inputs.keys()].filter((i) => !incoming.has(`${name}.${i}`));
    if (missing.length > 0)
      sink.report(
        'E_UNSATISFIED_INPUT',
        info.syntax.name.span,
        `input${missing.length > 1 ? 's' : ''} ${missing.map((i) => `'${i}'`).join(', ')} of '${name}' ${missing.length > 1 ? 'have' : 'has'} no incoming connection`,
        { hint: 'every input must be connected once; std/flow::close<T> or closeBlock<T> feed an empty one' },
      );
  }
  for (const [name, port] of t.outputs)
    if (!incoming.has(`Self.${name}`))
      sink.report('E_SELF_OUTPUT_UNSATISFIED', port.span ?? syntax.name.span, `output '${name}' of '${t.name}' is never driven`, {
        hint: `connect something to it: x.y -> Self.${name}`,
      });

  function resolveEnd(end: { instance: Ident; port: Ident }, side: 'source' | 'destination'): PortEnd | undefined | 'skip' {
    const code = side === 'source' ? 'E_UNKNOWN_OUTPUT' : 'E_UNKNOWN_INPUT';
    if (end.instance.text === 'Self') {
      // Self on the left is an input of the treatment, on the right an output.
      const ports = side === 'source' ? t.inputs : t.outputs;
      const p = ports.get(end.port.text);
      if (p === undefined) {
        sink.report(
          code,
          end.port.span,
          `'${t.name}' has no ${side === 'source' ? 'input' : 'output'} '${end.port.text}' (Self.${end.port.text} on the ${side === 'source' ? 'left' : 'right'} of '->' is ${side === 'source' ? 'an input' : 'an output'} of the treatment)`,
          {
            hint: portList(ports, side === 'source' ? 'inputs' : 'outputs'),
          },
        );
        return undefined;
      }
      return { flow: p.flow, type: p.type };
    }
    const info = instances.get(end.instance.text);
    if (info === undefined) {
      sink.report('E_UNKNOWN_INSTANCE', end.instance.span, `no instance '${end.instance.text}' in '${t.name}'`);
      return undefined;
    }
    if (info.treatment === undefined) return 'skip';
    const ports = side === 'source' ? info.treatment.outputs : info.treatment.inputs;
    const p = ports.get(end.port.text);
    if (p === undefined) {
      sink.report(
        code,
        end.port.span,
        `'${end.instance.text}' (${info.treatment.name}) has no ${side === 'source' ? 'output' : 'input'} '${end.port.text}'`,
        {
          hint: portList(ports, side === 'source' ? 'outputs' : 'inputs'),
        },
      );
      return undefined;
    }
    const isGeneric = info.treatment.generics.length > 0;
    const type = p.type === undefined ? undefined : isGeneric ? (info.subst ? substitute(p.type, info.subst) : undefined) : p.type;
    return { flow: p.flow, type };
  }
}

function portList(ports: ReadonlyMap<string, PortSymbol>, what: string): string {
  return ports.size > 0
    ? `${what}: ${[...ports.values()].map((p) => `${p.name}: ${p.type ? formatPortType({ flow: p.flow, type: p.type }) : p.flow}`).join(', ')}`
    : `it has no ${what}`;
}

function fmt(p: PortEnd): string {
  return p.type === undefined ? p.flow : formatPortType({ flow: p.flow, type: p.type });
}
