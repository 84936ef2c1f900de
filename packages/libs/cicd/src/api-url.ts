/**
 * Base URLs of status reporting (`postGithubState`, `postGitlabState`).
 *
 * `target_url` is `work/distant::|default_api_url()` + `/execution/report/dashboard/<group_id>/<run_id>`.
 * The `work` package is written on another branch; until it lands, {@link defaultApiUrl}
 * computes the same value (`MELODIUM_API_URL`, else `https://api.melodium.tech/0.1`), read at
 * each request as the reference reads it at each call. The identifiers are those of
 * `std/engine::|group_id` and `|run_id`, so the link names this very run.
 *
 * GitHub Enterprise: the reference hard-codes `https://api.github.com` for `postGithubState`. The
 * signature stays, and the base comes from `GITHUB_API_URL` when set, the variable GitHub
 * Actions itself sets on every runner (`https://HOST/api/v3` on Enterprise Server), so a
 * program run from a GitHub workflow reports to the instance it came from.
 */
import { groupId, runId } from '@tutti/lib-std';

/** The reference's default Mélodium API. */
export const MELODIUM_API_URL = 'https://api.melodium.tech/0.1';
/** The GitHub API of github.com. */
export const GITHUB_API_URL = 'https://api.github.com';

/** `MELODIUM_API_URL`, or the Mélodium API (the value of `work/distant::|default_api_url`). */
export function defaultApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.MELODIUM_API_URL || MELODIUM_API_URL;
}

/** The dashboard link of this run, sent as every status's `target_url`. */
export function dashboardUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `${defaultApiUrl(env)}/execution/report/dashboard/${groupId()}/${runId()}`;
}

/** `GITHUB_API_URL` without a trailing slash, or `https://api.github.com`. */
export function githubApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.GITHUB_API_URL;
  return url ? url.replace(/\/+$/, '') : GITHUB_API_URL;
}
