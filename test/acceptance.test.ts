/**
 * An optional external acceptance corpus, driven through the real CLI by its own runner:
 * every case must pass. Each `run` case's program is also checked in-process, so that a
 * failure says whether the check or the run went wrong. The corpus is not part of this
 * repository: it is looked for in `TUTTI_ACCEPTANCE_DIR`, else in the folder `shared/acceptance`
 * beside the checkout, and these tests are skipped when it is absent (a folder holding
 * `run.sh` and `cases/<case>/expect.json`). Nothing else in the repository relies on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { check, ROOT } from './helpers.js';

const SHARED = resolve(process.env.TUTTI_ACCEPTANCE_DIR || join(ROOT, '..', 'shared', 'acceptance'));
const present = existsSync(join(SHARED, 'run.sh'));
const cases = present ? readdirSync(join(SHARED, 'cases')).sort() : [];
const expectOf = (c: string) =>
  JSON.parse(readFileSync(join(SHARED, 'cases', c, 'expect.json'), 'utf8')) as { command: string; args?: string[]; program?: string };
const needsEngine = (c: string) => expectOf(c).command === 'run' && !c.startsWith('2');

test('acceptance corpus: every case passes', { skip: !present && `no acceptance corpus at ${SHARED} (set TUTTI_ACCEPTANCE_DIR)` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-acceptance-'));
  for (const c of cases) cpSync(join(SHARED, 'cases', c), join(dir, c), { recursive: true });
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
