/**
 * The static conformance examples (static/*.mel, C01–C31). Each `// !E_CODE` marks an
 * error that `check` must report on that line; no other error may appear, except the
 * follow-on errors a case may additionally report (listed below). Withdrawn codes
 * (E_CYCLE: cycles among instances are legal) mark programs that must now check clean.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { check, errors, ROOT } from '../helpers.js';

const DIR = join(ROOT, 'test/conformance/static');
const WITHDRAWN = new Set(['E_CYCLE']);
const MAY: Record<string, string[]> = {
  'c15.mel': ['E_TYPE_MISMATCH'],
  'c22.mel': ['E_UNSATISFIED_INPUT'],
  'c25.mel': ['E_MISSING_MODEL'],
  'c29.mel': ['E_CONNECTION_TYPE_MISMATCH'],
  'c31.mel': ['E_UNSATISFIED_INPUT'],
};

for (const name of readdirSync(DIR).filter((n) => n.endsWith('.mel'))) {
  test(`static conformance example ${name}`, async () => {
    const text = readFileSync(join(DIR, name), 'utf8');
    const expected = text
      .split('\n')
      .flatMap((l, i) => [...l.matchAll(/\/\/ !(E_[A-Z_]+)/g)].filter((m) => !WITHDRAWN.has(m[1] as string)).map((m) => `${m[1]}@${i + 1}`))
      .sort();
    if (text.includes('// @expect: pass')) assert.equal(expected.length, 0);
    const allowed = new Set(MAY[name] ?? []);
    const got = errors(await check(join(DIR, name))).filter((e) => expected.includes(e) || !allowed.has(e.split('@')[0] as string));
    assert.deepEqual([...new Set(got)], expected);
  });
}
