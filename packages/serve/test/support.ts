/**
 * Test support: a throwaway git repository holding the fixture programs, a configuration
 * for it, and fresh PostgreSQL databases on the shared test server (scripts/sql-servers.mjs).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseConfig, type ServeConfig } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixture/', import.meta.url));
export const TOKEN = 'write-token-0123456789abcdef';
export const READ_TOKEN = 'read-token-0123456789abcdef';
export const SECRET = 'hook-secret-for-tests';

/** A git repository with the fixture programs committed on `main`; returns its path and commit. */
export function fixtureRepo(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-serve-repo-'));
  for (const f of readdirSync(FIXTURE)) copyFileSync(join(FIXTURE, f), join(dir, f));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '-m', 'fixture');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

/** A configuration with one project `demo` over `repo`: pipeline `ci` = build → test (flaky), lint. */
export function demoConfig(o: {
  repo: string;
  data: string;
  marker: string;
  database?: string;
  extra?: Record<string, unknown>;
  github?: Record<string, unknown>;
}): ServeConfig {
  return parseConfig({
    port: 0,
    data: o.data,
    ...(o.database === undefined ? {} : { database: o.database }),
    concurrency: 2,
    tokens: [
      { name: 'ci', token: TOKEN, access: 'write' },
      { name: 'viewer', token: READ_TOKEN, access: 'read' },
    ],
    readAccess: 'token',
    projects: [
      {
        name: 'demo',
        repository: o.repo,
        branch: 'main',
        github: { secret: SECRET, ...o.github },
        gitlab: { secret: SECRET },
        pipelines: [
          {
            name: 'ci',
            params: { marker: o.marker },
            jobs: {
              build: { program: 'build.mel' },
              test: { program: 'flaky.mel', args: ['--marker', '${marker}'], needs: ['build'] },
              lint: { program: 'build.mel' },
            },
          },
          { name: 'broken', program: 'broken.mel', on: ['manual'] },
          { name: 'steps', program: 'steps.mel', args: ['--marker', '${marker}'], on: ['manual'], params: { marker: o.marker } },
          {
            name: 'package',
            program: 'artifact.mel',
            args: ['--file', '${workspace}/dist/report.txt'],
            on: ['manual'],
            artifacts: ['dist', 'not-produced.txt'],
          },
          { name: 'slow', program: 'slow.mel', on: ['manual'] },
        ],
      },
    ],
    ...o.extra,
  });
}

// @ts-expect-error: a plain ESM script without type declarations
import { ensureServers } from '../../../scripts/sql-servers.mjs';

/** A fresh PostgreSQL database URL, with its removal; or the reason there is none. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> } | { skip: string }> {
  const s = (await ensureServers()) as { pg?: string; skip: { pg?: string } };
  if (s.pg === undefined) return { skip: s.skip.pg ?? 'no PostgreSQL' };
  const name = `serve_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: s.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(s.pg);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: s.pg });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
