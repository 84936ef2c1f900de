/**
 * `tutti gitlab run` end to end (issue 13): each folder of test/gitlab/pipelines is a small
 * repository written for one group of features, with `expect.json` saying how the run must
 * end (exit status, each job's status, lines of output, artifacts, attempts). Each is copied to
 * a fresh git repository (branch main, remote on gitlab.example.com) and run with the built
 * CLI. Jobs with `image:`/`services:` use podman (or docker) and the shared base image; without
 * an engine they are skipped with the reason (failed in CI).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// @ts-expect-error: a plain ESM script without type declarations
import { containerSetup } from '../scripts/container-image.mjs';
import { buildTestImages, git, repository, temps, tutti } from './gitlab-helpers.js';
import { ROOT } from './helpers.js';

const PIPELINES = join(ROOT, 'test/gitlab/pipelines');

interface Expect {
  args?: string[];
  exit: number;
  jobs: Record<string, string>;
  output?: string[];
  absent?: string[];
  artifacts?: Record<string, string[]>;
  attempts?: Record<string, number>;
  notInPipeline?: string[];
  maxSeconds?: number;
  containers?: boolean;
  writeSha?: boolean;
  counterDir?: boolean;
  change?: Record<string, string>;
  second?: Omit<Expect, 'second'>;
}

interface Report {
  status: string;
  jobs: { name: string; status: string; attempts: number; artifacts: string[]; log: string | null; durationMs: number }[];
  criticalPath: { jobs: string[]; ms: number };
}

after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

let containers: { env?: Record<string, string>; skip?: string } = { skip: 'not set up' };
before(async () => {
  try {
    containers = await containerSetup();
    if (containers.env !== undefined) buildTestImages(containers.env);
  } catch (e) {
    containers = { skip: `no base image: ${(e as Error).message}` };
  }
  if (containers.skip !== undefined && process.env.CI === 'true')
    throw new Error(`gitlab container tests need an engine in CI: ${containers.skip}`);
});

/** Output with the view's job prefixes as `[job] ` (`a    │ x` → `[a] x`). */
const normal = (s: string): string => s.replace(/^(\S[^│\n]*?) +│ /gm, '[$1] ').replace(/\] +/g, '] ');

function verify(e: Omit<Expect, 'second'>, dir: string, r: ReturnType<typeof tutti>, report: Report): void {
  const context = `\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.equal(r.status, e.exit, `exit status${context}`);
  const statuses = Object.fromEntries(report.jobs.map((j) => [j.name, j.status]));
  for (const [job, status] of Object.entries(e.jobs)) assert.equal(statuses[job], status, `status of ${job}${context}`);
  const out = normal(r.stdout);
  for (const line of e.output ?? []) assert.ok(out.includes(normal(line)), `output lacks '${line}'${context}`);
  for (const line of e.absent ?? []) assert.ok(!out.includes(normal(line)), `output has '${line}'${context}`);
  for (const job of e.notInPipeline ?? []) assert.ok(!(job in statuses), `${job} should not be in the pipeline${context}`);
  for (const [job, files] of Object.entries(e.artifacts ?? {})) {
    const rec = report.jobs.find((j) => j.name === job);
    for (const f of files) {
      assert.ok(rec?.artifacts.includes(f), `${job} artifacts lack ${f}: ${rec?.artifacts}`);
      assert.ok(existsSync(join(dir, '.tutti/gitlab/artifacts', encodeURIComponent(job), f)), `stored artifact ${job}/${f}`);
    }
  }
  for (const [job, n] of Object.entries(e.attempts ?? {}))
    assert.equal(report.jobs.find((j) => j.name === job)?.attempts, n, `attempts of ${job}`);
  if (e.maxSeconds !== undefined) assert.ok(r.seconds < e.maxSeconds, `took ${r.seconds} s`);
  assert.equal(report.status, e.exit === 0 ? 'success' : 'failed');
}

describe('tutti gitlab run: pipelines of test/gitlab/pipelines', () => {
  for (const name of readdirSync(PIPELINES).sort()) {
    const folder = join(PIPELINES, name);
    const expect = JSON.parse(readFileSync(join(folder, 'expect.json'), 'utf8')) as Expect & { description: string };
    test(`${name}: ${expect.description}`, (t) => {
      let env: Record<string, string> = {};
      if (expect.containers) {
        if (containers.skip !== undefined) {
          t.skip(containers.skip);
          return;
        }
        env = containers.env ?? {};
      }
      const dir = repository(folder, name);
      for (const [f, text] of Object.entries(expect.change ?? {})) writeFileSync(join(dir, f), text);
      if (expect.change !== undefined) {
        git(dir, 'add', '-A');
        git(dir, 'commit', '-q', '-m', 'change');
      }
      if (expect.writeSha) writeFileSync(join(dir, 'sha.txt'), git(dir, 'rev-parse', 'HEAD'));
      const extra: string[] = [];
      if (expect.counterDir) {
        const c = mkdtempSync(join(tmpdir(), 'tutti-gl-counter-'));
        temps.push(c);
        extra.push('--variable', `COUNTER_DIR=${c}`);
      }
      for (const [i, e] of [expect, ...(expect.second === undefined ? [] : [expect.second])].entries()) {
        const reportFile = join(dir, `.tutti/report-${i}.json`);
        const r = tutti(['gitlab', 'run', ...(e.args ?? []), ...extra, '--report', reportFile], dir, env);
        assert.ok(existsSync(reportFile), `no report\n${r.stdout}\n${r.stderr}`);
        verify(e, dir, r, JSON.parse(readFileSync(reportFile, 'utf8')) as Report);
      }
    });
  }
});

describe('tutti gitlab import: the same outcomes as tutti gitlab run', () => {
  // failure: when: on_failure and always; retry-timeout: retry (when, exit_codes) and timeout;
  // manual: manual jobs not played, a blocking one holding the later stages, when: delayed.
  // containers: image: and services: through simpleStepWithInput on the compose dispatcher;
  // services: every alias, entrypoint + command, the wait for HEALTHCHECK_TCP_PORT and the
  // warning; entrypoint: a job's image: entrypoint; cache: restored after the files are gone;
  // resource-group: the jobs of a group never overlap (they would fail if they did).
  const inContainers = ['containers', 'services', 'entrypoint'];
  const args: Record<string, string[]> = { services: ['--services-timeout', '6'] };
  for (const name of [
    'basic',
    'inherit',
    'failure',
    'retry-timeout',
    'manual',
    'containers',
    'services',
    'entrypoint',
    'cache',
    'resource-group',
  ]) {
    test(`${name}: the imported project checks, runs, and its jobs end as in tutti gitlab run`, (t) => {
      let env: Record<string, string> = {};
      if (inContainers.includes(name)) {
        if (containers.skip !== undefined) {
          t.skip(containers.skip);
          return;
        }
        env = containers.env ?? {};
      }
      const counter = (): string[] => {
        const c = mkdtempSync(join(tmpdir(), 'tutti-gl-counter-'));
        temps.push(c);
        return ['--variable', `COUNTER_DIR=${c}`];
      };
      const dir = repository(join(PIPELINES, name), name);
      const counterArgs = counter();
      const imported = tutti(['gitlab', 'import', '-o', '.tutti/imported', ...counterArgs, ...(args[name] ?? [])], dir);
      assert.equal(imported.status, 0, imported.stderr);
      const checked = tutti(['check', '.tutti/imported/Compo.toml'], dir);
      assert.equal(checked.status, 0, checked.stderr + checked.stdout);
      assert.ok(!checked.stderr.includes('warning'), checked.stderr);
      const ran = tutti(['run', '.tutti/imported/Compo.toml'], dir, env);
      const fromImport = new Map<string, string>();
      for (const m of ran.stdout.matchAll(/gitlab: job (.+?) (passed|failed|manual)( \(allowed to fail\))?/gm))
        fromImport.set(m[1] as string, m[3] === undefined ? (m[2] as string) : 'warning');
      // The same jobs in a fresh copy, with tutti gitlab run.
      const again = repository(join(PIPELINES, name), name);
      const report = join(again, '.tutti/report.json');
      const direct = tutti(['gitlab', 'run', '--report', report, ...counter(), ...(args[name] ?? [])], again, env);
      // The same exit status: 1 when a job failed that was not allowed to — except that a
      // container step whose image is missing fails the program even when its job may fail
      // (the step's own failure; documented in docs/gitlab-ci.md).
      if (name === 'containers') assert.deepEqual([ran.status, direct.status], [1, 0], `${ran.stdout}\n${ran.stderr}`);
      else assert.equal(ran.status, direct.status, `${ran.stdout}\n${ran.stderr}`);
      if (name === 'containers') assert.match(ran.stdout, /service db resolves/);
      const left = [...imported.stdout.matchAll(/left out: (.+?) \(/g)].map((m) => m[1]);
      const expected = new Map<string, string>();
      for (const j of (JSON.parse(readFileSync(report, 'utf8')) as Report).jobs) {
        if (left.includes(j.name)) continue;
        if (j.status === 'success') expected.set(j.name, 'passed');
        else if (j.status === 'failed') expected.set(j.name, 'failed');
        else if (j.status === 'warning') expected.set(j.name, 'warning');
        else if (j.status === 'manual') expected.set(j.name, 'manual');
      }
      assert.deepEqual(Object.fromEntries(fromImport), Object.fromEntries(expected), ran.stdout);
      if (name === 'services') {
        assert.equal(ran.stdout.match(/hello from the service on 5000/g)?.length, 2, ran.stdout); // by db and by postgres
        assert.match(ran.stdout, /Service localhost\/debian:bookworm \(db\) answers on port 5000/);
        assert.match(ran.stdout, /\*\*\* WARNING: Service localhost\/debian:bookworm \(mute\) probably didn't start properly\./);
        assert.match(ran.stdout, /service "mute" timeout: port 6000 did not answer within 6 s/);
      }
      if (name === 'entrypoint') {
        assert.match(ran.stdout, /greeter is the job entrypoint/);
        assert.match(ran.stdout, /no entrypoint ran/);
      }
      if (name === 'resource-group') assert.match(ran.stdout, /Waiting for resource: production/);
      if (name === 'cache') {
        assert.match(ran.stdout, /cache miss in fill/);
        assert.match(ran.stdout, /Saved cache deps-main/);
        // A fresh checkout: the cached folders come back from the caches.
        rmSync(join(dir, 'vendor'), { recursive: true, force: true });
        rmSync(join(dir, 'node'), { recursive: true, force: true });
        const second = tutti(['run', '.tutti/imported/Compo.toml'], dir, env);
        assert.equal(second.status, 0, second.stdout + second.stderr);
        assert.match(second.stdout, /Restored cache deps-main/);
        assert.match(second.stdout, /cache hit in fill: lib v1/);
        assert.match(second.stdout, /files cache restored/);
      }
    });
  }
});

describe('tutti gitlab import: what it does not cover is warned about with its place', () => {
  test('a service without HEALTHCHECK_TCP_PORT is not waited for: a warning with file:line:column; services, caches and groups import without other warnings', () => {
    let dir = repository(join(PIPELINES, 'containers'), 'imp-containers');
    let r = tutti(['gitlab', 'import', '-o', '.tutti/imported'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}warning: \.gitlab-ci\.yml:\d+:1: test: service localhost\/debian:bookworm: no HEALTHCHECK_TCP_PORT, so the imported job does not wait for it/m,
    );
    for (const name of ['services', 'resource-group', 'cache']) {
      dir = repository(join(PIPELINES, name), `imp-${name}`);
      r = tutti(['gitlab', 'import', '-o', '.tutti/imported'], dir);
      assert.equal(r.status, 0, r.stderr);
      // services: only its second service (no HEALTHCHECK_TCP_PORT, it never listens) is not waited for.
      const others = r.stdout.split('\n').filter((l) => l.includes('warning:') && !/talk: service .*: no HEALTHCHECK_TCP_PORT/.test(l));
      assert.deepEqual(others, [], `${name}: ${r.stdout}`);
    }
  });
});

describe('tutti gitlab run: command line', () => {
  test('--list, --graph and --dry-run show the plan without running', () => {
    const dir = repository(join(PIPELINES, 'basic'), 'cli');
    const list = tutti(['gitlab', 'run', '--list'], dir);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^NAME +STAGE +WHEN +ALLOW FAILURE +NEEDS$/m);
    assert.match(list.stdout, /^lint +test +on_success +exit codes 3 +\(stage order\)$/m);
    assert.match(list.stdout, /^test +test +on_success +false +build$/m);
    const graph = tutti(['gitlab', 'run', '--graph'], dir);
    assert.match(graph.stdout, /^deploy\n {2}deploy {2}← after stages: build, test, lint$/m);
    const dry = tutti(['gitlab', 'run', '--dry-run', 'test', '--needs'], dir);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^Would run 2 jobs:/);
    assert.ok(!existsSync(join(dir, '.tutti/gitlab/artifacts')), 'nothing ran');
  });

  test('JOB selects jobs; --needs adds what they need; a selected job takes artifacts of an earlier run', () => {
    const dir = repository(join(PIPELINES, 'basic'), 'select');
    const only = tutti(['gitlab', 'run', 'test'], dir);
    assert.equal(only.status, 1, 'without build, out/greeting.txt is missing');
    assert.match(only.stdout, /no artifacts of build/);
    const withNeeds = tutti(['gitlab', 'run', 'test', '--needs'], dir);
    assert.equal(withNeeds.status, 0, withNeeds.stdout);
    assert.match(withNeeds.stdout, /✓ build passed/);
    assert.ok(!withNeeds.stdout.includes('[deploy]'));
    const reuse = tutti(['gitlab', 'run', 'deploy'], dir);
    assert.equal(reuse.status, 0, reuse.stdout);
    assert.match(reuse.stdout, /Downloaded 1 file from build/);
  });

  test('--logs writes a log per job with GitLab section markers; --report .xml writes JUnit', () => {
    const dir = repository(join(PIPELINES, 'failure'), 'logs');
    const r = tutti(['gitlab', 'run', '--logs', 'logs', '--report', 'out/junit.xml'], dir);
    assert.equal(r.status, 1);
    const log = readFileSync(join(dir, 'logs/compile.log'), 'utf8');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the marker holds an escape
    assert.match(log, /section_start:\d+:step_script\r\x1b\[0KExecuting "step_script" stage of the job script/);
    assert.match(log, /^compiling$/m);
    assert.match(log, /after_script sees failed/);
    const junit = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    assert.match(junit, /<testsuite name="\.gitlab-ci\.yml" tests="5" failures="1" skipped="1"/);
    assert.match(junit, /<testcase classname="build" name="compile" time="[\d.]+">\n {6}<failure message="script exited with code 4" \/>/);
  });

  test('usage problems and bad files: exit 2 with the place, no stack trace', () => {
    const dir = repository(join(PIPELINES, 'basic'), 'bad');
    writeFileSync(join(dir, 'broken.yml'), 'job:\n  script: [echo\n');
    let r = tutti(['gitlab', 'run', '--file', 'broken.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tutti gitlab: broken\.yml:3:1: YAML: /);
    assert.ok(!r.stderr.includes('    at '), r.stderr);
    writeFileSync(join(dir, 'bad-rule.yml'), 'job:\n  script: [x]\n  rules:\n    - if: $A = "x"\n');
    r = tutti(['gitlab', 'run', '-f', 'bad-rule.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad-rule\.yml:4:\d+: jobs:job:rules: invalid expression syntax in '\$A = "x"'/);
    r = tutti(['gitlab', 'run', 'nope'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no job named 'nope' \(jobs: build, test, lint, deploy\)/);
    r = tutti(['gitlab', 'run', '--variable', 'oops'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--variable expects NAME=VALUE/);
    r = tutti(['gitlab', 'run', '--bogus'], dir);
    assert.equal(r.status, 2);
    r = tutti(['gitlab', 'run', '--file', 'missing.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /pipeline file 'missing\.yml' does not exist/);
    r = tutti(['gitlab', '--help'], dir);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /tutti gitlab run \[--file PATH\]/);
  });

  test('masked variables stay out of log files and reports; values GitLab cannot mask are refused with the place', () => {
    const dir = repository(join(PIPELINES, 'masked'), 'masked');
    const args = ['--variables-file', 'ci-variables.yml', '--variable', 'CLI_SECRET=s3cr3t-from-cli', '--masked', 'CLI_SECRET'];
    let r = tutti(['gitlab', 'run', ...args, '--logs', 'logs', '--report', 'out/run.json'], dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const show = readFileSync(join(dir, 'logs/show.log'), 'utf8');
    assert.match(show, /^token is \[MASKED\]$/m);
    assert.match(show, /Deploying to https:\/\/deploy:\[MASKED\]@deploy\.example\.com/);
    assert.match(readFileSync(join(dir, 'logs/fail.log'), 'utf8'), /^failing with \[MASKED\]$/m);
    const report = readFileSync(join(dir, 'out/run.json'), 'utf8');
    assert.match(report, /Deploying to https:\/\/deploy:\[MASKED\]@/, 'the section header, masked, is in the report');
    for (const text of [show, report, r.stdout, r.stderr]) {
      assert.ok(!text.includes('glpat-Abc123xyz789'), text);
      assert.ok(!text.includes('s3cr3t-from-cli'), text);
    }
    // Artifacts are the job's files: the value is intact there, as on GitLab.
    assert.equal(readFileSync(join(dir, '.tutti/gitlab/artifacts/show/token.txt'), 'utf8'), 'glpat-Abc123xyz789\n');
    r = tutti(['gitlab', 'run', '--variable', 'SHORT=abc', '--masked', 'SHORT'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--masked SHORT: a masked value must be at least 8 characters long, as GitLab requires/);
    r = tutti(['gitlab', 'run', '--masked', 'NOPE'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--masked NOPE: no such variable/);
    writeFileSync(join(dir, 'bad.yml'), 'OK: fine\nTOKEN:\n  value: has space in it\n  masked: true\n');
    r = tutti(['gitlab', 'run', '--variables-file', 'bad.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tutti gitlab: bad\.yml:2:1: TOKEN: a masked value cannot contain spaces, as GitLab requires/);
    writeFileSync(join(dir, 'bad.yml'), 'TOKEN:\n  value: x\n  hidden: true\n');
    r = tutti(['gitlab', 'run', '--variables-file', 'bad.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tutti gitlab: bad\.yml:3:3: TOKEN: unknown key 'hidden'/);
    r = tutti(['gitlab', 'run', '--variables-file', 'none.yml'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /variables file none\.yml: not found/);
    assert.ok(!r.stderr.includes('    at '), r.stderr);
  });
});
