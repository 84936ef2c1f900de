#!/usr/bin/env node
// Check benchmark (issue #2): generated projects of 500, 1 000, 2 000 and 4 000 treatments,
// about 7 connections each, checked by the CLI (`tutti check --all`). Prints milliseconds
// per size (median of several runs) and the ratio to `node -e 0` measured in the same run.
// Targets: 2 000 treatments under 1.5 s (~27x node -e 0 on this machine), and linear growth
// (the 4 000 figure at most 2.3x the 2 000 one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printMachine } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages/cli/bin/tutti.js');
const SIZES = (process.env.SIZES ?? '500,1000,2000,4000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 5);
const PER_FILE = 50;

function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `tutti-bench-${n}-`));
  writeFileSync(
    join(dir, 'Compo.toml'),
    `name = "bench"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\n\n[entrypoints]\nmain = "bench/main::main"\n`,
  );
  mkdirSync(join(dir, 'parts'));
  const files = Math.ceil(n / PER_FILE);
  for (let f = 0; f < files; f++) {
    const lines = ['use std/flow::trigger', 'use std/flow::pass', 'use std/ops/num::add'];
    if (f > 0) lines.push(`use root/parts/p${f - 1}::t${f * PER_FILE - 1} as prev`);
    for (let i = f * PER_FILE; i < Math.min(n, (f + 1) * PER_FILE); i++) {
      const local = i - f * PER_FILE;
      // Two inner treatments: earlier ones of the same file, or the previous file's last.
      const a = local >= 1 ? `t${i - 1}` : f > 0 ? 'prev' : undefined;
      const b = local >= 2 ? `t${i - 2}` : a;
      lines.push('', `treatment t${i}(var enabled: bool = true)`, '  input i: Stream<u64>', '  output o: Stream<u64>', '{');
      if (a === undefined) {
        lines.push('    add<u64>()', '    trigger<u64>()', '    pass<u64>(cond = enabled)');
        lines.push(
          '    Self.i -> add.a',
          '    Self.i -> add.b',
          '    Self.i -> trigger.stream',
          '    add.sum -> pass.stream,passed -> Self.o',
          '}',
        );
        continue;
      }
      lines.push(
        `    x: ${a}(enabled = enabled)`,
        `    y: ${b}()`,
        '    add<u64>()',
        '    trigger<u64>()',
        '    pass<u64>(cond = enabled)',
      );
      lines.push(
        '    Self.i -> x.i,o -> add.a',
        '    Self.i -> y.i,o -> add.b',
        '    Self.i -> trigger.stream',
        '    add.sum -> pass.stream,passed -> Self.o',
        '}',
      );
    }
    writeFileSync(join(dir, 'parts', `p${f}.mel`), `${lines.join('\n')}\n`);
  }
  writeFileSync(
    join(dir, 'main.mel'),
    `use std/flow::consume\nuse std/flow::close\nuse std/engine/util::startup\nuse root/parts/p${files - 1}::t${n - 1} as top\n\ntreatment main()\n{\n    startup()\n    close<u64>()\n    top()\n    consume<u64>()\n    startup.trigger -> close.trigger,closed -> top.i,o -> consume.stream\n}\n`,
  );
  return dir;
}

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, r };
}

const base = printMachine(RUNS + 2);
console.log('');
console.log('| treatments | check --all ms (median) | vs node -e 0 | target |');
console.log('|---|---|---|---|');
const results = new Map();
for (const n of SIZES) {
  const dir = generate(n);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const { ms, r } = time(process.execPath, [CLI, 'check', '--all', join(dir, 'Compo.toml')]);
    if (r.status !== 0) {
      console.error(r.stderr.slice(0, 2000));
      throw new Error(`check of the ${n}-treatment project failed`);
    }
    times.push(ms);
  }
  const m = median(times);
  results.set(n, m);
  console.log(
    `| ${n} | ${m.toFixed(0)} | ${(m / base).toFixed(1)}x | ${n === 2000 ? (m < 1500 ? 'under 1.5 s: met' : 'under 1.5 s: MISSED') : ''} |`,
  );
  rmSync(dir, { recursive: true, force: true });
}
if (results.has(2000) && results.has(4000)) {
  const g = results.get(4000) / results.get(2000);
  console.log(`\ngrowth 4000/2000: ${g.toFixed(2)}x (target <= 2.3x: ${g <= 2.3 ? 'met' : 'MISSED'})`);
}
