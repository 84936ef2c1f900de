/**
 * `cicd/services/github`, the status part: GitHub commit-status
 * states and the two requests that post one. Both are native, not `.mel` as in the
 * reference (see post-status.ts); signatures, requests and logging are the reference's.
 */
import { dataType, END, fn, type TreatmentContext, treatment } from '@tutti/core';
import { dashboardUrl, githubApiUrl } from '../api-url.js';
import { GITHUB_LABEL, postStatus, type StatusRequest } from '../post-status.js';
import { GITHUB_STATES, GithubStepState } from '../step-state.js';
import { engineOf, evaluateValue } from './realm.js';

export const area = 'cicd/services/github';
/** The type's identifier: the gitlab area declares a `StepState` too. */
export const GITHUB_STEP_STATE = `${area}::StepState`;

/** The GitHub status request of `postGithubState` (body members in the reference's order). */
export function githubRequest(p: {
  url: string;
  token: string;
  state: string;
  name: string;
  description: string;
  logResponse: boolean;
}): StatusRequest {
  return {
    url: p.url,
    headers: {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${p.token}`,
      'Content-Type': 'application/json',
      'X-GitHub-Api-Version': '2022-11-28',
    },
    body: { state: p.state, context: p.name, description: p.description, target_url: dashboardUrl() },
    label: GITHUB_LABEL,
    logResponse: p.logResponse,
  };
}

const statusParams = {
  state: `const ${GITHUB_STEP_STATE}`,
  name: 'const string',
  description: 'const string',
  log_response: 'const bool = false',
};

/** Posts the status that a treatment's `statusParams` describe to `url`, with `token`. */
function postGithub(url: string, token: string, { params, log, signal }: TreatmentContext): Promise<void> {
  return postStatus(
    githubRequest({
      url,
      token,
      state: String(params.state),
      name: params.name as string,
      description: params.description as string,
      logResponse: params.log_response === true,
    }),
    log,
    signal,
  );
}

export const githubStatus = [
  dataType(area, 'StepState', {
    traits: 'PartialEquality Serialize Deserialize Display ToString',
    doc: 'GitHub commit-status state; its text is `pending`, `success`, `failure` or `error`.',
  }),
  ...GITHUB_STATES.map((s) =>
    fn(area, s, { returns: GITHUB_STEP_STATE, doc: `The GitHub \`${s}\` state.`, impl: () => GithubStepState.of(s) }),
  ),
  treatment(area, 'postGithubState', {
    params: { token: 'const string', project: 'const string', sha: 'const string', ...statusParams },
    inputs: { trigger: 'Block<void>' },
    outputs: { finished: 'Block<void>' },
    doc:
      'On trigger, posts `state` as the GitHub commit status `name` (the `context`) of `sha` ' +
      '(`POST {api}/repos/{project}/statuses/{sha}`, bearer `token`, JSON body with `state`, `context`, ' +
      '`description` and the run dashboard as `target_url`). `{api}` is `https://api.github.com`, or ' +
      '`GITHUB_API_URL` when set (GitHub Enterprise; GitHub Actions sets it). The response body is logged at ' +
      'info under `"GitHub API"` when `log_response`, request errors at error. `finished` once the request ' +
      'settled, whatever the outcome. Names and descriptions are JSON-escaped.',
    async run(ctx) {
      const { inputs, outputs, params } = ctx;
      if ((await inputs.trigger.recvOne()) === END) return;
      const url = `${githubApiUrl()}/repos/${params.project as string}/statuses/${params.sha as string}`;
      await postGithub(url, params.token as string, ctx);
      await outputs.finished.sendOne(undefined);
    },
  }),
  treatment(area, 'postGithubStateContext', {
    models: { contexts: 'javascript::JavaScriptEngine' },
    params: statusParams,
    inputs: { trigger: 'Block<void>' },
    doc:
      'Same request as `postGithubState`, with the URL ' +
      '`${{ github.api_url }}/repos/${{ github.repository }}/statuses/${{ github.sha }}` and the token ' +
      '`${{ secrets.GITHUB_TOKEN }}` evaluated in `contexts`. No outputs.',
    async run(ctx) {
      const { inputs, models, contexts: track } = ctx;
      if ((await inputs.trigger.recvOne()) === END) return;
      const engine = engineOf(models, 'contexts', 'postGithubStateContext', track);
      const url = await evaluateValue(
        engine,
        '${{ github.api_url }}/repos/${{ github.repository }}/statuses/${{ github.sha }}',
        false,
        'null',
      );
      const token = await evaluateValue(engine, '${{ secrets.GITHUB_TOKEN }}', false, 'null');
      await postGithub(url, token, ctx);
    },
  }),
];
