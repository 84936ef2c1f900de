/**
 * The legs of a `GithubMatrix` being run (matrix.ts), as the helpers see them from inside a
 * leg's track: its key (the `@GithubLeg` context), its realms (each engine model replaced by
 * a fork of its own) and the folder through which its running steps can be cancelled
 * (fail-fast; see the watchdog of timeout.ts).
 */
import type { Value } from '@tutti/core';
import type { JavaScriptEngine } from '@tutti/lib-javascript';

/** The context a `GithubMatrix` gives each leg's track. */
export const LEG_CONTEXT = 'cicd/services/github::@GithubLeg';

/**
 * The realms of the legs being run, by leg key: in a leg's track, each engine model is
 * replaced by a fork of its own (each leg of a matrix has its `matrix`, `strategy`, `steps`
 * and `job.status`, each with its own engine model as the job's other realms).
 */
export const legRealms = new Map<string, Map<JavaScriptEngine, JavaScriptEngine>>();

/** Shuts the realms of leg `key` down (its track ended). */
export async function releaseLeg(key: string): Promise<void> {
  const realms = legRealms.get(key);
  legRealms.delete(key);
  if (realms) for (const r of realms.values()) await r.shutdown();
}

/** The leg key of a track's contexts, when the track is a leg of a `GithubMatrix`. */
export function legKey(track: ReadonlyMap<string, Readonly<Record<string, Value>>> | undefined): string | undefined {
  const leg = track?.get(LEG_CONTEXT);
  return leg === undefined ? undefined : String(leg.key);
}

/**
 * The cancel folders of the legs being run, by leg key: each step of the leg writes its
 * process group there while it runs, and a `cancelled` file there stops the leg's steps.
 */
export const legCancelDirs = new Map<string, string>();

/** The legs being run whose failure the job's `continue-on-error` tolerates, by leg key. */
export const legTolerated = new Set<string>();
