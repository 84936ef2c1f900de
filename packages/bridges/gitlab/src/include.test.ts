/**
 * `include:` beyond local files: `rules` (if, exists, changes, when), `remote` against a
 * loopback HTTP server started here (served, 404, no answer in time, integrity), `template`
 * from a templates folder, other projects' files and components from a folder of checked-out
 * projects (git repositories for refs and versions), and CI/CD `spec:inputs`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadOptions, loadConfig } from './config.js';
import { GitlabConfigError } from './yaml.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tutti-gl-include-'));
  dirs.push(root);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** The names of the jobs the configuration ends with. */
function jobsOf(files: Record<string, string>, options: Partial<LoadOptions> = {}): string[] {
  const root = folder(files);
  return loadConfig({ root, file: '.gitlab-ci.yml', projectPath: 'me/app', ...options })
    .jobs.map((j) => j.name)
    .sort();
}

function errorOf(files: Record<string, string>, options: Partial<LoadOptions> = {}): GitlabConfigError {
  try {
    jobsOf(files, options);
  } catch (e) {
    if (e instanceof GitlabConfigError) return e;
    throw e;
  }
  assert.fail('expected a configuration error');
}

const extra = 'extra:\n  script: [echo extra]\n';

describe('include: rules', () => {
  test('if with the variables includes see: the first matching rule decides, when: never leaves the file out', () => {
    const yml = (rules: string) => `include:\n  - local: extra.yml\n    rules:\n${rules}\nmain:\n  script: [x]\n`;
    const vars = { CI_COMMIT_BRANCH: 'main', DEPLOY: 'yes' };
    assert.deepEqual(
      jobsOf({ '.gitlab-ci.yml': yml('      - if: $CI_COMMIT_BRANCH == "main"'), 'extra.yml': extra }, { variables: vars }),
      ['extra', 'main'],
    );
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('      - if: $CI_COMMIT_BRANCH == "dev"'), 'extra.yml': extra }, { variables: vars }), [
      'main',
    ]);
    const never = '      - if: $DEPLOY\n        when: never\n      - when: always';
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml(never), 'extra.yml': extra }, { variables: vars }), ['main']);
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml(never), 'extra.yml': extra }, { variables: {} }), ['extra', 'main']);
    // The file's own variables are not seen (GitLab reads includes before them).
    const own = `variables:\n  DEPLOY: "yes"\n${yml('      - if: $DEPLOY')}`;
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': own, 'extra.yml': extra }), ['main']);
  });

  test('exists and changes', () => {
    const yml = (rule: string) => `include:\n  - local: extra.yml\n    rules:\n      - ${rule}\nmain:\n  script: [x]\n`;
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('exists: [Dockerfile]'), 'extra.yml': extra, Dockerfile: 'FROM x\n' }), [
      'extra',
      'main',
    ]);
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('exists: [Dockerfile]'), 'extra.yml': extra }), ['main']);
    // changes: against the previous commit of a git repository.
    const root = folder({ '.gitlab-ci.yml': yml('changes: [docs/**/*.md]'), 'extra.yml': extra, 'src/a.c': 'int a;\n' });
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'one');
    writeFileSync(join(root, 'src/a.c'), 'int b;\n');
    git(root, 'commit', '-qam', 'two');
    const names = () =>
      loadConfig({ root, file: '.gitlab-ci.yml' })
        .jobs.map((j) => j.name)
        .sort();
    assert.deepEqual(names(), ['main']);
    mkdirSync(join(root, 'docs/guide'), { recursive: true });
    writeFileSync(join(root, 'docs/guide/intro.md'), '# hi\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'three');
    assert.deepEqual(names(), ['extra', 'main']);
  });

  test('only if, exists, changes and when are allowed there, with the place', () => {
    const e = errorOf({
      '.gitlab-ci.yml': 'include:\n  - local: extra.yml\n    rules:\n      - if: $X\n        allow_failure: true\nmain:\n  script: [x]\n',
      'extra.yml': extra,
    });
    assert.match(
      e.render(),
      /^\.gitlab-ci\.yml:5:9: include: rules: 'allow_failure' is not allowed here \(if, exists, changes and when are\)/,
    );
    const w = errorOf({
      '.gitlab-ci.yml': 'include:\n  - local: extra.yml\n    rules:\n      - when: manual\nmain:\n  script: [x]\n',
      'extra.yml': extra,
    });
    assert.match(w.render(), /:4:\d+: include: rules: when must be never or always, not 'manual'/);
  });
});

describe('include: remote', () => {
  // The server runs in a process of its own: loadConfig is synchronous (it waits for the fetch).
  let server: ChildProcess;
  let base = '';
  const body = 'remote-job:\n  script: [echo from the server]\n';
  before(async () => {
    const script = `const body = ${JSON.stringify(body)};
require('node:http').createServer((req, res) => {
  if (req.url === '/ci/jobs.yml') { res.writeHead(200, { 'content-type': 'text/yaml' }); res.end(body); }
  else if (req.url === '/ci/slow.yml') setTimeout(() => res.end(body), 3000);
  else { res.writeHead(404, 'Not Found'); res.end(); }
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
setTimeout(() => process.exit(0), 120000).unref();`;
    server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((ok) => server.stdout?.once('data', (b: Buffer) => ok(b.toString().trim())));
    base = `http://127.0.0.1:${port}`;
  });
  after(() => {
    server.kill();
  });

  test('a URL is fetched and merged; integrity is checked', () => {
    const yml = (extraKeys = '') => `include:\n  - remote: ${base}/ci/jobs.yml${extraKeys}\nmain:\n  script: [x]\n`;
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml() }), ['main', 'remote-job']);
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': `include: ${base}/ci/jobs.yml\nmain:\n  script: [x]\n` }), ['main', 'remote-job']);
    const good = createHash('sha256').update(body).digest('base64');
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml(`\n    integrity: sha256-${good}`) }), ['main', 'remote-job']);
    const e = errorOf({ '.gitlab-ci.yml': yml(`\n    integrity: sha256-${Buffer.alloc(32).toString('base64')}`) });
    assert.match(e.render(), /:2:\d+: include: remote '.*' ?: its content does not match integrity/);
  });

  test('a missing file, a closed port and no answer in time fail clearly with the include named', async () => {
    let e = errorOf({ '.gitlab-ci.yml': `include:\n  - remote: ${base}/ci/missing.yml\nmain:\n  script: [x]\n` });
    assert.match(
      e.render(),
      /^\.gitlab-ci\.yml:2:\d+: include: remote 'http:\/\/127\.0\.0\.1:\d+\/ci\/missing\.yml' could not be fetched: HTTP 404 Not Found$/,
    );
    const closed = await new Promise<number>((ok) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => ok(port));
      });
    });
    e = errorOf({ '.gitlab-ci.yml': `include:\n  - remote: http://127.0.0.1:${closed}/ci/x.yml\nmain:\n  script: [x]\n` });
    assert.match(e.message, /could not be fetched: ECONNREFUSED/);
    const t0 = performance.now();
    e = errorOf({ '.gitlab-ci.yml': `include:\n  - remote: ${base}/ci/slow.yml\nmain:\n  script: [x]\n` }, { remoteTimeoutMs: 500 });
    assert.match(e.message, /could not be fetched: no answer within 0\.5 s/);
    assert.ok(performance.now() - t0 < 2900, 'the timeout, not the server, ended the wait');
  });
});

describe('include: template, project and component', () => {
  test('a template is read from the templates folder, or the error names it and the option', () => {
    const templates = folder({ 'Jobs/Lint.gitlab-ci.yml': 'lint:\n  script: [echo lint]\n' });
    const yml = 'include:\n  - template: Jobs/Lint.gitlab-ci.yml\nmain:\n  script: [x]\n';
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml }, { templates }), ['lint', 'main']);
    let e = errorOf({ '.gitlab-ci.yml': yml });
    assert.match(
      e.render(),
      /:2:\d+: include: template 'Jobs\/Lint\.gitlab-ci\.yml' is one of GitLab's templates: give the folder holding them with --templates DIR/,
    );
    e = errorOf({ '.gitlab-ci.yml': yml.replace('Lint', 'Nope') }, { templates });
    assert.match(e.message, /template 'Jobs\/Nope\.gitlab-ci\.yml' is not in the templates folder/);
  });

  test("another project's files, at a ref of its checkout, with their own local includes", () => {
    const projects = folder({
      'platform/ci/ci/base.yml': 'include: ci/more.yml\nbase:\n  script: [echo v2]\n',
      'platform/ci/ci/more.yml': 'more:\n  script: [echo more]\n',
    });
    const repo = join(projects, 'platform/ci');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'v1');
    git(repo, 'tag', 'v1');
    writeFileSync(join(repo, 'ci/base.yml'), 'base:\n  script: [echo v2]\n');
    const yml = (ref: string) => `include:\n  - project: platform/ci\n    file: ci/base.yml${ref}\nmain:\n  script: [x]\n`;
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('\n    ref: v1') }, { projects }), ['base', 'main', 'more']);
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('') }, { projects }), ['base', 'main']);
    let e = errorOf({ '.gitlab-ci.yml': yml('') });
    assert.match(
      e.message,
      /include: project 'platform\/ci' is another project: give a folder of checked-out projects with --projects DIR/,
    );
    e = errorOf({ '.gitlab-ci.yml': yml('\n    ref: v9') }, { projects });
    assert.match(e.message, /file 'ci\/base\.yml' not found at ref 'v9' of project 'platform\/ci'/);
  });

  test('a component with typed inputs: defaults, interpolation in keys and values, and GitLab checks', () => {
    const projects = folder({
      'tools/components/templates/build/template.yml': `spec:
  inputs:
    stage:
      default: test
    job-prefix:
      default: build
    tags:
      type: array
      default: []
    parallel:
      type: number
      default: 1
    mode:
      options: [fast, safe]
      default: safe
---
$[[ inputs.job-prefix ]]-$[[ inputs.mode ]]:
  stage: $[[ inputs.stage ]]
  parallel: $[[ inputs.parallel ]]
  tags: $[[ inputs.tags ]]
  script:
    - echo "mode $[[ inputs.mode ]] sha $[[ inputs.job-prefix | truncate(0,3) ]]"
`,
    });
    const repo = join(projects, 'tools/components');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'one');
    git(repo, 'tag', '1.0.0');
    const yml = (inputs: string, version = '1.0.0') =>
      `stages: [test, check]\ninclude:\n  - component: gitlab.example.com/tools/components/build@${version}\n    inputs:\n${inputs}\nmain:\n  script: [x]\n`;
    const root = folder({ '.gitlab-ci.yml': yml('      stage: check\n      parallel: 2\n      tags: [docker]\n      mode: fast') });
    const config = loadConfig({ root, file: '.gitlab-ci.yml', projects });
    const job = config.jobs.find((j) => j.name === 'build-fast');
    assert.ok(job !== undefined, config.jobs.map((j) => j.name).join());
    assert.equal(job.body.stage, 'check');
    assert.equal(job.body.parallel, 2);
    assert.deepEqual(job.body.tags, ['docker']);
    assert.deepEqual(job.body.script, ['echo "mode fast sha bui"']);
    assert.deepEqual(jobsOf({ '.gitlab-ci.yml': yml('      job-prefix: b', '~latest') }, { projects }), ['b-safe', 'main']);
    let e = errorOf({ '.gitlab-ci.yml': yml('      mode: reckless') }, { projects });
    assert.match(e.message, /`mode` input: `reckless` cannot be used because it is not in the list of allowed options/);
    e = errorOf({ '.gitlab-ci.yml': yml('      parallel: two') }, { projects });
    assert.match(e.message, /`parallel` input: provided value is not a number/);
    e = errorOf({ '.gitlab-ci.yml': yml('      colour: red') }, { projects });
    assert.match(e.message, /unknown input arguments: colour/);
    e = errorOf({ '.gitlab-ci.yml': yml('      mode: fast', '2.0.0') }, { projects });
    assert.match(e.message, /project 'tools\/components' has no templates\/build\.yml or templates\/build\/template\.yml at '2\.0\.0'/);
    e = errorOf({ '.gitlab-ci.yml': yml('      mode: fast') });
    assert.match(
      e.message,
      /component '.*' comes from project 'tools\/components': give a folder of checked-out projects with --projects DIR/,
    );
  });

  test('inputs given to a local include; a file without a spec: header takes none', () => {
    const shared = 'spec:\n  inputs:\n    name: {}\n---\n$[[ inputs.name ]]:\n  script: [echo hi]\n';
    assert.deepEqual(
      jobsOf({
        '.gitlab-ci.yml': 'include:\n  - local: shared.yml\n    inputs: {name: one}\n  - local: shared.yml\n    inputs: {name: two}\n',
        'shared.yml': shared,
      }),
      ['one', 'two'],
    );
    const e = errorOf({
      '.gitlab-ci.yml': 'include:\n  - local: extra.yml\n    inputs: {a: 1}\nmain:\n  script: [x]\n',
      'extra.yml': extra,
    });
    assert.match(e.message, /inputs given to 'extra\.yml', which declares none/);
  });
});
