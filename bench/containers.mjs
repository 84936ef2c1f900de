#!/usr/bin/env node
// Containers benchmark (issue #10, report only), each figure against a baseline measured in
// the same run with the same engine and the shared base image (scripts/container-image.mjs):
//  set start   startContainerSet with one executor and one volume, then close (start and
//              close timed apart) vs `<engine> run --rm IMAGE true`;
//  one command `true` through the container Executor (work/resources) vs a bare
//              `<engine> exec CONTAINER true` into the same running container.
// Environment: RUNS (default 5). Skipped with a message when no container engine is installed.
import { spawnSync } from 'node:child_process';
import { containerSetup } from '../scripts/container-image.mjs';
import { median, printMachine } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const label = (text) => `  ${text}`.padEnd(44);
const now = () => Number(process.hrtime.bigint()) / 1e6;

printMachine();
const setup = await containerSetup().catch((e) => ({ skip: `no base image: ${e.message}` }));
if (setup.skip !== undefined) {
  console.log(`containers benchmark skipped: ${setup.skip}`);
  process.exit(0);
}
for (const [k, v] of Object.entries(setup.env)) process.env[k] ??= v;
const { ContainerEngine, startContainerSet, executorFor } = await import('@tutti/lib-work');
const { CommandValue } = await import('@tutti/lib-process');
const engine = ContainerEngine.fromEnvironment();
const bare = (args) => {
  const r = spawnSync(engine.program, [...engine.globalArgs, ...args], { env: engine.env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${engine.kind} ${args.join(' ')} failed`);
};
const timed = async (fn) => {
  const t0 = now();
  await fn();
  return now() - t0;
};

const runRm = [];
const starts = [];
const closes = [];
for (let i = 0; i <= RUNS; i++) {
  const run = await timed(() => bare(['run', '--rm', setup.image, 'true']));
  let set;
  const start = await timed(async () => {
    set = await startContainerSet({
      runId: `bench-${process.pid}-${i}`,
      maxDuration: 300,
      volumes: [{ name: 'data', storage: 10 }],
      containers: [
        { name: 'box', image: setup.image, memory: 0, cpu: 0, storage: 0, arch: undefined, mounts: [{ name: 'data', point: '/data' }] },
      ],
      serviceContainers: [],
    });
  });
  const close = await timed(() => set.close());
  if (i === 0) continue; // warm-up
  runRm.push(run);
  starts.push(start);
  closes.push(close);
}
console.log(`containers benchmark (${engine.kind}; ${RUNS} runs each after one warm-up; medians)`);
console.log(`${label(`${engine.kind} run --rm IMAGE true:`)}${fmt(median(runRm))} (baseline)`);
console.log(
  `${label('set start (1 executor + 1 volume):')}${fmt(median(starts))} (${(median(starts) / median(runRm)).toFixed(2)}× baseline); close ${fmt(median(closes))}`,
);

const set = await startContainerSet({
  runId: `bench-${process.pid}-exec`,
  maxDuration: 300,
  volumes: [],
  containers: [{ name: 'box', image: setup.image, memory: 0, cpu: 0, storage: 0, arch: undefined, mounts: [] }],
  serviceContainers: [],
});
try {
  const got = executorFor('box', { ...process.env, ...set.env });
  const control = { started() {}, terminate: new AbortController().signal, stop: new AbortController().signal };
  const name = set.env.MELODIUM_RUN_CONTAINER_box;
  const execs = [];
  const executors = [];
  const count = RUNS * 4;
  for (let i = 0; i <= count; i++) {
    const e = await timed(() => bare(['exec', name, 'true']));
    const x = await timed(async () => {
      const outcome = await got.executor.exec(new CommandValue('true', []), null, control);
      if (outcome.status !== 'completed' || outcome.exit !== 0) throw new Error(`executor run: ${JSON.stringify(outcome)}`);
    });
    if (i === 0) continue;
    execs.push(e);
    executors.push(x);
  }
  console.log(`${label(`${engine.kind} exec CONTAINER true:`)}${fmt(median(execs))} (baseline, ${count} runs)`);
  console.log(
    `${label('container Executor, one `true`:')}${fmt(median(executors))} (${(median(executors) / median(execs)).toFixed(2)}× baseline)`,
  );
} finally {
  await set.close();
}
