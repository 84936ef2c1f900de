/**
 * The `.mel` areas shipped with the bundled packages are source too:
 * every one of them must check without any diagnostic, whether or not a program uses it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticSink } from '@tutti/core';
import { BUNDLED } from '@tutti/driver';
import { checkProgram } from '@tutti/lang';
import { loadProgram } from '@tutti/loader';
import { project } from './helpers.js';

test('every .mel area of every bundled package checks cleanly', async () => {
  const requires = BUNDLED.map((p) => `${p.name}:0.10.2`).join(' ');
  const dir = project({ 'main.mel': `#! name = all\n#! require = ${requires}\ntreatment main() {}\n` });
  const sink = new DiagnosticSink();
  const loaded = await loadProgram(join(dir, 'main.mel'), { bundled: BUNDLED }, sink);
  assert.ok(loaded);
  let areas = 0;
  for (const p of BUNDLED) {
    const view = loaded.program.packages.get(p.name);
    assert.ok(view, p.name);
    const roots = view.melAreas();
    areas += roots.length;
    checkProgram({ ...loaded.program, root: view }, roots, [], sink);
  }
  assert.ok(areas >= 10, `only ${areas} .mel areas found`);
  assert.deepEqual(
    sink.items.map((d) => `${d.code} ${d.span?.file.path}:${d.span ? d.span.file.position(d.span.start).line : ''} ${d.message}`),
    [],
  );
});
