/**
 * The one catalogue of diagnostic codes (the reference language's errors and warnings,
 * plus a few of Tutti's own). Codes name a kind of problem, not a call site: users and their CI
 * scripts rely on them. Every phase reports into a {@link DiagnosticSink} and carries on;
 * exceptions are internal bugs.
 */
import type { Span } from './source.js';

/** Severity of a diagnostic; only errors make `check` fail. */
export type Severity = 'error' | 'warning';

interface CatalogueEntry {
  readonly severity: Severity;
  /** What the code means, shown by `tutti explain` and in docs. */
  readonly summary: string;
}

/** Every code the implementation can report, with its severity and meaning. */
export const Catalogue = {
  E_FILE: { severity: 'error', summary: 'a program or package file cannot be read or decoded' },
  E_LEX: { severity: 'error', summary: 'a character or token outside the language' },
  E_SYNTAX: { severity: 'error', summary: 'an unexpected token or end of file' },
  E_NESTING_TOO_DEEP: { severity: 'error', summary: 'a value or type nested deeper than 256 levels' },
  E_INVALID_LITERAL: { severity: 'error', summary: 'a bad escape sequence or character literal' },
  E_DUPLICATE_NAME: { severity: 'error', summary: 'two file-level names are equal' },
  E_DUPLICATE_DECLARATION: { severity: 'error', summary: 'a name declared twice in one signature' },
  E_DUPLICATE_INSTANCE: { severity: 'error', summary: 'two instances with one name in a body' },
  E_DUPLICATE_ASSIGNMENT: { severity: 'error', summary: 'a parameter or model slot assigned twice' },
  E_RESERVED_NAME: { severity: 'error', summary: 'an instance named Self' },
  E_UNKNOWN_DEPENDENCY: { severity: 'error', summary: 'a use names a package that is not a declared dependency' },
  E_PACKAGE_NOT_FOUND: { severity: 'error', summary: 'no available package satisfies a dependency' },
  E_UNKNOWN_ELEMENT: { severity: 'error', summary: 'an element that does not exist or is not imported' },
  E_ELEMENT_KIND_MISMATCH: { severity: 'error', summary: 'a name designates an element of the wrong kind' },
  E_UNKNOWN_TYPE: { severity: 'error', summary: 'a type name that is neither core, imported nor generic' },
  E_INVALID_TYPE_STRUCTURE: { severity: 'error', summary: 'a type with a wrong number or kind of arguments' },
  E_FLOW_NOT_ALLOWED: { severity: 'error', summary: 'a Stream type where only data types are allowed' },
  E_INVALID_GENERIC_NAME: { severity: 'error', summary: 'a generic named like a type' },
  E_UNKNOWN_TRAIT: { severity: 'error', summary: 'a trait name that does not exist' },
  E_TRAITS_IN_ASSIGNMENT: { severity: 'error', summary: 'trait bounds written in a generic argument' },
  E_GENERIC_COUNT: { severity: 'error', summary: 'a wrong number of generic arguments' },
  E_GENERIC_CONSTRAINT: { severity: 'error', summary: 'a generic argument lacks a required trait' },
  E_DEFAULT_NOT_ALLOWED: { severity: 'error', summary: 'a default value where none is allowed' },
  E_DEFAULT_NOT_LITERAL: { severity: 'error', summary: 'a default value that is not a literal' },
  E_MODEL_PARAM_NOT_CONST: { severity: 'error', summary: 'a var parameter in a model declaration' },
  E_UNKNOWN_PARAMETER: { severity: 'error', summary: 'an assignment to a parameter that does not exist' },
  E_MISSING_PARAMETER: { severity: 'error', summary: 'a parameter without default is not assigned' },
  E_UNDECLARED_PARAMETER: { severity: 'error', summary: 'a name in a value that is no parameter' },
  E_TYPE_MISMATCH: { severity: 'error', summary: 'a value of the wrong type' },
  E_LITERAL_OUT_OF_RANGE: { severity: 'error', summary: 'a number literal outside the range of its type' },
  E_CONST_FROM_VAR: { severity: 'error', summary: 'a var value given to a const target' },
  E_CONST_FROM_CONTEXT: { severity: 'error', summary: 'a context value given to a const parameter' },
  E_CONTEXT_IN_MODEL: { severity: 'error', summary: 'a context value in a model parameter' },
  E_FUNCTION_ARITY: { severity: 'error', summary: 'a wrong number of function arguments' },
  E_UNDECLARED_CONTEXT: { severity: 'error', summary: 'a context read without require' },
  E_UNKNOWN_CONTEXT_FIELD: { severity: 'error', summary: 'a context field that does not exist' },
  E_UNDECLARED_MODEL: { severity: 'error', summary: 'a model name that is not a model of the host' },
  E_MODEL_NAME_REQUIRED: { severity: 'error', summary: 'a model slot given something other than a name' },
  E_UNKNOWN_MODEL_PARAMETER: { severity: 'error', summary: 'a model slot that the callee does not declare' },
  E_MISSING_MODEL: { severity: 'error', summary: 'a configuration model of the callee is not given' },
  E_MODEL_TYPE_MISMATCH: { severity: 'error', summary: 'a model of the wrong type' },
  E_RECURSIVE_MODEL: { severity: 'error', summary: 'a model base chain that loops' },
  E_UNKNOWN_INSTANCE: { severity: 'error', summary: 'a connection endpoint that is no instance' },
  E_UNKNOWN_INPUT: { severity: 'error', summary: 'a destination port that does not exist' },
  E_UNKNOWN_OUTPUT: { severity: 'error', summary: 'a source port that does not exist' },
  E_CONNECTION_WITHOUT_DATA: { severity: 'error', summary: 'a connection without port names' },
  E_CONNECTION_KIND_MISMATCH: { severity: 'error', summary: 'a Block connected to a Stream or the reverse' },
  E_CONNECTION_TYPE_MISMATCH: { severity: 'error', summary: 'a connection between different data types' },
  E_INPUT_ALREADY_CONNECTED: { severity: 'error', summary: 'an input with several incoming connections' },
  E_UNSATISFIED_INPUT: { severity: 'error', summary: 'an instance input with no incoming connection' },
  E_SELF_OUTPUT_UNSATISFIED: { severity: 'error', summary: 'a treatment output that is never driven' },
  E_SELF_OUTPUT_OVERLOADED: { severity: 'error', summary: 'a treatment output driven more than once' },
  E_RECURSIVE_TREATMENT: { severity: 'error', summary: 'a treatment that contains itself' },
  E_CONTEXT_NOT_AVAILABLE: { severity: 'error', summary: "a context that the track's source does not provide" },
  E_ENTRYPOINT_NOT_FOUND: { severity: 'error', summary: 'no entrypoint of that name' },
  E_ENTRYPOINT_NOT_LAUNCHABLE: { severity: 'error', summary: 'an entrypoint with generics or models' },
  E_MANIFEST: { severity: 'error', summary: 'an invalid Compo.toml' },
  E_HEADER: { severity: 'error', summary: 'an invalid standalone header' },
  E_ARGUMENT: { severity: 'error', summary: 'an invalid or missing command-line argument' },
  E_IMPORT_CYCLE: { severity: 'error', summary: 'areas or packages that import each other' },
  E_NOT_IMPLEMENTED: { severity: 'error', summary: 'an element that has no run-time behaviour in this version' },
  E_INVALID_VALUE: {
    severity: 'error',
    summary: 'a constant value that the element rejects (e.g. a regex pattern that cannot be compiled)',
  },
  E_LAUNCH: { severity: 'error', summary: 'the launch failed during genesis (a constant could not be computed)' },
  W_UNUSED_USE: { severity: 'warning', summary: 'an import that is never used' },
  W_IMPLICIT_BLOCK: { severity: 'warning', summary: 'an input or output type written without Block or Stream' },
  W_REDUNDANT_BLOCK: { severity: 'warning', summary: 'Block written in a parameter type' },
  W_UNREACHABLE_INSTANCE: { severity: 'warning', summary: 'an instance that no track can reach' },
  W_MULTIPLE_TRACK_ORIGINS: { severity: 'warning', summary: 'an instance fed from several track sources' },
  W_ENTRY_HAS_IO: { severity: 'warning', summary: 'an entrypoint with inputs or outputs' },
  W_IGNORED_GENERIC: { severity: 'warning', summary: 'generic arguments beyond those an element declares, ignored' },
  W_IGNORED_ARGUMENT: { severity: 'warning', summary: 'function arguments beyond the declared parameters, ignored' },
  W_ENTRY_IGNORED: { severity: 'warning', summary: 'an entrypoint given together with --all' },
} as const satisfies Record<string, CatalogueEntry>;

/** A diagnostic code of the catalogue. */
export type DiagnosticCode = keyof typeof Catalogue;

/** A secondary location that explains the primary one ("first connected here"). */
export interface RelatedSpan {
  readonly span: Span;
  readonly message: string;
}

/** One problem found in a program. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Primary location; absent for location-less problems (manifest, arguments). */
  readonly span?: Span;
  /** For location-less problems: the file concerned, when there is one. */
  readonly file?: string;
  readonly related: readonly RelatedSpan[];
  readonly hint?: string;
}

/** Options of {@link DiagnosticSink.report}. */
export interface ReportOptions {
  readonly related?: readonly RelatedSpan[];
  readonly hint?: string;
  readonly file?: string;
}

/** Collects diagnostics; phases report and carry on. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  #seen = new Set<string>();
  #errors = 0;

  /** Reports a problem. Identical reports (same code and place) are kept once. */
  report(code: DiagnosticCode, span: Span | undefined, message: string, options: ReportOptions = {}): void {
    const key = span ? `${code}@${span.file.path}:${span.start}:${span.end}` : `${code}@${options.file ?? ''}:${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const severity = Catalogue[code].severity;
    if (severity === 'error') this.#errors++;
    const diagnostic: Diagnostic = {
      code,
      severity,
      message,
      related: options.related ?? [],
      ...(span ? { span } : {}),
      ...(options.file !== undefined ? { file: options.file } : {}),
      ...(options.hint !== undefined ? { hint: options.hint } : {}),
    };
    this.items.push(diagnostic);
  }

  /** Number of errors reported so far. */
  get errorCount(): number {
    return this.#errors;
  }

  /** Whether any error was reported. */
  get hasErrors(): boolean {
    return this.#errors > 0;
  }
}
