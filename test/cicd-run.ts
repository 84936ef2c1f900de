/**
 * Runs a CI/CD program in-process through the driver, as `tutti run` does, collecting its log
 * records and step reports (the tests of test/cicd-*.test.ts). Workers (`local` and `compose`
 * locations) are started with the built CLI.
 */
import { join } from 'node:path';
import { checkPath, launch, programSource, runDesign } from '@tutti/driver';
import type { LogRecord, StepRecord } from '@tutti/engine';
import { setWorkerCommand } from '@tutti/lib-work';
import { ROOT } from './helpers.js';

setWorkerCommand([process.execPath, join(ROOT, 'packages/cli/bin/tutti.js')]);

export interface Ran {
  readonly ok: boolean;
  readonly logs: readonly LogRecord[];
  readonly steps: readonly StepRecord[];
  /** Debug lines of step `name` (its commands' output). */
  lines(name: string): string[];
  /** The states step `name` went through. */
  states(name: string): string[];
  /** The last report of step `name`. */
  last(name: string): StepRecord | undefined;
}

/** Checks and runs `program` with entry `args`; throws on diagnostics. */
export async function runProgram(program: string, args: readonly string[] = [], signal?: AbortSignal): Promise<Ran> {
  const checked = await checkPath(program, {});
  const errors = checked.sink.items.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.code}: ${d.message}`).join('\n'));
  const design = launch(checked, { args: [...args] });
  if (design === undefined) throw new Error(checked.sink.items.map((d) => `${d.code}: ${d.message}`).join('\n'));
  const logs: LogRecord[] = [];
  const steps: StepRecord[] = [];
  const r = await runDesign(design, {
    log: (l) => logs.push(l),
    step: (s) => steps.push(s),
    ...(signal === undefined ? {} : { signal }),
    ...(checked.loaded === undefined ? {} : { program: programSource(program, checked.loaded) }),
  });
  return {
    ok: r.ok,
    logs,
    steps,
    lines: (name) => logs.filter((l) => l.label === name && l.level === 'debug').map((l) => l.message),
    states: (name) => steps.filter((s) => s.name === name).map((s) => s.state),
    last: (name) => steps.filter((s) => s.name === name).at(-1),
  };
}
