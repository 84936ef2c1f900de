/**
 * The `tutti` command line (docs/cli.md). Exit statuses: 0 success, 1 errors found
 * (check, launch, a failed track), 2 usage problems and unreadable program files.
 * Diagnostics go to stderr (JSON ones to stdout with `--format json`), program logs to stdout.
 */
import { closeSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DiagnosticSink, formatType } from '@tutti/core';
import {
  BUNDLED,
  BUNDLED_LEGACY,
  checkPath,
  DebugFile,
  entryArguments,
  launch,
  OutputFileError,
  openOutputFile,
  programSource,
  RequestError,
  renderHuman,
  toJson,
  useColor,
} from '@tutti/driver';
import { checkProgram } from '@tutti/lang';
import { setWorkerCommand } from '@tutti/lib-work';
import { loadProgram } from '@tutti/loader';
import { collectDesignSecrets, isSecretName, SecretMasker } from '@tutti/pipeline';
import { commandDist, DistUsageError } from './dist.js';
import { commandDoc } from './doc.js';
import { commandJeu } from './jeu.js';
import { commandNew } from './new.js';
import { runProgram } from './run.js';
import { PROGRESS_OPTIONS, type ProgressOption } from './steps.js';

/**
 * The GitHub bridge, loaded on demand from a bundle of its own (scripts/bundle.mjs), so that
 * `tutti run` neither loads nor parses it (with its YAML parser it would double the CLI
 * bundle); unbundled (development), the workspace package.
 */
async function loadGithub(): Promise<typeof import('@tutti/github')> {
  const bundle = new URL('../../bridges/github/dist/github.bundle.mjs', import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as typeof import('@tutti/github');
  const name = '@tutti/github'; // a variable: the CLI bundle must not inline it
  return (await import(name)) as typeof import('@tutti/github');
}

/**
 * The GitLab bridge, as the GitHub one: from its own bundle, so that its static imports (the
 * YAML parser, RE2) are not evaluated at every start of `tutti` (an import inlined into the CLI
 * bundle would be hoisted to its top).
 */
async function loadGitlab(): Promise<typeof import('@tutti/gitlab')> {
  const bundle = new URL('../../bridges/gitlab/dist/gitlab.bundle.mjs', import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as typeof import('@tutti/gitlab');
  const name = '@tutti/gitlab'; // a variable: the CLI bundle must not inline it
  return (await import(name)) as typeof import('@tutti/gitlab');
}

/**
 * `tutti serve`, from a bundle of its own (scripts/bundle.mjs): the server, its stores
 * (SQLite, PostgreSQL), the scheduler and the pipeline kinds stay out of every other
 * command's start-up; unbundled (development), the module next to this one.
 */
async function loadServe(): Promise<typeof import('./serve.js')> {
  const bundle = new URL('./serve.bundle.mjs', import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as typeof import('./serve.js');
  const name = './serve.js'; // a variable: the CLI bundle must not inline it
  return (await import(name)) as typeof import('./serve.js');
}

/** A problem with the command line (exit status 2). */
export class UsageError extends Error {}

/**
 * Tutti's own version (the bundled Mélodium packages report 0.10.2): the `version` of the
 * `tutti` package, whose package.json (the repository root's) ships with every installed copy.
 */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

const HELP = `tutti ${VERSION} — runs and checks Mélodium programs (.mel scripts, Compo.toml projects)

Usage:
  tutti check [options] <program> [command]   check a program without running anything
  tutti run [options] <program> [options] [command] [--param value ...]
  tutti run [options] <program> [options] -- [command] [--param value ...]
                                             check, then run an entrypoint
  tutti info [--path P] <program>             show the package, its entrypoints and their options
  tutti new <folder> [--template raw|cicd]    start a project; cicd: a pipeline for its own
                                             repository (tutti new --help)
  tutti github run [EVENT] [options]          run GitHub Actions workflows locally, as a graph
  tutti github import [-W PATH] [-o DIR]      write them as a .mel project (tutti github --help)
  tutti gitlab run [--file PATH] [JOB...]     run a .gitlab-ci.yml pipeline locally as a graph
  tutti gitlab import [--file PATH] [-o DIR]  write it as a .mel project (tutti gitlab --help)
  tutti serve [--config FILE] [--port N] [--data DIR]
                                             a CI server with webhooks, schedules, run history
                                             and a live studio (tutti serve --help)
  tutti dist -p PORT -r UUID -s UUID [...]    a worker for distributed treatments (tutti dist --help)
  tutti doc [--full] [-p PKG]... [-f FILE] [--html] <output>
                                             document packages as Markdown (mdBook) and HTML
                                             (tutti doc --help)
  tutti jeu build <project_dir> <output>      pack a project into one .jeu file (tutti jeu --help)
  tutti jeu extract <file.jeu> <output_dir>   unpack a .jeu into <output_dir>/<file stem>/
  tutti <program> [args...]                   same as 'tutti run <program> [args...]'
  tutti --help | --version

<program> is a standalone .mel script (with its '#! name = …' header), a Compo.toml,
a folder that holds one, or a .jeu archive of a project. [command] names an entrypoint of
Compo.toml (default: main).

Options of check:
  -a, --all              check every entrypoint and every file of the project
      --format human|json  diagnostics as text on stderr (default) or a JSON array on stdout
      --force-entry ID   check the treatment ID (package/area::name) as the entrypoint
      --path P           also look for packages in P (a .mel file, Compo.toml or folder); repeatable

Options of run (before the program, or after it up to the command or the first parameter):
      --parse-arguments  read entrypoint arguments as Mélodium values ('["a", "b"]', '"text"', _)
      --logs FILE        also append log lines to FILE (missing folders are created)
      --debug FILE       write the run's events to FILE as they happen, one JSON object a line:
                         tracks, treatments with their place and parameters, values crossing
                         each connection (long values shortened)
      --format human|json  diagnostics before the run as text on stderr or JSON on stdout
      --force-entry ID, --path P   as for check
  --                     ends tutti's options: what follows goes to the program
  For programs that report pipeline steps (cicd; nothing changes for others):
      --progress MODE    auto (default: a live board on a terminal, plain lines with CI=true
                         or when stdout is not a terminal), tty, plain, grouped (each step's
                         output as one block when it ends), off (logs as usual, no summary)
      --step-logs DIR    each step's log lines in DIR/<step>.log (default: beside --logs F
                         in F-without-extension.steps/, else .tutti/logs/<run start time>/)
      --report FILE      write a report of the steps: JSON, or JUnit XML if FILE ends in .xml
  Values of parameters whose names contain token, secret, password, passwd, passphrase,
  api_key, private_key or credential are shown as *** in logs, views, files and reports.

Entrypoint parameters become options after the program: 'tutti run hello.mel --who Ada',
or 'tutti run prog.mel --logs run.log -- --output o'. A program with an HTTP server runs
until stopped (Ctrl-C, SIGTERM).
Exit status: 0 success; 1 errors in the program, a launch failure or a failed run
(a failed treatment, a deadlock, a pipeline step that failed); 2 usage problems, invalid entrypoint arguments or
unreadable files; 130, 143, 129 when stopped by SIGINT, SIGTERM, SIGHUP.

Bundled packages: std, fs, process, encoding, json, regex, javascript, net, http, sql
(PostgreSQL, MySQL/MariaDB, SQLite), work, distrib, cicd; requirements of ^0.9 get the 0.9
surface (log, cicd with logger slots, the 0.9 shapes of work, distrib and process).
`;

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // work/distant's local location starts workers with this very command line.
  if (process.argv[1] !== undefined) setWorkerCommand([process.execPath, process.argv[1]]);
  // and the commands a program starts can call this same Tutti back ("$TUTTI_NODE" "$TUTTI_CLI" …):
  // the projects `tutti github import` writes run their action steps so
  if (process.argv[1] !== undefined) {
    process.env.TUTTI_NODE ??= process.execPath;
    process.env.TUTTI_CLI ??= process.argv[1];
  }
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
    // check, run and info are described by the main help; `tutti run --help` must not mean a program.
    if ((first === 'check' || first === 'run' || first === 'info') && (rest[0] === '--help' || rest[0] === '-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    switch (first) {
      case 'check':
        return await commandCheck(rest);
      case 'run':
        return await commandRun(rest);
      case 'info':
        return await commandInfo(rest);
      case 'dist':
        return await commandDist(rest);
      case 'github':
        return await (await loadGithub()).githubMain(rest);
      case 'jeu':
        return await commandJeu(rest, (m) => new UsageError(m));
      case 'serve': {
        const serve = await loadServe();
        try {
          // The serve bundle's lib-work is its own: it gets the worker command from here.
          return await serve.commandServe(
            rest,
            process.argv[1] === undefined ? {} : { workerCommand: [process.execPath, process.argv[1]] },
          );
        } catch (e) {
          if (e instanceof serve.ServeUsageError) throw new UsageError(e.message);
          throw e;
        }
      }
      case 'new':
        return commandNew(rest, (m) => new UsageError(m));
      case 'gitlab': {
        // Loaded on demand: the YAML parser and the bridge stay out of every other command's start-up.
        return await (await loadGitlab()).gitlabCommand(rest);
      }
      case 'doc':
        return await commandDoc(
          rest,
          (m) => new UsageError(m),
          (sink, file) => report(sink, file, false),
        );
      default:
        if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
        if (/\.mel$|\.jeu$|Compo\.toml$/.test(first) || first.includes('/')) return await commandRun(argv);
        throw new UsageError(`unknown command '${first}'`);
    }
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof DistUsageError ||
      e instanceof RequestError ||
      e instanceof OutputFileError ||
      (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
    ) {
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

/** 2 for unreadable files and invalid entrypoint arguments (usage problems), 1 for other errors. */
function statusOf(sink: DiagnosticSink): number {
  if (sink.items.some((d) => d.severity === 'error' && (d.code === 'E_FILE' || d.code === 'E_ARGUMENT'))) return 2;
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
  const loaded = await loadProgram(program, { bundled: BUNDLED, legacy: BUNDLED_LEGACY, paths: values.path ?? [] }, sink);
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

/** Options of `run`, and whether each takes a value. */
const RUN_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['--path', true],
  ['--force-entry', true],
  ['--logs', true],
  ['--debug', true],
  ['--format', true],
  ['--progress', true],
  ['--step-logs', true],
  ['--report', true],
  ['--parse-arguments', false],
  ['--api-report', false],
  ['--api-report-disable-status', false],
  ['--api-report-disable-logs', false],
]);

interface RunLine {
  readonly options: Map<string, string[]>;
  readonly program: string;
  readonly command: string | undefined;
  readonly rest: string[];
}

/**
 * Splits a run command line as the reference's users write them: run options before the program
 * and after it, up to the entrypoint name or the first program argument; `--` ends the
 * options and hands the rest to the program (an entrypoint name first, for a project).
 */
function splitRunLine(args: readonly string[]): RunLine {
  const options = new Map<string, string[]>();
  let i = 0;
  let program: string | undefined;
  let ended = false;
  const take = (): boolean => {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq !== -1 ? a.slice(0, eq) : a;
    const valued = RUN_OPTIONS.get(name);
    if (valued === undefined) return false;
    let value = '';
    if (valued) {
      if (eq !== -1) value = a.slice(eq + 1);
      else {
        if (i + 1 >= args.length) throw new UsageError(`option '${name}' needs a value`);
        value = args[++i] as string;
      }
    } else if (eq !== -1) throw new UsageError(`option '${name}' takes no value`);
    const list = options.get(name) ?? [];
    list.push(value);
    options.set(name, list);
    i++;
    return true;
  };
  while (i < args.length && program === undefined) {
    const a = args[i] as string;
    if (a === '--' && !ended) {
      ended = true;
      i++;
    } else if (!ended && a.startsWith('-') && a !== '-') {
      if (!take()) throw new UsageError(`unknown option '${a}' before the program`);
    } else {
      program = a;
      i++;
    }
  }
  if (program === undefined) throw new UsageError('run needs a program: tutti run <file.mel | Compo.toml> [command] [--param value ...]');
  while (!ended && i < args.length) {
    const a = args[i] as string;
    if (a === '--') {
      ended = true;
      i++;
    } else if (!a.startsWith('-') || !take()) break;
  }
  let command: string | undefined;
  const next = args[i];
  if (next !== undefined && !next.startsWith('-')) {
    command = next;
    i++;
    if (args[i] === '--') i++; // `tutti run Compo.toml digest -- --out d.txt`
  }
  return { options, program, command, rest: args.slice(i) };
}

async function commandRun(args: readonly string[]): Promise<number> {
  const line = splitRunLine(args);
  const last = (name: string) => line.options.get(name)?.at(-1);
  const format = last('--format') ?? 'human';
  if (format !== 'human' && format !== 'json') throw new UsageError(`--format must be human or json, not '${format}'`);
  const forceEntry = last('--force-entry');
  const logsPath = last('--logs');
  const debugPath = last('--debug');
  const progress = (last('--progress') ?? 'auto') as ProgressOption;
  if (!PROGRESS_OPTIONS.includes(progress))
    throw new UsageError(`--progress must be one of ${PROGRESS_OPTIONS.join(', ')}, not '${progress}'`);
  const reportPath = last('--report');
  const stepLogs = last('--step-logs');
  const masker = new SecretMasker();
  // Files first: a path that cannot be written is a usage error before anything is read or run.
  // They are closed here unless the run takes them over (runProgram closes them itself).
  let logs: number | undefined;
  let debug: DebugFile | undefined;
  let handedOver = false;
  try {
    logs = logsPath === undefined ? undefined : openOutputFile(logsPath, 'log file', 'a');
    debug = debugPath === undefined ? undefined : new DebugFile(debugPath, { mask: (l) => masker.mask(l) });
    if (reportPath !== undefined) closeSync(openOutputFile(reportPath, 'report file', 'w'));
    // An explicit step logs folder is made now, so a folder that cannot be is a usage error.
    if (stepLogs !== undefined) {
      const probe = join(stepLogs, '.tutti-probe');
      try {
        closeSync(openOutputFile(probe, 'step logs folder', 'w'));
      } catch (e) {
        const reason = e instanceof OutputFileError ? e.message.slice(e.message.indexOf(`': `) + 3) : String(e);
        throw new OutputFileError(`cannot write the step logs folder '${stepLogs}': ${reason}`);
      }
      rmSync(probe, { force: true });
    }
    const checked = await checkPath(line.program, {
      paths: line.options.get('--path') ?? [],
      ...(forceEntry !== undefined ? { forceEntry } : {}),
      ...(line.command !== undefined ? { command: line.command } : {}),
    });
    const design = launch(checked, { args: line.rest, parsed: line.options.has('--parse-arguments') });
    const file = checked.loaded?.file ?? line.program;
    if (design === undefined) {
      report(checked.sink, file, format === 'json');
      process.stderr.write(`${summary(checked.sink, `run ${line.program}`)}; nothing was run\n`);
      if (checked.sink.items.some((d) => d.code === 'E_ARGUMENT'))
        process.stderr.write(`Run 'tutti info ${line.program}' to see the options of its entrypoints.\n`);
      return statusOf(checked.sink) || 1;
    }
    collectDesignSecrets(design, masker);
    if (checked.entry !== undefined) {
      const args = entryArguments(checked.entry, line.rest, line.options.has('--parse-arguments'), new DiagnosticSink());
      for (const [name, value] of args ?? []) if (isSecretName(name)) masker.addValue(value);
    }
    // Warnings of a program that runs are shown too.
    if (checked.sink.items.length > 0 || format === 'json') report(checked.sink, file, format === 'json');
    handedOver = true;
    return await runProgram({
      design,
      ...(checked.loaded === undefined ? {} : { program: programSource(line.program, checked.loaded, line.options.get('--path') ?? []) }),
      color: process.stdout.isTTY === true && useColor(),
      ...(logs !== undefined ? { logs } : {}),
      ...(debug !== undefined ? { debug } : {}),
      programPath: line.program,
      masker,
      progress,
      ...(stepLogs === undefined ? {} : { stepLogs }),
      ...(logsPath === undefined ? {} : { logsPath }),
      ...(reportPath === undefined ? {} : { report: reportPath }),
    });
  } finally {
    if (!handedOver) {
      if (logs !== undefined) closeSync(logs);
      debug?.close();
    }
  }
}
