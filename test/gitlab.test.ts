/**
 * `tutti gitlab run` end to end (issue 13): each folder of test/gitlab/pipelines is a small
 * repository written for one group of features, with `expect.json` saying how the run must
 * end (exit status, each job's status, lines of output, artifacts, attempts). Each is copied to
 * a fresh git repository (branch main, remote on gitlab.example.com) and run with the built
 * CLI. Jobs with `image:`/`services:` use podman (or docker) and the shared base image; without
 * an engine they are skipped with the reason (failed in CI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// @ts-expect-error: a plain ESM script without type declarations
import { containerSetup } from '../scripts/container-image.mjs';
import { ROOT } from './helpers.js';

const BIN = join(ROOT, 'packages/cli/bin/tutti.js');
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

const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

let containers: { env?: Record<string, string>; skip?: string } = { skip: 'not set up' };
before(async () => {
  try {
    containers = await containerSetup();
  } catch (e) {
    containers = { skip: `no base image: ${(e as Error).message}` };
  }
  if (containers.skip !== undefined && process.env.CI === 'true')
    throw new Error(`gitlab container tests need an engine in CI: ${containers.skip}`);
});

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** A git repository holding a copy of `folder` (one commit on main, an origin remote). */
export function repository(folder: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tutti-gl-${name}-`));
  temps.push(dir);
  cpSync(folder, dir, { recursive: true });
  rmSync(join(dir, 'expect.json'), { force: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ada@example.com');
  git(dir, 'config', 'user.name', 'Ada');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'remote', 'add', 'origin', `https://gitlab.example.com/tutti/${name}.git`);
  writeFileSync(join(dir, '.gitignore'), '.tutti/\n.gitlab-ci-local/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** Runs the built CLI in `cwd`. */
export function tutti(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '', ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t) / 1000 };
}

/** Output with the job prefixes' padding collapsed (`[a]    x` → `[a] x`). */
const normal = (s: string): string => s.replace(/\] +/g, '] ');

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
