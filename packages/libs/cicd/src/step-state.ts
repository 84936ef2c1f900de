/**
 * The values of the two `StepState` data types (`cicd/services/gitlab`, `cicd/services/github`): a commit-status
 * state of one provider. Each provider's type is its own class, so a GitLab state never
 * equals a GitHub one even when their texts match (`pending`, `success`).
 */
import type { DataValue } from '@tutti/core';

/** GitLab commit-status states, in the reference's order. */
export const GITLAB_STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] as const;
/** A GitLab commit-status state's text. */
export type GitlabState = (typeof GITLAB_STATES)[number];

/** GitHub commit-status states, in the reference's order (GitHub has no running state). */
export const GITHUB_STATES = ['pending', 'success', 'failure', 'error'] as const;
/** A GitHub commit-status state's text. */
export type GithubState = (typeof GITHUB_STATES)[number];

/**
 * What both providers' states share: one value per state, its text as `toString` and
 * `display`, and equality only with a state of the same provider (the same class).
 */
abstract class StepState<S extends string> implements DataValue {
  protected constructor(readonly state: S) {}

  toString(): string {
    return this.state;
  }

  display(): string {
    return this.state;
  }

  equals(other: unknown): boolean {
    return other instanceof StepState && other.constructor === this.constructor && other.state === this.state;
  }
}

/**
 * A `cicd/services/gitlab::StepState` value; its text form is the state the GitLab API takes.
 *
 * @example
 * ```ts
 * GitlabStepState.of('running').toString(); // 'running'
 * ```
 */
export class GitlabStepState extends StepState<GitlabState> {
  private static readonly all = new Map(GITLAB_STATES.map((s) => [s, new GitlabStepState(s)]));

  /** The state named `state`. */
  static of(state: GitlabState): GitlabStepState {
    return GitlabStepState.all.get(state) as GitlabStepState;
  }
}

/**
 * A `cicd/services/github::StepState` value; its text form is the state the GitHub API takes.
 *
 * @example
 * ```ts
 * GithubStepState.of('failure').toString(); // 'failure'
 * ```
 */
export class GithubStepState extends StepState<GithubState> {
  private static readonly all = new Map(GITHUB_STATES.map((s) => [s, new GithubStepState(s)]));

  /** The state named `state`. */
  static of(state: GithubState): GithubStepState {
    return GithubStepState.all.get(state) as GithubStepState;
  }
}
