#!/usr/bin/env node
// CI/CD benchmark (c) of issue #11 (report; target ≤ 1.1× for the step), each figure against a
// baseline measured in the same run with the same engine and the shared base image:
//  container step  one `stepOn` running `true` in the container of a runner already set up
//                  (`compose`), trigger to `finished` (the step's `preparing` report to its
//                  `passed` report), the steps chained one after the other, vs a bare
//                  `<engine> exec CONTAINER true` into a running container;
//  runner setup    `setupRunner` with one executor container and one volume, "Dispatch
//                  requested" to `ready` (the first step's `preparing` report), vs
//                  `<engine> run --rm IMAGE true`.
// Environment: STEPS (default 12 chained steps; the first is a warm-up), RUNS (default 3 runs
// of the program). Skipped with a message when no container engine is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerSetup } from '../scripts/container-image.mjs';
import { median, printMachine } from './lib.mjs';

const STEPS = Number(process.env.STEPS ?? 12);
const RUNS = Number(process.env.RUNS ?? 3);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const label = (text) => `  ${text}`.padEnd(48);
const now = () => Number(process.hrtime.bigint()) / 1e6;

printMachine();
const setup = await containerSetup().catch((e) => ({ skip: `no base image: ${e.message}` }));
if (setup.skip !== undefined) {
  console.log(`cicd benchmark skipped: ${setup.skip}`);
  process.exit(0);
}
for (const [k, v] of Object.entries(setup.env)) process.env[k] ??= v;
const { checkPath, launch, programSource, runDesign } = await import('@tutti/driver');
const { ContainerEngine, setWorkerCommand } = await import('@tutti/lib-work');
setWorkerCommand([process.execPath, join(ROOT, 'packages/cli/bin/tutti.js')]);
const engine = ContainerEngine.fromEnvironment();
const bare = (args) => {
  const r = spawnSync(engine.program, [...engine.globalArgs, ...args], { env: engine.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${engine.kind} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
};
const timed = (fn) => {
  const t0 = now();
  fn();
  return now() - t0;
};

/** The program: one runner, STEPS steps running `true` in its container, each after the previous one. */
function program() {
  const steps = [];
  const links = ['    startup.trigger -> setupRunner.trigger,ready -> s0.trigger'];
  for (let i = 0; i < STEPS; i++) {
    steps.push(
      `    s${i}: stepOn[runner = runner](name = "s${i}", executor_name = |wrap<string>("box"), commands = [|command("true", [])])`,
    );
    if (i > 0) links.push(`    s${i - 1}.finished -> s${i}.trigger`);
  }
  return `#! name = bench_cicd
#! version = 0.1.0
#! require = std:0.10.2 cicd:0.10.2 process:0.10.2 work:0.10.2

use cicd/naive::|host_arch
use cicd/runners::CicdDispatchEngine
use cicd/runners::CicdRunnerEngine
use cicd/runners::setupRunner
use cicd/steps::stepOn
use process/command::|command
use std/engine/util::startup
use std/ops/option::|wrap
use work/resources::|container
use work/resources::|mount
use work/resources::|volume

treatment main()
  model dispatcher: CicdDispatchEngine(location = "compose")
  model runner: CicdRunnerEngine()
{
    startup()
    setupRunner[dispatcher = dispatcher, runner = runner](name = "runner", cpu = 1000, memory = 512, storage = 200,
        volumes = [|volume("data", 100)],
        containers = [|container("box", 256, 1000, 100, |host_arch(), [|mount("data", "/data")], "${setup.image}", _)])
${steps.join('\n')}
${links.join('\n')}
}
`;
}

const dir = mkdtempSync(join(tmpdir(), 'tutti-bench-cicd-'));
const file = join(dir, 'main.mel');
writeFileSync(file, program());
const checked = await checkPath(file, {});
const errors = checked.sink.items.filter((d) => d.severity === 'error');
if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));

const stepMs = [];
const setupMs = [];
const runRm = [];
const execs = [];
// The baseline container: exec into a running container of the same image, measured in turns
// with the program's runs (the machine's load moves a lot from one minute to the next).
const baseline = `tutti-bench-cicd-${process.pid}`;
bare(['run', '--detach', '--init', '--name', baseline, '--entrypoint', 'sleep', setup.image, '600']);
try {
  bare(['exec', baseline, 'true']);
  for (let run = 0; run < RUNS; run++) {
    for (let i = 1; i < STEPS; i++) execs.push(timed(() => bare(['exec', baseline, 'true'])));
    runRm.push(timed(() => bare(['run', '--rm', setup.image, 'true'])));
    const design = launch(checked, {});
    const reports = [];
    let requested;
    const r = await runDesign(design, {
      log: (l) => {
        if (l.message === 'Dispatch requested') requested = l.time.getTime();
      },
      step: (s) => reports.push(s),
      program: programSource(file, checked.loaded),
    });
    if (!r.ok) throw new Error('the benchmark program failed');
    const at = (name, state) => reports.find((s) => s.name === name && s.state === state)?.time.getTime();
    for (let i = 0; i < STEPS; i++) if (at(`s${i}`, 'passed') === undefined) throw new Error(`step s${i} did not pass`);
    setupMs.push(at('s0', 'preparing') - requested);
    for (let i = 1; i < STEPS; i++) stepMs.push(at(`s${i}`, 'passed') - at(`s${i}`, 'preparing'));
  }
} finally {
  spawnSync(engine.program, [...engine.globalArgs, 'rm', '--force', '--time', '0', baseline], { env: engine.env, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

console.log(`cicd benchmark (c) (${engine.kind}; ${RUNS} runs of ${STEPS} chained steps; medians)`);
console.log(`${label(`${engine.kind} exec CONTAINER true:`)}${fmt(median(execs))} (baseline, ${execs.length} runs)`);
console.log(
  `${label('one container step (stepOn, `true`):')}${fmt(median(stepMs))} (${(median(stepMs) / median(execs)).toFixed(2)}× baseline; target ≤ 1.1×)`,
);
console.log(`${label(`${engine.kind} run --rm IMAGE true:`)}${fmt(median(runRm))} (baseline)`);
console.log(
  `${label('runner setup (1 container + 1 volume):')}${fmt(median(setupMs))} (${(median(setupMs) / median(runRm)).toFixed(2)}× baseline)`,
);
