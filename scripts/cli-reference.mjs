#!/usr/bin/env node
/**
 * Writes docs/cli.md, the command-line reference, from the help texts of the built CLI
 * itself (`tutti --help` and `tutti <command> --help` for every command the main help
 * lists), so the reference and `--help` cannot say different things.
 *
 *   node scripts/cli-reference.mjs           rewrite docs/cli.md
 *   node scripts/cli-reference.mjs --check   exit 1 when docs/cli.md is out of date
 *
 * test/docs.test.ts runs the check. Build first (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages/cli/bin/tutti.js');
const OUT = join(ROOT, 'docs/cli.md');

function help(args) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`tutti ${[...args, '--help'].join(' ')} exited with ${r.status}: ${r.stderr}`);
  // The version changes with every release; the reference should not.
  return r.stdout.replace(/^tutti \d+\.\d+\.\d+(\S*)/, 'tutti');
}

/** The commands of the main help's usage lines, in order: `tutti check …`, `tutti dist …`. */
export function commands(main) {
  const found = [];
  for (const m of main.matchAll(/^\s+tutti ([a-z][a-z-]*)\b/gm)) {
    const c = m[1];
    if (!found.includes(c)) found.push(c);
  }
  return found;
}

export function render() {
  const main = help([]);
  const parts = [
    '# Command-line reference',
    '',
    'Generated from the help texts of `tutti` itself by `scripts/cli-reference.mjs`; the test',
    'suite fails when this page and `--help` disagree. `tutti <command> --help` prints the same.',
    '',
    '## tutti',
    '',
    '```text',
    main.trimEnd(),
    '```',
  ];
  for (const c of commands(main)) {
    const text = help([c]);
    if (text === main) continue; // described by the main help (check, run, info)
    parts.push('', `## tutti ${c}`, '', '```text', text.trimEnd(), '```');
  }
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = render();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== text) {
      process.stderr.write('docs/cli.md is out of date: run `node scripts/cli-reference.mjs`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, text);
    process.stdout.write(`wrote ${OUT}\n`);
  }
}
