/**
 * The 0.9 surface (docs/legacy.md): programs requiring `^0.9`
 * get `log` and the 0.9 `cicd`; 0.10 programs are unchanged. Runs through the built CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiagnosticSink, formatType } from '@tutti/core';
import { checkPath } from '@tutti/driver';
import { checkProgram, type TreatmentSymbol } from '@tutti/lang';
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
  // Both treatments start on the same trigger: either may log first.
  const build = lines.find((l) => /^\[\S+Z\] info: build: compiling$/.test(l));
  const unit = lines.find((l) => /^\[\S+Z\] warning: unit tests: careful$/.test(l));
  assert.ok(build !== undefined && unit !== undefined, r.stdout);
  assert.equal(readFileSync(join(out, 'full.log'), 'utf8'), `${lines.join('\n')}\n`, 'the full log in the printed order');
  assert.equal(readFileSync(join(out, 'build.log'), 'utf8'), `${build}\n`);
  assert.equal(readFileSync(join(out, 'unit_tests.log'), 'utf8'), `${unit}\n`);
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

test('each 0.9 cicd wrapper has the 0.10 signature plus its logger slot; every 0.10 .mel area has its 0.9 layer', async () => {
  const dir = tmp({ 'p.mel': '#! name = p\n#! require = cicd:^0.9 std:^0.9\ntreatment main() {}\n' });
  const { loaded } = await checkPath(join(dir, 'p.mel'));
  assert.ok(loaded);
  const v09 = loaded.program.packages.get('cicd');
  const v10 = loaded.program.packages.get('cicd_0_10');
  assert.ok(v09 && v10);
  assert.equal(v09.version, '0.9.1');
  assert.equal(v10.version, '0.10.2');
  const sub = (areas: readonly string[], pkg: string) => areas.map((a) => a.slice(pkg.length)).sort();
  const missing = sub(v10.melAreas(), 'cicd_0_10').filter((a) => !sub(v09.melAreas(), 'cicd').includes(a));
  assert.deepEqual(missing, [], 'a 0.10 .mel area without its 0.9 layer');

  const sink = new DiagnosticSink();
  const r = checkProgram({ ...loaded.program, root: v09 }, v09.melAreas(), [], sink);
  assert.deepEqual(
    sink.items.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  const shape = (t: TreatmentSymbol, without: string) => ({
    slots: t.modelSlots.filter((s) => s.name !== without).map((s) => s.name),
    params: [...t.params.values()].map((p) => [p.name, p.variability, p.type && formatType(p.type), p.hasDefault]),
    inputs: [...t.inputs.values()].map((p) => [p.name, p.flow, p.type && formatType(p.type)]),
    outputs: [...t.outputs.values()].map((p) => [p.name, p.flow, p.type && formatType(p.type)]),
  });
  let compared = 0;
  for (const area of r.areas) {
    if (area.pkg !== v09 || area.mel === undefined || area.path === 'cicd/logging') continue;
    for (const name of area.declared.keys()) {
      const t = area.lookup('name', name);
      if (t?.kind !== 'treatment') continue;
      // Each wrapper imports what it wraps as `<name>_0_10`.
      const b = area.imports.get(`${name}_0_10`)?.element;
      assert.ok(b !== undefined && b !== 'poisoned' && b.kind === 'treatment', `no 0.10 ${area.path}::${name}`);
      assert.equal(b.area.path, `cicd_0_10${area.path.slice(4)}`);
      assert.deepEqual(shape(t, 'logger'), shape(b, 'logger'), `${area.path}::${name}`);
      assert.equal(
        t.modelSlots.some((m) => m.name === 'logger' && m.model?.id === 'log/logger::Logger'),
        !['ioToString', 'stopRunner'].includes(name),
        `${name}: the 0.9 logger slot`,
      );
      compared++;
    }
  }
  assert.ok(compared >= 20, `only ${compared} wrappers compared`);

  // Every 0.10 .mel treatment has its 0.9 shape, but the ones Tutti adds for its own use.
  const internal = new Set(['step', 'spawnLabelled', 'remoteStep', 'containerStep']);
  const r10 = checkProgram({ ...loaded.program, root: v10 }, v10.melAreas(), [], new DiagnosticSink());
  const unwrapped: string[] = [];
  for (const area of r10.areas) {
    if (area.pkg !== v10 || area.mel === undefined) continue;
    const layer = r.areas.find((a) => a.pkg === v09 && a.path === `cicd${area.path.slice('cicd_0_10'.length)}`);
    for (const name of area.declared.keys())
      if (area.lookup('name', name)?.kind === 'treatment' && !internal.has(name) && layer?.declared.has(name) !== true)
        unwrapped.push(`${area.path}::${name}`);
  }
  assert.deepEqual(unwrapped, [], '0.10 treatments without a 0.9 wrapper');
});
