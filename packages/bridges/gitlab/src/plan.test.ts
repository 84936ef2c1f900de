import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from './config.js';
import { pipelineVariables, type RepoInfo, readRepo } from './context.js';
import { parseDuration, plan } from './plan.js';
import { GitlabConfigError } from './yaml.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project folder (no git: a plain folder is a `main` branch push) with these files. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tutti-gl-plan-'));
  dirs.push(root);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

async function planOf(files: Record<string, string>, vars: Record<string, string> = {}, repoOver: Partial<RepoInfo> = {}) {
  const root = project(files);
  const repo = { ...(await readRepo(root)), ...repoOver };
  const config = loadConfig({ root, file: '.gitlab-ci.yml', projectPath: repo.projectPath });
  return { config, plan: plan(config, { repo, predefined: pipelineVariables(repo, '.gitlab-ci.yml'), pipelineVariables: vars }) };
}

async function configError(files: Record<string, string>): Promise<GitlabConfigError> {
  try {
    await planOf(files);
  } catch (e) {
    if (e instanceof GitlabConfigError) return e;
    throw e;
  }
  assert.fail('expected a configuration error');
}

test('extends: multi-level and lists deep-merge hashes, replace lists; hidden jobs vanish', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': `
.base:
  variables: { A: base, B: base }
  script: [echo base]
  tags: [x]
.mid:
  extends: .base
  variables: { B: mid }
.other:
  before_script: [echo other]
  variables: { C: other }
job:
  extends: [.mid, .other]
  variables: { A: job }
`,
  });
  assert.equal(p.jobs.length, 1);
  const j = p.jobs[0]!;
  assert.equal(j.name, 'job');
  assert.deepEqual(Object.fromEntries(Object.entries(j.variables).map(([k, v]) => [k, v.value])), { A: 'job', B: 'mid', C: 'other' });
  assert.deepEqual(j.script, ['echo base']);
  assert.deepEqual(j.beforeScript, ['echo other']);
});

test('!reference, anchors and merge keys; nested script lists are flattened', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': `
.setup:
  script: [echo one, echo two]
  vars: &vars
    X: "1"
job:
  variables:
    <<: *vars
    Y: "2"
  script:
    - !reference [.setup, script]
    - echo three
`,
  });
  assert.deepEqual(p.jobs[0]?.script, ['echo one', 'echo two', 'echo three']);
  assert.equal(p.jobs[0]?.variables.X?.value, '1');
});

test('default: and inherit:', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': `
variables: { G1: a, G2: b }
default:
  before_script: [echo default]
  retry: 2
a:
  script: [true]
b:
  inherit: { default: false, variables: [G2] }
  script: [true]
c:
  inherit: { default: [retry] }
  script: [true]
`,
  });
  const [a, b, c] = p.jobs;
  assert.deepEqual(a?.beforeScript, ['echo default']);
  assert.equal(a?.retry.max, 2);
  assert.deepEqual(b?.beforeScript, []);
  assert.equal(b?.retry.max, 0);
  assert.deepEqual(Object.keys(b?.variables ?? {}), ['G2']);
  assert.deepEqual(c?.beforeScript, []);
  assert.equal(c?.retry.max, 2);
});

test('include: local files, wildcards and nesting; the including file wins', async () => {
  const { plan: p, config } = await planOf({
    '.gitlab-ci.yml': `
include:
  - local: ci/base.yml
  - ci/extra/*.yml
job:
  variables: { V: main }
`,
    'ci/base.yml': `
include: /ci/deep.yml
job:
  script: [echo from-base]
  variables: { V: base, W: base }
`,
    'ci/deep.yml': 'deep:\n  script: [echo deep]\n',
    'ci/extra/one.yml': 'one:\n  script: [echo one]\n',
  });
  assert.deepEqual(
    p.jobs.map((j) => j.name),
    ['deep', 'job', 'one'].sort((x, y) => ['deep', 'job', 'one'].indexOf(x) - ['deep', 'job', 'one'].indexOf(y)),
  );
  const job = p.jobs.find((j) => j.name === 'job');
  assert.deepEqual(job?.script, ['echo from-base']);
  assert.equal(job?.variables.V?.value, 'main');
  assert.equal(job?.variables.W?.value, 'base');
  assert.ok(config.files.includes('ci/deep.yml'));
});

test('errors name file and line', async () => {
  let e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x]\nb:\n  extends: .nope\n  script: [y]\n' });
  assert.match(e.render(), /^\.gitlab-ci\.yml:4:\d+: jobs:b: unknown key in extends: '\.nope'/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x\n' });
  assert.match(e.render(), /^\.gitlab-ci\.yml:\d+:\d+: YAML: /);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  stage: build\n' });
  assert.match(e.render(), /^\.gitlab-ci\.yml:1:1: jobs:a config should implement the script:, run:, or trigger: keyword/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x]\n  stage: nope\n' });
  assert.match(e.render(), /:3:\d+: a job: chosen stage nope does not exist/);
  e = await configError({ '.gitlab-ci.yml': 'include:\n  - remote: ftp://example.com/x.yml\na:\n  script: [x]\n' });
  assert.match(e.render(), /:2:\d+: include: remote 'ftp:\/\/example\.com\/x\.yml' must be an HTTP or HTTPS URL/);
  e = await configError({ '.gitlab-ci.yml': 'include:\n  - template: Auto-DevOps.gitlab-ci.yml\na:\n  script: [x]\n' });
  assert.match(e.message, /GitLab's templates/);
  e = await configError({ '.gitlab-ci.yml': 'include: ci/missing.yml\na:\n  script: [x]\n' });
  assert.match(e.render(), /:1:\d+: file 'ci\/missing\.yml' does not exist/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x]\n  rules:\n    - if: $A == \n' });
  assert.match(e.render(), /:4:\d+: jobs:a:rules: invalid expression syntax/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x]\n  scirpt: [y]\n' });
  assert.match(e.render(), /:3:3: jobs:a config contains unknown keys: scirpt/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  script: [x]\n  needs: [b]\n' });
  assert.match(e.render(), /undefined need: b/);
  e = await configError({ '.gitlab-ci.yml': 'a:\n  extends: b\n  script: [x]\nb:\n  extends: a\n  script: [y]\n' });
  assert.match(e.message, /circular extends/);
});

test('stages: default stages, .pre/.post; custom stages order jobs', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml':
      'z:\n  stage: .post\n  script: [x]\na:\n  script: [x]\nb:\n  stage: build\n  script: [x]\np:\n  stage: .pre\n  script: [x]\n',
  });
  assert.deepEqual(p.stages, ['.pre', 'build', 'test', 'deploy', '.post']);
  assert.deepEqual(
    p.jobs.map((j) => j.name),
    ['p', 'b', 'a', 'z'],
  );
  assert.deepEqual(p.jobs.find((j) => j.name === 'a')?.dependencies, ['p', 'b']);
});

test('rules: first match decides when, allow_failure, variables; no match drops the job', async () => {
  const { plan: p } = await planOf(
    {
      '.gitlab-ci.yml': `
variables: { DEPLOY: "yes" }
a:
  script: [x]
  rules:
    - if: $CI_COMMIT_BRANCH == "release"
    - if: $CI_COMMIT_BRANCH == "main" && $DEPLOY
      when: manual
      allow_failure: true
      variables: { TARGET: prod }
b:
  script: [x]
  rules:
    - if: $NOPE
c:
  script: [x]
  rules:
    - exists: [Dockerfile]
      when: never
    - when: on_failure
d:
  script: [x]
  when: manual
e:
  script: [x]
  rules:
    - if: $EXTRA == "1"
`,
      Dockerfile: 'FROM x',
    },
    { EXTRA: '1' },
  );
  const names = p.jobs.map((j) => j.name);
  assert.deepEqual(names, ['a', 'd', 'e']);
  const a = p.jobs[0]!;
  assert.equal(a.when, 'manual');
  assert.equal(a.allowFailure, true);
  assert.equal(a.variables.TARGET?.value, 'prod');
  const d = p.jobs[1]!;
  assert.equal(d.allowFailure, true, 'manual jobs outside rules may fail');
});

test('only/except: refs, regex refs, variables; default only branches and tags', async () => {
  const { plan: p } = await planOf(
    {
      '.gitlab-ci.yml': `
a: { script: [x], only: [main] }
b: { script: [x], only: [tags] }
c: { script: [x], only: ["/^feat-/"] }
d: { script: [x], except: [feat-login] }
e: { script: [x], only: { refs: [branches], variables: ['$V == "1"'] } }
f: { script: [x] }
`,
    },
    { V: '1' },
    { branch: 'feat-login', refName: 'feat-login' },
  );
  assert.deepEqual(
    p.jobs.map((j) => j.name),
    ['c', 'e', 'f'],
  );
});

test('parallel legs and matrices are named as GitLab names them; needs take every leg', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': `
stages: [build, test]
shard:
  stage: build
  parallel: 3
  script: [x]
build:
  stage: build
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
        STACK: [dev]
      - PROVIDER: ovh
  script: [x]
t:
  stage: test
  needs:
    - shard
    - job: build
      parallel:
        matrix:
          - PROVIDER: gcp
            STACK: dev
  script: [x]
`,
  });
  assert.deepEqual(
    p.jobs.map((j) => j.name),
    ['shard 1/3', 'shard 2/3', 'shard 3/3', 'build: [aws, dev]', 'build: [gcp, dev]', 'build: [ovh]', 't'],
  );
  assert.equal(p.jobs[1]?.nodeIndex, 2);
  assert.equal(p.jobs[4]?.variables.PROVIDER?.value, 'gcp');
  assert.deepEqual(
    p.jobs.find((j) => j.name === 't')?.needs?.map((n) => n.job),
    ['shard 1/3', 'shard 2/3', 'shard 3/3', 'build: [gcp, dev]'],
  );
});

test('needs: optional needs of absent jobs are dropped; artifacts: false keeps the order but not the files', async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': `
a: { stage: build, script: [x] }
b: { stage: build, script: [x], rules: [{ if: $NOPE }] }
c:
  script: [x]
  needs: [{ job: a, artifacts: false }, { job: b, optional: true }]
`,
  });
  const c = p.jobs.find((j) => j.name === 'c');
  assert.deepEqual(c?.needs, [{ job: 'a', artifacts: false, optional: false }]);
  assert.deepEqual(c?.dependencies, []);
});

test('workflow:rules can filter the pipeline out', async () => {
  const { plan: p } = await planOf({ '.gitlab-ci.yml': 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\na:\n  script: [x]\n' });
  assert.equal(p.filteredOut, true);
});

test('durations', async () => {
  assert.equal(parseDuration('1h 30m'), 5400);
  assert.equal(parseDuration('90 minutes'), 5400);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('2 days'), 172800);
  assert.equal(parseDuration('soon'), undefined);
});

test("a spec: header's inputs take their defaults in the main file; one without a default is required; an empty file has no jobs", async () => {
  const { plan: p } = await planOf({
    '.gitlab-ci.yml': 'spec:\n  inputs:\n    stage: {default: test}\n---\na:\n  stage: $[[ inputs.stage ]]\n  script: [x]\n',
  });
  assert.deepEqual(
    p.jobs.map((j) => `${j.name}:${j.stage}`),
    ['a:test'],
  );
  let e = await configError({
    '.gitlab-ci.yml': 'spec:\n  inputs:\n    stage: {}\n---\na:\n  stage: $[[ inputs.stage ]]\n  script: [x]\n',
  });
  assert.match(e.render(), /:3:\d+: `stage` input: required value has not been provided/);
  e = await configError({ '.gitlab-ci.yml': '' });
  assert.match(e.message, /at least one visible job/);
});
