/**
 * `cicd/services/github::githubTimeout` — Tutti's extension: GitHub's `timeout-minutes` for the
 * commands of `runAction`.
 *
 * The limit is kept by the step's own process group rather than by a timer in the engine: a
 * treatment waiting on a timer while the step's process runs would look, to the engine's
 * deadlock detection, like two treatments waiting on each other. The command runs under a
 * small shell wrapper (`bash`, else `sh`) with a background watchdog; at the limit the watchdog prints why and
 * signals the whole process group (the local executor makes every command the leader of a group
 * of its own): TERM, which the wrapper waits out until the command ended (so a command that runs
 * its process elsewhere, `tutti github job step` in a job container, stops it there before the
 * step ends), then KILL to what is left (at once, or 5 s after the TERM for a command that
 * ignores it), so the script and whatever it started are gone and the step fails (no exit code). Without the limit reached, the watchdog is stopped when the command exits and
 * the command's exit code is kept.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { END, treatment } from '@tutti/core';
import { CommandValue } from '@tutti/lib-process';
import { legCancelDirs, legKey, legTolerated } from './legs.js';
import { engineOf, evaluate } from './realm.js';
import { area } from './state.js';

/**
 * The watchdog: `$1` is the step's limit in seconds (0: none; then `TUTTI_STEP_TIMEOUT`, when
 * set, is the limit of a step whose `timeout-minutes` is an expression: `<seconds> <minutes>`,
 * the step named `TUTTI_STEP_NAME` in the message, as GitHub words it); `TUTTI_JOB_DEADLINE`
 * (seconds since the epoch, when set) ends the job's time, whichever comes first. The watchdog's
 * output goes to the step's stderr (fd 3) while its `sleep` holds neither pipe, so that the
 * step's output ends when the command does.
 */
export const WATCHDOG = `s=$1; c=$2; shift 2
# a step that runs because its leg was cancelled (if: always(), cancelled()) runs to its end
if [ -n "$c" ] && [ -n "\${TUTTI_RUNS_WHEN_CANCELLED:-}" ] && [ -e "$c/cancelled" ]; then c=; fi
if [ -n "$c" ]; then
  # a leg of a matrix (fail-fast): its process group is listed while it runs, and a leg already
  # cancelled runs nothing (the file is written before the mark is read: see matrix.ts)
  echo $$ > "$c/$$"
  if [ -e "$c/cancelled" ]; then rm -f "$c/$$"; echo "The job was cancelled: another leg of its matrix failed (fail-fast)." >&2; exit 1; fi
  # cancelled while running: the group gets a TERM (the script ends), then this says why and
  # kills what is left of the group
  # (a TERM of the step's own timeout, below, leaves a mark: no word of cancellation then)
  trap 'if [ -e "$c/$$.timeout" ]; then rm -f "$c/$$.timeout"; else echo "The job was cancelled: another leg of its matrix failed (fail-fast)." >&2; fi; rm -f "$c/$$"; kill -KILL 0' TERM
fi
why="The step has timed out after $s s (timeout-minutes)."
if [ -n "\${TUTTI_STEP_TIMEOUT+set}" ] && [ "$s" -eq 0 ]; then
  # the step's timeout-minutes given by an expression, evaluated as the step started:
  # "<seconds> <minutes>", anything else when it gave no positive number (GitHub's messages)
  case "$TUTTI_STEP_TIMEOUT" in
    [1-9]*" "*) s=\${TUTTI_STEP_TIMEOUT%% *}; why="The action '\${TUTTI_STEP_NAME:-step}' has timed out after \${TUTTI_STEP_TIMEOUT#* } minutes." ;;
    *) if [ -n "$c" ]; then rm -f "$c/$$"; fi; echo "timeout-minutes must be a positive number" >&2; exit 1 ;;
  esac
fi
if [ -n "\${TUTTI_JOB_DEADLINE:-}" ]; then
  left=$(( TUTTI_JOB_DEADLINE - $(date +%s) ))
  if [ "$left" -lt 1 ]; then left=1; fi
  if [ "$s" -eq 0 ] || [ "$left" -lt "$s" ]; then s=$left; why="The job has timed out (timeout-minutes)."; fi
fi
if [ "$s" -eq 0 ] && [ -z "$c" ]; then exec "$@"; fi
w=; t=
if [ "$s" -gt 0 ]; then
  # at the limit: TERM to the group, and this wrapper waits for the command to end (a step run
  # elsewhere, in a job container, stops its process there first), then kills what is left of
  # the group; a command still there 5 s after the TERM is killed with the group
  if [ -z "$c" ]; then trap 't=1' TERM; fi
  ( sleep "$s" 3>&-; echo "$why" >&3; exec 3>&-; if [ -n "$c" ]; then : > "$c/$$.timeout"; fi
    trap '' TERM; kill -TERM 0; sleep 5; kill -KILL 0 ) 3>&2 >/dev/null 2>&1 </dev/null & w=$!
fi
"$@"; code=$?
if [ -n "$t" ]; then kill -KILL 0; fi
if [ -n "$w" ]; then kill "$w" 2>/dev/null; fi
if [ -n "$c" ]; then rm -f "$c/$$"; fi
exit "$code"`;

/**
 * The shell of the wrapper: `bash` when there is one, as it passes on the variables whose names
 * are not shell names (`INPUT_RESTORE-KEYS`, GitHub's name of an action's `restore-keys` input),
 * which `dash` (Debian's `sh`) drops; `sh` otherwise.
 */
let shell: string | undefined;
function wrapperShell(): string {
  shell ??= (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'bash'))) ? 'bash' : 'sh';
  return shell;
}

/**
 * `command` run under the watchdog with `seconds` (0: only the job's deadline), and, in a leg
 * of a matrix, its cancel folder `cancelDir`.
 */
export function withTimeout(command: CommandValue, seconds: number, cancelDir = ''): CommandValue {
  return new CommandValue(wrapperShell(), [
    '-c',
    WATCHDOG,
    'tutti-timeout',
    String(seconds),
    cancelDir,
    command.command,
    ...command.arguments,
  ]);
}

export const githubTimeout = treatment(area, 'githubTimeout', {
  params: { minutes: 'var Option<f64>', job_deadline: 'var bool' },
  inputs: { commands: 'Stream<Command>' },
  outputs: { commands: 'Stream<Command>' },
  doc:
    "Tutti's extension: each command of `commands`, run under a watchdog that kills the step's process group (and says " +
    "why on stderr) once it ran `minutes` (GitHub's `timeout-minutes`, rounded up to a second), or, with `job_deadline`, " +
    'once the time `TUTTI_JOB_DEADLINE` (seconds since the epoch, in the environment the step is given) is reached, ' +
    'or, with `job_deadline` and no `minutes`, once it ran the seconds `TUTTI_STEP_TIMEOUT` gives (`<seconds> <minutes>`: ' +
    "a step's `timeout-minutes` evaluated as it starts; any other text fails the step), " +
    'whichever comes first. In a leg of a `GithubMatrix`, the command is also stopped (its process group killed) when ' +
    'the leg is cancelled (fail-fast), and does not start once it was. With none of these, the commands pass unchanged.',
  async run({ inputs, outputs, params, contexts }) {
    // in a leg of a matrix, the leg's cancel folder (fail-fast)
    const key = legKey(contexts);
    const cancelDir = key === undefined ? '' : (legCancelDirs.get(key) ?? '');
    const minutes = params.minutes as number | null | undefined;
    const seconds = minutes === null || minutes === undefined || !Number.isFinite(minutes) ? 0 : Math.max(1, Math.ceil(minutes * 60));
    const wrap = seconds > 0 || params.job_deadline === true || cancelDir !== '';
    for await (const batch of inputs.commands) {
      const out = wrap ? (batch as readonly unknown[]).map((c) => withTimeout(c as CommandValue, seconds, cancelDir)) : batch;
      if (!(await outputs.commands.sendMany(out))) return;
    }
  },
});

export const githubLegState = treatment(area, 'githubLegState', {
  models: { contexts: 'javascript::JavaScriptEngine' },
  inputs: { trigger: 'Block<void>' },
  outputs: { done: 'Block<void>' },
  doc:
    "Tutti's extension: on `trigger`, sets in `contexts` what the leg of a `GithubMatrix` it runs in knows (both false " +
    'outside a leg), then emits `done`: `job.tutti_cancelled`, whether the leg was cancelled (fail-fast), read by the ' +
    'conditions of steps that run after a failure for `cancelled()` (GitHub runs `always()` and `cancelled()` steps in ' +
    "a cancelled leg), and `job.tutti_continue_on_error`, whether the job's `continue-on-error` holds for the leg (as " +
    "`githubMatrix` evaluated it with the leg's `matrix`), read by `runAction`'s `allow_failure`. A step whose env has " +
    '`TUTTI_RUNS_WHEN_CANCELLED` set runs to its end in a leg already cancelled.',
  async run({ inputs, outputs, models, contexts: track }) {
    if ((await inputs.trigger.recvOne()) === END) return;
    const key = legKey(track);
    const dir = key === undefined ? undefined : legCancelDirs.get(key);
    // (the mark is written before the leg's steps are stopped: a step after that reads it)
    const cancelled = dir !== undefined && existsSync(join(dir, 'cancelled'));
    const tolerated = key !== undefined && legTolerated.has(key);
    await evaluate(
      engineOf(models, 'contexts', 'githubLegState', track),
      'null',
      `job.tutti_cancelled = ${cancelled}; job.tutti_continue_on_error = ${tolerated}; true`,
    );
    await outputs.done.sendOne(undefined);
  },
});
