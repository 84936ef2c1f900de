/**
 * The critical path of a run: the chain of steps whose durations add up to the run's
 * length, the one to shorten to finish sooner.
 *
 * When steps name what they wait on (`needs`), it is the heaviest path of that DAG, each
 * step weighing its duration. When they do not (a Mélodium pipeline, whose dependencies
 * are connections the view does not see), it is inferred from times: starting from the
 * step that ended last, each step's predecessor is the step that ended last before it
 * became ready, the one it most plausibly waited for. Both are computed without recursion,
 * so a chain of 10 000 steps is fine.
 */

/** What the computation needs of a step (a `StepInfo` has it). */
export interface PathStep {
  readonly name: string;
  readonly needs: readonly string[];
  readonly readyAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/** The result: step names from first to last, and the sum of their durations (ms). */
export interface CriticalPath {
  readonly steps: readonly string[];
  readonly duration: number;
  /** True when inferred from times, false when computed from `needs`. */
  readonly inferred: boolean;
}

/**
 * Computes the critical path of `steps`; `duration` gives each step's duration in ms.
 *
 * @example
 * criticalPath(board.steps(), (s) => board.duration(s)).steps; // ['build', 'test', 'package']
 */
export function criticalPath<S extends PathStep>(steps: readonly S[], duration: (s: S) => number): CriticalPath {
  if (steps.length === 0) return { steps: [], duration: 0, inferred: false };
  return steps.some((s) => s.needs.length > 0) ? fromNeeds(steps, duration) : fromTimes(steps, duration);
}

function fromNeeds<S extends PathStep>(steps: readonly S[], duration: (s: S) => number): CriticalPath {
  const byName = new Map<string, S>();
  for (const s of steps) byName.set(s.name, s);
  const best = new Map<S, number>();
  const via = new Map<S, S | undefined>();
  const onStack = new Set<S>();
  // Iterative post-order DFS: a step's best is known once all its needs' are.
  for (const root of steps) {
    if (best.has(root)) continue;
    const stack: S[] = [root];
    while (stack.length > 0) {
      const s = stack[stack.length - 1] as S;
      if (best.has(s)) {
        stack.pop();
        continue;
      }
      if (!onStack.has(s)) {
        onStack.add(s);
        for (const n of s.needs) {
          const d = byName.get(n);
          // A cycle (which a host should never report) is cut where it closes.
          if (d !== undefined && !best.has(d) && !onStack.has(d)) stack.push(d);
        }
        continue;
      }
      let top = 0;
      let from: S | undefined;
      for (const n of s.needs) {
        const d = byName.get(n);
        const b = d === undefined ? undefined : best.get(d);
        if (b !== undefined && (from === undefined || b > top)) {
          top = b;
          from = d;
        }
      }
      best.set(s, top + duration(s));
      via.set(s, from);
      onStack.delete(s);
      stack.pop();
    }
  }
  let last: S | undefined;
  let length = -1;
  for (const s of steps) {
    const b = best.get(s) ?? 0;
    if (b > length) {
      length = b;
      last = s;
    }
  }
  const path: string[] = [];
  for (let s = last; s !== undefined; s = via.get(s)) path.push(s.name);
  return { steps: path.reverse(), duration: Math.max(0, length), inferred: false };
}

function fromTimes<S extends PathStep>(steps: readonly S[], duration: (s: S) => number): CriticalPath {
  const ended = steps.filter((s) => s.endedAt !== undefined && s.startedAt !== undefined);
  if (ended.length === 0) return { steps: [], duration: 0, inferred: true };
  // By end time; among equal ends the longer step first, so it is the one chosen.
  ended.sort((a, b) => (a.endedAt as number) - (b.endedAt as number) || duration(a) - duration(b));
  const path: S[] = [];
  let i = ended.length - 1;
  let total = 0;
  for (;;) {
    const s = ended[i] as S;
    path.push(s);
    total += duration(s);
    const ready = s.readyAt ?? (s.startedAt as number);
    // The last step that ended no later than `s` became ready, before `s` in the sorted order.
    let lo = 0;
    let hi = i - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((ended[mid]?.endedAt as number) <= ready) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === -1) break;
    i = found;
  }
  return { steps: path.reverse().map((s) => s.name), duration: total, inferred: true };
}
