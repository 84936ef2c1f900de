/**
 * `cicd/services::setServiceState` (docs/cicd-reporting.md): lifecycle signals in,
 * commit statuses out, strictly in sequence per provider, since GitHub and GitLab reject
 * concurrent updates of one commit's status.
 *
 * Native rather than `.mel`: each provider is one `async` chain (post, await it settled,
 * await the next signal), and the first terminal signal is decided by arrival order, which
 * `one`/`waitBlock` graphs per state would only approximate. Signals that arrive while a post
 * is in flight are kept, never lost, and posted once the previous post settled.
 */
import { END, type InputPort, type TreatmentContext, treatment } from '@tutti/core';
import { githubApiUrl } from './api-url.js';
import { githubRequest } from './github/state.js';
import { gitlabRequest } from './gitlab.js';
import { postStatus } from './post-status.js';

const TERMINALS = ['success', 'error', 'failed', 'canceled'] as const;
type Terminal = (typeof TERMINALS)[number];

/** GitLab states of the terminal signals. */
const GITLAB_TERMINAL: Readonly<Record<Terminal, string>> = { success: 'success', error: 'failed', failed: 'failed', canceled: 'canceled' };
/** GitHub states of the terminal signals (GitHub has no `canceled`). */
const GITHUB_TERMINAL: Readonly<Record<Terminal, string>> = { success: 'success', error: 'error', failed: 'failure', canceled: 'error' };

/** Whether `port` delivered its value (false when it closed empty). */
const delivered = (port: InputPort): Promise<boolean> => port.recvOne().then((v) => v !== END);

/** The first terminal signal to arrive, undefined when all four closed empty. */
function firstTerminal(got: Readonly<Record<Terminal, Promise<boolean>>>): Promise<Terminal | undefined> {
  return new Promise((resolve) => {
    let empty = 0;
    for (const t of TERMINALS)
      void got[t].then((ok) => {
        if (ok) resolve(t);
        else if (++empty === TERMINALS.length) resolve(undefined);
      });
  });
}

type Ctx = TreatmentContext<'pending' | 'running' | Terminal, never, string>;

export const setServiceState = treatment('cicd/services', 'setServiceState', {
  params: {
    report: 'var bool = true',
    github: 'var bool = false',
    gitlab: 'var bool = false',
    github_token: 'var string = ""',
    github_project: 'var string = ""',
    github_sha: 'var string = ""',
    gitlab_root_url: 'var string = "https://gitlab.com/api/v4"',
    gitlab_token: 'var string = ""',
    gitlab_project_id: 'var string = ""',
    gitlab_sha: 'var string = ""',
    gitlab_ref: 'var string = ""',
    gitlab_pipeline_id: 'var string = ""',
    name: 'var string',
    description: 'var string = ""',
    log_response: 'var bool = false',
  },
  inputs: {
    pending: 'Block<void>',
    running: 'Block<void>',
    success: 'Block<void>',
    error: 'Block<void>',
    failed: 'Block<void>',
    canceled: 'Block<void>',
  },
  doc:
    'Posts commit statuses named `name`, strictly in sequence per provider. GitLab (`report && gitlab`): ' +
    '`pending` posts `pending`; once settled, `running` posts `running`; once that settled, the first terminal ' +
    'signal posts `success` (success), `failed` (error, failed) or `canceled` (canceled) — ⚑ only if `running` ' +
    'was signalled. GitHub (`report && github`): `pending` posts `pending`; once settled, the first terminal ' +
    'signal posts `success`, `error` (error, canceled) or `failure` (failed). A disabled provider posts nothing ' +
    'and never blocks the other.',
  async run(ctx: Ctx) {
    const { inputs, params, log, signal } = ctx;
    const p = params as Readonly<Record<string, string | boolean>>;
    const got = {
      pending: delivered(inputs.pending),
      running: delivered(inputs.running),
      success: delivered(inputs.success),
      error: delivered(inputs.error),
      failed: delivered(inputs.failed),
      canceled: delivered(inputs.canceled),
    };
    const terminal = firstTerminal(got);
    const common = { name: p.name as string, description: p.description as string, logResponse: p.log_response === true };

    const gitlab = async () => {
      const post = (state: string) =>
        postStatus(
          gitlabRequest({
            ...common,
            rootUrl: p.gitlab_root_url as string,
            token: p.gitlab_token as string,
            project: p.gitlab_project_id as string,
            sha: p.gitlab_sha as string,
            ref: p.gitlab_ref as string,
            pipeline: p.gitlab_pipeline_id as string,
            state,
          }),
          log,
          signal,
        );
      if (!(await got.pending)) return;
      await post('pending');
      if (!(await got.running)) return;
      await post('running');
      const t = await terminal;
      if (t !== undefined) await post(GITLAB_TERMINAL[t]);
    };

    const github = async () => {
      const url = `${githubApiUrl()}/repos/${p.github_project as string}/statuses/${p.github_sha as string}`;
      const post = (state: string) => postStatus(githubRequest({ ...common, url, token: p.github_token as string, state }), log, signal);
      if (!(await got.pending)) return;
      await post('pending');
      const t = await terminal;
      if (t !== undefined) await post(GITHUB_TERMINAL[t]);
    };

    const report = p.report === true;
    await Promise.all([report && p.gitlab === true ? gitlab() : undefined, report && p.github === true ? github() : undefined]);
  },
});
