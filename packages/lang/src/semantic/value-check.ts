/**
 * Typing and variability of values (docs/language.md#values-const-and-var). Literals have no type
 * of their own: they are checked against the type expected where they are written.
 */
import { containsGeneric, type DataType, DiagnosticSink, formatType, substitute, typeEquals } from '@tutti/core';
import { literalValue } from '../lower/literal.js';
import type { TypeSyntax, ValueSyntax } from '../syntax/syntax.js';
import type { Area } from './area.js';
import type { ContextSymbol, GenericSymbol, ParamSymbol } from './symbols.js';
import { missingTraits, q, resolveValueType, type TraitContext } from './type-check.js';

const U128_MAX = (1n << 128n) - 1n;
const I128_MIN = -(1n << 127n);
const I128_MAX = (1n << 127n) - 1n;

/** Value ranges of the integer types. */
export const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-(1n << 31n), (1n << 31n) - 1n],
  i64: [-(1n << 63n), (1n << 63n) - 1n],
  i128: [I128_MIN, I128_MAX],
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, (1n << 32n) - 1n],
  u64: [0n, (1n << 64n) - 1n],
  u128: [0n, U128_MAX],
};

/** Classification of a number literal. */
export function classifyNumber(text: string): { kind: 'int'; value: bigint } | { kind: 'real'; value: number } {
  if (/^-?[0-9]+$/.test(text)) {
    const v = BigInt(text);
    if (text.startsWith('-') ? v >= I128_MIN : v <= U128_MAX) return { kind: 'int', value: v };
  }
  return { kind: 'real', value: Number(text) };
}

/** Whether a value is a literal in the sense of defaults (numbers, strings, chars, bytes, booleans, `_`, arrays of those). */
export function isLiteral(v: ValueSyntax): boolean {
  switch (v.kind) {
    case 'number':
    case 'byte':
    case 'string':
    case 'char':
    case 'void':
    case 'bool':
    case 'error':
      return true;
    case 'array': {
      // Iterative: arrays may be deeply nested (up to the parser's limit).
      const stack: ValueSyntax[] = [...v.items];
      while (stack.length > 0) {
        const x = stack.pop() as ValueSyntax;
        if (x.kind === 'array') stack.push(...x.items);
        else if (!isLiteral(x)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Checks a literal against `expected`, reporting E_TYPE_MISMATCH / E_LITERAL_OUT_OF_RANGE. */
export function checkLiteral(v: ValueSyntax, expected: DataType, sink: DiagnosticSink): boolean {
  const mismatch = (what: string) => {
    sink.report('E_TYPE_MISMATCH', v.span, `expected a value of type ${q(expected)}, found ${what}`);
    return false;
  };
  if (v.kind === 'error') return true;
  if (containsGeneric(expected) && v.kind !== 'array')
    return mismatch(`${describeLiteral(v)} (a literal cannot be given to a generic type)`);
  switch (expected.kind) {
    case 'option':
      if (v.kind === 'void') return true;
      return checkLiteral(v, expected.of, sink);
    case 'vec':
      if (v.kind !== 'array') return mismatch(describeLiteral(v));
      return v.items.map((item) => checkLiteral(item, expected.of, sink)).every(Boolean);
    case 'data':
      return mismatch(`${describeLiteral(v)} (data types have no literals; use a function)`);
    case 'generic':
      return mismatch(`${describeLiteral(v)} (a literal cannot be given to a generic type)`);
    case 'core':
      break;
  }
  const t = expected.name;
  switch (v.kind) {
    case 'void':
      return t === 'void' || mismatch('_');
    case 'bool':
      return t === 'bool' || mismatch(String(v.value));
    case 'string':
      return t === 'string' || mismatch('a string');
    case 'char':
      return t === 'char' || mismatch('a character');
    case 'byte':
      return t === 'byte' || mismatch('a byte');
    case 'array':
      return mismatch('an array');
    case 'number': {
      const n = classifyNumber(v.text);
      const range = INT_RANGES[t];
      if (range !== undefined) {
        if (n.kind === 'int') {
          if (n.value < range[0] || n.value > range[1]) {
            sink.report('E_LITERAL_OUT_OF_RANGE', v.span, `${v.text} is out of the range of ${t} (${range[0]} to ${range[1]})`);
            return false;
          }
          return true;
        }
        if (/^-?[0-9]+$/.test(v.text)) {
          sink.report('E_LITERAL_OUT_OF_RANGE', v.span, `${v.text} is out of the range of ${t}`);
          return false;
        }
        return mismatch(`the real number ${v.text}`);
      }
      if (t === 'f32' || t === 'f64') {
        if (n.kind === 'real') return true;
        const f = t === 'f32' ? Math.fround(Number(n.value)) : Number(n.value);
        if (Number.isFinite(f) && BigInt(f) === n.value) return true;
        sink.report(
          'E_LITERAL_OUT_OF_RANGE',
          v.span,
          `${v.text} is not exactly representable in ${t}; write it with a fraction, e.g. ${v.text}.0`,
        );
        return false;
      }
      if (t === 'byte') {
        if (n.kind === 'int' && n.value >= 0n && n.value <= 255n) return true;
        if (n.kind === 'int') {
          sink.report('E_LITERAL_OUT_OF_RANGE', v.span, `${v.text} is out of the range of byte (0 to 255)`);
          return false;
        }
        return mismatch(`the real number ${v.text}`);
      }
      if (t === 'char') {
        if (n.kind === 'int' && n.value >= 0n && n.value <= 0x10ffffn && !(n.value >= 0xd800n && n.value <= 0xdfffn)) return true;
        if (n.kind === 'int') {
          sink.report('E_LITERAL_OUT_OF_RANGE', v.span, `${v.text} is not a Unicode scalar value`);
          return false;
        }
        return mismatch(`the real number ${v.text}`);
      }
      return mismatch(`the number ${v.text}`);
    }
    default:
      return mismatch(describeLiteral(v));
  }
}

function describeLiteral(v: ValueSyntax): string {
  switch (v.kind) {
    case 'number':
      return `the number ${v.text}`;
    case 'string':
      return 'a string';
    case 'char':
      return 'a character';
    case 'byte':
      return 'a byte';
    case 'bool':
      return String(v.value);
    case 'void':
      return '_';
    case 'array':
      return 'an array';
    default:
      return 'a value';
  }
}

/** Where a value is read: the parameters and contexts it may use. */
export interface ValueScope extends TraitContext {
  readonly area: Area;
  /** Parameters a bare name may refer to. */
  readonly params: ReadonlyMap<string, ParamSymbol>;
  /** Contexts the enclosing treatment requires; 'model' where contexts are forbidden. */
  readonly contexts: ReadonlyMap<string, ContextSymbol> | 'model';
  readonly generics: ReadonlyMap<string, GenericSymbol>;
}

/** Variability of a checked value; `context` when it reads a context directly. */
export interface ValueInfo {
  readonly variability: 'const' | 'var';
  /** The value is itself a context access (E_CONST_FROM_CONTEXT rather than E_CONST_FROM_VAR). */
  readonly isContext: boolean;
  /** Contexts read anywhere inside the value. */
  readonly contexts: readonly ContextSymbol[];
}

const CONST: ValueInfo = { variability: 'const', isContext: false, contexts: [] };

/**
 * Checks a value against `expected` (undefined: the expectation is unknown, check the
 * value's own consistency only). Reports into the area's sink.
 */
export function checkValue(v: ValueSyntax, expected: DataType | undefined, scope: ValueScope): ValueInfo {
  const sink = scope.area.host.sink;
  switch (v.kind) {
    case 'number':
    case 'byte':
    case 'string':
    case 'char':
    case 'void':
    case 'bool':
    case 'error':
      if (expected !== undefined) checkLiteral(v, expected, sink);
      return CONST;
    case 'array': {
      let inner: DataType | undefined;
      if (expected !== undefined) {
        let e = expected;
        if (e.kind === 'option') e = e.of; // arrays are option-wrapped too, everywhere
        if (e.kind === 'vec') inner = e.of;
        else {
          sink.report('E_TYPE_MISMATCH', v.span, `expected a value of type ${q(expected)}, found an array`);
          return CONST;
        }
      }
      return combine(v.items.map((item) => checkValue(item, inner, scope)));
    }
    case 'name': {
      const p = scope.params.get(v.name.text);
      if (p === undefined) {
        sink.report('E_UNDECLARED_PARAMETER', v.name.span, `'${v.name.text}' is not a parameter here`, {
          hint: scope.params.size > 0 ? `parameters in scope: ${[...scope.params.keys()].join(', ')}` : 'no parameter is declared here',
        });
        return CONST;
      }
      if (expected !== undefined && p.type !== undefined && !typeEquals(p.type, expected))
        sink.report('E_TYPE_MISMATCH', v.span, `parameter '${p.name}' has type ${q(p.type)}, but ${q(expected)} is expected here`);
      return { variability: p.variability, isContext: false, contexts: [] };
    }
    case 'context': {
      const c = scope.area.lookupImported('context', v.context.text);
      if (c === undefined) {
        sink.report('E_UNKNOWN_ELEMENT', v.context.span, `unknown context '@${v.context.text}'`, {
          hint: `import it: use <package>/<area>::@${v.context.text}`,
        });
        return { variability: 'var', isContext: true, contexts: [] };
      }
      if (c === 'poisoned' || c.kind !== 'context') return { variability: 'var', isContext: true, contexts: [] };
      if (scope.contexts === 'model') {
        sink.report('E_CONTEXT_IN_MODEL', v.span, 'a model parameter cannot read a context: models exist before any track');
        return { variability: 'var', isContext: true, contexts: [c] };
      }
      if (!scope.contexts.has(c.id))
        sink.report('E_UNDECLARED_CONTEXT', v.context.span, `context '@${c.name}' is read without 'require @${c.name}' in this treatment`, {
          hint: `add 'require @${c.name}' to the treatment's prelude`,
        });
      const ft = c.fields.get(v.field.text);
      if (!c.fields.has(v.field.text))
        sink.report('E_UNKNOWN_CONTEXT_FIELD', v.field.span, `context '@${c.name}' has no field '${v.field.text}'`, {
          hint: `fields: ${[...c.fields.keys()].join(', ')}`,
        });
      else if (expected !== undefined && ft !== undefined && !typeEquals(ft, expected))
        sink.report('E_TYPE_MISMATCH', v.span, `'@${c.name}[${v.field.text}]' has type ${q(ft)}, but ${q(expected)} is expected here`);
      return { variability: 'var', isContext: true, contexts: [c] };
    }
    case 'call':
      return checkCall(v, expected, scope);
  }
}

function combine(infos: readonly ValueInfo[]): ValueInfo {
  if (infos.length === 0) return CONST;
  const contexts = infos.flatMap((i) => i.contexts);
  const variability = infos.some((i) => i.variability === 'var') ? 'var' : 'const';
  return { variability, isContext: false, contexts };
}

function checkCall(v: Extract<ValueSyntax, { kind: 'call' }>, expected: DataType | undefined, scope: ValueScope): ValueInfo {
  const sink = scope.area.host.sink;
  const f = scope.area.lookupImported('function', v.fn.text);
  if (f === undefined || f === 'poisoned' || f.kind !== 'function') {
    if (f === undefined)
      sink.report('E_UNKNOWN_ELEMENT', v.fn.span, `unknown function '|${v.fn.text}'`, {
        hint: `import it: use <package>/<area>::|${v.fn.text}`,
      });
    return combine(v.args.map((a) => checkValue(a, undefined, scope)));
  }
  const args = checkGenericArgs(v.generics, f.generics, v.fn.span, `function '|${f.name}'`, scope);
  if (v.args.length < f.params.length)
    sink.report(
      'E_FUNCTION_ARITY',
      v.fn.span,
      `function '|${f.name}' takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'} (${f.params.map((p) => p.name).join(', ')}), ${v.args.length} given`,
    );
  // Extra arguments are checked as values, then ignored with a warning (as the reference ignores them).
  const given = v.args.slice(0, f.params.length);
  const firstExtra = v.args[f.params.length];
  if (firstExtra !== undefined) {
    const n = v.args.length - f.params.length;
    sink.report(
      'W_IGNORED_ARGUMENT',
      firstExtra.span,
      `function '|${f.name}' takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'}; the ${n} extra ${n === 1 ? 'is' : 'are'} ignored`,
    );
    for (const a of v.args.slice(f.params.length)) checkValue(a, undefined, scope);
  }
  const types: (DataType | undefined)[] = [];
  const infos = given.map((a, i) => {
    const p = f.params[i];
    let t = p?.type;
    if (t !== undefined) t = args === undefined ? (containsGeneric(t) ? undefined : t) : substitute(t, args);
    types.push(t);
    return checkValue(a, t, scope);
  });
  const validate = f.native.validate;
  if (validate !== undefined && given.length === f.params.length) {
    // Literal arguments, converted, for the function's own check (a constant pattern…).
    const literal = given.map((a, i) => {
      const t = types[i];
      if (t === undefined || containsGeneric(t) || !isLiteral(a)) return undefined;
      try {
        return literalValue(a, t);
      } catch {
        return undefined;
      }
    });
    const problem = literal.some((x, i) => x !== undefined || given[i]?.kind === 'void') ? validate(literal) : undefined;
    if (problem !== undefined) sink.report('E_INVALID_VALUE', v.args[problem.arg]?.span ?? v.span, problem.message);
  }
  if (expected !== undefined && f.returns !== undefined) {
    const r = args === undefined ? (containsGeneric(f.returns) ? undefined : f.returns) : substitute(f.returns, args);
    if (r !== undefined && !typeEquals(r, expected))
      sink.report('E_TYPE_MISMATCH', v.span, `'|${f.name}' returns ${q(r)}, but ${q(expected)} is expected here`);
  }
  return combine(infos);
}

/**
 * Checks explicit generic arguments against declared generics (count, traits, no trait
 * syntax) and returns the substitution, or undefined when the count is wrong.
 */
export function checkGenericArgs(
  given: readonly TypeSyntax[] | undefined,
  declared: readonly GenericSymbol[],
  at: import('@tutti/core').Span,
  what: string,
  scope: ValueScope,
): Map<string, DataType> | undefined {
  const sink = scope.area.host.sink;
  const all = given ?? [];
  // Extra arguments are ignored with a warning, as the reference ignores them.
  const list = all.slice(0, declared.length);
  const extra = all[declared.length];
  if (extra !== undefined) {
    sink.report(
      'W_IGNORED_GENERIC',
      extra.span,
      declared.length === 0
        ? `${what} takes no generic argument; ${all.length === 1 ? 'the one given is' : `the ${all.length} given are`} ignored`
        : `${what} takes ${declared.length} generic argument${declared.length === 1 ? '' : 's'}; the ${all.length - declared.length} extra ${all.length - declared.length === 1 ? 'is' : 'are'} ignored`,
    );
    // Resolved only so that the imports they name count as used; their problems are not reported.
    const scratch = new DiagnosticSink();
    for (const t of all.slice(declared.length))
      resolveValueType(t, { generics: scope.generics, lookupPlain: (n) => lookupImportedPlain(scope.area, n) }, scratch);
  }
  const resolved = list.map((t) => {
    if (t.traits !== undefined && t.traits.length > 0)
      sink.report('E_TRAITS_IN_ASSIGNMENT', t.span, 'trait bounds cannot be written in a generic argument; give the type alone');
    return resolveValueType(t, { generics: scope.generics, lookupPlain: (n) => lookupImportedPlain(scope.area, n) }, sink);
  });
  if (list.length !== declared.length) {
    const names = declared.map((g) => g.name).join(', ');
    sink.report(
      'E_GENERIC_COUNT',
      at,
      `${what} needs ${declared.length} generic argument${declared.length === 1 ? '' : 's'} <${names}>, ${list.length} given`,
      declared.length > 0 && list.length === 0 ? { hint: 'generic arguments are never inferred: write them, e.g. <string>' } : {},
    );
    return undefined;
  }
  const subst = new Map<string, DataType>();
  declared.forEach((g, i) => {
    const t = resolved[i];
    const syntax = list[i] as TypeSyntax;
    if (t === undefined) return;
    subst.set(g.name, t);
    const missing = missingTraits(t, g.traits, scope);
    if (missing.length > 0)
      sink.report(
        'E_GENERIC_CONSTRAINT',
        syntax.span,
        `${q(t)} does not implement ${missing.map((m) => `'${m}'`).join(', ')}, required by generic '${g.name}' of ${what}`,
        t.kind === 'generic' ? { hint: `declare the bound on the enclosing treatment: <${t.name}: ${[...missing].join(' + ')}>` } : {},
      );
  });
  if (subst.size !== declared.length) return undefined;
  return subst;
}

function lookupImportedPlain(area: Area, name: string) {
  const imp = area.imports.get(name);
  if (imp === undefined) return undefined;
  imp.used = true;
  return imp.element;
}

/** Applies the variability rules (const / var) for a target. */
export function checkTarget(info: ValueInfo, target: 'const' | 'var' | 'model', v: ValueSyntax, what: string, sink: DiagnosticSink): void {
  if (info.variability === 'const' || target === 'var') return;
  if (info.isContext) {
    if (target === 'const')
      sink.report('E_CONST_FROM_CONTEXT', v.span, `${what} is const and cannot take a context value (contexts differ per track)`);
    return; // in models, E_CONTEXT_IN_MODEL was reported by checkValue
  }
  if (info.contexts.length > 0 && target === 'model') return;
  sink.report('E_CONST_FROM_VAR', v.span, `${what} is const, but this value is var`, {
    hint:
      target === 'model'
        ? 'model parameters take constants only: declare the parameters you pass as const'
        : "declare the parameters you pass as 'const'",
  });
}

/** Formats a type for messages. */
export { formatType };
