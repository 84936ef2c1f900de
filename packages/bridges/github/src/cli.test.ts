// `tutti github` through the built CLI (bin/tutti.js → the CLI bundle → the bridge's own
// bundle → GitHub's parser bundle): what users run. SIGINT mid-step: the run is cancelled,
// `always()` steps still run, the exit status is 1 and nothing is left behind.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const TUTTI = fileURLToPath(new URL('../../../cli/bin/tutti.js', import.meta.url));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function repo(workflow: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-cli-'));
  dirs.push(dir);
  await mkdir(join(dir, '.github/workflows'), { recursive: true });
  await writeFile(join(dir, '.github/workflows/w.yml'), workflow);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

test('the built CLI lists, graphs and runs; parse errors exit 2', async () => {
  const dir = await repo(
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "A ${{ format(\'{0}{1}\', 1, 1) }}"\n  b:\n    needs: a\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo B\n',
  );
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [TUTTI, 'github', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const list = cli('run', '--list');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /\.github\/workflows\/w\.yml\tb\tb\ta/);
  const graph = cli('run', '--graph');
  assert.match(graph.stdout, /stage 2: b/);
  const run = cli('run', '--cache-dir', join(dir, 'cache'));
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /│ A 11\n/);
  assert.match(run.stdout, /critical path: a → b/);
  await writeFile(join(dir, '.github/workflows/w.yml'), 'on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n');
  const bad = cli('run');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /w\.yml:5:5: error: /);
  assert.ok(!/\n\s+at /.test(bad.stderr), 'no stack trace');
  const help = spawnSync(process.execPath, [TUTTI, '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /tutti github run \[EVENT\] \[options\]/);
});

test('SIGINT cancels the run: the step is stopped, always() steps run, exit 1, nothing left behind', async () => {
  const marker = join(tmpdir(), `tutti-gh-sigint-${process.pid}`);
  const dir = await repo(
    `on: push\njobs:\n  long:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $$ > ${marker}; echo started; sleep 30; echo never\n      - if: always()\n        run: echo "cleanup ran"\n      - run: echo "not after cancel"\n`,
  );
  const before = new Set((await readdir(tmpdir())).filter((f) => f.startsWith('tutti-github-')));
  const child = spawn(process.execPath, [TUTTI, 'github', 'run', '--progress', 'plain', '--cache-dir', join(dir, 'cache')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
    if (out.includes('│ started') && !child.killed) child.kill('SIGINT');
  });
  let err = '';
  child.stderr.on('data', (c) => {
    err += c;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 1, out + err);
  assert.match(out, /│ cleanup ran/);
  assert.ok(!out.includes('│ never') && !out.includes('│ not after cancel'), out);
  assert.match(err, /Interrupted: cancelling the run/);
  // the step's shell is gone, and so is the run's temporary folder
  const pid = Number((await import('node:fs')).readFileSync(marker, 'utf8'));
  await rm(marker, { force: true });
  assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} still runs`);
  const afterRun = (await readdir(tmpdir())).filter((f) => f.startsWith('tutti-github-') && !before.has(f));
  assert.deepEqual(afterRun, []);
});

test('tutti github action: one action step here, results through the file commands; usage and missing actions', async () => {
  const dir = await repo('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n');
  await mkdir(join(dir, 'act'));
  await writeFile(
    join(dir, 'act/action.yml'),
    [
      'inputs:',
      '  who:',
      '    default: nobody',
      '  extraWords:',
      "    default: ''",
      'outputs:',
      '  said:',
      '    value: ${{ steps.s.outputs.said }}',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - id: s',
      '      shell: bash',
      '      env:',
      '        WHO: ${{ inputs.who }}${{ inputs.extraWords }}',
      '      run: |',
      '        echo "said=hi $WHO" >> "$GITHUB_OUTPUT"',
      '        echo "SEEN=$WHO" >> "$GITHUB_ENV"',
      '        echo "said hi"',
      '',
    ].join('\n'),
  );
  const files = { GITHUB_OUTPUT: join(dir, 'out.txt'), GITHUB_ENV: join(dir, 'env.txt') };
  await writeFile(files.GITHUB_OUTPUT, '');
  await writeFile(files.GITHUB_ENV, '');
  const action = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [TUTTI, 'github', 'action', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...files, ...env },
    });
  // an input with ${{ }} in its value is given as is, not evaluated again
  const ok = action({ INPUT_WHO: 'you ${{ github.sha }}', INPUT_EXTRAWORDS: '!' }, './act');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /said hi/);
  assert.equal(await readFile(files.GITHUB_OUTPUT, 'utf8'), 'said=hi you ${{ github.sha }}!\n');
  assert.equal(await readFile(files.GITHUB_ENV, 'utf8'), 'SEEN=you ${{ github.sha }}!\n');
  const missing = action({}, './nope');
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /Can't find 'action.yml', 'action.yaml' or 'Dockerfile'/);
  const usage = action({});
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /github action takes one action/);
  assert.doesNotMatch(usage.stderr, /\n\s+at /);
});
