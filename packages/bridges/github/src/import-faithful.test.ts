// tutti github import evaluates expressions with GitHub's rules (compile.ts over
// |github_expressions()): the functions the reference helpers lack (contains, startsWith,
// endsWith, format, join, fromJSON, toJSON), case-insensitive ==, literals holding `.` and `}`,
// booleans and numbers in texts, and `if:` conditions with them, in steps and jobs, over env and
// step and job outputs, give the lines and outcomes `tutti github run` gives; with
// --reference-expressions the reference's rules stay.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** The fixture in a scratch git repository. */
async function fixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-import-faithful-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-faithful', import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

/** Imports into `dir/<out>` (no warnings, checks clean) and runs it with `tutti run`. */
async function importAndRun(dir: string, out: string, referenceExpressions = false) {
  const mel = join(dir, out);
  const r = await githubImport(dir, undefined, mel, 'acme/widgets', { referenceExpressions });
  assert.deepEqual(r.warnings, []);
  const checked = await checkPath(join(mel, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(mel, 'Compo.toml'), '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { run, code: await readFile(join(mel, 'ci.mel'), 'utf8') };
}

/** The lines the steps printed starting with `out `, sorted. */
const printed = (text: string) => [...text.matchAll(/│ (out .*)$/gm)].map((m) => m[1]!).sort();

/** The jobs' outcomes the imported program logs. */
const melOutcomes = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/(?:info|error): ([\w-]+): job [\w-]+ (succeeded|failed|skipped)$/gm)].map((m) => [m[1]!, m[2]!]));

test("import: expressions give GitHub's results (functions, case, literals, booleans and numbers, conditions)", async () => {
  const dir = await fixture();
  const { run, code } = await importAndRun(dir, 'mel');
  assert.match(code, /model js_job_plan: JavaScriptEngine\(code = \|github_expressions\(\)\)/);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache') });
  assert.equal(gh.status, 0, gh.text);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const expected = [
    'out bool true false number 1.5 16 true',
    'out contains true true',
    'out equal true true',
    'out greeting Hello World!',
    'out if contains',
    'out if number',
    'out if startsWith and equal',
    'out joined lint + Test + build',
    'outjson[1,2]',
    'out literal a.b } {0}',
    'out null [] []',
    'out starts true ends true',
    'out use Test of 3',
  ].sort();
  // (the JSON line is printed without spaces: `out json` loses its own)
  const all = (text: string) => [...printed(text), ...[...text.matchAll(/│ (outjson.*)$/gm)].map((m) => m[1]!)].sort();
  assert.deepEqual(all(gh.text), expected);
  assert.deepEqual(all(run.stdout), expected);
  const ghOutcomes: Record<string, string> = {};
  for (const j of gh.report!.jobs) ghOutcomes[j.job] = j.result === 'success' ? 'succeeded' : j.result === 'failure' ? 'failed' : j.result;
  assert.deepEqual(ghOutcomes, { plan: 'succeeded', use: 'succeeded', skipped: 'skipped' });
  assert.deepEqual(melOutcomes(run.stdout), { plan: 'succeeded', use: 'succeeded', skipped: 'skipped' });
});

test('import --reference-expressions: the reference helpers evaluate the texts as JavaScript, as before', async () => {
  const dir = await fixture();
  const { run, code } = await importAndRun(dir, 'mel-reference', true);
  assert.doesNotMatch(code, /github_expressions|__gh_/);
  // a `}` inside a literal ends no placeholder: the text stays, and bash rejects `${{ '}' }}`
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /bad substitution/);
  // format() with `{0}` is left as written, join() and contains() are missing, `==` compares
  // case-sensitively and booleans print as ""
  assert.deepEqual(printed(run.stdout), [
    'out contains',
    'out equal',
    "out greeting ${{ format('Hello {0}!', 'World') }}",
    'out joined',
    'out starts  ends',
  ]);
  assert.match(code, /\$\{\{ contains\('Hello World', 'world'\) \}\}/);
});

test('tutti github import: --reference-expressions on the command line; a bad expression is an error with its place', async () => {
  const dir = await fixture();
  const cli = (...args: string[]) => spawnSync(process.execPath, [TUTTI, 'github', 'import', ...args], { cwd: dir, encoding: 'utf8' });
  const ref = cli('-o', 'ref', '--reference-expressions');
  assert.equal(ref.status, 0, ref.stderr);
  assert.doesNotMatch(await readFile(join(dir, 'ref', 'ci.mel'), 'utf8'), /__gh_/);
  const faithful = cli('-o', 'faithful');
  assert.equal(faithful.status, 0, faithful.stderr);
  assert.match(await readFile(join(dir, 'faithful', 'ci.mel'), 'utf8'), /__gh_contains/);
  await writeFile(
    join(dir, 'bad.yml'),
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ format(\'{0}\' }}"\n',
  );
  const bad = cli('-W', 'bad.yml', '-o', 'bad');
  assert.equal(bad.status, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /^tutti github: bad\.yml:6:\d+: /m);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
