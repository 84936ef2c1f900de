/**
 * The middle of the pipeline: a checked entrypoint and its command-line arguments become
 * a design (genesis). Every problem (arguments, launch failures,
 * elements without behaviour) is a diagnostic in the sink, so it renders like a check
 * error, with its place in the source.
 */
import type { DiagnosticSink, Span, Value } from '@tutti/core';
import type { Design } from '@tutti/design';
import { lowerProgram } from '@tutti/lang';
import { entryArguments } from './arguments.js';
import type { CheckedProgram } from './program.js';

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** Entry options as typed after the program: `['--who', 'Ada']`. */
  readonly args?: readonly string[];
  /** Read argument texts as Mélodium values (`--parse-arguments`). */
  readonly parsed?: boolean;
}

/** Renders a span as `file:line:col` (origins of instances in run-time reports). */
export function originOf(span: Span): string {
  const p = span.file.position(span.start);
  return `${span.file.path}:${p.line}:${p.column}`;
}

/**
 * Builds the design of a checked program's entrypoint. Returns undefined when anything
 * was reported (the program has errors, an argument is wrong, genesis failed, an element
 * has no behaviour); the reasons are in `checked.sink`.
 *
 * @example
 * const checked = await checkPath('hello.mel');
 * const design = launch(checked, { args: ['--who', 'Ada'] });
 * if (design !== undefined) await runDesign(design, { log: console.log });
 */
export function launch(checked: CheckedProgram, o: LaunchOptions = {}): Design | undefined {
  const { sink, entry, result } = checked;
  if (sink.hasErrors || entry === undefined || result === undefined) return undefined;
  const args = entryArguments(entry, o.args ?? [], o.parsed === true, sink);
  if (args === undefined) return undefined;
  return lower(checked, args, sink);
}

function lower(checked: CheckedProgram, args: ReadonlyMap<string, Value>, sink: DiagnosticSink): Design | undefined {
  const entry = checked.entry as NonNullable<CheckedProgram['entry']>;
  return lowerProgram({ entry, facts: checked.result?.facts ?? new Map(), args, origin: originOf }, sink);
}
