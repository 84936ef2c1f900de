/**
 * Entrypoint arguments (docs/language.md#command-line-arguments): every parameter of the entry treatment is an
 * option `--name value` (or `--name=value`), read as raw text by the parameter's type, or
 * as a Mélodium value with `--parse-arguments`. One grammar: the same function validates
 * a text and converts it, so what is accepted is exactly what can be converted.
 *
 * Problems are `E_ARGUMENT` diagnostics whose spans point into a source file made of the
 * arguments themselves (`command line`), so they render with an excerpt and carets like
 * any other diagnostic, and as JSON for tools.
 */
import { canon, type DataType, DiagnosticSink, formatType, SourceFile, type Span, type Value } from '@tutti/core';
import { checkLiteral, INT_RANGES, literalValue, parseValueText, type TreatmentSymbol } from '@tutti/lang';

/** The result of reading one argument text: its value, or why it has none. */
export type ArgumentReading = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly problem: string };

const INT = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;
const RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = { ...INT_RANGES, byte: [0n, 255n] };
const RAW_ONLY = 'cannot be given as raw text; run with --parse-arguments and write a Mélodium value';

/**
 * Reads a raw command-line text as a value of `type` (raw mode): whole numbers in
 * decimal within the type's range, floats in decimal or `inf`/`NaN`, `true`/`false`, one
 * character, a string as is, an `Option` empty or `_` for none.
 *
 * @example
 * readRaw('42', coreType('u8')); // { ok: true, value: 42 }
 * readRaw('300', coreType('u8')).ok; // false: out of range
 */
export function readRaw(text: string, type: DataType): ArgumentReading {
  if (type.kind === 'option') return text === '' || text === '_' ? { ok: true, value: null } : readRaw(text, type.of);
  if (type.kind !== 'core') return fail(`type ${formatType(type)} ${RAW_ONLY}`);
  const t = type.name;
  const range = RANGES[t];
  if (range !== undefined) {
    if (!INT.test(text)) return fail(`'${text}' is not a whole number`);
    const v = BigInt(text.startsWith('+') ? text.slice(1) : text);
    if (v < range[0] || v > range[1]) return fail(`${text} is out of the range of ${t} (${range[0]} to ${range[1]})`);
    return { ok: true, value: canon(v) };
  }
  switch (t) {
    case 'f32':
    case 'f64': {
      const m = SPECIAL_FLOAT.exec(text);
      if (m === null && !FLOAT.test(text)) return fail(`'${text}' is not a number`);
      const n = m ? ((m[2] as string).toLowerCase() === 'nan' ? Number.NaN : m[1] === '-' ? -Infinity : Infinity) : Number(text);
      return { ok: true, value: t === 'f32' ? Math.fround(n) : n };
    }
    case 'bool':
      return text === 'true' || text === 'false'
        ? { ok: true, value: text === 'true' }
        : fail(`'${text}' is not a boolean (true or false)`);
    case 'char':
      return [...text].length === 1 ? { ok: true, value: text } : fail(`'${text}' is not exactly one character`);
    case 'string':
      return { ok: true, value: text };
    default:
      return fail(`type ${t} ${RAW_ONLY}`);
  }
}

/** Reads a text as a Mélodium literal value of `type` (`--parse-arguments`). */
export function readParsed(text: string, type: DataType, name: string): ArgumentReading {
  const sink = new DiagnosticSink();
  const v = parseValueText(new SourceFile(`--${name}`, text), sink);
  if (v === undefined) return fail(sink.items[0]?.message ?? `'${text}' is not a Mélodium value`);
  if (v.kind === 'name' || v.kind === 'context' || v.kind === 'call')
    return fail(`'${text}' must be a literal value, not a parameter, context or function call`);
  checkLiteral(v, type, sink);
  const problem = sink.items.find((d) => d.severity === 'error');
  return problem === undefined ? { ok: true, value: literalValue(v, type) } : fail(problem.message);
}

function fail(problem: string): ArgumentReading {
  return { ok: false, problem };
}

/** The entry arguments as a source file, with the span of each token. */
export class CommandLine {
  readonly file: SourceFile;
  private readonly spans: Span[] = [];

  constructor(readonly tokens: readonly string[]) {
    let text = '';
    const starts: number[] = [];
    for (const t of tokens) {
      if (text !== '') text += ' ';
      starts.push(text.length);
      text += /^[\w@%+=:,./-]+$/.test(t) ? t : `'${t.replaceAll("'", "'\\''")}'`;
    }
    this.file = new SourceFile('command line', text);
    tokens.forEach((_, i) => {
      const start = starts[i] as number;
      const end = i + 1 < starts.length ? (starts[i + 1] as number) - 1 : text.length;
      this.spans.push({ file: this.file, start, end });
    });
  }

  /** The span of token `i`. */
  span(i: number): Span {
    return this.spans[i] as Span;
  }
}

/**
 * Reads the entry options `tokens` for `entry`. Reports every problem as E_ARGUMENT and
 * returns undefined when there was one; else the values by parameter name (the others
 * take their defaults).
 */
export function entryArguments(
  entry: TreatmentSymbol,
  tokens: readonly string[],
  parsed: boolean,
  sink: DiagnosticSink,
): Map<string, Value> | undefined {
  const line = new CommandLine(tokens);
  const values = new Map<string, Value>();
  const givenAt = new Map<string, number>();
  const errors = sink.errorCount;
  const declared = (name: string) => {
    const span = entry.params.get(name)?.span;
    return span === undefined ? [] : [{ span, message: `parameter '${name}' of '${entry.name}' is declared here` }];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('--') || token === '--') {
      sink.report('E_ARGUMENT', line.span(i), `unexpected argument '${token}'; entrypoint parameters are given as --name value`, {
        hint: 'options of tutti itself go before the program or before --',
      });
      continue;
    }
    const at = i;
    let name = token.slice(2);
    let text: string | undefined;
    let valueAt = i;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      text = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (i + 1 < tokens.length) {
      text = tokens[++i] as string;
      valueAt = i;
    }
    const p = entry.params.get(name);
    if (p === undefined) {
      const known = [...entry.params.keys()].map((k) => `--${k}`);
      sink.report('E_ARGUMENT', line.span(at), `unknown option '--${name}' for entrypoint '${entry.name}'`, {
        hint: known.length > 0 ? `its parameters: ${known.join(', ')}` : `'${entry.name}' takes no parameter`,
      });
      continue;
    }
    if (text === undefined) {
      sink.report('E_ARGUMENT', line.span(at), `option '--${name}' needs a value`, { related: declared(name) });
      continue;
    }
    const first = givenAt.get(name);
    if (first !== undefined) {
      sink.report('E_ARGUMENT', line.span(at), `option '--${name}' is given twice`, {
        related: [{ span: line.span(first), message: 'first given here' }],
      });
      continue;
    }
    givenAt.set(name, at);
    if (p.type === undefined) continue; // the checker reported the broken declaration
    const r = parsed ? readParsed(text, p.type, name) : readRaw(text, p.type);
    if (r.ok) values.set(name, r.value);
    else
      sink.report('E_ARGUMENT', line.span(valueAt), `invalid value for --${name} (${formatType(p.type)}): ${r.problem}`, {
        related: declared(name),
      });
  }
  const missing = [...entry.params.values()].filter((p) => !p.hasDefault && !givenAt.has(p.name));
  if (missing.length > 0)
    sink.report(
      'E_ARGUMENT',
      undefined,
      `no valid value for launch: missing ${missing.map((p) => `--${p.name} <${p.type ? formatType(p.type) : '?'}>`).join(', ')}`,
      { file: 'command line', related: missing.flatMap((p) => declared(p.name)) },
    );
  return sink.errorCount > errors ? undefined : values;
}
