// tutti github import of jobs calling reusable workflows: the called jobs imported inside the
// caller's graph, and `tutti run` of the project gives the outcome of `tutti github run`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPath } from '@tutti/driver';
import { runCaptured } from '../test/support.js';
import { githubImport } from './import.js';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The fixture `test/<fixture>` in a new git repository (`prefix`: its temporary folder's), imported to `<dir>/mel`. */
async function imported(fixture: string, prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  await cp(fileURLToPath(new URL(`../test/${fixture}`, import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const out = join(dir, 'mel');
  return { dir, out, r: await githubImport(dir, undefined, out, 'acme/widgets') };
}

/** The imported project at `out` checks without errors. */
async function assertChecks(out: string): Promise<void> {
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
}

/** `tutti run` of the imported project, then `tutti github run` of the workflows, in `dir`. */
async function runBoth(dir: string, out: string) {
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { run, gh: await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') }) };
}

test('import: reusable workflows called by jobs (inputs, defaults, secrets, outputs, needs, if:) run as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable', 'tutti-gh-import-reusable-');
  // build.yml (on: workflow_call) is no area of its own: its jobs are in ci.mel, once per call
  assert.deepEqual(r.files, ['Compo.toml', 'ci.mel']);
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  for (const s of [
    'treatment job_release___compile[contexts: JavaScriptEngine]()',
    'Job `release`: calls the reusable workflow .github/workflows/build.yml',
  ])
    assert.ok(mel.includes(s), `missing ${s}`);
  await assertChecks(out);

  const { run, gh } = await runBoth(dir, out);
  const text = gh.text;
  assert.equal(gh.status, 1, text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  // the same outcome for each job, the calls and their called jobs (`<call> / <job>`)
  const melOutcomes = Object.fromEntries(
    [...run.stdout.matchAll(/(?:info|error): ([\w /-]+): job [\w /-]+ (succeeded|failed|skipped)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const ghOutcomes = Object.fromEntries(
    gh.report!.jobs.map((j) => [j.name, j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result]),
  );
  assert.deepEqual(ghOutcomes, {
    plan: 'succeeded',
    release: 'succeeded',
    'release / compile': 'succeeded',
    'release / package': 'succeeded',
    'release / publish': 'succeeded',
    quiet: 'succeeded',
    'quiet / compile': 'succeeded',
    'quiet / package': 'succeeded',
    announce: 'succeeded',
    broken: 'failed',
    'broken / compile': 'failed',
    'after-broken': 'succeeded',
    'on-pull-request': 'skipped',
  });
  // (the imported program logs the called jobs skipped by their if: too)
  assert.deepEqual(melOutcomes, { ...ghOutcomes, 'quiet / publish': 'skipped' });
  // the same lines: inputs given, their defaults, boolean inputs in if:, the secrets passed,
  // the called jobs' needs, the call's outputs in needs.<call>, its result for always() jobs
  const lines = (s: string) =>
    [...s.matchAll(/│ ((?:compiling|publishing|announce|broken was|[\w.]+ with(?:out)?) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(text));
  assert.deepEqual(lines(text), [
    '0.9 without a token',
    '1.2.3 with a token',
    'announce app-1.2.3.tar and app-0.9.tar (success)',
    "broken was failure, artifact ''",
    'broken without a token',
    'compiling 0.9 (lean)',
    'compiling 1.2.3 (plain)',
    'compiling broken (plain)',
    'publishing app-1.2.3.tar',
  ]);
});

test('import: a called job with a matrix (computed from the call inputs) runs its legs as tracks, as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable-matrix', 'tutti-gh-import-reusable-matrix-');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  // the called matrix job: one treatment run per leg, its githubMatrix naming its result as the called workflow does
  for (const s of [
    'treatment job_grid___legs[contexts: JavaScriptEngine](leg: string)',
    'githubMatrix[github_matrix = matrix_job_grid___legs',
  ])
    assert.ok(mel.includes(s), `missing ${s}`);
  assert.match(mel, /githubMatrix\[[^\]]*\]\(job = "legs", name = "grid \/ legs"/);
  await assertChecks(out);
  const { run, gh } = await runBoth(dir, out);
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:leg|summary|after) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'after x-a p-1 (success)',
    'leg p-1 of 2',
    'leg p-2 of 2',
    'leg x-a of 3',
    'leg x-b of 3',
    'leg x-c of 3',
    'summary success p-1',
    'summary success x-a',
  ]);
});

test('import: two calls of one reusable workflow, and two jobs with one step id, keep their step outputs and GITHUB_ENV apart, run after run, as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable-twice', 'tutti-gh-import-reusable-twice-');
  assert.deepEqual(r.warnings, []);
  // the step files in a temporary directory of the test's, to see that none is left
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const tuttiRun = () =>
    spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', TMPDIR: tmp },
    });
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  const lines = (s: string) => [...s.matchAll(/│ ((?:start|say|job|report) .*)$/gm)].map((m) => m[1]!.trimEnd()).sort();
  const expected = [
    'job a got a, env SEEN_a in twice',
    'job b got b, env',
    'report one two a',
    'say one got one, env SEEN_one in twice',
    'say two got two, env SEEN_two in twice',
    "start b with ''",
    "start one with ''",
    "start two with ''",
  ];
  assert.deepEqual(lines(gh.text), expected);
  // twice: the second run reads nothing the first one wrote
  for (const attempt of [1, 2]) {
    const run = tuttiRun();
    assert.equal(run.status, 0, `run ${attempt}: ${run.stdout}${run.stderr}`);
    assert.deepEqual(lines(run.stdout), expected, `run ${attempt}`);
    assert.deepEqual(
      (await readdir(tmp)).filter((f) => f.startsWith('tutti-github-')),
      [],
      'the run removes its step files',
    );
  }
});

test('import: a matrix of calls runs the called jobs once per leg (with: from the matrix, max-parallel, fail-fast, merged outputs, a call and a matrix job in each leg), as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable-matrix-calls', 'tutti-gh-import-matrix-calls-');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  for (const s of ['treatment legs_call[', 'leg: githubLeg[github_matrix = matrix]()', 'githubMatrix[github_matrix = matrix_job_call'])
    assert.ok(mel.includes(s), `missing ${s}`);
  await assertChecks(out);
  const { run, gh } = await runBoth(dir, out);
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:part|merged|exiting|ff result|deep said|grid|leaf) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    // in each leg of deep: a call of leaf.yml, and a matrix job
    'deep said leaf-di-x',
    'exiting with 3',
    'ff result failure',
    'grid cy 1',
    'grid cy 2',
    'grid di 1',
    'grid di 2',
    'leaf cy-x',
    'leaf di-x',
    // max-parallel 1: the legs end in order, the last one setting the output wins
    'merged said hi-bob result success',
    'part ann x1 heard hi-ann in grid',
    'part ann x3 heard hi-ann in grid',
    'part bob x3 heard hi-bob in grid',
  ]);
  // the called jobs named after their call's leg, as tutti github run names them
  for (const name of ['call (ann, 1) / first', 'call (bob, 3) / second', 'ff (3) / leave', 'deep (di) / inner / say', 'deep (cy) / inner'])
    assert.match(run.stdout, new RegExp(`job ${name.replace(/[()]/g, '\\$&')} (succeeded|failed)`), name);
});

test('import: a matrix of calls inside each leg of another matrix of calls (legs in legs, outputs merged level by level, a failing inner leg), as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable-matrix-in-legs', 'tutti-gh-import-matrix-in-legs-');
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  // the inner legs' treatment started by the outer legs' one
  assert.match(mel, /treatment legs_outer\[[^\n]*\{?[\s\S]*\n {4}legs_outer___inner: legs_outer___inner\[/);
  await assertChecks(out);
  const { run, gh } = await runBoth(dir, out);
  assert.equal(gh.status, 1, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:leaf|mid|merged|verdict) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'leaf alpha-1',
    'leaf alpha-2',
    'leaf beta-1',
    'leaf beta-2',
    // (beta's inner leg 2 failed: beta's report and the job after the call do not run)
    'mid alpha heard leaf-alpha-2 result success',
    'verdict failure said leaf-beta-1',
  ]);
  // the called jobs named after both legs, as tutti github run names them
  for (const [name, how] of [
    ['outer (alpha) / inner (2) / say', 'succeeded'],
    ['outer (alpha) / inner', 'succeeded'],
    ['outer (beta) / inner (2) / say', 'failed'],
    ['outer (beta) / inner', 'failed'],
    ['outer', 'failed'],
  ])
    assert.match(run.stdout, new RegExp(`job ${name!.replace(/[()]/g, '\\$&')} ${how}$`, 'm'), name);
});

test('import: reusable workflows calling reusable workflows (four levels: inputs, secrets given and inherited, outputs through each), as under tutti github run', async () => {
  const { dir, out, r } = await imported('import-reusable-nested', 'tutti-gh-import-nested-');
  assert.deepEqual(r.files, ['Compo.toml', 'ci.mel']);
  assert.deepEqual(r.warnings, []);
  const mel = await readFile(join(out, 'ci.mel'), 'utf8');
  assert.ok(mel.includes('treatment job_top___mid___deepest___say[contexts: JavaScriptEngine]()'), 'the innermost job, four levels down');
  await assertChecks(out);
  const { run, gh } = await runBoth(dir, out);
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, gh.status, run.stdout + run.stderr);
  const lines = (s: string) => [...s.matchAll(/│ ((?:innermost|inner|relay|report) .*)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(lines(run.stdout), lines(gh.text));
  assert.deepEqual(lines(gh.text), [
    'inner token inherited',
    'innermost ada-mid-in in nest',
    'relay heard hello-ada-mid-in (success) in nest',
    'report hello-ada-mid-in (success)',
  ]);
  const outcomes = (s: string) =>
    [...s.matchAll(/(?:info|error): ([\w /-]+): job [\w /-]+ (succeeded|failed|skipped)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  assert.deepEqual(outcomes(run.stdout), gh.report!.jobs.map((j) => `${j.name} ${j.result === 'success' ? 'succeeded' : j.result}`).sort());
});

test("import: another repository's reusable workflow comes from the action cache (a ./ call inside it from that repository); neither cached nor reachable, import stops as tutti github run does", async () => {
  const root = await mkdtemp(join(tmpdir(), 'tutti-gh-import-remote-'));
  dirs.push(root);
  // the action cache, laid out owner/repo@ref: a checkout of acme/shared at v1
  const ac = join(root, 'ac');
  const shared = join(ac, 'acme/shared@v1');
  await mkdir(join(shared, '.github/workflows'), { recursive: true });
  await writeFile(
    join(shared, '.github/workflows/shared.yml'),
    [
      'on:',
      '  workflow_call:',
      '    inputs:',
      '      who: { type: string, required: true }',
      '    outputs:',
      '      said: { value: "${{ jobs.greet.outputs.g }}" }',
      'jobs:',
      '  greet:',
      '    runs-on: ubuntu-latest',
      '    outputs:',
      '      g: ${{ steps.s.outputs.g }}',
      '    steps:',
      '      - id: s',
      '        run: |',
      '          echo "shared greets ${{ inputs.who }}"',
      '          echo "g=hi-${{ inputs.who }}" >> "$GITHUB_OUTPUT"',
      '  deeper:',
      '    needs: greet',
      // `./` in a workflow of another repository names a file of that repository
      '    uses: ./.github/workflows/inner.yml',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(shared, '.github/workflows/inner.yml'),
    'on: workflow_call\njobs:\n  in:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "inner of shared"\n',
  );
  const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, stdio: 'ignore' });
  git(shared, 'init', '-q', '-b', 'main');
  git(shared, 'add', '-A');
  git(shared, '-c', 'user.email=ada@example.com', '-c', 'user.name=Ada', 'commit', '-qm', 'shared');
  const dir = join(root, 'repo');
  await mkdir(join(dir, 'wf'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  await writeFile(
    join(dir, 'wf/remote.yml'),
    [
      'name: remote',
      'on: push',
      'jobs:',
      '  call:',
      '    uses: acme/shared/.github/workflows/shared.yml@v1',
      '    with: { who: caller }',
      '  after:',
      '    needs: call',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "shared said ${{ needs.call.outputs.said }}"',
      '',
    ].join('\n'),
  );
  const env = { ...process.env };
  try {
    // nothing reachable: the cache alone serves it
    process.env.TUTTI_GITHUB_SERVER = 'http://127.0.0.1:9';
    const out = join(dir, 'mel');
    const r = await githubImport(dir, 'wf/remote.yml', out, 'acme/widgets', { actionCache: ac });
    assert.deepEqual(r.warnings, []);
    const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    const gh = await runCaptured({ cwd: dir, workflows: 'wf/remote.yml', actionCache: ac, cacheDir: join(root, 'cache') });
    assert.equal(gh.status, 0, gh.text);
    assert.equal(run.status, gh.status, run.stdout + run.stderr);
    const lines = (s: string) => [...s.matchAll(/│ ((?:shared|inner) .*)$/gm)].map((m) => m[1]!).sort();
    assert.deepEqual(lines(run.stdout), lines(gh.text));
    assert.deepEqual(lines(gh.text), ['inner of shared', 'shared greets caller', 'shared said hi-caller']);
    assert.match(run.stdout, /job call \/ deeper \/ in succeeded/);
    // neither cached nor reachable: the message of tutti github run, exit status 2, nothing written
    await writeFile(join(dir, 'wf/missing.yml'), 'on: push\njobs:\n  b:\n    uses: acme/gone/.github/workflows/x.yml@v2\n');
    const expected = [
      'cannot run: 1 action(s) or reusable workflow(s) unavailable',
      'reusable workflow acme/gone/.github/workflows/x.yml@v2: not in the action cache',
      `Cache it with: git clone --depth 1 --branch v2 http://127.0.0.1:9/acme/gone ${join(ac, 'acme/gone@v2')}`,
    ];
    const ghRun = spawnSync(process.execPath, [TUTTI, 'github', 'run', '-W', 'wf/missing.yml', '--action-cache', ac], {
      cwd: dir,
      encoding: 'utf8',
    });
    const imported = spawnSync(
      process.execPath,
      [TUTTI, 'github', 'import', '-W', 'wf/missing.yml', '--action-cache', ac, '-o', join(dir, 'missing-mel')],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(ghRun.status, 2, ghRun.stderr);
    assert.equal(imported.status, 2, imported.stdout + imported.stderr);
    for (const line of expected) {
      assert.ok(ghRun.stderr.includes(line), `tutti github run: ${line}\n${ghRun.stderr}`);
      assert.ok(imported.stderr.includes(line), `tutti github import: ${line}\n${imported.stderr}`);
    }
    assert.ok(!existsSync(join(dir, 'missing-mel')), 'nothing written');
  } finally {
    process.env.TUTTI_GITHUB_SERVER = env.TUTTI_GITHUB_SERVER;
    if (env.TUTTI_GITHUB_SERVER === undefined) delete process.env.TUTTI_GITHUB_SERVER;
  }
});

test('import: a cycle of reusable workflows, and a call deeper than ten levels of workflows, are left out with a warning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-levels-'));
  dirs.push(dir);
  const wf = join(dir, '.github/workflows');
  await mkdir(wf, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const call = (to: string) => `on: workflow_call\njobs:\n  next:\n    uses: ./.github/workflows/${to}.yml\n`;
  // ci → l2 → … → l11: the eleventh level is one too many; loop calls itself
  await writeFile(
    join(wf, 'ci.yml'),
    'on: push\njobs:\n  deep:\n    uses: ./.github/workflows/l2.yml\n  round:\n    uses: ./.github/workflows/loop.yml\n',
  );
  for (let i = 2; i <= 10; i++) await writeFile(join(wf, `l${i}.yml`), call(`l${i + 1}`));
  await writeFile(
    join(wf, 'l11.yml'),
    'on: workflow_call\njobs:\n  leaf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo leaf\n',
  );
  await writeFile(join(wf, 'loop.yml'), call('loop'));
  const r = await githubImport(dir, undefined, join(dir, 'mel'), 'acme/widgets');
  const chain = ['deep', ...Array.from({ length: 8 }, () => 'next')].join(' / ');
  assert.deepEqual(
    r.warnings.filter((w) => !w.includes("'uses' is not imported")),
    [
      `.github/workflows/l10.yml:3:3: job '${chain} / next': a call deeper than 10 levels of workflows (GitHub's limit) is not imported`,
      ".github/workflows/loop.yml:3:3: job 'round / next': .github/workflows/loop.yml calls itself (a cycle of reusable workflows): the call is left out",
    ],
  );
  const mel = await readFile(join(dir, 'mel/ci.mel'), 'utf8');
  // nine levels of calls imported: the job of l10 that would call l11 is the last
  assert.ok(mel.includes(`treatment job_${chain.replaceAll(' / ', '___')}___next[contexts: JavaScriptEngine]()`));
  assert.ok(!mel.includes('job_deep___next___next___next___next___next___next___next___next___next___leaf'));
});
