/**
 * `cicd/steps::spawnLabelled` — Tutti's building block of `spawnCommands` and of the
 * worker-side `step`: the commands of one step, run in turn on an executor, their output
 * logged line by line under the step's label, and their outcome told on Block outputs.
 *
 * It was a `.mel` treatment of 29 leaves (`getExecutor`, `spawnTerminable`, two
 * `ioToString`/`logLines` chains, the exit-code checks and the joins of the endings). Every
 * step of a pipeline instantiated all of them, and in a run of thousands of short steps the
 * engine spent most of its time building and scheduling them (bench/cicd-graph.mjs (b)). This
 * native treatment does the same with the same pieces: `work`'s `executorFor` (what
 * `getExecutor` gives), the executor's `spawnOut` with `process/exec`'s termination and start
 * handling (what `spawnTerminable` runs), and lines cut as `ioToString` cuts them (UTF-8 with
 * a BOM sniffed, cut after each `\n`, the end of each line trimmed of `White_Space`).
 *
 * The outputs, as the `.mel` gave them:
 * - the executor cannot be had: its error logged at error level under `label`, then `failed`,
 *   then `finished`;
 * - `started` at the first command's start;
 * - a command that could not run or (local executor) exited non-zero ends the sequence:
 *   its error, if any, logged at error level, then `failed`;
 * - `exit` is the last exit code that came (none when killed); 0 gives `success`, anything
 *   else `error` and the error log "Commands failed (non-zero exit)"; no exit code (no command
 *   ran to its end) gives neither;
 * - `completed` when every command ran, `terminated` when `terminate` stopped them;
 * - `finished` last, once every line of output went to the log.
 * Outputs that will not be sent are closed as soon as that is known, so that whoever waits on
 * them (the step reporters) does not wait for the end of the treatment.
 */
import { END, type InputPort, type OutputPort, treatment } from '@tutti/core';
import { createDecoder } from '@tutti/lib-encoding';
import { type ByteSink, controlOf, type EnvironmentValue, runSequence, Starts, Termination } from '@tutti/lib-process';
import { trimWhiteSpaceEnd } from '@tutti/lib-std';
import { executorFor } from '@tutti/lib-work';
import { stepCommandTarget, workflowCommandFilter } from './github/workflow-commands.js';

const TRUE = Promise.resolve(true);

/**
 * A byte sink that logs each complete line of the stream at debug level as it comes, as
 * `ioToString` → `logLines` did: `flush` logs what is left after the last `\n`.
 */
function lineLogger(log: (line: string) => void): { sink: ByteSink; flush(): void } {
  const decoder = createDecoder('utf-8');
  let pending = '';
  const cut = (text: string) => {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      const piece = text.slice(from, nl + 1);
      log(trimWhiteSpaceEnd(pending === '' ? piece : pending + piece));
      pending = '';
      from = nl + 1;
    }
    if (from < text.length) pending += from === 0 ? text : text.slice(from);
  };
  return {
    sink: (chunk) => {
      cut(decoder.decode(chunk));
      return TRUE;
    },
    flush() {
      cut(decoder.finish());
      if (pending !== '') log(trimWhiteSpaceEnd(pending));
      pending = '';
    },
  };
}

type Outs = Readonly<Record<'started' | 'finished' | 'failed' | 'completed' | 'terminated' | 'success' | 'error' | 'exit', OutputPort>>;

export const spawnLabelled = treatment('cicd/steps', 'spawnLabelled', {
  params: { github_commands: 'var bool = false' },
  inputs: {
    label: 'Block<string>',
    executor_name: 'Block<Option<string>>',
    environment: 'Block<Option<Environment>>',
    commands: 'Stream<Command>',
    terminate: 'Block<void>',
  },
  outputs: {
    started: 'Block<void>',
    finished: 'Block<void>',
    failed: 'Block<void>',
    completed: 'Block<void>',
    terminated: 'Block<void>',
    success: 'Block<void>',
    error: 'Block<void>',
    exit: 'Block<Option<i32>>',
  },
  doc:
    "Tutti's building block of `spawnCommands` (and of the worker-side `step`): the same, with the log label as a Block input, " +
    'so that a step on a runner logs under its own name. Runs `commands` in turn on the executor `executor_name` of this engine ' +
    '(none: the local executor) with `environment`, logs each line of their stdout and stderr at debug level under `label`, ' +
    'and tells the outcome: `failed` (executor not available, or a command that could not run or exited non-zero), `exit` ' +
    '(the last exit code), `success` or `error` from it, `completed` or `terminated`, and `finished` last, once every line is logged. ' +
    "With `github_commands` (a GitHub Actions step, `runAction` with `github_environment`), the lines are read as GitHub's " +
    'runner reads them: workflow commands (`::add-mask::`, `::group::`, `::warning file=…::`, `::set-output`, ' +
    '`::stop-commands::`, …) act and masked values show as `***` in the whole job (the job instance of the GITHUB_ENV file).',
  async run(ctx) {
    const inputs = ctx.inputs as Readonly<Record<'label' | 'executor_name' | 'environment' | 'commands' | 'terminate', InputPort>>;
    const outputs = ctx.outputs as Outs;
    const [labelValue, name] = await Promise.all([inputs.label.recvOne(), inputs.executor_name.recvOne()]);
    const label = labelValue === END ? undefined : (labelValue as string);
    const log = (level: 'debug' | 'error', message: string) => {
      if (label !== undefined) ctx.log(level, label, message);
    };
    // No executor name: nothing runs and nothing is told (every output closes).
    if (name === END) return;
    const got = executorFor(name as string | null);
    if (!('executor' in got)) {
      log('error', got.error);
      await outputs.failed.sendOne(undefined);
      await outputs.finished.sendOne(undefined);
      return;
    }
    const environment = await inputs.environment.recvOne();
    if (environment === END) return;
    const executor = got.executor;
    let show = (line: string) => log('debug', line);
    if (ctx.params.github_commands === true && environment !== null) {
      const filter = workflowCommandFilter(stepCommandTarget((environment as EnvironmentValue).variables));
      show = (line) => {
        const shown = filter(line);
        if (shown !== undefined) log('debug', shown);
      };
    }
    const out = lineLogger(show);
    const err = lineLogger(show);
    const stdio = { stdout: out.sink, stderr: err.sink };
    const termination = new Termination(inputs.terminate);
    const starts = new Starts(outputs.started);
    const control = controlOf(starts, termination, ctx.signal);
    let lastExit: number | null | undefined;
    const end = await runSequence(
      inputs.commands,
      termination,
      ctx.signal,
      (command) => executor.spawnOut(command, environment as EnvironmentValue | null, control, stdio),
      (outcome) => {
        if (outcome.exit !== undefined) lastExit = outcome.exit;
        if (outcome.status === 'failed' && outcome.error !== undefined) log('error', outcome.error);
      },
    );
    if (end === undefined) return;
    inputs.commands.close();
    out.flush();
    err.flush();
    await starts.settled();
    if (end !== 'terminated') outputs.terminated.close();
    if (end !== 'completed') outputs.completed.close();
    if (end !== 'failed') outputs.failed.close();
    if (lastExit === undefined) {
      outputs.exit.close();
      outputs.success.close();
      outputs.error.close();
    } else {
      await outputs.exit.sendOne(lastExit);
      if (lastExit === 0) {
        outputs.error.close();
        await outputs.success.sendOne(undefined);
      } else {
        outputs.success.close();
        log('error', 'Commands failed (non-zero exit)');
        await outputs.error.sendOne(undefined);
      }
    }
    await outputs[end].sendOne(undefined);
    await outputs.finished.sendOne(undefined);
  },
});
