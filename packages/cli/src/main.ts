/**
 * The `tutti` command line (language spec §7.8). Exit statuses follow Appendix C.4: 0
 * success, 1 errors found (check, launch), 2 usage problems and unreadable program files.
 * Diagnostics go to stderr (JSON ones to stdout with `--format json`), program logs to stdout.
 */
import { parseArgs } from 'node:util';
import { DiagnosticSink, formatType } from '@tutti/core';
import { checkProgram, type InstanceFacts, type TreatmentSymbol } from '@tutti/lang';
import { loadProgram } from '@tutti/loader';
import { ArgumentError, checkEntryArguments } from './arguments.js';
import { BUNDLED } from './bundled.js';
import { renderHuman, toJson, useColor } from './render.js';
import { runEntry } from './run.js';
import { checkPath, select, UsageError } from './session.js';

/** Tutti's own version (the bundled Mélodium packages report 0.10.2). */
export const VERSION = '0.1.0';

const HELP = `tutti ${VERSION} — runs and checks Mélodium programs (.mel scripts, Compo.toml projects)

Usage:
  tutti check [options] <program> [command]   check a program without running anything
  tutti run [options] <program> [command] [--param value ...]
                                             check, then run an entrypoint
  tutti info [--path P] <program>             show the package, its entrypoints and their options
  tutti <program> [args...]                   same as 'tutti run <program> [args...]'
  tutti --help | --version

<program> is a standalone .mel script (with its '#! name = …' header), a Compo.toml,
or a folder that holds one. [command] names an entrypoint of Compo.toml (default: main).

Options of check:
  -a, --all              check every entrypoint and every file of the project
      --format human|json  diagnostics as text on stderr (default) or a JSON array on stdout
      --force-entry ID   check the treatment ID (package/area::name) as the entrypoint
      --path P           also look for packages in P (a .mel file, Compo.toml or folder); repeatable

Options of run (before <program>):
      --parse-arguments  read entrypoint arguments as Mélodium values ('["a", "b"]', '"text"', _)
      --logs FILE        also append log lines to FILE
      --force-entry ID, --path P   as for check

Entrypoint parameters become options after the program: 'tutti run hello.mel --who Ada'.
A program with an HTTP server runs until stopped (Ctrl-C, SIGTERM).
Exit status: 0 success; 1 errors in the program or a failed run; 2 usage or unreadable files;
130/143 when interrupted.

Bundled packages that run: std, fs, process, encoding, json, regex, javascript, net, http.
sql checks but has no behaviour yet.
`;

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('no command given');
    if (first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (first === '--version' || first === '-V') {
      process.stdout.write(`tutti ${VERSION} (Mélodium language 0.10, bundled packages 0.10.2)\n`);
      return 0;
    }
    switch (first) {
      case 'check':
        return await commandCheck(rest);
      case 'run':
        return await commandRun(rest);
      case 'info':
        return await commandInfo(rest);
      default:
        if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
        if (/\.mel$|Compo\.toml$/.test(first) || first.includes('/')) return await commandRun(argv);
        throw new UsageError(`unknown command '${first}'`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`tutti: ${e.message}\nRun 'tutti --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}

/** Prints diagnostics; returns whether any error was found. */
function report(sink: DiagnosticSink, defaultFile: string, json: boolean): void {
  const items = sorted(sink);
  if (json)
    process.stdout.write(
      `${JSON.stringify(
        items.map((d) => toJson(d, defaultFile)),
        null,
        2,
      )}\n`,
    );
  const color = useColor();
  for (const d of items) process.stderr.write(`${renderHuman(d, { color, defaultFile })}\n\n`);
}

function sorted(sink: DiagnosticSink) {
  return [...sink.items].sort((a, b) => {
    if (a.span && b.span) return a.span.file.path === b.span.file.path ? a.span.start - b.span.start : 0;
    return a.span ? 1 : b.span ? -1 : 0;
  });
}

function summary(sink: DiagnosticSink, what: string): string {
  const errors = sink.errorCount;
  const warnings = sink.items.length - errors;
  const w = warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  return errors > 0 ? `${what}: ${errors} error${errors === 1 ? '' : 's'}${w}` : `${what}: no errors${w}`;
}

function statusOf(sink: DiagnosticSink): number {
  if (sink.items.some((d) => d.code === 'E_FILE')) return 2;
  return sink.hasErrors ? 1 : 0;
}

async function commandCheck(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      all: { type: 'boolean', short: 'a' },
      format: { type: 'string' },
      'force-entry': { type: 'string' },
      path: { type: 'string', multiple: true },
    },
  });
  const format = values.format ?? 'human';
  if (format !== 'human' && format !== 'json') throw new UsageError(`--format must be human or json, not '${format}'`);
  const [program, command, ...extra] = positionals;
  if (program === undefined) throw new UsageError('check needs a program: tutti check <file.mel | Compo.toml>');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const { sink, loaded } = await checkPath(program, {
    paths: values.path ?? [],
    ...(values.all ? { all: true } : {}),
    ...(values['force-entry'] !== undefined ? { forceEntry: values['force-entry'] } : {}),
    ...(command !== undefined ? { command } : {}),
  });
  report(sink, loaded?.file ?? program, format === 'json');
  process.stderr.write(`${summary(sink, `check ${program}`)}\n`);
  return statusOf(sink);
}

async function commandInfo(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { path: { type: 'string', multiple: true } },
  });
  const [program] = positionals;
  if (program === undefined) throw new UsageError('info needs a program');
  const sink = new DiagnosticSink();
  const loaded = await loadProgram(program, { bundled: BUNDLED, paths: values.path ?? [] }, sink);
  if (loaded === undefined || sink.hasErrors) {
    report(sink, program, false);
    return statusOf(sink) || 1;
  }
  const optional = loaded.kind === 'script'; // a script's main may be absent
  const result = checkProgram(
    loaded.program,
    loaded.kind === 'script' ? [loaded.name] : [],
    [...loaded.entrypoints].map(([command, id]) => ({ id, command, file: loaded.file, optional })),
    sink,
  );
  const eps = [...loaded.entrypoints].filter(([, id]) => !optional || result.entrypoints.has(id));
  const out: string[] = [`${loaded.name} ${loaded.version}`];
  if (eps.length === 0) out.push('no entrypoint');
  for (const [command, id] of eps) {
    const t = result.entrypoints.get(id);
    out.push('', `${command}  (${id})`);
    if (t === undefined) {
      out.push('  (not found)');
      continue;
    }
    if (t.doc !== '') for (const l of t.doc.split('\n')) out.push(`  ${l}`);
    if (t.params.size === 0) out.push('  no options');
    for (const p of t.params.values()) out.push(`  --${p.name} <${p.type ? formatType(p.type) : '?'}>${defaultText(p)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (sink.hasErrors) {
    report(sink, loaded.file, false);
    return 1;
  }
  return 0;
}

function defaultText(p: { hasDefault: boolean; defaultValue?: unknown }): string {
  if (!p.hasDefault) return '  (required)';
  const v = p.defaultValue;
  if (typeof v === 'string') return `  (default ${v})`;
  if (v !== null && typeof v === 'object' && 'span' in v) {
    const s = (v as { span: { file: { text: string }; start: number; end: number } }).span;
    return `  (default ${s.file.text.slice(s.start, s.end)})`;
  }
  return '  (optional)';
}

async function commandRun(args: readonly string[]): Promise<number> {
  // Options of run come before the program; what follows it belongs to the entrypoint.
  let i = 0;
  const before: string[] = [];
  const valued = new Set(['--path', '--force-entry', '--logs', '--debug']);
  while (i < args.length && (args[i] as string).startsWith('-')) {
    const a = args[i] as string;
    before.push(a);
    if (valued.has(a)) before.push(args[++i] ?? '');
    i++;
  }
  const { values } = parseArgs({
    args: before,
    options: {
      path: { type: 'string', multiple: true },
      'force-entry': { type: 'string' },
      logs: { type: 'string' },
      debug: { type: 'string' },
      'parse-arguments': { type: 'boolean' },
      'api-report': { type: 'boolean' },
      'api-report-disable-status': { type: 'boolean' },
      'api-report-disable-logs': { type: 'boolean' },
    },
  });
  const program = args[i];
  if (program === undefined) throw new UsageError('run needs a program: tutti run <file.mel | Compo.toml> [command] [--param value ...]');
  let rest = args.slice(i + 1);
  let command: string | undefined;
  if (rest[0] !== undefined && !rest[0].startsWith('-')) {
    command = rest[0];
    rest = rest.slice(1);
  }
  const sink = new DiagnosticSink();
  const loaded = await loadProgram(program, { bundled: BUNDLED, paths: values.path ?? [] }, sink);
  let entry: TreatmentSymbol | undefined;
  let facts: ReadonlyMap<string, readonly InstanceFacts[]> = new Map();
  if (loaded !== undefined && !loaded.headerFailed) {
    const sel = select(loaded, sink, {
      ...(values['force-entry'] !== undefined ? { forceEntry: values['force-entry'] } : {}),
      ...(command !== undefined ? { command } : {}),
    });
    const result = checkProgram(loaded.program, sel.roots, sel.entrypoints, sink);
    const first = sel.entrypoints[0];
    entry = first === undefined ? undefined : result.entrypoints.get(first.id);
    facts = result.facts;
  }
  if (sink.hasErrors || loaded === undefined || entry === undefined) {
    report(sink, loaded?.file ?? program, false);
    process.stderr.write(`${summary(sink, `run ${program}`)}; nothing was run\n`);
    return statusOf(sink) || 1;
  }
  let given: Map<string, string>;
  try {
    given = checkEntryArguments(entry, rest, values['parse-arguments'] === true);
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
    process.stderr.write(`error[E_ARGUMENT]: ${e.message}\nRun 'tutti info ${program}' to see the options of its entrypoints.\n`);
    return 2;
  }
  return runEntry({
    entry,
    facts,
    args: given,
    parsed: values['parse-arguments'] === true,
    color: process.stdout.isTTY === true && useColor(),
    ...(values.logs !== undefined ? { logs: values.logs } : {}),
    ...(values.debug !== undefined ? { debug: values.debug } : {}),
  });
}
