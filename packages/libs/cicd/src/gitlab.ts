/**
 * `cicd/services/gitlab`: GitLab commit-status states and the request
 * that posts one. `postGitlabState` is native, not `.mel` as in the reference (see
 * post-status.ts for why); its signature, request and logging are the reference's.
 */
import { dataType, END, fn, treatment } from '@tutti/core';
import { dashboardUrl } from './api-url.js';
import { GITLAB_LABEL, postStatus } from './post-status.js';
import { GITLAB_STATES, GitlabStepState } from './step-state.js';

const area = 'cicd/services/gitlab';
/** The type's identifier: the github area declares a `StepState` too. */
export const GITLAB_STEP_STATE = `${area}::StepState`;

/** The GitLab status request of `postGitlabState` (body members in the reference's order). */
export function gitlabRequest(p: {
  rootUrl: string;
  token: string;
  project: string;
  sha: string;
  state: string;
  ref: string;
  pipeline: string;
  name: string;
  description: string;
  logResponse: boolean;
}) {
  return {
    url: `${p.rootUrl}/projects/${p.project}/statuses/${p.sha}`,
    headers: { 'PRIVATE-TOKEN': p.token, 'Content-Type': 'application/json' },
    body: {
      state: p.state,
      ref: p.ref,
      pipeline_id: p.pipeline,
      name: p.name,
      description: p.description,
      target_url: dashboardUrl(),
    },
    label: GITLAB_LABEL,
    logResponse: p.logResponse,
  } as const;
}

export const gitlab = [
  dataType(area, 'StepState', {
    traits: 'PartialEquality Serialize Deserialize Display ToString',
    doc: 'GitLab commit-status state; its text is `pending`, `running`, `success`, `failed`, `canceled` or `skipped`.',
  }),
  ...GITLAB_STATES.map((s) =>
    fn(area, s, { returns: GITLAB_STEP_STATE, doc: `The GitLab \`${s}\` state.`, impl: () => GitlabStepState.of(s) }),
  ),
  treatment(area, 'postGitlabState', {
    params: {
      root_url: 'const string',
      token: 'const string',
      project: 'const string',
      sha: 'const string',
      state: `const ${GITLAB_STEP_STATE}`,
      ref: 'const string',
      pipeline: 'const string',
      name: 'const string',
      description: 'const string',
      log_response: 'const bool = false',
    },
    inputs: { trigger: 'Block<void>' },
    outputs: { finished: 'Block<void>' },
    doc:
      'On trigger, posts `state` as the GitLab commit status `name` of `sha` ' +
      '(`POST {root_url}/projects/{project}/statuses/{sha}`, header `PRIVATE-TOKEN`, JSON body with ' +
      '`state`, `ref`, `pipeline_id`, `name`, `description` and the run dashboard as `target_url`). ' +
      'The response body is logged at info under `"GitLab API"` when `log_response`, request errors at error. ' +
      '`finished` once the request settled, whatever the outcome. Names and descriptions are JSON-escaped ' +
      '(the reference sends `null` when they hold a quote or backslash).',
    async run({ inputs, outputs, params, log, signal }) {
      if ((await inputs.trigger.recvOne()) === END) return;
      await postStatus(
        gitlabRequest({
          rootUrl: params.root_url as string,
          token: params.token as string,
          project: params.project as string,
          sha: params.sha as string,
          state: String(params.state),
          ref: params.ref as string,
          pipeline: params.pipeline as string,
          name: params.name as string,
          description: params.description as string,
          logResponse: params.log_response === true,
        }),
        log,
        signal,
      );
      await outputs.finished.sendOne(undefined);
    },
  }),
];
