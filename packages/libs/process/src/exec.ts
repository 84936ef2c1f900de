/**
 * `process/exec`: the executor handle and the native execution
 * treatments. The treatments receive their Block inputs (rule B), drive the executor (see
 * executor.ts) and turn its outcomes into status outputs; all process handling is the
 * executor's.
 */
import { dataType, type InputPort, type OutputPort, treatment } from '@tutti/core';
import type { CommandValue } from './command-value.js';
import {
  closeAllBut,
  controlOf,
  receiveCommand,
  receiveSetup,
  reportOne,
  reportSequence,
  runSequence,
  type Setup,
  Starts,
  sinkOf,
  sourceOf,
  Termination,
} from './exec-support.js';
import type { RunControl, RunOutcome } from './executor.js';

const area = 'process/exec';

const oneInputs = {
  executor: 'Block<Executor>',
  command: 'Block<Command>',
  environment: 'Block<Option<Environment>>',
  terminate: 'Block<void>',
};

const manyInputs = {
  executor: 'Block<Executor>',
  commands: 'Stream<Command>',
  environment: 'Block<Option<Environment>>',
  terminate: 'Block<void>',
};

const status = {
  started: 'Block<void>',
  finished: 'Block<void>',
  completed: 'Block<void>',
  failed: 'Block<void>',
  terminated: 'Block<void>',
  error: 'Block<string>',
};

const stdio = { stdout: 'Stream<byte>', stderr: 'Stream<byte>' };

type Ports = Readonly<Record<string, InputPort>>;
type Outs = Readonly<Record<string, OutputPort>>;
type Run = (setup: Setup, command: CommandValue, control: RunControl) => Promise<RunOutcome>;

/** One command (`*One*` variants): rule B on executor, environment and command. */
async function single(inputs: Ports, outputs: Outs, stop: AbortSignal, run: Run, onEnd?: () => void): Promise<void> {
  const setup = await receiveSetup(inputs.executor as InputPort, inputs.environment as InputPort);
  if (setup === null) return;
  const command = await receiveCommand(inputs.command as InputPort);
  if (command === null) return;
  const starts = new Starts(outputs.started as OutputPort);
  const outcome = await run(setup, command, controlOf(starts, new Termination(inputs.terminate as InputPort), stop));
  if (stop.aborted) return; // the engine stopped: nobody listens any more
  onEnd?.();
  await starts.settled();
  await reportOne(outcome, outputs);
}

/**
 * Commands one after the other (stream variants): each exit code is streamed; the sequence
 * stops at the first failed run or on termination (also while waiting for commands).
 */
async function sequence(inputs: Ports, outputs: Outs, stop: AbortSignal, run: Run): Promise<void> {
  const setup = await receiveSetup(inputs.executor as InputPort, inputs.environment as InputPort);
  if (setup === null) return;
  const exit = outputs.exit as OutputPort;
  const termination = new Termination(inputs.terminate as InputPort);
  const starts = new Starts(outputs.started as OutputPort);
  const control = controlOf(starts, termination, stop);
  const end = await runSequence(
    inputs.commands as InputPort,
    termination,
    stop,
    (command) => run(setup, command, control),
    async (outcome) => {
      await starts.settled();
      if (outcome.exit !== undefined) await exit.sendOne(outcome.exit);
      if (outcome.status === 'failed' && outcome.error !== undefined) await (outputs.error as OutputPort).sendOne(outcome.error);
    },
  );
  if (end === undefined) return;
  await starts.settled();
  await reportSequence(end, outputs);
}

export const exec = [
  dataType(area, 'Executor', {
    doc: 'Handle on an execution backend: exec (no stdio), spawn (stdin/stdout/stderr), spawn-out (no stdin).',
  }),
  treatment(area, 'execOneTerminable', {
    inputs: oneInputs,
    outputs: { ...status, exit: 'Block<Option<i32>>' },
    doc: 'Runs the command with stdio detached; `completed` then `exit` when it exits, `terminated` if killed.',
    run: ({ inputs, outputs, signal }) =>
      single(inputs, outputs, signal, ({ executor, environment }, command, control) => executor.exec(command, environment, control)),
  }),
  treatment(area, 'execTerminable', {
    inputs: manyInputs,
    outputs: { ...status, exit: 'Stream<Option<i32>>' },
    doc: 'Runs the commands one after the other, streaming exit codes; stops at an executor failure or terminate.',
    run: ({ inputs, outputs, signal }) =>
      sequence(inputs, outputs, signal, ({ executor, environment }, command, control) => executor.exec(command, environment, control)),
  }),
  treatment(area, 'spawnOneTerminable', {
    inputs: { ...oneInputs, stdin: 'Stream<byte>' },
    outputs: { ...status, exit: 'Block<Option<i32>>', ...stdio },
    doc: 'Spawns the command with pipes: writes `stdin`, forwards stdout and stderr; `exit` when it exits.',
    run: ({ inputs, outputs, signal }) =>
      single(
        inputs,
        outputs,
        signal,
        ({ executor, environment }, command, control) =>
          executor.spawn(command, environment, control, {
            stdin: sourceOf(inputs.stdin),
            stdout: sinkOf(outputs.stdout),
            stderr: sinkOf(outputs.stderr),
          }),
        // Both outputs are drained: their end comes before the statuses.
        () => closeAllBut({ stdout: outputs.stdout, stderr: outputs.stderr }),
      ),
  }),
  treatment(area, 'spawnTerminable', {
    inputs: manyInputs,
    outputs: { ...status, exit: 'Stream<Option<i32>>', ...stdio },
    doc: 'Runs the commands in turn with stdin null, concatenating stdout and stderr; stops at the first failure.',
    run: ({ inputs, outputs, signal }) => {
      const out = { stdout: sinkOf(outputs.stdout), stderr: sinkOf(outputs.stderr) };
      return sequence(inputs, outputs, signal, ({ executor, environment }, command, control) =>
        executor.spawnOut(command, environment, control, out),
      );
    },
  }),
];
