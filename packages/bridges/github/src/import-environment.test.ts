// tutti github import: the imported program's steps see what GitHub's runner gives a job, as
// `tutti github run` gives it — the github context filled from the local repository (sha, ref,
// repository from the remote, event payload…), the runner context, the default environment
// variables, GITHUB_PATH and GITHUB_STEP_SUMMARY (and GITHUB_ENV in expressions), hashFiles(),
// workflow commands and masked secrets, and
// GitHub's shell table (no command trace, pipefail with `shell: bash`, custom templates) — in
// plain jobs and in the legs of a matrix job.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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

/** The lines the steps printed that start with one of `prefixes`, sorted. */
const printed = (text: string, prefixes: string[]) =>
  [...text.matchAll(/│ (.*)$/gm)]
    .map((m) => m[1]!)
    .filter((l) => prefixes.some((p) => l.startsWith(p)))
    .sort();

test("import: the steps see GitHub's contexts, variables and shells, as tutti github run gives them", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tutti-gh-environment-'));
  dirs.push(dir);
  await cp(fileURLToPath(new URL('../test/import-environment', import.meta.url)), dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
  git('add', '-A');
  git('-c', 'user.name=Ann', '-c', 'user.email=ann@example.com', 'commit', '-qm', 'first');
  const sha = git('rev-parse', 'HEAD');
  // GitHub's hashFiles of one file: the SHA-256 of its SHA-256
  const hashed = createHash('sha256')
    .update(
      createHash('sha256')
        .update(await readFile(join(dir, 'hashed.json')))
        .digest(),
    )
    .digest('hex');
  const out = join(dir, 'mel');
  const r = await githubImport(dir, undefined, out, 'acme/widgets');
  assert.deepEqual(r.warnings, []);
  const checked = await checkPath(join(out, 'Compo.toml'), { all: true });
  assert.deepEqual(
    checked.sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const before = new Set(await readdir(tmpdir()));
  // the secrets, given to the imported program with its contexts
  const contexts = JSON.stringify({
    github: { workflow: 'environment', repository: 'acme/widgets', event_name: 'push' },
    secrets: { TOKEN: 's3cret' },
  });
  const run = spawnSync(process.execPath, [TUTTI, 'run', join(out, 'Compo.toml'), '--progress', 'plain', '--contexts', contexts], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_ACTOR: 'ann' },
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  // the event file and the runner's temporary folders are in the run's folder, removed at its end
  const left = (await readdir(tmpdir())).filter(
    (n) => !before.has(n) && n.startsWith('tutti-github-') && !n.startsWith('tutti-github-job-'),
  );
  assert.deepEqual(left, []);
  const gh = await runCaptured({ cwd: dir, cacheDir: join(dir, 'cache'), env: { GITHUB_ACTOR: 'ann' }, secrets: { TOKEN: 's3cret' } });
  assert.equal(gh.status, 0, gh.text);

  const prefixes = [
    'context',
    'variables',
    'main only',
    'tag only',
    'shells',
    'leg ',
    'commands',
    '▸ commands',
    'warning: commands',
    '::warning::commands',
    'written',
    'hashes',
  ];
  const expected = [
    'commands the password is ***, the token ***',
    '▸ commands group',
    'warning: commands careful (a.txt:3)',
    '::warning::commands not a command while stopped',
    'commands tool on the path ran',
    'commands still masked: ***',
    'commands output x=old style',
    // hashFiles() in if:, run: and env, with arguments known at run time
    `hashes of hashed.json ${hashed}`,
    'hashes none for missing.txt',
    `hashes key deps-${hashed}`,
    `hashes key deps-${hashed}`,
    // what a step wrote to GITHUB_ENV, in later steps' expressions (over the job's env, under a step's)
    'written version=1.2.3 mode=from-github-env',
    'written step mode=from-step from-step',
    // a variable whose name is not a shell name reaches a step under a timeout (an action's INPUT_RESTORE-KEYS)
    'written dashed kept',
    `context payload ref=refs/heads/main after=${sha} repo=acme/widgets`,
    `context repo=acme/widgets owner=acme event=push job=show`,
    'context runner os=Linux arch=' + (process.arch === 'arm64' ? 'ARM64' : 'X64') + ' name=tutti',
    `context sha=${sha} ref=refs/heads/main name=main type=branch`,
    'context workflow=environment ref=acme/widgets/.github/workflows/environment.yml@refs/heads/main server=https://github.com api=https://api.github.com',
    'leg 1 job=legs sha-matches=yes',
    'leg 2 job=legs sha-matches=yes',
    'main only ran',
    'shells bash not traced',
    'shells custom template ran',
    'variables event file holds the push',
    `variables runner temp exists`,
    'variables runner temp is runner.temp',
    `variables true true ${sha} refs/heads/main main branch`,
    'variables Linux ' + (process.arch === 'arm64' ? 'ARM64' : 'X64') + ' tutti https://github.com https://api.github.com',
    'variables acme/widgets acme push show environment',
    'variables workspace is github.workspace',
  ].sort();
  assert.deepEqual(printed(gh.text, prefixes), expected);
  assert.deepEqual(printed(run.stdout, prefixes), expected);
  // no command trace (the reference helpers run `bash -x`), no secret
  assert.doesNotMatch(run.stdout, /│ \+ echo/);
  assert.doesNotMatch(run.stdout + run.stderr, /hunter2|s3cret/);
  // the step summary, printed at the end as tutti github run prints it
  assert.match(run.stdout + run.stderr, /Step summary of [^\n]*:\n### The summary/);
  assert.match(gh.text, /Step summary of [^\n]*:\n### The summary/);
});
