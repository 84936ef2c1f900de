/**
 * `regex`: regular expressions in the Rust `regex` dialect, translated
 * to JavaScript RegExps (see `compile.ts`). Treatments compile once per track: a pattern
 * that does not compile sends the reference-style message on `error` and reads no text;
 * otherwise `error` closes at once. Functions answer `false`/none for a bad pattern. A
 * constant bad pattern is also reported at check time through `validate`.
 */
import { END, fn, type InputPort, type OutputPort, treatment, type Value } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { type CompiledRegex, compileRegex } from './compile.js';
import { parseReplacement, replaceFirst } from './expand.js';

const area = 'regex';

/** Check-time problem of a constant pattern parameter, if any. */
function validateParam(params: Readonly<Record<string, Value>>): { param: string; message: string } | undefined {
  const pattern = params.regex;
  if (typeof pattern !== 'string') return undefined;
  const r = compileRegex(pattern);
  return r.ok ? undefined : { param: 'regex', message: r.error.summary };
}

/** Check-time problem of a literal pattern argument (the second one), if any. */
function validateArgs(args: readonly Value[]): { arg: number; message: string } | undefined {
  const pattern = args[1];
  if (typeof pattern !== 'string') return undefined;
  const r = compileRegex(pattern);
  return r.ok ? undefined : { arg: 1, message: r.error.summary };
}

/**
 * The shared body of the four treatments: compile, report or close `error`, then map every
 * text of each batch through `perText` (rule C: stop when the data output is gone).
 */
async function runPerText(
  pattern: Value,
  text: InputPort,
  data: OutputPort,
  error: OutputPort,
  prepare: (compiled: CompiledRegex) => (text: string) => Value,
): Promise<void> {
  const compiled = compileRegex(pattern as string);
  if (!compiled.ok) {
    await error.sendOne(compiled.error.message);
    return;
  }
  error.close();
  const each = prepare(compiled.value);
  for (;;) {
    const batch = await text.recvMany();
    if (batch === END) return;
    const out = new Array<Value>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = each(batch[i] as string);
    if (!(await data.sendMany(out))) return;
  }
}

const matcher = (c: CompiledRegex) => (t: string) => c.regex.test(t);
const finder = (c: CompiledRegex) => (t: string) => c.regex.exec(t)?.[0] ?? null;
const capturer = (c: CompiledRegex) => (t: string) => {
  const m = c.regex.exec(t);
  return m === null ? null : captures(m, c);
};

/** The named groups that took part in the match (unnamed groups are ignored). */
function captures(m: RegExpExecArray, c: CompiledRegex): StringMapValue {
  const entries: [string, string][] = [];
  for (const [i, name] of c.names) {
    const v = m[i];
    if (v !== undefined) entries.push([name, v]);
  }
  return StringMapValue.from(entries);
}

/** Runs `f` on a compiled pattern, or returns `fallback` for a bad one. */
function withRegex<T>(pattern: Value, fallback: T, f: (c: CompiledRegex) => T): T {
  const r = compileRegex(pattern as string);
  return r.ok ? f(r.value) : fallback;
}

export const regexElements = [
  treatment(area, 'matches', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { matches: 'Stream<bool>', error: 'Block<string>' },
    doc: 'Whether each text matches `regex` anywhere; a compile error goes to `error` and no text is read.',
    validate: validateParam,
    run: ({ inputs, outputs, params }) => runPerText(params.regex, inputs.text, outputs.matches, outputs.error, matcher),
  }),
  fn(area, 'matches', {
    params: 'text: string, regex: string',
    returns: 'bool',
    doc: 'Whether `text` matches `regex` anywhere; false for an invalid regex.',
    validate: validateArgs,
    impl: ([text, regex]) => withRegex(regex, false, (c) => c.regex.test(text as string)),
  }),
  treatment(area, 'find', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { found: 'Stream<Option<string>>', error: 'Block<string>' },
    doc: 'Leftmost-first match text of each text, or none; a compile error goes to `error`.',
    validate: validateParam,
    run: ({ inputs, outputs, params }) => runPerText(params.regex, inputs.text, outputs.found, outputs.error, finder),
  }),
  fn(area, 'find', {
    params: 'text: string, regex: string',
    returns: 'Option<string>',
    doc: 'Leftmost-first match text, or none (also for an invalid regex).',
    validate: validateArgs,
    impl: ([text, regex]) => withRegex(regex, null, (c) => finder(c)(text as string)),
  }),
  treatment(area, 'capture', {
    params: { regex: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { captured: 'Stream<Option<StringMap>>', error: 'Block<string>' },
    doc: 'Map of the named groups matched in each text, or none; a compile error goes to `error`.',
    validate: validateParam,
    run: ({ inputs, outputs, params }) => runPerText(params.regex, inputs.text, outputs.captured, outputs.error, capturer),
  }),
  fn(area, 'capture', {
    params: 'text: string, regex: string',
    returns: 'Option<StringMap>',
    doc: 'Map of the named groups that participated in the match, or none.',
    validate: validateArgs,
    impl: ([text, regex]) => withRegex(regex, null, (c) => capturer(c)(text as string)),
  }),
  treatment(area, 'replace', {
    params: { regex: 'var string', replacer: 'var string' },
    inputs: { text: 'Stream<string>' },
    outputs: { replaced: 'Stream<string>', error: 'Block<string>' },
    doc: 'Replaces the first match in each text (`$1`, `$name`, `${name}`, `$$`); a compile error goes to `error`.',
    validate: validateParam,
    run: ({ inputs, outputs, params }) => {
      const template = parseReplacement(params.replacer as string);
      return runPerText(params.regex, inputs.text, outputs.replaced, outputs.error, (c) => (t) => replaceFirst(t, c, template));
    },
  }),
  fn(area, 'replace', {
    params: 'text: string, regex: string, replacer: string',
    returns: 'Option<string>',
    doc: 'Replaces the first match (`$1`, `$name`, `${name}`, `$$`); none for an invalid regex.',
    validate: validateArgs,
    impl: ([text, regex, replacer]) => withRegex(regex, null, (c) => replaceFirst(text as string, c, parseReplacement(replacer as string))),
  }),
];
