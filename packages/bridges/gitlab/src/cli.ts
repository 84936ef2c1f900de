/**
 * `tutti gitlab run|import`: arguments, output and exit statuses (0 every job that ran passed
 * or was allowed to fail; 1 a job failed; 2 usage problems and configurations that do not
 * parse, with file and line).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LiveView, ProgressBoard, renderSummary, SecretMasker } from '@tutti/pipeline';
import { loadPlan } from './load.js';
import type { PlannedJob } from './plan.js';
import { writeReport } from './report.js';
import { type RunResult, runJobs } from './run.js';
import { GITLAB_MASK, readVariablesFile, unmaskable } from './secrets.js';
import { sectionMark, stripAnsi } from './sections.js';
import { GitlabUsageError } from './usage.js';
import { GitlabConfigError } from './yaml.js';

export const GITLAB_HELP = `tutti gitlab — run a .gitlab-ci.yml pipeline locally, as a graph, or import it to .mel

Usage:
  tutti gitlab run [--file PATH] [JOB...] [--needs] [--variable NAME=VALUE]... [--manual JOB]...
                   [--variables-file FILE] [--masked NAME]... [--services-timeout S]
                   [--templates DIR] [--projects DIR]
                   [--list] [--graph] [--dry-run] [--logs DIR] [--report FILE]
  tutti gitlab import [--file PATH] [-o DIR] [--variable NAME=VALUE]... [--services-timeout S]
                      [--templates DIR] [--projects DIR]

run: the pipeline a push of the checked-out commit would create (rules, only/except and
workflow:rules evaluated with the CI_* variables of the local git repository). Each job starts
when its needs (without needs: the jobs of the earlier stages) are done, in a fresh copy of the
project, on the host (bash) or in its image: through podman or docker (TUTTI_CONTAINER_ENGINE).

Options of run:
  -f, --file PATH          the pipeline file (default: .gitlab-ci.yml at the repository root)
  JOB...                   run only these jobs (a parallel job's name selects all its legs)
      --needs              with JOB: also what they need, transitively
      --variable NAME=VALUE  a pipeline variable (highest precedence); repeatable
      --variables-file FILE  project variables, as GitLab's settings hold them: NAME: value, or
                           NAME: {value: V, masked: true} (gitlab-ci-local's variables file format)
      --masked NAME        mask NAME's value ([MASKED]) in every log line, log file and report; repeatable
      --manual JOB         play this manual job; repeatable
      --list               list the pipeline's jobs (stage, when, needs) and exit
      --graph              show the jobs' dependency graph and exit
      --dry-run            plan and print what would run, without running anything
      --logs DIR           write each job's log to DIR/<job>.log
      --report FILE        write a JSON report (JUnit XML when FILE ends in .xml)
      --concurrency N      run at most N jobs at once (default: no limit)
      --services-timeout S  seconds a job waits for its services' ports (HEALTHCHECK_TCP_PORT,
                           else the ports their images expose) before warning (default 30; 0: no wait)
      --templates DIR      GitLab's CI templates for include: template (lib/gitlab/ci/templates of a
                           GitLab checkout; default $TUTTI_GITLAB_TEMPLATES)
      --projects DIR       checked-out projects as DIR/<group>/<project>, for include: project of
                           other projects and include: component (default $TUTTI_GITLAB_PROJECTS)

Options of import:
  -f, --file PATH          the pipeline file (default: .gitlab-ci.yml)
  -o, --output DIR         where to write the .mel project (default: gitlab-import)
      --variable NAME=VALUE  a pipeline variable, as for run (repeatable)
      --services-timeout S  seconds the imported jobs wait for their services' HEALTHCHECK_TCP_PORT
                           (default 30; 0: no wait)
      --templates DIR, --projects DIR  as for run

Artifacts and caches are kept in .tutti/gitlab/ at the repository root.
Exit status: 0 every job that ran passed or was allowed to fail; 1 a job failed; 2 usage
problems and pipeline files that do not parse.
`;

export { GitlabUsageError, loadPlan };

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly isTTY: boolean;
  readonly signal?: AbortSignal;
}

const defaultIo = (): CommandIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true && process.env.CI !== 'true',
});

/** `tutti gitlab …`: returns the exit status. */
export async function gitlabCommand(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.out(GITLAB_HELP);
      return sub === undefined ? 2 : 0;
    }
    if (sub === 'run') return await commandRun(rest, io);
    if (sub === 'import') {
      const { commandImport } = await import('./import.js');
      return await commandImport(rest, io);
    }
    throw new GitlabUsageError(`unknown gitlab command '${sub}' (expected run or import)`);
  } catch (e) {
    if (e instanceof GitlabConfigError) {
      io.err(`tutti gitlab: ${e.render()}\n`);
      return 2;
    }
    if (e instanceof GitlabUsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`tutti gitlab: ${e.message}\nRun 'tutti gitlab --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}

function parseVariables(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of list) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new GitlabUsageError(`--variable expects NAME=VALUE, got '${v}'`);
    const name = v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new GitlabUsageError(`--variable: '${name}' is not a valid variable name`);
    out[name] = v.slice(eq + 1);
  }
  return out;
}

async function commandRun(argv: readonly string[], given: CommandIo): Promise<number> {
  let io = given;
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      needs: { type: 'boolean' },
      variable: { type: 'string', multiple: true },
      manual: { type: 'string', multiple: true },
      list: { type: 'boolean' },
      graph: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      logs: { type: 'string' },
      report: { type: 'string' },
      concurrency: { type: 'string' },
      'services-timeout': { type: 'string' },
      templates: { type: 'string' },
      projects: { type: 'string' },
      'variables-file': { type: 'string' },
      masked: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(GITLAB_HELP);
    return 0;
  }
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new GitlabUsageError(`--concurrency expects a positive integer, got '${values.concurrency}'`);
  }
  let servicesTimeout: number | undefined;
  if (values['services-timeout'] !== undefined) {
    servicesTimeout = Number(values['services-timeout']);
    if (!Number.isFinite(servicesTimeout) || servicesTimeout < 0 || values['services-timeout'].trim() === '')
      throw new GitlabUsageError(`--services-timeout expects a number of seconds (0 or more), got '${values['services-timeout']}'`);
  }
  // Project variables (the file) under pipeline variables (--variable), as on GitLab.
  const project = values['variables-file'] === undefined ? undefined : readVariablesFile(resolve(io.cwd, values['variables-file']), io.cwd);
  const variables = { ...project?.values, ...parseVariables(values.variable ?? []) };
  const masker = new SecretMasker(GITLAB_MASK);
  for (const name of values.masked ?? []) {
    if (!(name in variables))
      throw new GitlabUsageError(`--masked ${name}: no such variable (give it with --variable ${name}=VALUE or in --variables-file)`);
    const why = unmaskable(variables[name] as string);
    if (why !== undefined) throw new GitlabUsageError(`--masked ${name}: ${why}, as GitLab requires`);
    masker.add(variables[name] as string);
  }
  for (const name of project?.masked ?? []) {
    const why = unmaskable(variables[name] as string);
    if (why !== undefined) throw new GitlabConfigError(`${name}: ${why}, as GitLab requires`, project?.where.get(name));
    masker.add(variables[name] as string);
  }
  if (masker.size > 0) io = { ...given, out: (t) => given.out(masker.mask(t)), err: (t) => given.err(masker.mask(t)) };
  const {
    root,
    config,
    plan: p,
  } = await loadPlan(values.file, variables, io.cwd, {
    templates: values.templates ?? process.env.TUTTI_GITLAB_TEMPLATES,
    projects: values.projects ?? process.env.TUTTI_GITLAB_PROJECTS,
  });
  if (p.filteredOut) {
    io.out('No pipeline: workflow:rules exclude this push (no rule matched, or the matching rule says when: never).\n');
    return 0;
  }
  for (const m of values.manual ?? [])
    if (!p.jobs.some((j) => j.name === m || j.base === m)) throw new GitlabUsageError(`--manual: no job named '${m}' in this pipeline`);
  const jobs = select(
    p.jobs,
    positionals,
    values.needs === true,
    config.jobs.map((j) => j.name),
  );
  if (values.list) {
    io.out(listText(jobs));
    return 0;
  }
  if (values.graph) {
    io.out(graphText(jobs, p.stages));
    return 0;
  }
  if (values['dry-run']) {
    io.out(dryRunText(jobs, new Set(values.manual ?? [])));
    return 0;
  }
  const board = new ProgressBoard();
  const mode = io.isTTY ? 'tty' : 'plain';
  const view = new LiveView(board, {
    out: { write: (t: string) => io.out(t), isTTY: io.isTTY },
    mode,
    color: io.isTTY && process.env.NO_COLOR === undefined,
  });
  const needsOf = (j: PlannedJob): string[] =>
    (j.needs === undefined ? jobs.filter((o) => o.stageIndex < j.stageIndex).map((o) => o.name) : j.needs.map((n) => n.job)).filter((n) =>
      jobs.some((o) => o.name === n),
    );
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  let result: RunResult;
  try {
    result = await runJobs({
      root,
      jobs,
      allJobs: p.jobs,
      predefined: p.predefined,
      pipelineVariables: p.pipelineVariables,
      manual: new Set(values.manual ?? []),
      stateDir: join(root, '.tutti', 'gitlab'),
      logsDir: values.logs === undefined ? undefined : resolve(io.cwd, values.logs),
      signal: controller.signal,
      events: {
        state: (j, s, d) => {
          // GitLab's warnings (allowed failures) pass; manual jobs not played are skipped.
          board.update({
            name: j.name,
            state: s,
            group: j.stage,
            needs: needsOf(j),
            ...(d !== undefined && d !== 'passed' ? { detail: d } : {}),
          });
        },
        line: (j, t) => {
          const l = viewLine(t, mode === 'plain');
          if (l !== undefined) board.line(j.name, l);
        },
      },
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(servicesTimeout !== undefined ? { servicesTimeout } : {}),
      ...(masker.size > 0 ? { mask: (t: string) => masker.mask(t) } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view.close();
  }
  const logs = new Map(result.jobs.map((j) => [j.name, j.logFile]));
  io.out(
    `\n${renderSummary(board, {
      color: io.isTTY && process.env.NO_COLOR === undefined,
      logFile: (n) => logs.get(n),
      ...(controller.signal.aborted ? { headline: 'Interrupted' } : {}),
    })}`,
  );
  io.out(statusLine(result));
  if (values.report !== undefined) writeReport(resolve(io.cwd, values.report), config.file, result, (t) => masker.mask(t));
  if (controller.signal.aborted) return 130;
  return result.ok ? 0 : 1;
}

/** The jobs to run: all, or the named ones (with `--needs`, what they need). */
export function select(
  jobs: readonly PlannedJob[],
  names: readonly string[],
  withNeeds: boolean,
  defined: readonly string[],
): PlannedJob[] {
  if (names.length === 0) return [...jobs];
  const chosen = new Set<string>();
  const add = (j: PlannedJob): void => {
    if (chosen.has(j.name)) return;
    chosen.add(j.name);
    if (!withNeeds) return;
    const deps =
      j.needs === undefined ? jobs.filter((o) => o.stageIndex < j.stageIndex) : jobs.filter((o) => j.needs?.some((n) => n.job === o.name));
    for (const d of deps) add(d);
  };
  for (const n of names) {
    const found = jobs.filter((j) => j.name === n || j.base === n);
    if (found.length === 0) {
      if (defined.includes(n)) throw new GitlabUsageError(`job '${n}' is not part of this pipeline: its rules (or only/except) exclude it`);
      throw new GitlabUsageError(`no job named '${n}' (jobs: ${[...new Set(jobs.map((j) => j.base))].join(', ')})`);
    }
    for (const j of found) add(j);
  }
  return jobs.filter((j) => chosen.has(j.name));
}

function needsOf(j: PlannedJob, jobs: readonly PlannedJob[]): string {
  if (j.needs === undefined) return '(stage order)';
  if (j.needs.length === 0) return '[]';
  return j.needs
    .filter((n) => jobs.some((o) => o.name === n.job))
    .map((n) => n.job + (n.artifacts ? '' : ' (no artifacts)') + (n.optional ? ' (optional)' : ''))
    .join(', ');
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function listText(jobs: readonly PlannedJob[]): string {
  const rows = [['NAME', 'STAGE', 'WHEN', 'ALLOW FAILURE', 'NEEDS']];
  for (const j of jobs)
    rows.push([
      j.name,
      j.stage,
      j.when === 'delayed' ? `delayed ${j.startIn / 1000}s` : j.when,
      j.allowExitCodes !== undefined ? `exit codes ${j.allowExitCodes.join(',')}` : j.allowFailure ? 'true' : 'false',
      needsOf(j, jobs),
    ]);
  return table(rows);
}

export function graphText(jobs: readonly PlannedJob[], stages: readonly string[]): string {
  let out = '';
  for (const s of stages) {
    const inStage = jobs.filter((j) => j.stage === s);
    if (inStage.length === 0) continue;
    out += `${s}\n`;
    for (const j of inStage) {
      const deps =
        j.needs === undefined
          ? jobs.filter((o) => o.stageIndex < j.stageIndex).map((o) => o.name)
          : j.needs.map((n) => n.job).filter((n) => jobs.some((o) => o.name === n));
      const how = j.needs === undefined ? 'after stages' : 'needs';
      out += `  ${j.name}${deps.length === 0 ? '' : `  ← ${how}: ${deps.join(', ')}`}\n`;
    }
  }
  return out;
}

export function dryRunText(jobs: readonly PlannedJob[], manual: ReadonlySet<string>): string {
  const out = `Would run ${jobs.length} job${jobs.length === 1 ? '' : 's'}:\n`;
  const rows: string[][] = [];
  for (const j of jobs) {
    const play = j.when !== 'manual' || manual.has(j.name) || manual.has(j.base);
    rows.push([
      `  ${j.name}`,
      j.stage,
      play ? j.when : 'manual (not played)',
      j.image === undefined
        ? 'shell'
        : `image ${j.image.name}${j.services.length > 0 ? ` + ${j.services.map((s) => s.name).join(', ')}` : ''}`,
      `${j.beforeScript.length + j.script.length} command${j.beforeScript.length + j.script.length === 1 ? '' : 's'}`,
      `needs: ${needsOf(j, jobs)}`,
    ]);
  }
  return out + table(rows);
}

/** GitLab's words for the end: `Pipeline passed: 3 success, 1 warning`. */
export function statusLine(r: RunResult): string {
  const counts = new Map<string, number>();
  for (const j of r.jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  return `Pipeline ${r.ok ? 'passed' : 'failed'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}\n`;
}

/**
 * A runner line as the live view shows it: GitLab's section markers become `▸ header` lines
 * (the runner's own phases are not shown), escapes that erase lines go (all escapes in plain mode).
 */
export function viewLine(text: string, plain = false): string | undefined {
  const m = sectionMark(text);
  if (m !== undefined) {
    const runner =
      m.kind === 'start' && (m.name === 'step_script' || m.name.startsWith('upload_artifacts') || m.name === 'download_artifacts');
    const shown = m.kind === 'start' && !runner ? `▸ ${m.header}` : undefined;
    const rest = stripAnsi(m.rest).trim();
    if (rest !== '') return shown === undefined ? rest : `${rest} ${shown}`;
    return shown;
  }
  if (plain) return stripAnsi(text);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the erase-line escape GitLab's logs carry
  return text.replace(/\x1b\[0K|\r/g, '');
}
