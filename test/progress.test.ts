/**
 * `tutti run` of a program that reports steps (docs/progress.md): plain progress lines and
 * step-prefixed output on stdout, per-step log files, the summary, reports, and secrets
 * (parameters named like `api_token`) hidden everywhere; programs without steps unchanged.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, ROOT } from './helpers.js';

const PROGRAM = join(ROOT, 'test/progress/steps.mel');
const SECRET = 'hunter2-s3cr3t';

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'tutti-progress-'));
}

test('plain progress, step output prefixed, step log files beside --logs, summary, secrets masked everywhere', () => {
  const dir = temp();
  try {
    const r = cli(
      [
        'run',
        '--logs',
        join(dir, 'run.log'),
        '--debug',
        join(dir, 'debug.jsonl'),
        '--report',
        join(dir, 'report.json'),
        PROGRAM,
        '--api_token',
        SECRET,
      ],
      dir,
    );
    assert.equal(r.status, 1, `the check step failed, so the run fails: ${r.stderr}`);
    const out = r.stdout;
    assert.match(out, /^▶ build started$/m);
    assert.match(out, /^build +│ using \*\*\*$/m);
    assert.match(out, /^build +│ built$/m);
    assert.match(out, /^✓ build passed \(\d+(?:\.\d)? m?s\)$/m);
    assert.match(out, /^check +│ checking$/m);
    assert.match(out, /^✗ check failed \(\d+(?:\.\d)? m?s\): exit 3$/m);
    assert.match(out, /^↷ ship skipped$/m);
    // A line that is no step's keeps its usual form.
    assert.match(out, /^\[[^\]]+\] info: main: pipeline begins$/m);
    assert.match(out, /^Failed: 1 passed, 1 failed, 1 skipped in \d+(?:\.\d)? m?s$/m);
    assert.match(out, /^ {2}✗ check +failed +\d+(?:\.\d)? m?s {2}exit 3 {2}log: .*run\.steps\/check\.log$/m);
    assert.match(out, /^Critical path \(.*\): build → check$/m);
    const steps = join(dir, 'run.steps');
    assert.deepEqual(readdirSync(steps).sort(), ['build.log', 'check.log']);
    const build = readFileSync(join(steps, 'build.log'), 'utf8');
    assert.match(build, /^\[[^\]]+\] debug: using \*\*\*\n\[[^\]]+\] debug: built\n$/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.deepEqual(
      report.steps.map((s: { name: string; state: string }) => `${s.name}=${s.state}`),
      ['build=passed', 'check=failed', 'ship=skipped'],
    );
    assert.equal(report.steps[1].logFile, join(steps, 'check.log'));
    assert.deepEqual(report.criticalPath.steps, ['build', 'check']);
    for (const f of ['run.log', 'debug.jsonl', 'report.json', 'run.steps/build.log']) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.ok(!text.includes(SECRET), `${f} shows the secret`);
    }
    assert.ok(!out.includes(SECRET) && !r.stderr.includes(SECRET));
    assert.match(readFileSync(join(dir, 'run.log'), 'utf8'), /debug: build: using \*\*\*/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default step logs under .tutti/logs/<run>/, JUnit report, grouped output', () => {
  const dir = temp();
  try {
    const r = cli(['run', '--progress', 'grouped', '--report', join(dir, 'junit.xml'), PROGRAM, '--api_token', SECRET], dir);
    assert.equal(r.status, 1, `the check step failed, so the run fails: ${r.stderr}`);
    assert.match(r.stdout, /^✓ build passed \(\d+(?:\.\d)? m?s\)\n {2}using \*\*\*\n {2}built$/m);
    const runs = readdirSync(join(dir, '.tutti', 'logs'));
    assert.equal(runs.length, 1);
    assert.match(runs[0] as string, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    assert.ok(existsSync(join(dir, '.tutti', 'logs', runs[0] as string, 'build.log')));
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(xml, /<testcase name="check" classname="[^"]*steps\.mel" time="[\d.]+">\n {6}<failure message="exit 3" type="failed"\/>/);
    assert.ok(!xml.includes(SECRET));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--progress off prints the logs as usual, without view or summary, but still keeps step files', () => {
  const dir = temp();
  try {
    const r = cli(['run', '--progress', 'off', '--step-logs', join(dir, 'steps'), PROGRAM, '--api_token', SECRET], dir);
    assert.equal(r.status, 1, `the check step failed, so the run fails: ${r.stderr}`);
    assert.match(r.stdout, /^\[[^\]]+\] debug: build: using \*\*\*$/m);
    assert.doesNotMatch(r.stdout, /▶|✓|Critical path/);
    assert.ok(existsSync(join(dir, 'steps', 'check.log')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('programs without steps print as before and write no step files', () => {
  const dir = temp();
  try {
    const r = cli(['run', join(ROOT, 'test/progress/no_steps.mel')], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[[^\]]+\] info: main: no steps here\n$/);
    assert.ok(!existsSync(join(dir, '.tutti')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad progress mode and unwritable report are usage errors', () => {
  const r = cli(['run', '--progress', 'fancy', PROGRAM]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--progress must be one of auto, tty, plain, grouped, off, not 'fancy'/);
  const q = cli(['run', '--report', '/proc/nope/r.json', PROGRAM, '--api_token', 'x']);
  assert.equal(q.status, 2);
  assert.match(q.stderr, /cannot write the report file '\/proc\/nope\/r\.json'/);
});

test('forced tty mode redraws the board in place and ends with the summary; an unwritable step logs folder is a usage error', () => {
  const dir = temp();
  try {
    const r = cli(['run', '--progress', 'tty', '--step-logs', join(dir, 's'), PROGRAM, '--api_token', SECRET], dir);
    assert.equal(r.status, 1, `the check step failed, so the run fails: ${r.stderr}`);
    assert.ok(r.stdout.includes('\x1b[J') && /\[\d+F/.test(r.stdout), 'the board is erased and redrawn');
    assert.match(r.stdout, /── .*(running|passed)/);
    assert.match(r.stdout, /Failed: 1 passed, 1 failed, 1 skipped in [^\n]*\n(?:.*\n)*Critical path/);
    assert.ok(!r.stdout.includes(SECRET));
    assert.deepEqual(readdirSync(join(dir, 's')).sort(), ['build.log', 'check.log']);
    const q = cli(['run', '--step-logs', '/proc/nope', PROGRAM, '--api_token', 'x'], dir);
    assert.equal(q.status, 2);
    assert.match(q.stderr, /cannot write the step logs folder '\/proc\/nope': /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGINT mid-step: the step file keeps what was printed, the summary is shown, exit 130', async () => {
  const dir = temp();
  try {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'packages/cli/bin/tutti.js'), 'run', '--step-logs', join(dir, 's'), join(ROOT, 'test/progress/long.mel')],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    const started = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('long │ started')) resolve();
      }),
    );
    const t0 = Date.now();
    await started;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 130);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(out, /^Interrupted: 1 cancelled in /m);
    assert.match(out, /^ {2}⊘ long +cancelled/m);
    assert.equal(readFileSync(join(dir, 's', 'long.log'), 'utf8').replace(/^\[[^\]]+\] /, ''), 'debug: started\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
