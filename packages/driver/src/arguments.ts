/**
 * Entrypoint arguments (language spec §7.6): every parameter of the entry treatment is an
 * option `--name value`, converted from raw text by the parameter's type, or parsed as a
 * Mélodium value with `--parse-arguments`. Problems are E_ARGUMENT (exit status 2).
 */
import { type DataType, DiagnosticSink, formatType, SourceFile } from '@tutti/core';
import { checkLiteral, INT_RANGES, parseValueText, type TreatmentSymbol } from '@tutti/lang';

/** One problem with the command line. */
export class ArgumentError extends Error {}

const INT = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = { ...INT_RANGES, byte: [0n, 255n] };

/** Checks one raw argument text against `type`; returns an error message or undefined. */
export function checkRaw(text: string, type: DataType): string | undefined {
  if (type.kind === 'option') return text === '' || text === '_' ? undefined : checkRaw(text, type.of);
  if (type.kind !== 'core')
    return `type ${formatType(type)} cannot be given as raw text; run with --parse-arguments and write a Mélodium value`;
  const t = type.name;
  const range = RANGES[t];
  if (range !== undefined) {
    if (!INT.test(text)) return `'${text}' is not a whole number`;
    const v = BigInt(text);
    return v < range[0] || v > range[1] ? `${text} is out of the range of ${t} (${range[0]} to ${range[1]})` : undefined;
  }
  switch (t) {
    case 'f32':
    case 'f64':
      return FLOAT.test(text) || /^[+-]?(inf|infinity|nan)$/i.test(text) ? undefined : `'${text}' is not a number`;
    case 'bool':
      return text === 'true' || text === 'false' ? undefined : `'${text}' is not a boolean (true or false)`;
    case 'char':
      return [...text].length === 1 ? undefined : `'${text}' is not exactly one character`;
    case 'string':
      return undefined;
    default:
      return `type ${t} cannot be given as raw text; run with --parse-arguments and write a Mélodium value`;
  }
}

/** Checks one argument in parsed mode (a Mélodium literal value). */
export function checkParsed(text: string, type: DataType, name: string): string | undefined {
  const sink = new DiagnosticSink();
  const file = new SourceFile(`--${name}`, text);
  const v = parseValueText(file, sink);
  if (v === undefined) return sink.items[0]?.message ?? `'${text}' is not a Mélodium value`;
  if (v.kind === 'name' || v.kind === 'context' || v.kind === 'call')
    return `'${text}' must be a literal value, not a parameter, context or function call`;
  checkLiteral(v, type, sink);
  return sink.items[0]?.message;
}

/**
 * Validates the entry options of `args` for `entry`; throws {@link ArgumentError}.
 * @returns parameter name → argument text
 */
export function checkEntryArguments(entry: TreatmentSymbol, args: readonly string[], parsed: boolean): Map<string, string> {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) throw new ArgumentError(`unexpected argument '${a}'; entrypoint parameters are given as --name value`);
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      value = args[i + 1];
      i++;
    }
    const p = entry.params.get(name);
    if (p === undefined)
      throw new ArgumentError(
        `unknown option '--${name}' for entrypoint '${entry.name}'${entry.params.size > 0 ? `; its parameters: ${[...entry.params.keys()].map((k) => `--${k}`).join(', ')}` : ', which takes no parameter'}`,
      );
    if (value === undefined) throw new ArgumentError(`option '--${name}' needs a value`);
    if (given.has(name)) throw new ArgumentError(`option '--${name}' is given twice`);
    if (p.type !== undefined) {
      const problem = parsed ? checkParsed(value, p.type, name) : checkRaw(value, p.type);
      if (problem !== undefined) throw new ArgumentError(`invalid value for --${name} (${formatType(p.type)}): ${problem}`);
    }
    given.set(name, value);
  }
  const missing = [...entry.params.values()].filter((p) => !p.hasDefault && !given.has(p.name));
  if (missing.length > 0)
    throw new ArgumentError(
      `no valid value for launch: missing ${missing.map((p) => `--${p.name} <${p.type ? formatType(p.type) : '?'}>`).join(', ')}`,
    );
  return given;
}
