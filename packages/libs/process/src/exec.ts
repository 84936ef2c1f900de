/** `process/exec` (libraries spec §5.1–§5.2): the executor handle and the native execution treatments. */
import { dataType, treatment } from '@tutti/core';

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

export const exec = [
  dataType(area, 'Executor', {
    doc: 'Handle on an execution backend: exec (no stdio), spawn (stdin/stdout/stderr), spawn-out (no stdin).',
  }),
  treatment(area, 'execOneTerminable', {
    inputs: oneInputs,
    outputs: { ...status, exit: 'Block<Option<i32>>' },
    doc: 'Runs the command with stdio detached; `completed` then `exit` when it exits, `terminated` if killed.',
  }),
  treatment(area, 'execTerminable', {
    inputs: manyInputs,
    outputs: { ...status, exit: 'Stream<Option<i32>>' },
    doc: 'Runs the commands one after the other, streaming exit codes; stops at an executor failure or terminate.',
  }),
  treatment(area, 'spawnOneTerminable', {
    inputs: { ...oneInputs, stdin: 'Stream<byte>' },
    outputs: { ...status, exit: 'Block<Option<i32>>', ...stdio },
    doc: 'Spawns the command with pipes: writes `stdin`, forwards stdout and stderr; `exit` when it exits.',
  }),
  treatment(area, 'spawnTerminable', {
    inputs: manyInputs,
    outputs: { ...status, exit: 'Stream<Option<i32>>', ...stdio },
    doc: 'Runs the commands in turn with stdin null, concatenating stdout and stderr; stops at the first failure.',
  }),
];
