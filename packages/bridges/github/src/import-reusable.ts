/**
 * Reusable workflows in `tutti github import`: a job that calls one (`uses: ./.github/workflows/x.yml`,
 * `$/…`, or `owner/repo/…@ref`) has the called workflow's jobs imported
 * inside the caller's graph, as `tutti github run` runs them (run.ts, `runCall`): each called job
 * `<call> / <job>` is a job treatment of its own, labelled so, started once the call starts and
 * the called jobs it needs ended.
 *
 * The call itself has two realms. In the first (`js_<call>`) the caller's `needs` are included
 * and its `if:` evaluated as any job's; when it starts, its `with:` (over the `workflow_call`
 * inputs' defaults) and `secrets:` are evaluated there (a `githubJobResult` named `tutti:call`)
 * and installed as `inputs` and `secrets` in each called job's realm. In the second
 * (`js_<call>_out`) the called jobs' results are included under their own ids (a matrix job's
 * as its `githubMatrix` merged its legs' results) once every called job ended or will never run (its
 * results closed: a job skipped by its `if:` does not hold the call), the call's `job.status`
 * is `failure` when one of them failed, and the `workflow_call` outputs (`jobs.<id>.outputs.<k>`)
 * are evaluated: that result is the caller job's `needs.<call>` for the jobs that need it.
 *
 * A called job that calls a reusable workflow in turn is a call as above, inside its own call
 * (`<call> / <job> / <job>`), its `with:` evaluated in its realm over the inputs its call
 * installed. Another repository's workflow is read from the action cache (`resolveCalls`, as
 * `tutti github run` reads it). A matrix of calls is a `githubMatrix` whose legs run the
 * called jobs and the call's result in `legs_<call>` (`callLegsTreatment`): in a leg's track
 * each realm is a fork of its own, so the lines are those of a call without matrix, with the
 * leg's start for the program's and the names of the leg (`call (v1, v2) / job`).
 */
import { resolveActions } from './remote.js';
import { workflowTarget } from './run.js';
import { loadWorkflow, type Raw, type Workflow } from './workflow.js';

/** A job that calls a reusable workflow, and the called workflow. */
export interface Call {
  readonly id: string;
  readonly job: Raw;
  readonly called: Workflow;
  /** A matrix of calls (`strategy.matrix`): its called jobs run once per leg, in `legs_<call>` (callLegsTreatment). */
  readonly matrix: boolean;
}

/** A job of a called workflow as imported in the caller: `<call> / <job>`. */
export interface CalledJob {
  readonly call: string;
  /** Its id in the called workflow (its `needs.<id>` there). */
  readonly local: string;
  readonly w: Workflow;
}

/**
 * How many levels of workflows may be connected: the top-level caller and nine levels of
 * reusable workflows, GitHub's current limit (its older documentation says four; `tutti github
 * run` has none). A deeper call, or a cycle, is left out with a warning.
 */
export const MAX_LEVELS = 10;

/** The calls of each workflow: by calling job, the called workflow. */
export type CallsOf = ReadonlyMap<Workflow, ReadonlyMap<string, Workflow>>;

/**
 * The reusable workflows the workflows `ws` call, level by level as `tutti github run` follows
 * them (run.ts, `resolveRemotes`): of this repository (read from the working tree), and of
 * other repositories from the action cache (`owner/repo@ref`, cloned when reachable), a `./…`
 * call inside one of those read from that same repository. WorkflowError, with the message
 * `tutti github run` gives, when another repository's workflow is neither cached nor reachable.
 */
export async function resolveCalls(
  ws: readonly Workflow[],
  loaded: readonly Workflow[],
  cwd: string,
  repository: string,
  actionCache: string,
  warn: (m: string) => void,
  // (each workflow read here, as the importer reads the others: compile.ts, faithfulWorkflow)
  prepare: (w: Workflow) => Workflow = (w) => w,
): Promise<{ callsOf: Map<Workflow, Map<string, Workflow>>; called: Set<string> }> {
  const callsOf = new Map<Workflow, Map<string, Workflow>>();
  const called = new Set<string>();
  const byPath = new Map(loaded.map((l) => [l.path, l]));
  let level: { w: Workflow; home: string }[] = ws.map((w) => ({ w, home: cwd }));
  while (level.length > 0) {
    const next: { w: Workflow; home: string }[] = [];
    const remote: { w: Workflow; id: string; uses: string }[] = [];
    const local: { w: Workflow; id: string; file: string; home: string }[] = [];
    for (const { w, home } of level) {
      if (callsOf.has(w)) continue;
      callsOf.set(w, new Map());
      for (const [id, job] of Object.entries(w.jobs)) {
        if (typeof job.uses !== 'string') continue;
        const t = workflowTarget(job.uses, home, cwd, repository);
        if ('local' in t) local.push({ w, id, file: t.local, home: t.local.startsWith(`${home}/`) ? home : cwd });
        else remote.push({ w, id, uses: t.remote });
      }
    }
    // another repository's workflows: from the action cache, as tutti github run has them
    const uses = [...new Set(remote.map((r) => r.uses))];
    const got = uses.length === 0 ? new Map() : await resolveActions(uses, actionCache, undefined, new Set(uses));
    const targets = [...local, ...remote.map((r) => ({ w: r.w, id: r.id, file: got.get(r.uses)!.dir, home: got.get(r.uses)!.root }))];
    for (const { w, id, file, home } of targets) {
      let cw = byPath.get(file);
      if (cw === undefined) {
        try {
          cw = await loadWorkflow(file, cwd);
        } catch (e) {
          warn(`${w.where(id)}: job '${id}': ${(e as Error).message}`);
          continue;
        }
        cw = prepare(cw);
      }
      byPath.set(file, cw);
      if (!('workflow_call' in cw.on)) {
        warn(`${w.where(id)}: job '${id}': ${cw.file} is not a reusable workflow (no 'on: workflow_call'): not imported`);
        continue;
      }
      callsOf.get(w)!.set(id, cw);
      called.add(cw.path);
      next.push({ w: cw, home });
    }
    level = next;
  }
  return { callsOf, called };
}

const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));
const needsOf = (job: Raw) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)]);

/**
 * The caller's jobs with each call followed by the called workflow's jobs (`<call> / <job>`,
 * their `needs` among themselves renamed so, a boolean input read in an `if:` compared with
 * `"true"`: the helpers' realm holds inputs as strings, as it holds matrix values). A called
 * job that calls a reusable workflow in turn is a call too, followed by its own called jobs
 * (`<call> / <job> / <job>`), up to {@link MAX_LEVELS} levels.
 */
export function withCalledJobs(
  jobs: [string, Raw][],
  callsOf: CallsOf,
  warn: (m: string) => void,
  w: Workflow,
): { jobs: [string, Raw][]; calls: Map<string, Call>; called: Map<string, CalledJob> } {
  const out: [string, Raw][] = [];
  const byCall = new Map<string, Call>();
  const called = new Map<string, CalledJob>();
  /**
   * Call `id` (its job as imported) of `cw` from `caller`; `chain`: the workflows of the calls it
   * is in, the top-level one first.
   */
  const expand = (id: string, job: Raw, cw: Workflow, caller: Workflow, chain: readonly Workflow[]) => {
    const inner = called.get(id);
    const where = `${(inner?.w ?? caller).where(inner?.local ?? id)}: job '${id}'`;
    if (chain.includes(cw)) {
      warn(`${where}: ${cw.file} calls itself (a cycle of reusable workflows): the call is left out`);
      return;
    }
    if (chain.length >= MAX_LEVELS) {
      warn(`${where}: a call deeper than ${MAX_LEVELS} levels of workflows (GitHub's limit) is not imported`);
      return;
    }
    // (a matrix of calls inside a leg of another: its legs' treatment runs in the outer leg's)
    const matrix = ((job.strategy ?? undefined) as Raw | undefined)?.matrix !== undefined;
    byCall.set(id, { id, job, called: cw, matrix });
    const spec = ((cw.on.workflow_call ?? {}) as Raw).inputs as Record<string, Raw | null> | undefined;
    const booleans = Object.entries(spec ?? {})
      .filter(([, s]) => s?.type === 'boolean')
      .map(([k]) => k);
    const inIf = (text: unknown) =>
      typeof text !== 'string' && typeof text !== 'boolean'
        ? text
        : booleans.reduce(
            (t, k) =>
              t.replace(new RegExp(`\\binputs\\.${k.replace(/[-]/g, '\\-')}(?![\\w-])`, 'g'), `(inputs[${JSON.stringify(k)}] == "true")`),
            asText(text),
          );
    const rename = new Map(Object.keys(cw.jobs).map((k) => [k, `${id} / ${k}`]));
    for (const [local, inner] of Object.entries(cw.jobs)) {
      const needs = needsOf(inner).map((n) => rename.get(n) ?? n);
      const entry: Raw = {
        ...inner,
        name: `${id} / ${asText(inner.name) || local}`,
        ...(needs.length > 0 ? { needs } : { needs: undefined }),
        ...(inner.if !== undefined ? { if: inIf(inner.if) } : {}),
        steps: ((inner.steps ?? []) as Raw[]).map((s) => (s.if !== undefined ? { ...s, if: inIf(s.if) } : s)),
      };
      out.push([`${id} / ${local}`, entry]);
      called.set(`${id} / ${local}`, { call: id, local, w: cw });
      // a call from the called workflow: its jobs follow in turn
      const next = callsOf.get(cw)?.get(local);
      if (next) expand(`${id} / ${local}`, entry, next, cw, [...chain, cw]);
    }
  };
  for (const [id, job] of jobs) {
    out.push([id, job]);
    const cw = callsOf.get(w)?.get(id);
    if (cw) expand(id, job, cw, w, [w]);
  }
  return { jobs: out, calls: byCall, called };
}

/**
 * The treatment that starts a call: when triggered, the call's `with:` (over the inputs'
 * defaults) and `secrets:` evaluated in the caller's realm, given as `args` (`i:<input>`,
 * `s:<secret>`, and `*` the caller's secrets as JSON for `secrets: inherit`).
 */
export function callTreatment(call: Call, treatment: string, str: (s: string) => string, warn: (m: string) => void): string {
  const spec = (((call.called.on.workflow_call ?? {}) as Raw).inputs ?? {}) as Record<string, Raw | null>;
  const withs = (call.job.with ?? {}) as Raw;
  const entries: [string, string][] = [];
  for (const [k, s] of Object.entries(spec)) {
    if (k in withs) entries.push([`i:${k}`, asText(withs[k])]);
    else if (s?.default !== undefined) entries.push([`i:${k}`, asText(s.default)]);
    else if (s?.required === true)
      warn(`${call.called.file}: input '${k}' is required but job '${call.id}' does not give it (it is empty in the called jobs)`);
  }
  for (const k of Object.keys(withs))
    if (!(k in spec)) warn(`job '${call.id}': input '${k}' is not declared by ${call.called.file} (ignored)`);
  if (call.job.secrets === 'inherit') entries.push(['*', '${{ JSON.stringify(secrets) }}']);
  else for (const [k, v] of Object.entries((call.job.secrets ?? {}) as Raw)) entries.push([`s:${k}`, asText(v)]);
  return [
    '/**',
    `Job \`${call.id}\`: calls the reusable workflow ${call.called.file}; its inputs and secrets, evaluated when it starts.`,
    '*/',
    `treatment ${treatment}[contexts: JavaScriptEngine]()`,
    '  input trigger: Block<void>',
    '  output args: Block<Json>',
    '{',
    `    args: githubJobResult[contexts = contexts](name = "tutti:call", outputs = |map([${entries.map(([k, v]) => `|entry(${str(k)}, ${str(v)})`).join(', ')}]), local_context = |null())`,
    // (githubJobResult evaluates when its trigger closes too: the args go on only when the call starts)
    '    go: emit<bool>(value = true)',
    '    started: filterBlock<Json>()',
    '',
    '    Self.trigger -> args.trigger_release',
    '    Self.trigger -> go.trigger,emit -> started.select',
    '    args.result -> started.value',
    '    started.accepted -> Self.args',
    '}',
  ].join('\n');
}

/** Installs the call's `args` as `inputs` and `secrets` (no braces: the realm's placeholders end at the first `}`). */
export const INSTALL_ARGS =
  '${{ (Object.entries(needs["tutti:call"]["outputs"]).forEach(([k, v]) => k == "*" ? Object.assign(secrets, JSON.parse(v)) : ' +
  '(k[0] == "i" ? inputs : secrets)[k.slice(2)] = v), delete needs["tutti:call"], "installed") }}';

/**
 * The call's `job.status` in its second realm, once the called jobs' results are included or
 * closed: a failure when one of them failed (a matrix job's result is its legs', merged by its
 * `githubMatrix`).
 */
export const CALL_STATUS =
  '${{ (job.status = Object.values(needs).some((n) => n.result == "failure") ? "failure" : "success", job.status) }}';

/** A `workflow_call` output's value as evaluated in the call's second realm: `jobs.<id>` are its `needs`. */
export const callOutput = (value: unknown) => asText(value).replace(/\bjobs\.(?=[\w-])/g, 'needs.');

/** A Mélodium string literal. */
const literal = (s: string) =>
  `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t')}"`;

/**
 * A name in a leg of a matrix of calls: `<call leg> / <rest>` (`deploy (prod) / build`), the
 * leg's name (`@GithubLeg[name]`, GitHub's `call (v1, v2)`) known when the leg runs.
 */
export const inCallLeg = (rest: string, before = '') =>
  `|format(${literal(`${before}{call} / ${rest.replaceAll('{', '{{').replaceAll('}', '}}')}`)}, |entry("call", @GithubLeg[name]))`;

/**
 * The treatment running the legs of a matrix of calls `call` (instance `v`, its `githubMatrix`
 * in `main`): in each leg's track (`githubLeg`), the call's realm is the leg's (its `matrix`
 * and `strategy`), the call's `with:` and `secrets:` are evaluated there (`v`, the call's
 * treatment), and then the lines of `lines` run — the called jobs and the call's result as for
 * a call without matrix, each realm a fork of the leg's own — and the call's status and its
 * `workflow_call` outputs, evaluated in its second realm, go back to the matrix, which merges
 * them as GitHub does. `models`: the realms (and matrices of called matrix jobs) the lines use,
 * taken from `main` under the same names.
 */
export function callLegsTreatment(
  call: Call,
  v: string,
  models: readonly [string, string][],
  lines: { readonly head: readonly string[]; readonly body: readonly string[] },
  statusDone: string,
): string {
  const spec = (((call.called.on.workflow_call ?? {}) as Raw).outputs ?? {}) as Record<string, Raw | null>;
  const outputs = Object.entries(spec).map(([k, o]) => `|entry(${literal(k)}, ${literal(callOutput(o?.value))})`);
  return [
    '/**',
    `The legs of job \`${call.id}\`, a matrix of calls of ${call.called.file}: one track per leg, opened at run time by`,
    "`githubLeg`; in each, the call's inputs and secrets are evaluated with the leg's `matrix`, the called jobs run",
    "with realms of their own, and the call's result and outputs go back to the matrix, which merges them.",
    '*/',
    `treatment legs_${v.slice(4)}[${[...models.map(([m, t]) => `${m}: ${t}`), 'matrix: GithubMatrix'].join(', ')}](const contexts: string)`,
    '  require @GithubLeg',
    '{',
    '    leg: githubLeg[github_matrix = matrix]()',
    `    prepare_leg: prepareLegContexts[contexts = js_${v}]()`,
    `    ${v}: ${v}[contexts = js_${v}]()`,
    ...lines.head,
    `    leg_result: githubLegResult[github_matrix = matrix, contexts = js_${v}_out](outputs = |map([${outputs.join(', ')}]))`,
    // (the leg's status is the call's job.status: its failed input is closed)
    '    leg_status: closeBlock<void>()',
    '',
    `    leg.github_contexts -> prepare_leg.github_contexts,ready -> ${v}.trigger`,
    ...lines.body,
    `    ${statusDone} -> leg_result.success`,
    `    ${statusDone} -> leg_status.trigger,closed -> leg_result.failed`,
    '}',
  ].join('\n');
}
