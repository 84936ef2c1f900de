/**
 * Every example of the user documentation (`docs/`) runs here, so the docs cannot drift
 * from what Tutti does. Each page gets a scratch folder of its own, in which `examples`,
 * `scripts` and `test` lead to the checkout's (the pages' commands are written from the
 * repository root). The rules (also in docs/README.md, "Examples in these pages"), by the
 * block's language:
 *
 * - `mel`: a complete standalone script: it must check without errors;
 * - any block whose info string has `file=PATH` (```` ```toml file=shop/Compo.toml ````) is
 *   written to PATH in the scratch folder, for the blocks that follow (a `mel` one is also
 *   checked when the page runs it);
 * - `console`: a shell session: each `$ command` runs (with bash, in the scratch folder,
 *   with the built `tutti` first on PATH, `CI=true`, no colours), and the lines up to the
 *   next `$` are its expected output, stdout and stderr together. Timestamps
 *   (`[2026-12-04T10:00:00.000Z]`) and durations (`1.2 s`, `850 ms`) compare as equal
 *   whatever their value, and so do runs of spaces after a word (table columns); a line
 *   `...` stands for any number of lines; `<…>` inside a line for any text. A command that
 *   ends with a non-zero status prints `[exit N]` last.
 * - `sh`: a script: it runs with `bash -e` in the scratch folder (same environment) and
 *   must exit 0; its output is not compared.
 * - `ts`: a TypeScript module using the workspace packages: it runs (tsx) with the scratch
 *   folder as its working directory and must exit 0.
 * - `json`, `yaml`: data: each must parse; a `json` block with `report=FILE` shows the
 *   fields of FILE, written by an earlier block (`tutti run --report FILE`): the same
 *   fields, no more, no fewer. `toml`: a `Compo.toml`, which must read as one.
 * - `text` and unlabelled blocks show output, grammar or layout, not code.
 * - A block with the flag `norun` is shown only: the page says in words what it needs
 *   that a test cannot have here (a GitHub token, a webhook from the internet). Any other
 *   language fails the test, so that no new kind of example goes unrun.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticSink } from '@tutti/core';
import { checkPath } from '@tutti/driver';
import { parseManifest } from '@tutti/loader';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './helpers.js';

const DOCS = join(ROOT, 'docs');

interface Block {
  readonly lang: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** The fenced code blocks of a Markdown page (``` or ~~~ fences, info string parsed). */
export function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] as string);
    if (open === null) continue;
    const fence = open[2] as string;
    const [lang = '', ...rest] = (open[3] as string).trim().split(/\s+/);
    const attrs = new Map<string, string>();
    const flags = new Set<string>();
    for (const r of rest) {
      const eq = r.indexOf('=');
      if (eq > 0) attrs.set(r.slice(0, eq), r.slice(eq + 1));
      else if (r !== '') flags.add(r);
    }
    const body: string[] = [];
    const start = i;
    for (i++; i < lines.length; i++) {
      const l = lines[i] as string;
      const t = l.trim();
      if (t.length >= fence.length && t === (fence[0] as string).repeat(t.length)) break;
      body.push(l);
    }
    out.push({ lang, attrs, flags, body: `${body.join('\n')}\n`, line: start + 1 });
  }
  return out;
}

/** Makes output comparable: times and durations of any value compare equal. */
function normalise(text: string): string {
  return (
    text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, 'TIME')
      .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|min)\b/g, 'DURATION')
      .replace(/\t/g, ' ')
      .replace(/[ \t]+$/gm, '')
      // Column widths follow the durations' widths: compare words, not alignment.
      .replace(/(\S)[ \t]{2,}/g, '$1 ')
  );
}

/** Whether `actual` lines match `expected` lines (`...` any lines, `<…>` any text in a line). */
export function matches(actual: readonly string[], expected: readonly string[]): boolean {
  const line = (a: string, e: string) => {
    if (!e.includes('<…>')) return a === e;
    const re = new RegExp(
      `^${e
        .split('<…>')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(a);
  };
  const go = (i: number, j: number): boolean => {
    if (j === expected.length) return i === actual.length;
    if (expected[j] === '...') {
      for (let k = i; k <= actual.length; k++) if (go(k, j + 1)) return true;
      return false;
    }
    return i < actual.length && line(actual[i] as string, expected[j] as string) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** Commands and their expected output lines, from a console block. */
function session(body: string): { command: string; expected: string[] }[] {
  const out: { command: string; expected: string[] }[] = [];
  for (const l of body.replace(/\n$/, '').split('\n')) {
    if (l.startsWith('$ ')) out.push({ command: l.slice(2), expected: [] });
    else out.at(-1)?.expected.push(l);
  }
  return out;
}

/** A folder whose `tutti` is this checkout's built CLI. */
function binFolder(): string {
  const bin = mkdtempSync(join(tmpdir(), 'tutti-docs-bin-'));
  const shim = join(bin, 'tutti');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'packages/cli/bin/tutti.js')}" "$@"\n`);
  chmodSync(shim, 0o755);
  return bin;
}

const pages = readdirSync(DOCS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort();

test('the docs have pages', () => {
  assert.ok(pages.length >= 5, `docs/ holds ${pages.length} pages`);
});

test('the example matcher: ... and <…> wildcards', () => {
  assert.ok(matches(['a', 'b', 'c'], ['a', '...', 'c']));
  assert.ok(matches(['a', 'c'], ['a', '...', 'c']));
  assert.ok(!matches(['a', 'b'], ['a', 'c']));
  assert.ok(matches(['took 3 steps'], ['took <…> steps']));
  assert.ok(!matches(['a', 'b'], ['a']));
});

test('docs/cli.md is the help of the CLI as built (node scripts/cli-reference.mjs rewrites it)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/cli-reference.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('check, run and info answer --help with the main help', () => {
  for (const c of ['check', 'run', 'info']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/tutti.js'), c, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Options of check:/);
  }
});

const bin = binFolder();
// GIT_CEILING_DIRECTORIES: git never finds a repository above a scratch folder (a stray
// /tmp/.git would make it the pages' repository).
const ENV = {
  ...process.env,
  PATH: `${bin}:${process.env.PATH}`,
  NO_COLOR: '1',
  CI: 'true',
  TUTTI_DOCS_TEST: '1',
  GIT_CEILING_DIRECTORIES: tmpdir(),
};
/** Languages shown, not run: output, grammar, layouts. */
const SHOWN = new Set(['', 'text']);
const DATA = new Set(['json', 'toml', 'yaml']);
const RUN = new Set(['mel', 'console', 'sh', 'ts', ...DATA]);

let engineAnswers: boolean | undefined;
/** Whether podman or docker answers (pages' container examples need one); asked once. */
function containerEngine(): boolean {
  engineAnswers ??= spawnSync(process.env.TUTTI_CONTAINER_ENGINE ?? 'podman', ['--version'], { stdio: 'ignore' }).status === 0;
  return engineAnswers;
}

/** The key paths of a JSON value (`steps[].name`): what a documented shape must match. */
function shape(value: unknown, at = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) shape(v, `${at}[]`, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.add(`${at}.${k}`);
      shape(v, `${at}.${k}`, out);
    }
  return out;
}

test('every block of docs/ is of a kind this test runs or shows', () => {
  for (const page of pages)
    for (const b of blocks(readFileSync(join(DOCS, page), 'utf8')))
      assert.ok(
        SHOWN.has(b.lang) || RUN.has(b.lang) || b.attrs.has('file') || b.flags.has('norun'),
        `docs/${page}:${b.line}: no rule runs a \`${b.lang}\` block (test/docs.test.ts): make it one of ${[...RUN].join(', ')}, a file=, or norun`,
      );
});

for (const page of pages) {
  const text = readFileSync(join(DOCS, page), 'utf8');
  const found = blocks(text).filter((b) => !SHOWN.has(b.lang) && !b.flags.has('norun'));
  if (found.length === 0) continue;
  test(`docs/${page}: every example runs`, { timeout: 600_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tutti-docs-'));
    // The pages' commands are written from the repository root.
    for (const f of ['examples', 'scripts', 'test']) symlinkSync(join(ROOT, f), join(dir, f));
    try {
      let n = 0;
      for (const b of found) {
        const where = `docs/${page}:${b.line}`;
        if (b.flags.has('containers') && !containerEngine()) {
          if (process.env.CI === 'true') assert.fail(`${where}: needs podman or docker`);
          t.diagnostic(`${where}: skipped, no container engine`);
          continue;
        }
        const file = b.attrs.get('file');
        if (file !== undefined) {
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          writeFileSync(join(dir, file), b.body);
          continue;
        }
        if (b.lang === 'mel') {
          const script = join(dir, `example-${++n}.mel`);
          writeFileSync(script, b.body);
          const { sink } = await checkPath(script);
          const errs = sink.items.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
          assert.deepEqual(errs, [], `${where}: the example does not check`);
        } else if (b.lang === 'console') {
          for (const { command, expected } of session(b.body)) {
            const r = spawnSync('bash', ['-c', command], { cwd: dir, encoding: 'utf8', env: ENV, timeout: 240_000 });
            let output = `${r.stdout}${r.stderr}`.replace(/\n$/, '');
            if (r.status !== 0) output += `${output === '' ? '' : '\n'}[exit ${r.status ?? r.signal}]`;
            const actual = output === '' ? [] : normalise(output).split('\n');
            const want = normalise(expected.join('\n')).split('\n');
            const wanted = expected.length === 0 ? [] : want;
            assert.ok(
              matches(actual, wanted),
              `${where}: \`${command}\` printed:\n${actual.join('\n')}\n--- the page says:\n${wanted.join('\n')}`,
            );
          }
        } else if (b.lang === 'sh') {
          const r = spawnSync('bash', ['-e', '-c', b.body], { cwd: dir, encoding: 'utf8', env: ENV, timeout: 400_000 });
          assert.equal(r.status, 0, `${where}: the script failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
        } else if (b.lang === 'ts') {
          // In the checkout, so that the workspace packages resolve; run from the scratch folder.
          const module = join(ROOT, 'test', `.docs-example-${process.pid}-${++n}.ts`);
          writeFileSync(module, b.body);
          try {
            const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), module], {
              cwd: dir,
              encoding: 'utf8',
              env: ENV,
              timeout: 60_000,
            });
            assert.equal(r.status, 0, `${where}: the module failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
          } finally {
            rmSync(module, { force: true });
          }
        } else if (b.lang === 'json') {
          let value: unknown;
          assert.doesNotThrow(() => {
            value = JSON.parse(b.body);
          }, `${where}: not JSON`);
          const report = b.attrs.get('report');
          if (report !== undefined) {
            // Every field the page shows exists in a real report, and the other way round.
            const real = shape(JSON.parse(readFileSync(join(dir, report), 'utf8')));
            const shown = shape(value);
            assert.deepEqual(
              [...shown].filter((k) => !real.has(k)),
              [],
              `${where}: fields shown that ${report} lacks`,
            );
            assert.deepEqual(
              [...real].filter((k) => !shown.has(k)),
              [],
              `${where}: fields of ${report} the page does not show`,
            );
          }
        } else if (b.lang === 'toml') {
          // TOML in these pages is a Compo.toml.
          const sink = new DiagnosticSink();
          parseManifest(b.body, where, sink);
          assert.deepEqual(
            sink.items.map((d) => d.message),
            [],
            `${where}: not a valid Compo.toml`,
          );
        } else if (b.lang === 'yaml') {
          assert.doesNotThrow(() => parseYaml(b.body), `${where}: not YAML`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
