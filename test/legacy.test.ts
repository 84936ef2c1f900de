/**
 * The 0.9 surface (libraries spec Appendix B, docs/legacy.md): programs requiring `^0.9`
 * get `log` and the 0.9 `cicd`; 0.10 programs are unchanged. Runs through the built CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { check, cli, errors, project } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (files: Record<string, string>) => {
  const d = project(files);
  dirs.push(d);
  return d;
};

const LOGGING = `
use log/logger::Logger
use log/logger::logBlock
use log/logger::|warning
use log/log::logInfoMessage
use cicd/logging::manageLogs
use std/engine/util::startup
use std/flow::emit

treatment main(out: string)
  model logger: Logger()
{
    startup()
    manageLogs[logger=logger](output_directory=out)
    logInfoMessage[logger=logger](label="build", message="compiling")
    emit<string>(value="careful")
    logBlock[logger=logger](label="unit tests", level=|warning())
    startup.trigger -> logInfoMessage.trigger
    startup.trigger -> emit.trigger,emit -> logBlock.message
    logBlock.ended -> manageLogs.stop
}
`;

test('a 0.9 program logs through a Logger: printed once, the full log and one file per label', () => {
  const dir = tmp({ 'a.mel': `#! name = a\n#! require = log:^0.9 std:^0.9 cicd:^0.9\n${LOGGING}` });
  const out = join(dir, 'logs');
  const r = cli(['run', join(dir, 'a.mel'), '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  assert.match(lines[0] as string, /^\[\S+Z\] info: build: compiling$/);
  assert.match(lines[1] as string, /^\[\S+Z\] warning: unit tests: careful$/);
  assert.equal(readFileSync(join(out, 'full.log'), 'utf8'), `${lines.join('\n')}\n`);
  assert.equal(readFileSync(join(out, 'build.log'), 'utf8'), `${lines[0]}\n`);
  assert.equal(readFileSync(join(out, 'unit_tests.log'), 'utf8'), `${lines[1]}\n`);
});

test('the surface follows the requirement: the same program is refused when it asks for 0.10', async () => {
  const dir = tmp({
    'v10.mel': `#! name = a\n#! require = log:0.10.2 std:0.10.2 cicd:0.10.2\n${LOGGING}`,
    'cicd10.mel': `#! name = b\n#! require = std:0.10.2 cicd:0.10.2\nuse cicd/logging::manageLogs\ntreatment main() {}\n`,
    'cicd09.mel': `#! name = c\n#! require = std:^0.9 cicd:~0.9.0\nuse cicd/logging::manageLogs\ntreatment main() {}\n`,
  });
  const v10 = await check(join(dir, 'v10.mel'));
  assert.ok(
    v10.some((d) => d.code === 'E_PACKAGE_NOT_FOUND' && /package 'log' 0\.9\.1 does not satisfy '0\.10\.2'/.test(d.message)),
    JSON.stringify(v10),
  );
  assert.deepEqual(errors(await check(join(dir, 'cicd10.mel'))), ['E_UNKNOWN_ELEMENT@3']);
  assert.deepEqual(errors(await check(join(dir, 'cicd09.mel'))), []);
});

test('a 0.10 program sees std/engine/log and no 0.9 shape', async () => {
  const dir = tmp({
    'p.mel': `#! name = p\n#! require = std:0.10.2 cicd:0.10.2\nuse std/engine/log::Level\nuse cicd/services/github::StepState\ntreatment main() {}\n`,
  });
  assert.deepEqual(
    (await check(join(dir, 'p.mel'))).filter((d) => d.severity === 'error'),
    [],
  );
});
