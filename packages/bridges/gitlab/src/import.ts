/**
 * `tutti gitlab import`: a `.gitlab-ci.yml` pipeline written as a Mélodium project — one
 * treatment per job (a `cicd/naive::localStep` running its `before_script` and `script` with
 * bash, then its `after_script` in a step of its own), and a `main` that wires them as the
 * pipeline runs them: a job is triggered when its needs (without `needs`: the jobs of the
 * earlier stages) succeeded, or finished for jobs allowed to fail and for `when: always`.
 *
 * The pipeline is planned as `tutti gitlab run` plans it (rules, only/except, workflow:rules,
 * parallel legs), with the CI_* variables of the repository at import time; the variables
 * of each job are written resolved into its step. What the import does not cover is listed in
 * the project's README and in docs/gitlab-ci.md: jobs run in the directory `tutti run` is
 * started in (no fresh copies: artifacts are simply the files the earlier jobs left), no
 * caches, no wait for services (warned about with the job's place). Jobs with `image:` or
 * `services:` run in containers: see {@link containerJob}.
 *
 * Covered: `retry` (max, when, exit_codes), `timeout` and `when: delayed` through a small bash
 * wrapper around the job's script (coreutils `timeout`, `sleep`); `when: on_failure` (the job
 * starts when what it waits on finished and one of them failed) and `when: always`; manual
 * jobs as GitLab leaves them unplayed — they log `job NAME manual (not played)`, and the jobs
 * that need them (or, for a blocking one, the later stages) do not run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { slug } from './context.js';
import { loadPlan } from './load.js';
import type { PlannedJob } from './plan.js';
import { scriptText } from './run.js';
import { GitlabUsageError } from './usage.js';
import { asDefs, expandText, resolveVariables } from './variables.js';

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A Mélodium string literal. */
export function melString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** An identifier from a job name (`build: [a, b]` → `build_a_b`), unique within `taken`. */
function identifier(name: string, taken: Set<string>): string {
  let id = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (id === '' || /^[0-9]/.test(id)) id = `job_${id}`;
  let unique = id;
  for (let i = 2; taken.has(unique); i++) unique = `${id}_${i}`;
  taken.add(unique);
  return unique;
}

export interface Imported {
  readonly files: Record<string, string>;
  /** Jobs of the pipeline the program does not run, with why. */
  readonly notCovered: readonly { job: string; why: string }[];
  readonly warnings: readonly string[];
}

/**
 * The bash wrapper of a job's script (given as \$1): waits \`start_in\` for a delayed job, runs
 * the script under coreutils' \`timeout\` (the job's \`timeout\`; GitLab's reason
 * \`job_execution_timeout\`), and reruns it per \`retry\` (\`max\`, \`when\`, \`exit_codes\`) as
 * GitLab's runner does, printing the same \`Retrying (attempt N of M)\` line as \`tutti gitlab run\`.
 */
export function wrapper(j: PlannedJob): string {
  const delay = j.when === 'delayed' ? Math.ceil(j.startIn / 1000) : 0;
  return `${delay > 0 ? `echo "Waiting ${delay} s (when: delayed)"; sleep ${delay}\n` : ''}n=0
while :; do
  n=$((n+1))
  timeout -k 5 ${j.timeout} bash -c "$1"; code=$?
  [ "$code" -eq 0 ] && exit 0
  kind=script_failure
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then kind=job_execution_timeout; echo "ERROR: Job failed: execution took longer than ${j.timeout} s (job_execution_timeout)"; fi
  [ "$n" -le ${j.retry.max} ] || exit "$code"
  case ' ${j.retry.when.join(' ')} ' in *' always '*|*" $kind "*) ;; *) exit "$code" ;; esac
  ${
    j.retry.exitCodes.length === 0
      ? ''
      : `case ' ${j.retry.exitCodes.join(' ')} ' in *" $code "*) ;; *) exit "$code" ;; esac
  `
  }echo "Retrying (attempt $((n+1)) of ${j.retry.max + 1})"
done`;
}

/**
 * A job with `image:`/`services:` as a `cicd/naive::simpleStepWithInput` on the `compose`
 * dispatcher (podman or docker, the same container sets `tutti gitlab run` uses): the project
 * is packed with tar into `.tutti/gitlab-import/`, streamed into the container, unpacked at
 * `/builds/<project path>`, the job's scripts run there (the wrapper of retry and timeout, then
 * `after_script` with `CI_JOB_STATUS`), and the folder is packed again and streamed back over
 * the project's directory, so that later jobs see the files it left, as on the host. Needs
 * bash and tar in the image. Services become `|service_container`s named after their first
 * alias.
 */
function containerJob(
  j: PlannedJob,
  id: string,
  main: string,
  allowed: boolean,
  variables: string,
  vars: Record<string, string>,
  buildsDir: string,
): string {
  const expand = (t: string): string => expandText(t, (n) => vars[n]);
  const image = expand(j.image?.name ?? 'localhost/debian:bookworm');
  const inTar = `.tutti/gitlab-import/${id}.in.tar`;
  const outTar = `.tutti/gitlab-import/${id}.out.tar`;
  const used = new Set<string>();
  const services = j.services.map((sv, i) => {
    const first = sv.aliases.find((a) => !used.has(a) && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a)) ?? `service-${i}`;
    used.add(first);
    const env: Record<string, string> = { ...vars };
    for (const [k, v] of Object.entries(sv.variables)) env[k] = expandText(v, (n) => env[n] ?? vars[n]);
    const entries = Object.entries(env)
      .map(([k, v]) => `|entry(${melString(k)}, ${melString(v)})`)
      .join(', ');
    const command = sv.command === undefined ? '_' : `|wrap<Vec<string>>([${sv.command.map(melString).join(', ')}])`;
    return `|service_container(${melString(first)}, 0, 0, 0, |host_arch(), [], ${melString(expand(sv.name))}, _, |wrap<StringMap>(|map([${entries}])), ${command})`;
  });
  // $1 the wrapper, $2 the script, $3 after_script (may be empty).
  const outer = `d=${shellQuote(buildsDir)}
mkdir -p "$d" && tar -xf /mnt/data/project.tar -C "$d" && cd "$d" || { echo "ERROR: the project could not be unpacked in the container"; exit 1; }
bash -c "$1" "$0" "$2"; code=$?
if [ -n "$3" ]; then
  if [ "$code" -eq 0 ]; then s=success; else s=failed; fi
  CI_JOB_STATUS=$s bash -c "$3" || echo "WARNING: after_script failed, ignored"
fi
tar -cf /mnt/data/out.tar -C "$d" .
exit "$code"`;
  const after = j.afterScript.length > 0 ? scriptText(j.afterScript) : '';
  return `/**
Job \`${j.name}\` (stage \`${j.stage}\`, image \`${image}\`${j.services.length > 0 ? `, services ${j.services.map((x) => `\`${x.name}\``).join(', ')}` : ''}${allowed ? ', allowed to fail' : ''}):
the project is packed, streamed into the job's container, unpacked at \`${buildsDir}\`, the
scripts run there, and the folder comes back over the project's directory.
*/
treatment job_${id}[dispatcher: CicdDispatchEngine]()
  input trigger: Block<void>
  output success: Block<void>
  output failure: Block<void>
  output finished: Block<void>
{
    pack: localStep(name = ${melString(`${j.name} (pack)`)},
        commands = [|command("bash", ["-c", ${melString(`mkdir -p .tutti/gitlab-import && tar -cf ${inTar} --exclude=./.tutti --exclude=./.git .`)}])])
    read: readLocal(path = ${melString(inTar)})
    script: simpleStepWithInput[dispatcher = dispatcher](name = ${melString(j.name)}, image = ${melString(image)},
        in_file = "project.tar", out_file = |wrap<string>("out.tar"), max_duration = ${j.timeout * (j.retry.max + 1) + 600},
        commands = [|command("bash", ["-c", ${melString(outer)}, ${melString(j.name)}, ${melString(wrapper(j))}, ${melString(main)}, ${melString(after)}])],
        variables = ${variables},
        service_containers = [${services.join(',\n            ')}])
    write: writeLocal(path = ${melString(outTar)})
    unpack: localStep(name = ${melString(`${j.name} (unpack)`)},
        commands = [|command("bash", ["-c", ${melString(`tar -xf ${outTar} && rm -f ${inTar} ${outTar}`)}])])
    passed: logInfoMessage(label = "gitlab", message = ${melString(`job ${j.name} passed`)})
    ${allowed ? 'failed: logWarningMessage' : 'failed: logErrorMessage'}(label = "gitlab", message = ${melString(`job ${j.name} failed${allowed ? ' (allowed to fail)' : ''}`)})
    passedBack: waitBlock<void>()
    failedBack: waitBlock<void>()
    anyFailure: one<void>()
    settled: one<void>()
    notRun: uncheck<void>()
    done: one<void>()

    Self.trigger -> pack.trigger
    pack.success -> read.trigger
    pack.success -> script.trigger
    read.data -> script.data
    script.data -> write.data
    write.completed -> unpack.trigger
    script.success -> passedBack.a
    unpack.finished -> passedBack.b
    passedBack.awaited -> passed.trigger
    passedBack.awaited -> Self.success
    script.error -> failedBack.a
    unpack.finished -> failedBack.b
    failedBack.awaited -> anyFailure.a
    script.failed -> anyFailure.b
    anyFailure.value -> failed.trigger
    unpack.finished -> settled.a
    script.failed -> settled.b
    Self.trigger -> notRun.value,uncheck -> done.a
    settled.value -> done.b
    done.value -> Self.finished
${allowed ? '    never: closeBlock<void>()\n    Self.trigger -> never.trigger\n    never.closed -> Self.failure' : '    anyFailure.value -> Self.failure'}
}

`;
}

/** Writes the project's files for a planned pipeline. */
export function importPipeline(
  jobs: readonly PlannedJob[],
  predefined: Record<string, string>,
  pipelineVariables: Record<string, string>,
  name: string,
): Imported {
  const taken = new Set(['main', 'startup']);
  const ids = new Map<string, string>();
  const notCovered: { job: string; why: string }[] = [];
  const warnings: string[] = [];
  const included: PlannedJob[] = [];
  for (const j of jobs) {
    included.push(j);
    ids.set(j.name, identifier(j.name, taken));
  }
  for (const j of included) {
    const at = j.loc === undefined ? '' : `${j.loc.file}:${j.loc.line}:${j.loc.col}: `;
    for (const sv of j.services) {
      if (sv.aliases.length > 1) warnings.push(`${at}${j.name}: service ${sv.name}: only its first alias (${sv.aliases[0]}) is imported`);
      if (sv.entrypoint !== undefined)
        warnings.push(`${at}${j.name}: service ${sv.name}: entrypoint is not imported (|service_container has none)`);
    }
    if (j.services.length > 0)
      warnings.push(`${at}${j.name}: the imported job does not wait for its services' ports (tutti gitlab run does)`);
    if (j.cache.length > 0) warnings.push(`${at}${j.name}: cache is not imported`);
    if (j.resourceGroup !== undefined) warnings.push(`${at}${j.name}: resource_group is not imported; jobs of the group may overlap`);
  }

  const inContainer = (j: PlannedJob): boolean => j.when !== 'manual' && (j.image !== undefined || j.services.length > 0);
  const buildsDir = `/builds/${predefined.CI_PROJECT_PATH ?? 'project'}`;
  const jobVars = (j: PlannedJob): Record<string, string> =>
    resolveVariables([
      asDefs(predefined),
      asDefs({
        CI_JOB_NAME: j.name,
        CI_JOB_NAME_SLUG: slug(j.name),
        CI_JOB_STAGE: j.stage,
        ...(j.nodeIndex !== undefined ? { CI_NODE_INDEX: String(j.nodeIndex), CI_NODE_TOTAL: String(j.nodeTotal) } : {}),
      }),
      j.variables,
      asDefs(pipelineVariables),
    ]);
  const step = (j: PlannedJob): string => {
    const vars = resolveVariables([
      asDefs(predefined),
      asDefs({
        CI_JOB_NAME: j.name,
        CI_JOB_NAME_SLUG: slug(j.name),
        CI_JOB_STAGE: j.stage,
        ...(j.nodeIndex !== undefined ? { CI_NODE_INDEX: String(j.nodeIndex), CI_NODE_TOTAL: String(j.nodeTotal) } : {}),
      }),
      j.variables,
      asDefs(pipelineVariables),
    ]);
    // The job's directory is where the program runs: `${PWD}` is expanded by |environment.
    vars.CI_PROJECT_DIR = inContainer(j) ? buildsDir : '${PWD}';
    const entries = Object.entries(vars)
      .map(([k, v]) => `|entry(${melString(k)}, ${melString(v)})`)
      .join(',\n            ');
    return `|wrap<StringMap>(|map([\n            ${entries}]))`;
  };

  const run = included.filter((j) => j.when !== 'manual');
  const anyAllowed = run.some((j) => j.allowFailure || j.allowExitCodes !== undefined);
  const anyStrict = run.some((j) => !(j.allowFailure || j.allowExitCodes !== undefined));
  const anyClose = anyAllowed || run.length < included.length;
  const anyContainer = included.some(inContainer);
  let mel = `${anyContainer ? 'use cicd/naive::simpleStepWithInput\nuse cicd/naive::|host_arch\nuse cicd/runners::CicdDispatchEngine\nuse fs/local::readLocal\nuse fs/local::writeLocal\n' : ''}use cicd/naive::localStep
use process/command::|command
use std/data/string_map::StringMap
use std/data/string_map::|entry
use std/data/string_map::|map
${anyStrict ? 'use std/engine/log::logErrorMessage\n' : ''}use std/engine/log::logInfoMessage
${anyAllowed ? 'use std/engine/log::logWarningMessage\n' : ''}use std/engine/util::startup
${anyClose ? 'use std/flow::closeBlock\n' : ''}use std/flow::one
use std/flow::uncheck
__WAIT__use std/ops/option::|wrap
${anyContainer && included.some((j) => inContainer(j) && j.services.length > 0) ? 'use work/resources::|service_container\n' : ''}
`;
  for (const j of included) {
    const id = ids.get(j.name) as string;
    if (j.when === 'manual') {
      mel += `/**
Job \`${j.name}\` (stage \`${j.stage}\`, when: manual): GitLab creates it and leaves it waiting for
someone to play it; so does this program. \`success\` never comes: the jobs that need it do not
run${j.allowFailure ? '' : ', nor (it is blocking) the later stages'}.
*/
treatment job_${id}()
  input trigger: Block<void>
  output success: Block<void>
  output failure: Block<void>
  output finished: Block<void>
{
    waiting: logInfoMessage(label = "gitlab", message = ${melString(`job ${j.name} manual (not played)`)})
    unplayed: closeBlock<void>()
    notRun: uncheck<void>()
    done: one<void>()

    Self.trigger -> waiting.trigger
    Self.trigger -> unplayed.trigger
    unplayed.closed -> Self.success
    unplayed.closed -> Self.failure
    Self.trigger -> done.a
    Self.trigger -> notRun.value,uncheck -> done.b
    done.value -> Self.finished
}

`;
      continue;
    }
    // dotenv reports of the jobs it depends on: the files are in the shared directory.
    const dotenv = j.dependencies.flatMap((d) => jobs.find((o) => o.name === d)?.artifacts?.dotenv ?? []);
    const load = dotenv.map((f) => `if [ -f ${shellQuote(f)} ]; then set -a; . ./${shellQuote(f)}; set +a; fi`).join('\n');
    const main = (load === '' ? '' : `${load}\n`) + scriptText([...j.beforeScript, ...j.script]);
    const allowed = j.allowFailure || j.allowExitCodes !== undefined;
    if (inContainer(j)) {
      mel += containerJob(j, id, main, allowed, step(j), jobVars(j), buildsDir);
      continue;
    }
    const how = [
      j.when === 'always' ? 'when: always' : j.when === 'on_failure' ? 'when: on_failure' : '',
      j.when === 'delayed' ? `when: delayed, start_in ${j.startIn / 1000} s` : '',
      j.retry.max > 0 ? `retry ${j.retry.max}` : '',
      `timeout ${j.timeout} s`,
      allowed ? 'allowed to fail' : '',
    ]
      .filter((x) => x !== '')
      .join(', ');
    mel += `/**
Job \`${j.name}\` (stage \`${j.stage}\`, ${how}): its \`before_script\` and \`script\`
with bash, stopping at the first failing command${j.afterScript.length > 0 ? ', then its `after_script` in a shell of its own' : ''}.
\`success\` when the script passed; \`failure\` when it failed${allowed ? ' (never: it may fail)' : ''}; \`finished\` in
any case, also when the job is not run (its trigger closed without coming: a need failed), so
that \`when: always\` jobs still run.
*/
treatment job_${id}()
  input trigger: Block<void>
  output success: Block<void>
  output failure: Block<void>
  output finished: Block<void>
{
    script: localStep(name = ${melString(j.name)},
        commands = [|command("bash", ["-c", ${melString(wrapper(j))}, ${melString(j.name)}, ${melString(main)}])],
        variables = ${step(j)}${allowed ? ',\n        allow_failure = true' : ''})
    passed: logInfoMessage(label = "gitlab", message = ${melString(`job ${j.name} passed`)})
    ${allowed ? 'failed: logWarningMessage' : 'failed: logErrorMessage'}(label = "gitlab", message = ${melString(`job ${j.name} failed${allowed ? ' (allowed to fail)' : ''}`)})

    notRun: uncheck<void>()
    done: one<void>()

    Self.trigger -> script.trigger
    Self.trigger -> notRun.value,uncheck -> done.a
    done.value -> Self.finished
    script.success -> passed.trigger
    script.error -> failed.trigger
    script.success -> Self.success
${allowed ? '    never: closeBlock<void>()\n    Self.trigger -> never.trigger\n    never.closed -> Self.failure' : '    script.error -> Self.failure'}
`;
    if (j.afterScript.length > 0) {
      mel += `    after: localStep(name = ${melString(`${j.name} (after_script)`)},
        commands = [|command("bash", ["-c", ${melString(scriptText(j.afterScript))}])],
        variables = ${step(j)},
        allow_failure = true)
    script.finished -> after.trigger
    after.finished -> done.b
}

`;
    } else mel += '    script.finished -> done.b\n}\n\n';
  }

  // main: each job triggered when what it waits on is done.
  mel += `/**
The pipeline \`${name}\`: every job as a treatment, started when its needs (or the earlier
stages) are done, as \`tutti gitlab run\` starts them.
*/
treatment main()
${anyContainer ? '  model dispatcher: CicdDispatchEngine(location = "compose")\n' : ''}{
    startup()
`;
  const wiring: string[] = [];
  let waits = 0;
  for (const j of included) {
    const id = ids.get(j.name) as string;
    mel += `    ${id}: job_${id}${inContainer(j) ? '[dispatcher = dispatcher]' : ''}()\n`;
    const deps = (
      j.needs === undefined ? included.filter((o) => o.stageIndex < j.stageIndex).map((o) => o.name) : j.needs.map((n) => n.job)
    ).filter((n) => ids.has(n));
    const signal = (d: string): string => {
      const dj = included.find((o) => o.name === d) as PlannedJob;
      const allowed = dj.allowFailure || dj.allowExitCodes !== undefined;
      // A manual job not played: what needs it does not run; a later stage runs unless it blocks.
      if (dj.when === 'manual') return `${ids.get(d)}.${j.needs === undefined && allowed ? 'finished' : 'success'}`;
      return `${ids.get(d)}.${allowed || j.when === 'always' || j.when === 'on_failure' || dj.when === 'on_failure' ? 'finished' : 'success'}`;
    };
    if (j.when === 'on_failure') {
      // When everything it waits on finished, and one of them failed (GitLab's on_failure).
      if (deps.length === 0) continue; // nothing before it can fail: never runs
      let all = signal(deps[0] as string);
      let failed = `${ids.get(deps[0] as string)}.failure`;
      for (const d of deps.slice(1)) {
        const w = `wait_${++waits}`;
        const o = `any_${waits}`;
        mel += `    ${w}: waitBlock<void>()\n    ${o}: one<void>()\n`;
        wiring.push(`    ${all} -> ${w}.a`, `    ${signal(d)} -> ${w}.b`, `    ${failed} -> ${o}.a`, `    ${ids.get(d)}.failure -> ${o}.b`);
        all = `${w}.awaited`;
        failed = `${o}.value`;
      }
      const w = `wait_${++waits}`;
      mel += `    ${w}: waitBlock<void>()\n`;
      wiring.push(`    ${all} -> ${w}.a`, `    ${failed} -> ${w}.b`, `    ${w}.awaited -> ${id}.trigger`);
      continue;
    }
    if (deps.length === 0) wiring.push(`    startup.trigger -> ${id}.trigger`);
    else if (deps.length === 1) wiring.push(`    ${signal(deps[0] as string)} -> ${id}.trigger`);
    else {
      // All of them: a chain of waitBlocks.
      let acc = signal(deps[0] as string);
      for (const d of deps.slice(1)) {
        const w = `wait_${++waits}`;
        mel += `    ${w}: waitBlock<void>()\n`;
        wiring.push(`    ${acc} -> ${w}.a`);
        wiring.push(`    ${signal(d)} -> ${w}.b`);
        acc = `${w}.awaited`;
      }
      wiring.push(`    ${acc} -> ${id}.trigger`);
    }
  }
  mel += `\n${wiring.join('\n')}\n}\n`;
  mel = mel.replace('__WAIT__', waits > 0 || anyContainer ? 'use std/flow::waitBlock\n' : '');

  const pkg = slug(name).replace(/-/g, '_') || 'pipeline';
  const compo = `name = "${pkg}"
version = "0.1.0"

[dependencies]
std = "0.10.2"
cicd = "0.10.2"
process = "0.10.2"
${anyContainer ? 'fs = "0.10.2"\nwork = "0.10.2"\n' : ''}
[entrypoints]
main = "${pkg}/main::main"
`;
  let readme = `# ${name}, imported from .gitlab-ci.yml

Written by \`tutti gitlab import\`. Run it from the repository root:

    tutti run ${'<this folder>'}/Compo.toml

Each job is a treatment of \`main.mel\` running its scripts with bash through
\`cicd/naive::localStep\`; \`main\` starts each job when its needs (or the earlier stages) are done.
Every job logs \`job NAME passed\` or \`job NAME failed\` under the label \`gitlab\`.

Not covered by the import (use \`tutti gitlab run\` for these): jobs run in the current directory,
one after the other's files (no fresh copy per job; artifacts are the files earlier jobs left, and
dotenv reports are read from there);
\`cache\`, waiting for services' ports; jobs with \`image:\`/\`services:\` run through podman or docker
(the \`compose\` dispatcher); \`rules\` and \`variables\` are
evaluated at import time (the CI_* values are those of the commit imported); a retried job runs
again in the same directory. Manual jobs are not played (as GitLab leaves them waiting).
`;
  if (notCovered.length > 0) readme += `\nJobs left out:\n\n${notCovered.map((n) => `- \`${n.job}\`: ${n.why}`).join('\n')}\n`;
  if (warnings.length > 0) readme += `\nApproximations:\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n`;
  return { files: { 'Compo.toml': compo, 'main.mel': mel, 'README.md': readme }, notCovered, warnings };
}

/** `tutti gitlab import [--file PATH] [-o DIR]`. */
export async function commandImport(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      variable: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(
      'tutti gitlab import [--file PATH] [-o DIR] [--variable NAME=VALUE]...: write the pipeline as a .mel project (see tutti gitlab --help)\n',
    );
    return 0;
  }
  if (positionals.length > 0) throw new GitlabUsageError(`unexpected argument '${positionals[0]}'`);
  const variables: Record<string, string> = {};
  for (const v of values.variable ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new GitlabUsageError(`--variable expects NAME=VALUE, got '${v}'`);
    variables[v.slice(0, eq)] = v.slice(eq + 1);
  }
  const { plan: p, repo } = await loadPlan(values.file, variables, io.cwd);
  if (p.filteredOut) throw new GitlabUsageError('workflow:rules exclude this push: there is no pipeline to import');
  const out = resolve(io.cwd, values.output ?? 'gitlab-import');
  const name = repo.projectPath.split('/').pop() ?? 'pipeline';
  const imported = importPipeline(p.jobs, p.predefined, p.pipelineVariables, name);
  mkdirSync(out, { recursive: true });
  for (const [f, text] of Object.entries(imported.files)) writeFileSync(join(out, f), text);
  io.out(`Wrote ${out}/Compo.toml and main.mel: ${p.jobs.length - imported.notCovered.length} job(s).\n`);
  for (const n of imported.notCovered) io.out(`  left out: ${n.job} (${n.why})\n`);
  for (const w of imported.warnings) io.out(`  warning: ${w}\n`);
  io.out(`Run it from the repository root: tutti run ${out}/Compo.toml\n`);
  return 0;
}
