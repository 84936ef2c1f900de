import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCaptured } from '../test/support.js';
import { githubMain } from './cli.js';
import { type GithubRunOptions, githubRun, type RunReport } from './run.js';

const REPO = fileURLToPath(new URL('../test/repo', import.meta.url));
const BAD = fileURLToPath(new URL('../test/bad', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A fresh git repository holding the test workflows, with `origin` on GitHub and one commit on main. */
async function repo(): Promise<{ dir: string; cache: string }> {
  const root = await mkdtemp(join(tmpdir(), 'tutti-gh-test-'));
  dirs.push(root);
  const dir = join(root, 'repo');
  await cp(REPO, dir, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'git@github.com:acme/widgets.git');
  git('add', '-A');
  git('-c', 'user.email=ada@example.com', '-c', 'user.name=Ada', 'commit', '-qm', 'init');
  // a remote action, as `git clone` would have put it in the action cache
  const cache = join(root, 'cache');
  await cp(join(REPO, '.github/actions/jsact'), join(cache, 'actions/acme/remote-js@v1'), { recursive: true });
  return { dir, cache };
}

async function run(o: Partial<GithubRunOptions> & { workflows: string }): Promise<{ status: number; out: string; report: RunReport }> {
  const { dir, cache } = await repo();
  const r = await runCaptured({ cwd: dir, cacheDir: cache, ...o });
  return { status: r.status, out: r.text, report: r.report! };
}

const has = (text: string, ...lines: string[]) => {
  for (const l of lines) assert.ok(text.includes(l), `missing:\n${l}\n--- in ---\n${text}`);
};

describe('tutti github run', () => {
  test('run steps: outputs, env at every level, GITHUB_ENV/OUTPUT/PATH/STEP_SUMMARY, shells, masks, commands', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'tutti-gh-logs-'));
    dirs.push(logs);
    const { status, out, report } = await run({ workflows: '.github/workflows/basics.yml', secrets: { TOKEN: 's3cr3t-value' }, logs });
    assert.equal(status, 0, out);
    const levels = report.jobs.find((j) => j.job === 'build')!.steps.find((st) => st.name === 'Levels')!;
    assert.ok(levels.log?.startsWith(logs), 'the report names each step log file');
    assert.equal(await readFile(levels.log!, 'utf8'), 'level=step wf=wf fromfile=set-by-step ctx=set-by-step ci=true actions=true\n');
    const secretsLog = report.jobs.find((j) => j.job === 'build')!.steps.find((st) => st.name === 'Secrets are masked')!.log!;
    assert.ok(!(await readFile(secretsLog, 'utf8')).includes('s3cr3t'), 'log files are masked');
    has(
      out,
      '✓ build › Version job passed',
      '│ level=step wf=wf fromfile=set-by-step ctx=set-by-step ci=true actions=true',
      '│ tool-on-path',
      '│ token is ***',
      '│ env token is ***',
      '│ later *** appears',
      '│ ▸ My group',
      '│ warning: careful (src/a.ts:7)',
      '│ error: Bad: broken thing',
      '│ notice: just so you know',
      '│ ::warning::not a command now',
      'The `set-output` command is deprecated',
      '│ sh sh-script',
      '│ python job',
      '│ perl ok',
      '│ data in sub',
      '│ version=1.2.3 result=success',
      '│ multi=line one\n',
      '│ line two\n',
      '│ ref=refs/heads/main event=push repo=acme/widgets job=use',
      // the env context holds the workflow's variables, not the machine's
      '│ ctx-home=[] wf=wf after=true owner=acme',
      'Step summary of build:\n# Build summary',
      'critical path: build → use',
    );
    assert.ok(!out.includes('s3cr3t-value') && !out.includes('dynamic-value'), 'secrets never printed');
    assert.deepEqual(
      report.annotations.map((a) => [a.level, a.file ?? '', a.line ?? '']),
      [
        ['warning', 'src/a.ts', '7'],
        ['error', '', ''],
        ['notice', '', ''],
      ],
    );
    const build = report.jobs.find((j) => j.job === 'build')!;
    assert.deepEqual(build.outputs, { version: '1.2.3', multi: 'line one\nline two' });
    assert.equal(build.steps.length, 11);
  });

  test('status functions, continue-on-error, step and job timeouts, needs results', async () => {
    const { status, out, report } = await run({ workflows: '.github/workflows/status.yml' });
    assert.equal(status, 1);
    has(
      out,
      '│ after soft failure outcome=failure conclusion=success',
      '✗ steps › Too slow failed (',
      ": The action 'Too slow' has timed out after 0.02 minutes.",
      'steps › Skipped after failure skipped',
      '│ failure() ran',
      '│ always() ran',
      'steps › Success guarded skipped',
      '│ bare if ran',
      '│ cleanup sees failure',
      '│ failure job ran',
      '│ always after job timeout',
      'has exceeded the maximum execution time of 0.02 minutes',
    );
    const result = Object.fromEntries(report.jobs.map((j) => [j.job, j.result]));
    assert.deepEqual(result, { steps: 'failure', cleanup: 'success', 'on-failure': 'success', 'slow-job': 'failure', after: 'skipped' });
  });

  test('matrices: include, exclude, max-parallel, fail-fast, outputs merged, fromJSON', async () => {
    const { status, out, report } = await run({ workflows: '.github/workflows/matrix.yml', event: 'workflow_dispatch' });
    assert.equal(status, 1);
    has(
      out,
      '│ leg linux-1 extra=shiny index=0/4',
      '│ leg linux-2 extra=shiny index=1/4',
      '│ leg mac-2 extra= index=2/4',
      '│ leg bsd-9 extra= index=3/4',
      '│ merged=from-mac',
      '│ nofastfail leg 2 finished',
      '│ dyn a',
      '│ dyn b',
    );
    assert.ok(!out.includes('leg mac-1'), 'excluded');
    assert.ok(!out.includes('│ leg 2 finished') && !out.includes('│ leg 3 finished'), 'fail-fast cancelled the other legs');
    const fast = report.jobs.filter((j) => j.job === 'fast').map((j) => j.result);
    assert.deepEqual(fast.sort(), ['cancelled', 'cancelled', 'failure']);
    assert.equal(report.jobs.find((j) => j.job === 'read')!.result, 'success');
  });

  test('workflow_dispatch inputs: defaults, given values, types', async () => {
    const r = await run({ workflows: '.github/workflows/dispatch.yml', event: 'workflow_dispatch', inputs: { who: 'Ada', loud: 'true' } });
    assert.equal(r.status, 0);
    has(r.out, '│ hello Ada loud=true count=2 level=low typed=false event=Ada');
    await assert.rejects(
      run({ workflows: '.github/workflows/dispatch.yml', event: 'workflow_dispatch', inputs: { level: 'max' } }),
      /input 'level' must be one of low, high/,
    );
    await assert.rejects(
      run({ workflows: '.github/workflows/dispatch.yml', event: 'workflow_dispatch', inputs: { count: 'x' } }),
      /must be a number/,
    );
  });

  test('reusable workflows: inputs with defaults, secrets, outputs', async () => {
    const { status, out } = await run({ workflows: '.github/workflows/reuse.yml', event: 'pull_request', secrets: { TOKEN: 'tok-123' } });
    assert.equal(status, 0, out);
    has(out, '│ inner got caller x2 secret=***', '│ called said hi-caller');
  });

  test('a matrix on a reusable workflow call: one call per combination with its inputs, outputs merged', async () => {
    const { status, out, report } = await run({ workflows: '.github/workflows/reuse-matrix.yml', event: 'workflow_dispatch' });
    assert.equal(status, 0, out);
    has(
      out,
      '│ inner got ann x1 secret=',
      '│ inner got ann x3 secret=',
      '│ inner got bob x3 secret=',
      '✓ call (ann, 1) / inner passed',
      '✓ call (bob, 3) / inner passed',
      // max-parallel 1: the calls finish in order, the last one that set the output wins
      '│ merged said hi-bob result success',
    );
    assert.ok(!out.includes('inner got bob x1'), 'excluded combination');
    const calls = report.jobs.filter((j) => j.job === 'call');
    assert.deepEqual(
      calls.map((c) => [c.name, c.matrix, c.outputs.said]),
      [
        ['call (ann, 1)', { who: 'ann', times: 1 }, 'hi-ann'],
        ['call (ann, 3)', { who: 'ann', times: 3 }, 'hi-ann'],
        ['call (bob, 3)', { who: 'bob', times: 3 }, 'hi-bob'],
      ],
    );
  });

  test('a matrix on a reusable workflow call: fail-fast cancels the calls not started', async () => {
    const { status, out, report } = await run({ workflows: '.github/workflows/reuse-matrix-ff.yml', event: 'workflow_dispatch' });
    assert.equal(status, 1, out);
    has(out, '│ exiting with 3', '│ call result failure');
    assert.ok(!out.includes('exiting with 0'), out);
    assert.deepEqual(
      report.jobs.filter((j) => j.job === 'call').map((c) => [c.name, c.result]),
      [['call (3)', 'failure']],
    );
  });

  test('hashFiles() with computed arguments (format, matrix, env), hashed when each step runs', async () => {
    const { dir } = await repo();
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest();
    const hashOf = (...contents: string[]) =>
      createHash('sha256')
        .update(Buffer.concat(contents.map((c) => sha(c))))
        .digest('hex');
    const file = await readFile(join(dir, 'sub/file.txt'), 'utf8');
    const { status, out } = await run({ workflows: '.github/workflows/hashing.yml', event: 'workflow_dispatch' });
    assert.equal(status, 0, out);
    const one = hashOf(file);
    // sorted by path: sub/file.txt, then sub/second.txt
    const two = hashOf(file, 'second\n');
    has(out, `│ literal=${one}`, `│ format=${one}`, `│ env=${one}`, '│ none=.', `│ after=${two}`, `│ excluded=${one}`);
  });

  test('actions: nested composites, JavaScript with pre/post, remote from the cache, artifacts, cache', async () => {
    const { status, out } = await run({ workflows: '.github/workflows/actions.yml' });
    assert.equal(status, 0, out);
    has(
      out,
      '│ greet Ada! from WS/.github/actions/greet',
      '› Run echo "should be skipped"',
      '│ wrap said hello Ada',
      // a remote action named inside a composite comes from the action cache
      '│ js main input=nested in a composite spaced=spaced state=undefined',
      // a local JavaScript action has no pre step (as on GitHub); its post sees the main's state
      '│ js main input=from workflow spaced=spaced state=undefined',
      '│ js output from workflow',
      '✓ produce › Pre Run acme/remote-js@v1 passed',
      '│ js main input=remote spaced=spaced state=from-pre',
      "│ Artifact 'bundle' uploaded: 2 files, 8 bytes",
      '│ cache-hit=false',
      '│ Cache saved with key: deps-',
      '│ js post state=from-main',
      '│ one\n',
      '│ two\n',
    );
    // GitHub's order of post steps: the reverse of the steps
    assert.ok(out.indexOf('Post Run acme/remote-js@v1') < out.indexOf('Post Run ./.github/actions/jsact'));
    assert.ok(out.indexOf('Post Run actions/cache@v4') < out.indexOf('Post Run acme/remote-js@v1'));
  });

  test('push path filters: a workflow whose paths did not change does not run', async () => {
    const { dir, cache } = await repo();
    const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
    await writeFile(join(dir, 'README.md'), 'changed\n');
    git('-c', 'user.email=a@b', '-c', 'user.name=A', 'commit', '-qam', 'docs only');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => {
      text += c;
    });
    const base = {
      progress: 'plain' as const,
      cwd: dir,
      event: 'push',
      secrets: {},
      env: {},
      vars: {},
      inputs: {},
      platforms: {},
      cacheDir: cache,
      out,
    };
    const r = await githubRun({ ...base, workflows: '.github/workflows/actions.yml' });
    assert.equal(r.status, 0);
    has(text, "No workflow is triggered by 'push'.");
    await writeFile(join(dir, 'sub/file.txt'), 'changed\n');
    const listed = await githubRun({ ...base, workflows: '.github/workflows/actions.yml', list: true });
    assert.equal(listed.status, 0);
    has(text, '.github/workflows/actions.yml\tproduce\tproduce\t-', '.github/workflows/actions.yml\tconsume\tconsume\tproduce');
  });

  test('--graph, --dry-run and reports (JSON, JUnit)', async () => {
    const g = await run({ workflows: '.github/workflows/basics.yml', graph: true });
    has(g.out, 'stage 1: build', 'stage 2: use', 'build → use');
    const { dir } = await repo();
    const dry = await run({ workflows: '.github/workflows/basics.yml', dryRun: true, report: join(dir, 'r.json') });
    assert.equal(dry.status, 0);
    has(dry.out, '(dry run) echo "version=1.2.3" >> "$GITHUB_OUTPUT"');
    const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as RunReport;
    assert.equal(json.result, 'success');
    assert.deepEqual(
      json.jobs.map((j) => j.job),
      ['build', 'use'],
    );
    const x = await run({ workflows: '.github/workflows/status.yml', report: join(dir, 'r.xml') });
    assert.equal(x.status, 1);
    const junit = await readFile(join(dir, 'r.xml'), 'utf8');
    has(
      junit,
      '<testsuites name="tutti github run"',
      '<testcase classname=".github/workflows/status.yml.steps" name="Too slow"',
      '<failure message="Too slow failed"/>',
      '<skipped/>',
    );
  });
});

describe('tutti github run: concurrency', () => {
  test('concurrency groups: one job at a time, cancel-in-progress, a later arrival takes the waiting place', async () => {
    const t0 = Date.now();
    const { status, out, report } = await run({ workflows: '.github/workflows/concurrency.yml', event: 'workflow_dispatch' });
    // `slow` was cancelled by `later`: a cancelled job fails the run, as an interrupted one does
    assert.equal(status, 1, out);
    assert.ok(Date.now() - t0 < 15_000, 'slow did not run its 20 s');
    const result = (job: string) => report.jobs.find((j) => j.job === job)?.result;
    assert.equal(result('slow'), 'cancelled');
    assert.equal(result('later'), 'success');
    has(out, '│ slow started', '│ later ran', "waiting for concurrency group 'ship'");
    assert.ok(!out.includes('│ slow done'));
    // deploy: a and its group, b and c (both `deploy-x`) never overlap; a runs beside them
    const at = (l: string) => out.indexOf(`│ ${l}`);
    assert.ok(at('b out') < at('c in') || at('c out') < at('b in'), out);
    // queue: `second` waited behind `first`, then `third` took its place: second never ran
    assert.equal(result('second'), 'cancelled');
    assert.equal(result('third'), 'success');
    assert.ok(!out.includes('│ second ran'));
    assert.ok(at('first out') < at('third ran'), out);
  });
});

describe('tutti github (command line)', () => {
  const cli = async (...args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let o = '';
    let e = '';
    out.on('data', (c) => {
      o += c;
    });
    err.on('data', (c) => {
      e += c;
    });
    const status = await githubMain(args, out, err);
    return { status, out: o, err: e };
  };

  test('workflows that do not parse: exit 2 with file:line:column', async () => {
    const r = await cli('run', '-C', BAD, '-W', '.');
    assert.equal(r.status, 2);
    has(r.err, 'bad.yml:7:14: error: ', "needs.yml:9:13: error: Job 'b' depends on unknown job 'missing'.");
  });

  test('usage errors: exit 2 and a pointer to --help', async () => {
    const r = await cli('run', '--nope');
    assert.equal(r.status, 2);
    has(r.err, "Unknown option '--nope'", "Run 'tutti github --help'");
    const s = await cli('run', '-C', REPO, '-s', '=x');
    assert.equal(s.status, 2);
    has(s.err, "--secret '=x' has no name");
    const h = await cli('--help');
    assert.equal(h.status, 0);
    has(h.out, 'tutti github run [EVENT] [options]', '--report FILE');
  });

  test('an action neither cached nor reachable stops the run before it starts', async () => {
    const { dir } = await repo();
    await mkdir(join(dir, 'wf'), { recursive: true });
    await writeFile(
      join(dir, 'wf/x.yml'),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ran\n      - uses: nobody/nothing@v0\n',
    );
    const env = { ...process.env };
    process.env.TUTTI_GITHUB_SERVER = 'http://127.0.0.1:9';
    try {
      const r = await cli('run', '-C', dir, '-W', 'wf/x.yml', '--action-cache', join(dir, 'ac'));
      assert.equal(r.status, 2);
      has(r.err, 'nobody/nothing@v0: not in the action cache', 'Cache it with: git clone --depth 1 --branch v0');
      assert.ok(!r.out.includes('ran'));
    } finally {
      process.env.TUTTI_GITHUB_SERVER = env.TUTTI_GITHUB_SERVER;
      if (env.TUTTI_GITHUB_SERVER === undefined) delete process.env.TUTTI_GITHUB_SERVER;
    }
  });

  test('reusable workflows of another repository: cloned into the action cache, then run from it; missing ones stop the run', async () => {
    const { dir } = await repo();
    const root = dirname(dir);
    // the other repository, served from a folder as `git clone` reaches GitHub
    const shared = join(root, 'server/acme/shared');
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
    const git = (...a: string[]) => execFileSync('git', a, { cwd: shared, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.email=ada@example.com', '-c', 'user.name=Ada', 'commit', '-qm', 'shared');
    git('tag', 'v1');
    await mkdir(join(dir, 'wf'), { recursive: true });
    await writeFile(
      join(dir, 'wf/remote.yml'),
      [
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
    const ac = join(root, 'ac');
    const env = { ...process.env };
    try {
      process.env.TUTTI_GITHUB_SERVER = join(root, 'server');
      const r = await cli('run', '-C', dir, '-W', 'wf/remote.yml', '--action-cache', ac, '--progress', 'plain');
      assert.equal(r.status, 0, r.out + r.err);
      has(r.out, '│ shared greets caller', '│ inner of shared', '│ shared said hi-caller', '✓ call / deeper / in passed');
      assert.ok(existsSync(join(ac, 'acme/shared@v1/.github/workflows/shared.yml')), 'cloned into the action cache');
      // the server gone, the cache serves it
      await rm(join(root, 'server'), { recursive: true });
      process.env.TUTTI_GITHUB_SERVER = 'http://127.0.0.1:9';
      const again = await cli('run', '-C', dir, '-W', 'wf/remote.yml', '--action-cache', ac, '--progress', 'plain');
      assert.equal(again.status, 0, again.out + again.err);
      has(again.out, '│ shared said hi-caller');
      // neither cached nor reachable: nothing runs
      await writeFile(
        join(dir, 'wf/missing.yml'),
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ran\n  b:\n    uses: acme/gone/.github/workflows/x.yml@v2\n',
      );
      const m = await cli('run', '-C', dir, '-W', 'wf/missing.yml', '--action-cache', ac);
      assert.equal(m.status, 2);
      has(
        m.err,
        'cannot run: 1 action(s) or reusable workflow(s) unavailable',
        'reusable workflow acme/gone/.github/workflows/x.yml@v2: not in the action cache',
        `Cache it with: git clone --depth 1 --branch v2 http://127.0.0.1:9/acme/gone ${join(ac, 'acme/gone@v2')}`,
      );
      assert.ok(!m.out.includes('ran'));
    } finally {
      process.env.TUTTI_GITHUB_SERVER = env.TUTTI_GITHUB_SERVER;
      if (env.TUTTI_GITHUB_SERVER === undefined) delete process.env.TUTTI_GITHUB_SERVER;
    }
  });
});
