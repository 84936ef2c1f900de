/**
 * `tutti github import`: workflows as a readable Mélodium project. Compo.toml names one
 * entrypoint per workflow (and `main`, the first); each workflow is an area `<workflow>.mel`
 * with one treatment per job (`job_<id>`, named after the job, a comment with its display
 * name) whose `run:` steps are `cicd/services/github::runAction` calls chained in order (each
 * carrying the step's name, shell, working directory, env of the workflow, job and step,
 * continue-on-error), and a `main` that prepares the GitHub contexts and starts each job once
 * the jobs it needs have succeeded.
 *
 * What the generated program does not cover (reported as warnings, and as comments at the
 * place in the code): `uses:` steps, step `if:` (runAction emits nothing for a skipped step,
 * so the chain would stop), matrices, job `if:`, job outputs and the `needs` context,
 * reusable workflows, containers and services, timeouts. The expression helpers evaluate
 * `${{ }}` with the reference's rules (`cicd/services/github`: only a string result counts,
 * anything else becomes `""`): `bash` runs with `-x`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { findWorkflows, loadWorkflow, type Raw, type Workflow, WorkflowError } from './workflow.js';

export interface ImportResult {
  readonly dir: string;
  readonly files: string[];
  readonly warnings: string[];
}

/** A Mélodium string literal. */
const str = (s: string) =>
  `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t')}"`;

/** A Mélodium identifier from a YAML key (`build-linux` → `build_linux`). */
export function ident(s: string, prefix = ''): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(id)) id = `x${id}`;
  return prefix + id.toLowerCase();
}

const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));

const stringMap = (entries: [string, string][]) =>
  entries.length === 0 ? undefined : `|wrap<StringMap>(|map([${entries.map(([k, v]) => `|entry(${str(k)}, ${str(v)})`).join(', ')}]))`;

/** One job as a treatment. */
function jobTreatment(w: Workflow, id: string, job: Raw, warn: (m: string) => void): string {
  const lines: string[] = [];
  const steps = (job.steps ?? []) as Raw[];
  const name = asText(job.name) || id;
  const defaults = { ...((w.defaults?.run ?? {}) as Raw), ...(((job.defaults as Raw | undefined)?.run ?? {}) as Raw) };
  const baseEnv: [string, string][] = [...Object.entries(w.env ?? {}), ...Object.entries((job.env ?? {}) as Raw)].map(([k, v]) => [
    k,
    asText(v),
  ]);
  for (const key of ['strategy', 'if', 'outputs', 'container', 'services', 'timeout-minutes', 'uses'])
    if (job[key] !== undefined) warn(`${w.where(id)}: job '${id}': '${key}' is not imported`);
  lines.push('/**', `Job \`${id}\`${name !== id ? ` ("${name}")` : ''} of ${w.file}: its steps in order.`, '*/');
  lines.push(`treatment ${ident(id, 'job_')}[contexts: JavaScriptEngine]()`);
  lines.push('  input trigger: Block<void>', '  output success: Block<void>', '  output failed: Block<void>', '{');
  const calls: { var: string; coe: boolean }[] = [];
  const used = new Set<string>();
  steps.forEach((s, i) => {
    const display = asText(s.name) || (typeof s.run === 'string' ? `Run ${s.run.trim().split('\n')[0]}` : `Run ${asText(s.uses)}`);
    if (typeof s.run !== 'string' && typeof s.run !== 'number' && typeof s.run !== 'boolean') {
      warn(`${w.where(id)}: job '${id}', step ${i + 1} ('${display}'): 'uses: ${asText(s.uses)}' is not imported`);
      lines.push(`    // not imported: step ${i + 1} '${display.replaceAll('\n', ' ')}' (uses: ${asText(s.uses)})`);
      return;
    }
    if (s.if !== undefined && i < steps.length - 1)
      warn(
        `${w.where(id)}: job '${id}', step ${i + 1} ('${display}'): 'if:' stops the generated chain when false (runAction emits nothing for a skipped step)`,
      );
    if (s['timeout-minutes'] !== undefined) warn(`${w.where(id)}: job '${id}', step ${i + 1}: 'timeout-minutes' is not imported`);
    let v = ident(typeof s.id === 'string' ? s.id : `step${i + 1}`);
    while (used.has(v)) v = `${v}_`;
    used.add(v);
    const coe = s['continue-on-error'] !== undefined;
    const params: string[] = [`name = ${str(typeof s.id === 'string' ? s.id : `step${i + 1}`)}`];
    params.push(`display_name = |wrap<string>(${str(display)})`);
    const shell = s.shell ?? defaults.shell;
    if (shell !== undefined) params.push(`shell = |wrap<string>(${str(asText(shell))})`);
    const wd = s['working-directory'] ?? defaults['working-directory'];
    if (wd !== undefined) params.push(`working_directory = |wrap<string>(${str(asText(wd))})`);
    const env = stringMap([...baseEnv, ...Object.entries((s.env ?? {}) as Raw).map(([k, x]): [string, string] => [k, asText(x)])]);
    if (env) params.push(`env = ${env}`);
    if (s.if !== undefined)
      params.push(
        `if = |wrap<string>(${str(
          asText(s.if)
            .replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1')
            .trim(),
        )})`,
      );
    if (coe) {
      const c = s['continue-on-error'];
      params.push(
        `continue_on_error = |wrap<string>(${str(
          c === true
            ? "'true'"
            : c === false
              ? "'false'"
              : asText(c)
                  .replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1')
                  .trim(),
        )})`,
      );
    }
    params.push(`commands = ${str(asText(s.run))}`);
    lines.push(`    // ${display.replaceAll('\n', ' ')}`);
    lines.push(`    ${v}: runAction[contexts = contexts](${params.join(', ')})`);
    calls.push({ var: v, coe });
  });
  if (calls.length === 0) {
    lines.push('    Self.trigger -> Self.success');
    lines.push('}');
    return lines.join('\n');
  }
  lines.push('');
  lines.push(`    Self.trigger -> ${calls[0]!.var}.trigger`);
  for (let i = 1; i < calls.length; i++) lines.push(`    ${calls[i - 1]!.var}.continue -> ${calls[i]!.var}.trigger`);
  lines.push(`    ${calls[calls.length - 1]!.var}.continue -> Self.success`);
  const failing = calls.filter((c) => !c.coe);
  if (failing.length === 1) lines.push(`    ${failing[0]!.var}.failed -> Self.failed`);
  else if (failing.length > 1) {
    // one<void> takes two inputs: a chain of them gathers every step's failure
    let prev = `${failing[0]!.var}.failed`;
    for (let i = 1; i < failing.length; i++) {
      const o = `failure${i}`;
      lines.splice(lines.indexOf(''), 0, `    ${o}: one<void>()`);
      lines.push(`    ${prev} -> ${o}.a`, `    ${failing[i]!.var}.failed -> ${o}.b`);
      prev = `${o}.value`;
    }
    lines.push(`    ${prev} -> Self.failed`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The area of one workflow: its jobs and a `main` starting them as their needs succeed. */
function workflowArea(w: Workflow, repository: string, warn: (m: string) => void): string {
  const jobs = Object.entries(w.jobs);
  const out: string[] = [];
  out.push(
    'use cicd/services/github::prepareContexts',
    'use cicd/services/github::runAction',
    'use javascript::JavaScriptEngine',
    'use std/data/string_map::StringMap',
    'use std/data/string_map::|entry',
    'use std/data/string_map::|map',
    'use std/engine/log::logErrorMessage',
    'use std/engine/log::logInfoMessage',
    'use std/engine/util::startup',
    'use std/flow::one',
    'use std/flow::waitBlock',
    'use std/ops/option::|wrap',
    '',
  );
  for (const [id, job] of jobs) out.push(jobTreatment(w, id, job, warn), '');
  const contexts = JSON.stringify({ github: { workflow: w.name, repository, event_name: 'push' } });
  out.push(
    '/**',
    `Workflow "${w.name}" (${w.file}): each job starts once the jobs it needs have succeeded.`,
    '`contexts` is the JSON of the GitHub contexts (`github`, `env`, `vars`…).',
    '*/',
    `treatment main(const contexts: string = ${str(contexts)})`,
    '  model js: JavaScriptEngine()',
    '{',
    '    startup()',
    '    prepare: prepareContexts[contexts = js](github_contexts = contexts)',
  );
  const body: string[] = ['    startup.trigger -> prepare.trigger'];
  let waits = 0;
  let failures: string[] = [];
  for (const [id, job] of jobs) {
    const v = ident(id, 'job_');
    out.push(`    ${v}: ${v}[contexts = js]()`);
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)];
    let source = needs.length === 0 ? 'prepare.ready' : `${ident(needs[0]!, 'job_')}.success`;
    for (const n of needs.slice(1)) {
      const wname = `needs${++waits}`;
      out.push(`    ${wname}: waitBlock<void>()`);
      body.push(`    ${source} -> ${wname}.a`, `    ${ident(n, 'job_')}.success -> ${wname}.b`);
      source = `${wname}.awaited`;
    }
    body.push(`    ${source} -> ${v}.trigger`);
    failures.push(`${v}.failed`);
    const done = `${v}Done`;
    out.push(`    ${done}: logInfoMessage(label = ${str(id)}, message = ${str(`job ${id} succeeded`)})`);
    body.push(`    ${v}.success -> ${done}.trigger`);
  }
  // every job's failure is logged as an error
  let i = 0;
  while (failures.length > 1) {
    const next: string[] = [];
    for (let k = 0; k + 1 < failures.length; k += 2) {
      const o = `anyFailure${++i}`;
      out.push(`    ${o}: one<void>()`);
      body.push(`    ${failures[k]} -> ${o}.a`, `    ${failures[k + 1]} -> ${o}.b`);
      next.push(`${o}.value`);
    }
    if (failures.length % 2 === 1) next.push(failures[failures.length - 1]!);
    failures = next;
  }
  if (failures.length === 1) {
    out.push(`    failed: logErrorMessage(label = ${str(w.name)}, message = "a job failed")`);
    body.push(`    ${failures[0]} -> failed.trigger`);
  }
  out.push('', ...body, '}', '');
  return out.join('\n');
}

/** Writes the project; WorkflowError for workflows that do not parse. */
export async function githubImport(cwd: string, workflows: string | undefined, outDir: string, repository: string): Promise<ImportResult> {
  const files = await findWorkflows(resolve(cwd, workflows ?? '.github/workflows'));
  if (files.length === 0) throw new WorkflowError(`${workflows ?? '.github/workflows'}: no workflow files (*.yml, *.yaml)`);
  const loaded: Workflow[] = [];
  for (const f of files) loaded.push(await loadWorkflow(f, cwd));
  const callable = loaded.filter((w) => !(Object.keys(w.on).length === 1 && 'workflow_call' in w.on));
  const warnings: string[] = [];
  const written: string[] = [];
  await mkdir(outDir, { recursive: true });
  const areas = new Set<string>();
  const entries: string[] = [];
  for (const w of callable) {
    let area = ident(basename(w.file).replace(/\.ya?ml$/, ''));
    while (areas.has(area)) area = `${area}_`;
    areas.add(area);
    await writeFile(
      join(outDir, `${area}.mel`),
      workflowArea(w, repository, (m) => warnings.push(m)),
    );
    written.push(`${area}.mel`);
    entries.push(`${area} = "workflows/${area}::main"`);
  }
  const first = [...areas][0];
  const toml = [
    '# Generated by `tutti github import` from the GitHub Actions workflows.',
    'name = "workflows"',
    'version = "0.1.0"',
    '',
    '[dependencies]',
    'std = "0.10.2"',
    'cicd = "0.10.2"',
    'javascript = "0.10.2"',
    'json = "0.10.2"',
    '',
    '[entrypoints]',
    ...(first ? [`main = "workflows/${first}::main"`] : []),
    ...entries,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'Compo.toml'), toml);
  written.unshift('Compo.toml');
  for (const w of loaded)
    if (!callable.includes(w)) warnings.push(`${w.file}: a reusable workflow (on: workflow_call only) is not imported`);
  return { dir: outDir, files: written, warnings };
}
