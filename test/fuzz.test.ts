/**
 * Bounded fuzzing of the front-end and checker: random bytes and mutations of real
 * programs must give diagnostics, never an exception, and finish quickly. Seeded, so a
 * failure can be replayed (the seed is in the test name); the time budget bounds the run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPath } from '@tutti/driver';
import { ROOT } from './helpers.js';

const BUDGET_MS = Number(process.env.FUZZ_MS ?? 8000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const corpus = readdirSync(join(ROOT, 'test/conformance/static'))
  .filter((n) => n.endsWith('.mel'))
  .map((n) => readFileSync(join(ROOT, 'test/conformance/static', n)));
const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '<',
  '>',
  '[',
  ']',
  '->',
  ',',
  '.',
  ':',
  '::',
  '=',
  '_',
  '"',
  "'",
  '|',
  '@',
  '/*',
  '//',
  'Self',
  'treatment',
  'model',
  'use',
  '\n',
  '0x',
  '-',
  '#',
].map((t) => Buffer.from(t));

function mutate(src: Buffer, r: () => number): Buffer {
  const n = 1 + Math.floor(r() * 6);
  let buf = src;
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (buf.length + 1));
    const kind = r();
    if (kind < 0.35) buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + 1 + Math.floor(r() * 20)))]);
    else if (kind < 0.8) buf = Buffer.concat([buf.subarray(0, at), TOKENS[Math.floor(r() * TOKENS.length)] as Buffer, buf.subarray(at)]);
    else buf = Buffer.concat([buf.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), buf.subarray(at)]);
  }
  return buf;
}

test(`fuzz: random and mutated programs never crash the checker (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'tutti-fuzz-'));
  const file = join(dir, 'main.mel');
  const started = Date.now();
  let runs = 0;
  while (Date.now() - started < BUDGET_MS) {
    const bytes =
      r() < 0.2
        ? Buffer.from(Array.from({ length: Math.floor(r() * 512) }, () => Math.floor(r() * 256)))
        : mutate(corpus[Math.floor(r() * corpus.length)] as Buffer, r);
    writeFileSync(file, bytes);
    const t0 = Date.now();
    try {
      const { sink } = await checkPath(file, { paths: [join(ROOT, 'test/testkit')] });
      for (const d of sink.items) assert.ok(d.message.length > 0);
    } catch (e) {
      writeFileSync(join(dir, 'crash.mel'), bytes);
      assert.fail(`checker threw on input saved as ${join(dir, 'crash.mel')}: ${(e as Error).stack}`);
    }
    assert.ok(Date.now() - t0 < 2000, 'one check took over 2 s');
    runs++;
  }
  assert.ok(runs > 50, `only ${runs} inputs in the budget`);
});
