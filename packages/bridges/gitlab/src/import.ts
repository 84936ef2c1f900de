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
 * started in (no fresh copies: artifacts are simply the files the earlier jobs left); caches
 * and resource groups of jobs in containers and the wait for services without
 * `HEALTHCHECK_TCP_PORT` are not (warned about with the job's place). Jobs with `image:` or
 * `services:` run in containers: see {@link containerJob}; jobs on the host keep their caches
 * ({@link cacheScripts}) and resource groups ({@link resourceLock}).
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
import { cacheKey, PROBE, scriptText } from './run.js';
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
export function wrapper(j: PlannedJob, before = '', after = ''): string {
  const delay = j.when === 'delayed' ? Math.ceil(j.startIn / 1000) : 0;
  return `${delay > 0 ? `echo "Waiting ${delay} s (when: delayed)"; sleep ${delay}\n` : ''}${before}n=0
while :; do
  n=$((n+1))
  timeout -k 5 ${j.timeout} bash -c "$1"; code=$?
  [ "$code" -eq 0 ] && break
  kind=script_failure
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then kind=job_execution_timeout; echo "ERROR: Job failed: execution took longer than ${j.timeout} s (job_execution_timeout)"; fi
  [ "$n" -le ${j.retry.max} ] || break
  case ' ${j.retry.when.join(' ')} ' in *' always '*|*" $kind "*) ;; *) break ;; esac
  ${
    j.retry.exitCodes.length === 0
      ? ''
      : `case ' ${j.retry.exitCodes.join(' ')} ' in *" $code "*) ;; *) break ;; esac
  `
  }echo "Retrying (attempt $((n+1)) of ${j.retry.max + 1})"
done
${after}exit "$code"`;
}

/**
 * \`resource_group\` for a job on the host: the wrapper holds an flock on
 * \`.tutti/gitlab-import/resource-<group>.lock\` for the job's whole run, so jobs of one group
 * never overlap (GitLab's default \`unordered\` mode); a job that finds it taken says
 * \`Waiting for resource: NAME\` as \`tutti gitlab run\` does.
 */
export function resourceLock(group: string): string {
  const file = shellQuote(`.tutti/gitlab-import/resource-${slug(group) || 'group'}.lock`);
  return `mkdir -p .tutti/gitlab-import && exec 9>${file} && if ! flock -n 9; then echo ${shellQuote(`Waiting for resource: ${group}`)}; flock 9; fi
`;
}

/**
 * The caches of a job on the host, restored before its script and saved after it, as
 * \`tutti gitlab run\` does (key, \`fallback_keys\`, \`policy\`, \`when\`, the same messages), each key a
 * tar file in \`.tutti/gitlab-import/cache/\`. Keys are computed at import time (\`key: files:\`
 * from the files as they are then, as GitLab keys a pipeline at its creation).
 */
export function cacheScripts(j: PlannedJob, vars: Record<string, string>, root: string): { before: string; after: string } {
  let before = '';
  let after = '';
  const dir = '.tutti/gitlab-import/cache';
  for (const c of j.cache) {
    const key = cacheKey(c.key, vars, root);
    const paths = c.paths.map((x) => expandText(x, (n) => vars[n]));
    // Globs stay unquoted (bash expands them); other characters are quoted.
    const words = paths.map((x) => x.replace(/[^A-Za-z0-9_*?/.\-[\]]/g, (ch) => `\\${ch}`)).join(' ');
    if (c.policy !== 'push') {
      const keys = [key, ...c.fallbackKeys.map((k) => expandText(k, (n) => vars[n]))];
      before += `hit=; for k in ${keys.map(shellQuote).join(' ')}; do if [ -f "${dir}/$k.tar" ]; then tar -xf "${dir}/$k.tar" && hit=$k && break; fi; done
if [ -n "$hit" ]; then echo "Restored cache $hit"; else echo ${shellQuote(`No cache found for ${key}`)}; fi
`;
    }
    if (c.policy !== 'pull') {
      const cond = c.when === 'always' ? 'true' : c.when === 'on_success' ? '[ "$code" -eq 0 ]' : '[ "$code" -ne 0 ]';
      after += `if ${cond}; then
  shopt -s nullglob globstar; have=(); for p in ${words}; do [ -e "$p" ] && have+=("$p"); done; shopt -u nullglob globstar
  if [ "\${#have[@]}" -eq 0 ]; then echo ${shellQuote(`WARNING: cache ${key}: no matching files`)}
  else mkdir -p ${dir} && tar -cf ${dir}/${shellQuote(key)}.tar.tmp "\${have[@]}" && mv ${dir}/${shellQuote(key)}.tar.tmp ${dir}/${shellQuote(key)}.tar && echo ${shellQuote(`Saved cache ${key}`)}; fi
fi
`;
    }
  }
  return { before, after };
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
  servicesTimeout: number,
): string {
  const expand = (t: string): string => expandText(t, (n) => vars[n]);
  const image = expand(j.image?.name ?? 'localhost/debian:bookworm');
  const inTar = `.tutti/gitlab-import/${id}.in.tar`;
  const outTar = `.tutti/gitlab-import/${id}.out.tar`;
  const used = new Set<string>();
  // Before the script, in the job's container: the services' other aliases (as /etc/hosts
  // lines for the address of the first, the container's name), then the wait for their
  // HEALTHCHECK_TCP_PORT with the probe and the warning of `tutti gitlab run`.
  let prelude = '';
  const services = j.services.map((sv, i) => {
    const first = sv.aliases.find((a) => !used.has(a) && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a)) ?? `service-${i}`;
    used.add(first);
    const env: Record<string, string> = { ...vars };
    for (const [k, v] of Object.entries(sv.variables)) env[k] = expandText(v, (n) => env[n] ?? vars[n]);
    const entries = Object.entries(env)
      .map(([k, v]) => `|entry(${melString(k)}, ${melString(v)})`)
      .join(', ');
    // `entrypoint` leads the command (the container's program is then the entrypoint's first word).
    const words = [...(sv.entrypoint ?? []).filter((w, k) => k > 0 || w !== ''), ...(sv.command ?? [])];
    const command = words.length === 0 ? '_' : `|wrap<Vec<string>>([${words.map(melString).join(', ')}])`;
    const others = sv.aliases.filter((a) => a !== first && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
    if (others.length > 0)
      prelude += `ip=$(getent hosts ${shellQuote(first)} | awk '{print $1; exit}'); if [ -n "$ip" ]; then echo "$ip ${others.join(' ')}" >> /etc/hosts; else echo ${shellQuote(`WARNING: service ${first} has no address for its aliases ${others.join(', ')}`)}; fi
`;
    const port = Number((env.HEALTHCHECK_TCP_PORT ?? '').trim());
    if (servicesTimeout > 0 && Number.isInteger(port) && port > 0 && port < 65536) {
      const image = expand(sv.name);
      prelude += `if sh -c ${shellQuote(PROBE)} probe ${shellQuote(first)} ${port} ${servicesTimeout}; then echo ${shellQuote(`Service ${image} (${first}) answers on port ${port}`)}
else printf '%s\\n' ${shellQuote(`*** WARNING: Service ${image} (${first}) probably didn't start properly.`)} '' 'Health check error:' ${shellQuote(`service "${first}" timeout: port ${port} did not answer within ${servicesTimeout} s`)} '' '*********'; fi
`;
    }
    return `|service_container(${melString(first)}, 0, 0, 0, |host_arch(), [], ${melString(expand(sv.name))}, _, |wrap<StringMap>(|map([${entries}])), ${command})`;
  });
  // $1 the wrapper, $2 the script, $3 after_script (may be empty).
  const outer = `d=${shellQuote(buildsDir)}
mkdir -p "$d" && tar -xf /mnt/data/project.tar -C "$d" && cd "$d" || { echo "ERROR: the project could not be unpacked in the container"; exit 1; }
${prelude}bash -c "$1" "$0" "$2"; code=$?
if [ -n "$3" ]; then
  if [ "$code" -eq 0 ]; then s=success; else s=failed; fi
  CI_JOB_STATUS=$s bash -c "$3" || echo "WARNING: after_script failed, ignored"
fi
tar -cf /mnt/data/out.tar -C "$d" .
exit "$code"`;
  const after = j.afterScript.length > 0 ? scriptText(j.afterScript) : '';
  // `image: entrypoint` (not `[""]`): the job's shell runs as its arguments, as GitLab's runner runs it.
  const entry = (j.image?.entrypoint ?? []).filter((w, i) => i > 0 || w !== '');
  const program = entry.length > 0 ? (entry[0] as string) : 'bash';
  const entryArgs = entry.length > 0 ? [...entry.slice(1), 'bash'] : [];
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
        commands = [|command(${melString(program)}, [${[...entryArgs, '-c', outer, j.name, wrapper(j), main, after].map(melString).join(', ')}])],
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
  options: { readonly root?: string; readonly servicesTimeout?: number } = {},
): Imported {
  const root = options.root ?? process.cwd();
  const servicesTimeout = options.servicesTimeout ?? 30;
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
    for (const sv of j.services)
      if ((sv.variables.HEALTHCHECK_TCP_PORT ?? '').trim() === '')
        warnings.push(
          `${at}${j.name}: service ${sv.name}: no HEALTHCHECK_TCP_PORT, so the imported job does not wait for it (tutti gitlab run waits for the ports its image exposes)`,
        );
    const inImage = j.when !== 'manual' && (j.image !== undefined || j.services.length > 0);
    if (inImage && j.cache.length > 0) warnings.push(`${at}${j.name}: cache of a job in a container is not imported`);
    if (inImage && j.resourceGroup !== undefined)
      warnings.push(`${at}${j.name}: resource_group of a job in a container is not imported; jobs of the group may overlap`);
    if (j.cache.some((c) => c.untracked)) warnings.push(`${at}${j.name}: cache: untracked is not imported`);
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

  /** The wrapper of a job on the host, with its resource group's lock and its caches. */
  const hostWrapper = (j: PlannedJob): string => {
    const vars = jobVars(j);
    const caches = cacheScripts(j, vars, root);
    const lock = j.resourceGroup === undefined ? '' : resourceLock(expandText(j.resourceGroup, (n) => vars[n]));
    return wrapper(j, lock + caches.before, caches.after);
  };

  const run = included.filter((j) => j.when !== 'manual');
  const anyAllowed = run.some((j) => j.allowFailure || j.allowExitCodes !== undefined);
  const anyStrict = run.some((j) => !(j.allowFailure || j.allowExitCodes !== undefined));
  const anyClose = anyAllowed || run.length < included.length;
  const anyContainer = included.some(inContainer);
  const anyService = included.some((j) => inContainer(j) && j.services.length > 0);
  let mel = `${anyContainer ? `use cicd/naive::simpleStepWithInput\n${anyService ? 'use cicd/naive::|host_arch\n' : ''}use cicd/runners::CicdDispatchEngine\nuse fs/local::readLocal\nuse fs/local::writeLocal\n` : ''}use cicd/naive::localStep
use process/command::|command
use std/data/string_map::StringMap
use std/data/string_map::|entry
use std/data/string_map::|map
${anyStrict ? 'use std/engine/log::logErrorMessage\n' : ''}use std/engine/log::logInfoMessage
${anyAllowed ? 'use std/engine/log::logWarningMessage\n' : ''}use std/engine/util::startup
${anyClose ? 'use std/flow::closeBlock\n' : ''}use std/flow::one
use std/flow::uncheck
__WAIT__use std/ops/option::|wrap
${anyService ? 'use work/resources::|service_container\n' : ''}
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
      mel += containerJob(j, id, main, allowed, step(j), jobVars(j), buildsDir, servicesTimeout);
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
        commands = [|command("bash", ["-c", ${melString(hostWrapper(j))}, ${melString(j.name)}, ${melString(main)}])],
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
\`cache\` and \`resource_group\` of jobs in containers, waiting for services without
\`HEALTHCHECK_TCP_PORT\`, an image's own ENTRYPOINT; jobs with \`image:\`/\`services:\` run through podman or docker
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
      'services-timeout': { type: 'string' },
      templates: { type: 'string' },
      projects: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(
      'tutti gitlab import [--file PATH] [-o DIR] [--variable NAME=VALUE]... [--services-timeout S] [--templates DIR] [--projects DIR]: write the pipeline as a .mel project (see tutti gitlab --help)\n',
    );
    return 0;
  }
  if (positionals.length > 0) throw new GitlabUsageError(`unexpected argument '${positionals[0]}'`);
  let servicesTimeout: number | undefined;
  const st = values['services-timeout'];
  if (st !== undefined) {
    servicesTimeout = Number(st);
    if (!Number.isFinite(servicesTimeout) || servicesTimeout < 0 || st.trim() === '')
      throw new GitlabUsageError(`--services-timeout expects a number of seconds (0 or more), got '${st}'`);
  }
  const variables: Record<string, string> = {};
  for (const v of values.variable ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new GitlabUsageError(`--variable expects NAME=VALUE, got '${v}'`);
    variables[v.slice(0, eq)] = v.slice(eq + 1);
  }
  const {
    plan: p,
    repo,
    root,
  } = await loadPlan(values.file, variables, io.cwd, {
    templates: values.templates ?? process.env.TUTTI_GITLAB_TEMPLATES,
    projects: values.projects ?? process.env.TUTTI_GITLAB_PROJECTS,
  });
  if (p.filteredOut) throw new GitlabUsageError('workflow:rules exclude this push: there is no pipeline to import');
  const out = resolve(io.cwd, values.output ?? 'gitlab-import');
  const name = repo.projectPath.split('/').pop() ?? 'pipeline';
  const imported = importPipeline(p.jobs, p.predefined, p.pipelineVariables, name, {
    root,
    ...(servicesTimeout !== undefined ? { servicesTimeout } : {}),
  });
  mkdirSync(out, { recursive: true });
  for (const [f, text] of Object.entries(imported.files)) writeFileSync(join(out, f), text);
  io.out(`Wrote ${out}/Compo.toml and main.mel: ${p.jobs.length - imported.notCovered.length} job(s).\n`);
  for (const n of imported.notCovered) io.out(`  left out: ${n.job} (${n.why})\n`);
  for (const w of imported.warnings) io.out(`  warning: ${w}\n`);
  io.out(`Run it from the repository root: tutti run ${out}/Compo.toml\n`);
  return 0;
}
