/**
 * The shared acceptance corpus (../shared/acceptance), driven through the real CLI by its
 * own runner. Every case must pass, except the `run` cases that use the system libraries
 * of issue #4 (process, json, regex, encoding, javascript), which have no behaviour yet:
 * those must at least check cleanly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { check, ROOT } from './helpers.js';

const SHARED = join(ROOT, '..', 'shared', 'acceptance');
const present = existsSync(join(SHARED, 'run.sh'));
const cases = present ? readdirSync(join(SHARED, 'cases')).sort() : [];
const expectOf = (c: string) =>
  JSON.parse(readFileSync(join(SHARED, 'cases', c, 'expect.json'), 'utf8')) as { command: string; args?: string[]; program?: string };
/** Whether a run case uses a package of issue #4 (found in its sources). */
const needsSystemLibraries = (c: string) => {
  if (expectOf(c).command !== 'run' || c.startsWith('2')) return false;
  const texts = readdirSync(join(SHARED, 'cases', c), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.mel') || f.endsWith('.toml'))
    .map((f) => readFileSync(join(SHARED, 'cases', c, f), 'utf8'));
  return texts.some((t) =>
    /^\s*(use\s+|#!\s*require\s*=.*\b)(process|json|regex|encoding|javascript)\b|^\s*(process|json|regex|encoding|javascript)\s*=/m.test(t),
  );
};
const needsEngine = needsSystemLibraries;

test('acceptance corpus: every case that needs no issue-#4 library passes', { skip: !present && 'no ../shared/acceptance' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-acceptance-'));
  for (const c of cases.filter((x) => !needsEngine(x))) cpSync(join(SHARED, 'cases', c), join(dir, c), { recursive: true });
  const r = spawnSync('bash', [join(SHARED, 'run.sh')], {
    env: { ...process.env, CASES_DIR: dir, TUTTI: `${process.execPath} ${join(ROOT, 'packages/cli/bin/tutti.js')}` },
    encoding: 'utf8',
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(last, /^\d+ passed, 0 failed$/, r.stdout);
});

for (const c of cases.filter(needsEngine)) {
  test(`acceptance ${c}: the program checks without error`, async () => {
    const e = expectOf(c);
    const caseDir = join(SHARED, 'cases', c);
    const program = e.program ?? (existsSync(join(caseDir, 'Compo.toml')) ? 'Compo.toml' : 'main.mel');
    const first = e.args?.[0];
    const command = first !== undefined && !first.startsWith('-') ? first : undefined;
    const found = await check(join(caseDir, program), command !== undefined ? { command } : {});
    assert.deepEqual(
      found.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.line}: ${d.message}`),
      [],
    );
  });
}
