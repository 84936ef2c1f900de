/**
 * Side by side with gitlab-ci-local 4.60.0 (issue 13): the pipelines of test/gitlab/pipelines
 * marked `"peer": true` run with both tools, each in its own fresh repository; the same jobs
 * must pass, fail or warn, the exit statuses must agree, and the artifacts each job stored must
 * be the same files with the same bytes. gitlab-ci-local runs on its shell executor with
 * `--shell-isolation` (a copy per job, as Tutti does). It is installed by
 * scripts/gitlab-ci-local.mjs into the user's cache (never a product dependency); without npm's
 * registry or rsync the test is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
// @ts-expect-error: a plain ESM script without type declarations
import { peerSetup } from '../scripts/gitlab-ci-local.mjs';
import { repository, temps, tutti } from './gitlab-helpers.js';
import { ROOT } from './helpers.js';

const PIPELINES = join(ROOT, 'test/gitlab/pipelines');
let peer: { bin?: string; skip?: string } = { skip: 'not set up' };
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
before(async () => {
  peer = await peerSetup();
});

/** gitlab-ci-local's summary lines (` PASS  job`, ` FAIL  job`, ` WARN  job  pre_script`) as statuses. */
function peerStatuses(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the summary is coloured
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
  for (const m of plain.matchAll(/^ (PASS|FAIL|WARN) {2}(.+?)(?: {2,}.*)?$/gm)) {
    const status = m[1] === 'PASS' ? 'success' : m[1] === 'FAIL' ? 'failed' : 'warning';
    out.set((m[2] as string).trim(), status);
  }
  return out;
}

/** Every file under `dir` (gitlab-ci-local's report copies aside) with its text. */
function artifactFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name));
    if (!rel.startsWith('.gitlab-ci-reports')) out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

describe('side by side with gitlab-ci-local', () => {
  for (const name of readdirSync(PIPELINES).sort()) {
    const expect = JSON.parse(readFileSync(join(PIPELINES, name, 'expect.json'), 'utf8')) as {
      peer?: boolean;
      args?: string[];
      /** Jobs GitLab (and Tutti) run that gitlab-ci-local does not, with why. */
      peerDiffers?: Record<string, string>;
    };
    if (expect.peer !== true) continue;
    test(`${name}: the same job outcomes, exit status and artifacts`, (t) => {
      if (peer.skip !== undefined) {
        t.skip(peer.skip);
        return;
      }
      const ours = repository(join(PIPELINES, name), name);
      const theirs = repository(join(PIPELINES, name), name);
      const report = join(ours, '.tutti/report.json');
      const r = tutti(['gitlab', 'run', ...(expect.args ?? []), '--report', report], ours);
      const p = spawnSync(peer.bin as string, ['--shell-isolation', '--no-artifacts-to-source'], {
        cwd: theirs,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 120_000,
      });
      const context = `\n--- tutti\n${r.stdout}\n--- gitlab-ci-local\n${p.stdout}\n${p.stderr}`;
      assert.equal(r.status === 0, p.status === 0, `exit statuses ${r.status} and ${p.status}${context}`);
      const jobs = (JSON.parse(readFileSync(report, 'utf8')) as { jobs: { name: string; status: string; artifacts: string[] }[] }).jobs;
      const differs = expect.peerDiffers ?? {};
      const ran = new Map(
        jobs.filter((j) => ['success', 'failed', 'warning'].includes(j.status) && !(j.name in differs)).map((j) => [j.name, j.status]),
      );
      const theirStatuses = peerStatuses(p.stdout);
      // The known differences still hold (else the list is stale): those jobs ran here, not there.
      for (const job of Object.keys(differs)) {
        assert.ok(!theirStatuses.has(job), `gitlab-ci-local now runs ${job}: update peerDiffers${context}`);
        assert.ok(
          jobs.some((j) => j.name === job && j.status === 'success'),
          `${job} should run with tutti${context}`,
        );
      }
      assert.deepEqual(Object.fromEntries(ran), Object.fromEntries(theirStatuses), `job outcomes${context}`);
      for (const j of jobs) {
        if (!ran.has(j.name)) continue;
        const mine = artifactFiles(join(ours, '.tutti/gitlab/artifacts', encodeURIComponent(j.name)));
        const peerFiles = artifactFiles(join(theirs, '.gitlab-ci-local/artifacts', j.name));
        assert.deepEqual(mine, peerFiles, `artifacts of ${j.name}`);
      }
    });
  }
});
