/** Shared helpers of the end-to-end and conformance tests. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckOptions, checkPath } from '@tutti/driver';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The testkit fixture package (test/testkit: a context, a model and its source), loaded with --path. */
export const TESTKIT = join(ROOT, 'test', 'testkit');

/** One diagnostic as tests compare it. */
export interface Found {
  readonly code: string;
  readonly line: number | null;
  readonly severity: string;
  readonly message: string;
  readonly file: string | undefined;
}

/** Checks a program in-process and returns its diagnostics. */
export async function check(program: string, o: CheckOptions = {}): Promise<Found[]> {
  const { sink } = await checkPath(program, { paths: [TESTKIT], ...o });
  return sink.items.map((d) => ({
    code: d.code,
    line: d.span ? d.span.file.position(d.span.start).line : null,
    severity: d.severity,
    message: d.message,
    file: d.span?.file.path ?? d.file,
  }));
}

/** Errors only, as `CODE@line` strings, sorted. */
export function errors(found: readonly Found[]): string[] {
  return found
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code}@${d.line}`)
    .sort();
}

/** Writes `files` (path → content) into a fresh temporary folder and returns it. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-test-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

/** The standalone script header H of the conformance examples. */
export const H = '#!/usr/bin/env melodium\n#! name = conformance\n#! version = 0.1.0\n#! require = std:0.10.2\n';

/** Runs the built CLI as a user would; returns status and output. */
export function cli(args: readonly string[], cwd = ROOT): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The container engine and shared base image for tests (scripts/container-image.mjs), or why there is none. */
export interface ContainerSetup {
  engine?: string;
  env?: Record<string, string>;
  image?: string;
  skip?: string;
}

/**
 * Finds or builds the shared base image once per test file. Without an engine `skip` says why;
 * in CI that fails the tests instead, unless `optional` (tests that also run without containers).
 */
export async function containerSetupForTests(o: { optional?: boolean } = {}): Promise<ContainerSetup> {
  let setup: ContainerSetup;
  try {
    // @ts-expect-error: a plain ESM script without type declarations
    const { containerSetup } = await import('../scripts/container-image.mjs');
    setup = (await containerSetup()) as ContainerSetup;
  } catch (e) {
    setup = { skip: `no base image: ${(e as Error).message}` };
  }
  if (setup.skip !== undefined && !o.optional && process.env.CI === 'true')
    throw new Error(`compose tests need an engine in CI: ${setup.skip}`);
  return setup;
}
