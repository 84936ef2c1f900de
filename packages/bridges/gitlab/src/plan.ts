/**
 * Planning: from the merged configuration to the pipeline GitLab would create for a push of
 * the local commit. `workflow:rules` decide whether there is a pipeline; each job is expanded
 * into its `parallel` legs, `rules` (or `only`/`except`) decide whether each leg is created and
 * with which `when`, `allow_failure`, `variables` and `needs`; then `needs`, `dependencies` and
 * stages become the graph the runner walks.
 */
import { RE2JS } from 're2js';
import { type Config, flattenScript, type RawJob } from './config.js';
import { type RepoInfo, slug } from './context.js';
import { checkPatterns, ExpressionError, evaluateIf, parseExpression } from './expression.js';
import { globMatches } from './glob.js';
import { changedFiles, repoFiles } from './repo-files.js';
import { asDefs, readVariables, resolveVariables, type VarDefs } from './variables.js';
import { GitlabConfigError, isMapping, keyLoc, type Loc, locOf, type Mapping, type Value } from './yaml.js';

export type When = 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed' | 'never';
const WHENS: readonly When[] = ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'];

export interface Need {
  /** A planned job's name (a leg's full name). */
  readonly job: string;
  readonly artifacts: boolean;
  readonly optional: boolean;
}

export interface ImageSpec {
  readonly name: string;
  readonly entrypoint: readonly string[] | undefined;
}

export interface ServiceSpec extends ImageSpec {
  readonly aliases: readonly string[];
  readonly command: readonly string[] | undefined;
  readonly variables: Record<string, string>;
}

export interface ArtifactsSpec {
  readonly paths: readonly string[];
  readonly exclude: readonly string[];
  readonly untracked: boolean;
  readonly when: 'on_success' | 'on_failure' | 'always';
  readonly dotenv: readonly string[];
  readonly junit: readonly string[];
}

export interface CacheSpec {
  /** The key as written (variables expanded at run time), or the files for `key: files:`. */
  readonly key: string | { files: readonly string[]; prefix: string | undefined };
  readonly paths: readonly string[];
  readonly untracked: boolean;
  readonly policy: 'pull-push' | 'pull' | 'push';
  readonly when: 'on_success' | 'on_failure' | 'always';
  readonly fallbackKeys: readonly string[];
}

export interface RetrySpec {
  readonly max: number;
  readonly when: readonly string[];
  readonly exitCodes: readonly number[];
}

/** One job (or parallel leg) of the pipeline. */
export interface PlannedJob {
  readonly name: string;
  /** The job's name in the file (the same for every leg). */
  readonly base: string;
  readonly stage: string;
  readonly stageIndex: number;
  readonly loc: Loc | undefined;
  readonly when: When;
  /** Milliseconds, for `when: delayed`. */
  readonly startIn: number;
  readonly allowFailure: boolean;
  /** With `allow_failure: exit_codes`, only these codes are allowed. */
  readonly allowExitCodes: readonly number[] | undefined;
  /** undefined: stage order (every job of the earlier stages). */
  readonly needs: readonly Need[] | undefined;
  /** Jobs whose artifacts (and dotenv) this job receives. */
  readonly dependencies: readonly string[];
  readonly beforeScript: readonly string[];
  readonly script: readonly string[];
  readonly afterScript: readonly string[];
  /** Variable definitions of the job (global, job, rule, matrix), without predefined ones. */
  readonly variables: VarDefs;
  readonly image: ImageSpec | undefined;
  readonly services: readonly ServiceSpec[];
  readonly artifacts: ArtifactsSpec | undefined;
  readonly cache: readonly CacheSpec[];
  readonly retry: RetrySpec;
  /** Seconds (default one hour, as GitLab's project default). */
  readonly timeout: number;
  readonly nodeIndex: number | undefined;
  readonly nodeTotal: number | undefined;
  readonly environment: string | undefined;
  /** `resource_group` (variables expanded when the job starts): jobs sharing one never run at once. */
  readonly resourceGroup: string | undefined;
}

export interface Plan {
  readonly stages: readonly string[];
  /** Created jobs, in stage then file order. */
  readonly jobs: readonly PlannedJob[];
  /** Pipeline-level variable definitions (predefined, global after workflow rules, pipeline variables). */
  readonly predefined: Record<string, string>;
  readonly pipelineVariables: Record<string, string>;
  /** Set when `workflow:rules` create no pipeline. */
  readonly filteredOut: boolean;
}

export interface PlanOptions {
  readonly repo: RepoInfo;
  /** Predefined pipeline variables (context.ts). */
  readonly predefined: Record<string, string>;
  /** `--variable NAME=VALUE` (highest precedence). */
  readonly pipelineVariables: Record<string, string>;
}

/** Parses a GitLab duration (`1h 30m`, `90 minutes`, `3600`, `1 day`); seconds, undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  const units: Record<string, number> = {
    s: 1,
    sec: 1,
    secs: 1,
    second: 1,
    seconds: 1,
    m: 60,
    min: 60,
    mins: 60,
    minute: 60,
    minutes: 60,
    h: 3600,
    hr: 3600,
    hrs: 3600,
    hour: 3600,
    hours: 3600,
    d: 86400,
    day: 86400,
    days: 86400,
    w: 604800,
    week: 604800,
    weeks: 604800,
    mo: 2592000,
    month: 2592000,
    months: 2592000,
    y: 31536000,
    yr: 31536000,
    year: 31536000,
    years: 31536000,
  };
  let total = 0;
  let matched = '';
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)\s*(?:and\s*|,\s*)?/g)) {
    const u = units[m[2] as string];
    if (u === undefined) return undefined;
    total += Number(m[1]) * u;
    matched += m[0];
  }
  if (t === 'never') return Number.POSITIVE_INFINITY;
  return matched.replace(/\s/g, '') === t.replace(/\s/g, '') && matched !== '' ? total : undefined;
}

/** Builds the plan. Throws {@link GitlabConfigError} for problems GitLab reports at pipeline creation. */
export function plan(config: Config, options: PlanOptions): Plan {
  const { repo } = options;
  const predefined = { ...options.predefined };
  const pipelineDefs = asDefs(options.pipelineVariables);
  let globalDefs = readVariables(config.variables, 'variables');
  let filesCache: string[] | undefined;
  const changesCache = new Map<string, string[] | undefined>();

  const ifHolds = (text: Value, vars: Record<string, string>, where: string, parent: Mapping, key: string): boolean => {
    if (typeof text !== 'string') throw new GitlabConfigError(`${where}: if must be a string expression`, keyLoc(parent, key));
    try {
      return evaluateIf(text, (n) => vars[n]);
    } catch (e) {
      if (e instanceof ExpressionError)
        throw new GitlabConfigError(
          `${where}: invalid expression syntax in '${text}': ${e.message} (at character ${e.offset + 1})`,
          keyLoc(parent, key),
        );
      throw e;
    }
  };
  const validateIf = (text: Value, where: string, parent: Mapping, key: string): void => {
    if (typeof text !== 'string') throw new GitlabConfigError(`${where}: if must be a string expression`, keyLoc(parent, key));
    try {
      const bad = checkPatterns(parseExpression(text));
      if (bad !== undefined) throw new GitlabConfigError(`${where}: ${bad} in '${text}'`, keyLoc(parent, key));
    } catch (e) {
      if (e instanceof ExpressionError)
        throw new GitlabConfigError(
          `${where}: invalid expression syntax in '${text}': ${e.message} (at character ${e.offset + 1})`,
          keyLoc(parent, key),
        );
      throw e;
    }
  };
  const changesHold = (spec: Value, vars: Record<string, string>, where: string, parent: Mapping): boolean => {
    let paths: Value = spec;
    let compareTo: string | undefined;
    if (isMapping(spec)) {
      paths = spec.paths ?? [];
      compareTo = spec.compare_to === undefined ? undefined : resolveText(String(spec.compare_to), vars);
    }
    const globs = flattenScript(paths, `${where}: changes`, keyLoc(parent, 'changes')).map((g) => resolveText(g, vars));
    const key = compareTo ?? '';
    if (!changesCache.has(key)) changesCache.set(key, changedFiles(repo.root, compareTo));
    const changed = changesCache.get(key);
    if (changed === undefined) return true;
    return changed.some((f) => globs.some((g) => globMatches(g, f)));
  };
  const existsHold = (spec: Value, vars: Record<string, string>, where: string, parent: Mapping): boolean => {
    const paths = isMapping(spec) ? (spec.paths ?? []) : spec;
    const globs = flattenScript(paths, `${where}: exists`, keyLoc(parent, 'exists')).map((g) => resolveText(g, vars));
    filesCache ??= repoFiles(repo.root);
    return (filesCache as string[]).some((f) => globs.some((g) => globMatches(g, f)));
  };

  // workflow:rules.
  let filteredOut = false;
  const workflow = config.workflow;
  if (workflow !== undefined && workflow.rules !== undefined && workflow.rules !== null) {
    const vars = resolveVariables([asDefs(predefined), globalDefs, pipelineDefs]);
    const rules = workflow.rules;
    if (!Array.isArray(rules)) throw new GitlabConfigError('workflow:rules must be a list', keyLoc(workflow, 'rules'));
    let matched: Mapping | undefined;
    for (const rule of rules) {
      if (!isMapping(rule))
        throw new GitlabConfigError('workflow:rules: each rule must be a mapping', locOf(rule) ?? keyLoc(workflow, 'rules'));
      if (ruleMatches(rule, vars, 'workflow:rules')) {
        matched = rule;
        break;
      }
    }
    if (matched === undefined || matched.when === 'never') filteredOut = true;
    else if (matched.variables !== undefined)
      globalDefs = { ...globalDefs, ...readVariables(matched.variables, 'workflow:rules:variables', matched) };
  }

  function ruleMatches(rule: Mapping, vars: Record<string, string>, where: string): boolean {
    for (const k of Object.keys(rule))
      if (
        !['if', 'changes', 'exists', 'when', 'allow_failure', 'variables', 'needs', 'start_in', 'interruptible', 'auto_cancel'].includes(k)
      )
        throw new GitlabConfigError(`${where}: unknown rule keyword '${k}'`, keyLoc(rule, k));
    if (rule.if !== undefined) validateIf(rule.if, where, rule, 'if');
    if (rule.if !== undefined && !ifHolds(rule.if, vars, where, rule, 'if')) return false;
    if (rule.changes !== undefined && !changesHold(rule.changes, vars, where, rule)) return false;
    if (rule.exists !== undefined && !existsHold(rule.exists, vars, where, rule)) return false;
    return true;
  }

  const resolveText = (text: string, vars: Record<string, string>): string =>
    resolveVariables([asDefs(vars), { __t: { value: text, expand: true } }]).__t as string;

  const stageIndex = new Map(config.stages.map((s, i) => [s, i]));
  interface Pending {
    job: PlannedJob;
    raw: RawJob;
    needsRaw: Value | undefined;
    dependenciesRaw: Value | undefined;
  }
  const created: Pending[] = [];
  const legsOf = new Map<string, { name: string; matrix: Record<string, string> }[]>();

  for (const raw of config.jobs) {
    const body = raw.body;
    const where = `jobs:${raw.name}`;
    const legs = expandParallel(raw);
    legsOf.set(raw.name, legs);
    const inheritVars = isMapping(body.inherit) ? body.inherit.variables : undefined;
    let globals: VarDefs = globalDefs;
    if (inheritVars === false) globals = {};
    else if (Array.isArray(inheritVars)) {
      const keep = inheritVars.map(String);
      globals = Object.fromEntries(Object.entries(globalDefs).filter(([k]) => keep.includes(k)));
    }
    const jobDefs = readVariables(body.variables, `${where}:variables`, body);
    for (const [legIndex, leg] of legs.entries()) {
      const matrixDefs = asDefs(leg.matrix);
      const baseLayers = [asDefs(predefined), globals, jobDefs, matrixDefs, pipelineDefs];
      const ruleVars = resolveVariables([
        ...baseLayers.slice(0, 1),
        asDefs({ CI_JOB_NAME: leg.name, CI_JOB_NAME_SLUG: slug(leg.name), CI_JOB_STAGE: String(body.stage ?? 'test') }),
        ...baseLayers.slice(1),
      ]);
      let when: When = parseWhen(body.when, where, body) ?? 'on_success';
      let allowFailure: Value | undefined = body.allow_failure;
      let ruleDefs: VarDefs = {};
      let needsRaw: Value | undefined = body.needs;
      let startIn: Value | undefined = body.start_in;
      let included = true;
      const manualDefaultAllow = when === 'manual' && body.rules === undefined;
      if (body.rules !== undefined && body.rules !== null) {
        if (body.only !== undefined || body.except !== undefined)
          throw new GitlabConfigError(`${where} config key may not be used with \`rules\`: only, except`, keyLoc(body, 'rules'));
        const rules = body.rules;
        if (!Array.isArray(rules)) throw new GitlabConfigError(`${where}:rules must be a list`, keyLoc(body, 'rules'));
        let matched: Mapping | undefined;
        for (const rule of rules) {
          if (!isMapping(rule))
            throw new GitlabConfigError(`${where}:rules: each rule must be a mapping`, locOf(rule) ?? keyLoc(body, 'rules'));
          if (ruleMatches(rule, ruleVars, `${where}:rules`)) {
            matched = rule;
            break;
          }
        }
        if (matched === undefined) included = false;
        else {
          const rw = parseWhen(matched.when, `${where}:rules`, matched);
          if (rw !== undefined) when = rw;
          if (matched.allow_failure !== undefined) allowFailure = matched.allow_failure;
          if (matched.variables !== undefined) ruleDefs = readVariables(matched.variables, `${where}:rules:variables`, matched);
          if (matched.needs !== undefined) needsRaw = matched.needs;
          if (matched.start_in !== undefined) startIn = matched.start_in;
        }
      } else if (!onlyExcept(body, ruleVars, where)) included = false;
      if (!included || when === 'never') continue;

      const stage = String(body.stage ?? 'test');
      const { allow, codes } = parseAllowFailure(allowFailure, manualDefaultAllow, where, body);
      let startInMs = 0;
      if (when === 'delayed') {
        if (startIn === undefined) throw new GitlabConfigError(`${where}: when: delayed needs start_in`, keyLoc(body, 'when'));
        const s = parseDuration(String(startIn));
        if (s === undefined || s > 7 * 86400)
          throw new GitlabConfigError(`${where}: start_in should be a duration up to one week`, keyLoc(body, 'start_in'));
        startInMs = s * 1000;
      }
      const timeoutRaw = body.timeout;
      let timeout = 3600;
      if (timeoutRaw !== undefined && timeoutRaw !== null) {
        const t = parseDuration(String(timeoutRaw));
        if (t === undefined || t < 1) throw new GitlabConfigError(`${where}: timeout should be a duration`, keyLoc(body, 'timeout'));
        timeout = t;
      }
      const job: PlannedJob = {
        name: leg.name,
        base: raw.name,
        stage,
        stageIndex: stageIndex.get(stage) as number,
        loc: raw.loc,
        when,
        startIn: startInMs,
        allowFailure: allow,
        allowExitCodes: codes,
        needs: undefined,
        dependencies: [],
        beforeScript: flattenScript(body.before_script, `${where}:before_script`, keyLoc(body, 'before_script')),
        script: flattenScript(body.script ?? body.run ?? [], `${where}:script`, keyLoc(body, 'script')),
        afterScript: flattenScript(body.after_script, `${where}:after_script`, keyLoc(body, 'after_script')),
        variables: { ...globals, ...jobDefs, ...ruleDefs, ...matrixDefs },
        image: parseImage(body.image, `${where}:image`, body),
        services: parseServices(body.services, `${where}:services`, body),
        artifacts: parseArtifacts(body.artifacts, `${where}:artifacts`, body),
        cache: parseCache(body.cache, `${where}:cache`, body),
        retry: parseRetry(body.retry, `${where}:retry`, body),
        timeout,
        nodeIndex: legs.length > 1 || body.parallel !== undefined ? legIndex + 1 : undefined,
        nodeTotal: legs.length > 1 || body.parallel !== undefined ? legs.length : undefined,
        environment: isMapping(body.environment)
          ? String(body.environment.name ?? '')
          : body.environment === undefined
            ? undefined
            : String(body.environment),
        resourceGroup: parseResourceGroup(body.resource_group, where, body),
      };
      if (job.script.length === 0 && body.trigger === undefined)
        throw new GitlabConfigError(`${where}: script can't be blank`, keyLoc(body, 'script'));
      created.push({ job, raw, needsRaw, dependenciesRaw: body.dependencies });
    }
  }

  // Needs and dependencies, now that every created job is known.
  const byName = new Map(created.map((p) => [p.job.name, p]));
  const createdLegs = (base: string): string[] => (legsOf.get(base) ?? []).map((l) => l.name).filter((n) => byName.has(n));
  const jobs: PlannedJob[] = [];
  for (const p of created) {
    const where = `jobs:${p.job.base}`;
    const body = p.raw.body;
    let needs: Need[] | undefined;
    if (p.needsRaw !== undefined && p.needsRaw !== null) {
      if (!Array.isArray(p.needsRaw)) throw new GitlabConfigError(`${where}:needs must be a list`, keyLoc(body, 'needs'));
      needs = [];
      for (const n of p.needsRaw) {
        let target: string;
        let artifacts = true;
        let optional = false;
        let matrix: Mapping[] | undefined;
        if (typeof n === 'string') target = n;
        else if (isMapping(n) && (typeof n.job === 'string' || typeof n.pipeline === 'string' || typeof n.project === 'string')) {
          if (n.project !== undefined || n.pipeline !== undefined)
            throw new GitlabConfigError(
              `${where}:needs: artifacts of other pipelines or projects need a GitLab server`,
              locOf(n) ?? keyLoc(body, 'needs'),
            );
          target = n.job as string;
          artifacts = n.artifacts !== false;
          optional = n.optional === true;
          if (isMapping(n.parallel) && Array.isArray(n.parallel.matrix)) matrix = n.parallel.matrix.filter(isMapping);
        } else
          throw new GitlabConfigError(
            `${where}:needs: each need is a job name or {job, artifacts, optional}`,
            locOf(n) ?? keyLoc(body, 'needs'),
          );
        if (!legsOf.has(target)) {
          throw new GitlabConfigError(`${where}: undefined need: ${target}`, locOf(n) ?? keyLoc(body, 'needs'));
        }
        let legs = createdLegs(target);
        if (matrix !== undefined) {
          const wanted = matrix.flatMap((m) => expandMatrixEntry(m)).map((vars) => legName(target, Object.values(vars)));
          legs = legs.filter((l) => wanted.includes(l));
        }
        if (legs.length === 0) {
          if (optional) continue;
          throw new GitlabConfigError(
            `'${p.job.name}' job needs '${target}' job, but '${target}' is not in any previous stage`,
            locOf(n) ?? keyLoc(body, 'needs'),
          );
        }
        for (const l of legs) {
          const other = byName.get(l) as Pending;
          if (other.job.stageIndex > p.job.stageIndex)
            throw new GitlabConfigError(
              `${where}: need '${l}' is in a later stage (${other.job.stage})`,
              locOf(n) ?? keyLoc(body, 'needs'),
            );
          if (l === p.job.name) throw new GitlabConfigError(`${where}: a job cannot need itself`, locOf(n) ?? keyLoc(body, 'needs'));
          needs.push({ job: l, artifacts, optional });
        }
      }
    }
    let dependencies: string[];
    if (p.dependenciesRaw !== undefined && p.dependenciesRaw !== null) {
      const list = flattenScript(p.dependenciesRaw, `${where}:dependencies`, keyLoc(body, 'dependencies'));
      dependencies = [];
      for (const d of list) {
        if (!legsOf.has(d)) throw new GitlabConfigError(`${where}: undefined dependency: ${d}`, keyLoc(body, 'dependencies'));
        const legs = createdLegs(d);
        for (const l of legs) {
          const other = byName.get(l) as Pending;
          const inNeeds = needs?.some((n) => n.job === l) ?? false;
          if (needs !== undefined && !inNeeds)
            throw new GitlabConfigError(`${where}: dependency '${d}' should be part of needs`, keyLoc(body, 'dependencies'));
          if (needs === undefined && other.job.stageIndex >= p.job.stageIndex)
            throw new GitlabConfigError(
              `${where}: dependency '${d}' is not defined in current or prior stages`,
              keyLoc(body, 'dependencies'),
            );
          dependencies.push(l);
        }
      }
    } else if (needs !== undefined) dependencies = needs.filter((n) => n.artifacts).map((n) => n.job);
    else
      dependencies = created
        .filter((o) => o.job.stageIndex < p.job.stageIndex)
        .sort((x, y) => x.job.stageIndex - y.job.stageIndex)
        .map((o) => o.job.name);
    jobs.push({ ...p.job, needs, dependencies });
  }
  jobs.sort((a, b) => a.stageIndex - b.stageIndex);
  return { stages: config.stages, jobs, predefined, pipelineVariables: { ...options.pipelineVariables }, filteredOut };

  function onlyExcept(body: Mapping, vars: Record<string, string>, where: string): boolean {
    const only = body.only;
    const except = body.except;
    const refsMatch = (refs: string[]): boolean =>
      refs.some((r) => {
        if (r === 'branches') return repo.branch !== undefined;
        if (r === 'tags') return repo.tag !== undefined;
        if (r === 'pushes') return true;
        if (
          ['merge_requests', 'schedules', 'web', 'api', 'triggers', 'pipelines', 'external', 'chat', 'external_pull_requests'].includes(r)
        )
          return false;
        const ref = r.includes('@') ? r.slice(r.indexOf('@') + 1) : r;
        if (r.includes('@') && r.slice(0, r.indexOf('@')) !== repo.projectPath) return false;
        const m = /^\/(.+)\/([a-z]*)$/s.exec(ref);
        if (m !== null) {
          try {
            return RE2JS.compile(m[1] as string, (m[2] as string).includes('i') ? RE2JS.CASE_INSENSITIVE : 0)
              .matcher(repo.refName)
              .find();
          } catch {
            throw new GitlabConfigError(`${where}: invalid pattern ${ref}`, keyLoc(body, 'only'));
          }
        }
        return ref === repo.refName;
      });
    const matches = (spec: Value, key: 'only' | 'except'): boolean => {
      if (Array.isArray(spec) || typeof spec === 'string') return refsMatch(flattenScript(spec, `${where}:${key}`, keyLoc(body, key)));
      if (!isMapping(spec))
        throw new GitlabConfigError(`${where}:${key} must be a list of refs or a mapping (refs, variables, changes)`, keyLoc(body, key));
      for (const k of Object.keys(spec))
        if (!['refs', 'variables', 'changes', 'kubernetes'].includes(k))
          throw new GitlabConfigError(`${where}:${key}: unknown keyword '${k}'`, keyLoc(spec, k));
      // Within only (or except), every given kind must match (refs AND variables AND changes).
      if (spec.refs !== undefined && !refsMatch(flattenScript(spec.refs, `${where}:${key}:refs`, keyLoc(spec, 'refs')))) return false;
      if (spec.variables !== undefined) {
        const list = flattenScript(spec.variables, `${where}:${key}:variables`, keyLoc(spec, 'variables'));
        for (const e of list) validateIf(e, `${where}:${key}:variables`, spec, 'variables');
        if (!list.some((e) => ifHolds(e, vars, `${where}:${key}:variables`, spec, 'variables'))) return false;
      }
      if (spec.changes !== undefined && !changesHold(spec.changes, vars, `${where}:${key}`, spec)) return false;
      if (spec.kubernetes !== undefined) return false;
      return true;
    };
    if (only === undefined && except === undefined) return refsMatch(['branches', 'tags']);
    const inOnly = only === undefined || only === null ? refsMatch(['branches', 'tags']) : matches(only, 'only');
    const inExcept = except === undefined || except === null ? false : matches(except, 'except');
    return inOnly && !inExcept;
  }
}

function parseWhen(v: Value | undefined, where: string, parent: Mapping): When | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(WHENS as readonly string[]).includes(v))
    throw new GitlabConfigError(`${where}: when must be one of ${WHENS.join(', ')}`, keyLoc(parent, 'when'));
  return v as When;
}

function parseAllowFailure(
  v: Value | undefined,
  dflt: boolean,
  where: string,
  parent: Mapping,
): { allow: boolean; codes: number[] | undefined } {
  if (v === undefined || v === null) return { allow: dflt, codes: undefined };
  if (typeof v === 'boolean') return { allow: v, codes: undefined };
  if (isMapping(v) && v.exit_codes !== undefined) {
    const list = Array.isArray(v.exit_codes) ? v.exit_codes : [v.exit_codes];
    const codes = list.map((c) => Number(c));
    if (codes.some((c) => !Number.isInteger(c)))
      throw new GitlabConfigError(`${where}: allow_failure:exit_codes must be integers`, keyLoc(parent, 'allow_failure'));
    return { allow: false, codes };
  }
  throw new GitlabConfigError(`${where}: allow_failure must be true, false or {exit_codes: […]}`, keyLoc(parent, 'allow_failure'));
}

function strList(v: Value | undefined, where: string, parent: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  return flattenScript(v, where, keyLoc(parent, key));
}

function parseImage(v: Value | undefined, where: string, parent: Mapping): ImageSpec | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { name: v, entrypoint: undefined };
  if (isMapping(v) && typeof v.name === 'string')
    return {
      name: v.name,
      entrypoint: v.entrypoint === undefined ? undefined : strList(v.entrypoint, `${where}:entrypoint`, v, 'entrypoint'),
    };
  throw new GitlabConfigError(`${where} must be an image name or {name, entrypoint}`, keyLoc(parent, 'image'));
}

/** GitLab's rule: letters, digits, `-`, `_`, `/`, `$`, `{`, `}`, `.` and spaces; not starting or ending with `/`. */
function parseResourceGroup(v: Value | undefined, where: string, parent: Mapping): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '' || !/^[A-Za-z0-9_\-/${}. ]+$/.test(v) || v.startsWith('/') || v.endsWith('/'))
    throw new GitlabConfigError(
      `${where}: resource_group may contain only letters, digits, '-', '_', '/', '$', '{', '}', '.' and spaces, and may not start or end with '/'`,
      keyLoc(parent, 'resource_group'),
    );
  return v;
}

function parseServices(v: Value | undefined, where: string, parent: Mapping): ServiceSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new GitlabConfigError(`${where} must be a list`, keyLoc(parent, 'services'));
  return v.map((s) => {
    const image = typeof s === 'string' ? { name: s } : isMapping(s) && typeof s.name === 'string' ? s : undefined;
    if (image === undefined)
      throw new GitlabConfigError(`${where}: each service is an image name or {name, alias, …}`, locOf(s) ?? keyLoc(parent, 'services'));
    const name = String(image.name);
    // GitLab's default aliases: the image without tag, '/' as '__' and as '-'.
    const bare = name.replace(/[:@].*$/, '');
    const aliases =
      isMapping(s) && s.alias !== undefined
        ? String(s.alias)
            .split(/[,\s]+/)
            .filter((a) => a !== '')
        : [bare.replace(/\//g, '__'), bare.replace(/\//g, '-')];
    const variables: Record<string, string> = {};
    if (isMapping(s) && isMapping(s.variables)) for (const [k, x] of Object.entries(s.variables)) variables[k] = String(x);
    return {
      name,
      entrypoint: isMapping(s) && s.entrypoint !== undefined ? strList(s.entrypoint, `${where}:entrypoint`, s, 'entrypoint') : undefined,
      command: isMapping(s) && s.command !== undefined ? strList(s.command, `${where}:command`, s, 'command') : undefined,
      aliases: [...new Set(aliases)],
      variables,
    };
  });
}

function parseArtifacts(v: Value | undefined, where: string, parent: Mapping): ArtifactsSpec | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMapping(v)) throw new GitlabConfigError(`${where} must be a mapping`, keyLoc(parent, 'artifacts'));
  for (const k of Object.keys(v))
    if (!['paths', 'exclude', 'when', 'expire_in', 'expose_as', 'name', 'public', 'access', 'reports', 'untracked'].includes(k))
      throw new GitlabConfigError(`${where} config contains unknown keys: ${k}`, keyLoc(v, k));
  const when = v.when ?? 'on_success';
  if (when !== 'on_success' && when !== 'on_failure' && when !== 'always')
    throw new GitlabConfigError(`${where}: when must be on_success, on_failure or always`, keyLoc(v, 'when'));
  if (v.expire_in !== undefined && v.expire_in !== null && parseDuration(String(v.expire_in)) === undefined)
    throw new GitlabConfigError(`${where}: expire_in should be a duration`, keyLoc(v, 'expire_in'));
  const reports = isMapping(v.reports) ? v.reports : {};
  return {
    paths: strList(v.paths, `${where}:paths`, v, 'paths'),
    exclude: strList(v.exclude, `${where}:exclude`, v, 'exclude'),
    untracked: v.untracked === true,
    when,
    dotenv: strList(reports.dotenv, `${where}:reports:dotenv`, reports, 'dotenv'),
    junit: strList(reports.junit, `${where}:reports:junit`, reports, 'junit'),
  };
}

function parseCache(v: Value | undefined, where: string, parent: Mapping): CacheSpec[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > 4) throw new GitlabConfigError(`${where}: at most four caches`, keyLoc(parent, 'cache'));
  return list.map((c) => {
    if (!isMapping(c))
      throw new GitlabConfigError(`${where} must be a mapping (key, paths, policy, …)`, locOf(c) ?? keyLoc(parent, 'cache'));
    let key: CacheSpec['key'] = 'default';
    if (typeof c.key === 'string' || typeof c.key === 'number') key = String(c.key);
    else if (isMapping(c.key)) {
      const files = strList(c.key.files, `${where}:key:files`, c.key, 'files');
      if (files.length === 0 || files.length > 2)
        throw new GitlabConfigError(`${where}:key:files needs one or two files`, keyLoc(c, 'key'));
      key = { files, prefix: c.key.prefix === undefined ? undefined : String(c.key.prefix) };
    }
    const policy = c.policy ?? 'pull-push';
    if (policy !== 'pull-push' && policy !== 'pull' && policy !== 'push')
      throw new GitlabConfigError(`${where}: policy must be pull-push, pull or push`, keyLoc(c, 'policy'));
    const when = c.when ?? 'on_success';
    if (when !== 'on_success' && when !== 'on_failure' && when !== 'always')
      throw new GitlabConfigError(`${where}: when must be on_success, on_failure or always`, keyLoc(c, 'when'));
    return {
      key,
      paths: strList(c.paths, `${where}:paths`, c, 'paths'),
      untracked: c.untracked === true,
      policy,
      when,
      fallbackKeys: strList(c.fallback_keys, `${where}:fallback_keys`, c, 'fallback_keys'),
    };
  });
}

const RETRY_WHEN = [
  'always',
  'unknown_failure',
  'script_failure',
  'api_failure',
  'stuck_or_timeout_failure',
  'runner_system_failure',
  'runner_unsupported',
  'stale_schedule',
  'job_execution_timeout',
  'archived_failure',
  'unmet_prerequisites',
  'scheduler_failure',
  'data_integrity_failure',
];

function parseRetry(v: Value | undefined, where: string, parent: Mapping): RetrySpec {
  if (v === undefined || v === null) return { max: 0, when: ['always'], exitCodes: [] };
  const check = (n: number): number => {
    if (!Number.isInteger(n) || n < 0 || n > 2) throw new GitlabConfigError(`${where}: retry must be 0, 1 or 2`, keyLoc(parent, 'retry'));
    return n;
  };
  if (typeof v === 'number') return { max: check(v), when: ['always'], exitCodes: [] };
  if (isMapping(v)) {
    const when = strList(v.when, `${where}:when`, v, 'when');
    for (const w of when)
      if (!RETRY_WHEN.includes(w)) throw new GitlabConfigError(`${where}: unknown retry reason '${w}'`, keyLoc(v, 'when'));
    const codes = v.exit_codes === undefined ? [] : (Array.isArray(v.exit_codes) ? v.exit_codes : [v.exit_codes]).map(Number);
    return { max: check(Number(v.max ?? 0)), when: when.length === 0 ? ['always'] : when, exitCodes: codes };
  }
  throw new GitlabConfigError(`${where} must be a number or {max, when, exit_codes}`, keyLoc(parent, 'retry'));
}

/** GitLab's names of parallel legs: `job 1/3`, and for matrices `job: [a, b]`. */
export function legName(base: string, values: readonly string[]): string {
  return `${base}: [${values.join(', ')}]`;
}

function expandMatrixEntry(entry: Mapping): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [k, v] of Object.entries(entry)) {
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    combos = combos.flatMap((c) => values.map((x) => ({ ...c, [k]: x })));
  }
  return combos;
}

function expandParallel(raw: RawJob): { name: string; matrix: Record<string, string> }[] {
  const p = raw.body.parallel;
  const where = `jobs:${raw.name}:parallel`;
  if (p === undefined || p === null) return [{ name: raw.name, matrix: {} }];
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 1 || p > 200)
      throw new GitlabConfigError(`${where} should be an integer from 1 to 200`, keyLoc(raw.body, 'parallel'));
    return Array.from({ length: p }, (_, i) => ({ name: `${raw.name} ${i + 1}/${p}`, matrix: {} }));
  }
  if (isMapping(p) && Array.isArray(p.matrix)) {
    const legs: { name: string; matrix: Record<string, string> }[] = [];
    for (const entry of p.matrix) {
      if (!isMapping(entry))
        throw new GitlabConfigError(`${where}:matrix: each entry is a mapping of variables to values`, locOf(entry) ?? keyLoc(p, 'matrix'));
      for (const combo of expandMatrixEntry(entry)) legs.push({ name: legName(raw.name, Object.values(combo)), matrix: combo });
    }
    if (legs.length > 200) throw new GitlabConfigError(`${where}:matrix: more than 200 jobs`, keyLoc(p, 'matrix'));
    return legs;
  }
  throw new GitlabConfigError(`${where} must be a number or {matrix: […]}`, keyLoc(raw.body, 'parallel'));
}
