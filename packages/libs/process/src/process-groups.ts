/**
 * The process groups the local executor started, so that no child outlives the engine.
 *
 * Every command runs as the leader of its own process group (a new session), so killing
 * the group reaches what the command started too (`sh -c 'a & b'`), unless a descendant
 * moved itself to another session. A group is forgotten when its leader exits with nobody
 * left in it; a group whose leader exited while others remain (a background job) is kept
 * until the engine stops. Groups are killed:
 *
 * - on request (`terminate`), by the run itself;
 * - when the `stop` signal of the run that started them aborts (the engine aborts it at the
 *   end of the run, on SIGINT/SIGTERM and on a fatal error);
 * - as a last resort, when the Node process exits (`exit` handlers may only do synchronous
 *   work, which `process.kill` is).
 *
 * SIGKILL throughout: it cannot be caught or ignored, so a killed tree is certainly gone,
 * and the reference kills with it too (`Child::kill`).
 */

/** Groups that may still hold processes. */
const live = new Set<number>();
/** The same groups by the stop signal of the run that started them. */
const byStop = new WeakMap<AbortSignal, Set<number>>();
let exitHooked = false;

/** Kills every process of group `pgid`; false when the group no longer exists. */
export function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // ESRCH: already gone
  }
}

/**
 * Whether group `pgid` still holds a process (zombies included). Probed after every
 * command, and the usual answer is an ESRCH exception: its stack trace, which nobody reads,
 * would be most of the cost, so none is captured.
 */
function groupAlive(pgid: number): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Tracks group `pgid`, to be killed when `stop` aborts (at once if it already has). */
export function trackGroup(pgid: number, stop: AbortSignal): void {
  live.add(pgid);
  let groups = byStop.get(stop);
  if (groups === undefined) {
    const set = new Set<number>();
    groups = set;
    byStop.set(stop, set);
    stop.addEventListener('abort', () => killAll(set), { once: true });
  }
  groups.add(pgid);
  if (stop.aborted) killGroup(pgid);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => killAll(live));
  }
}

/** The leader of `pgid` exited: forgets the group unless processes remain in it. */
export function leaderExited(pgid: number, stop: AbortSignal): void {
  if (groupAlive(pgid)) return;
  live.delete(pgid);
  byStop.get(stop)?.delete(pgid);
}

/** Number of groups currently tracked (tests). */
export function trackedGroups(): number {
  return live.size;
}

function killAll(groups: Set<number>): void {
  for (const pgid of groups) {
    killGroup(pgid);
    live.delete(pgid);
  }
  groups.clear();
}
