/**
 * Commit statuses of a run's jobs, posted to GitHub and GitLab with the cicd package's own
 * requests (`githubRequest`, `gitlabRequest`, `postStatus`): one status per job, named
 * `tutti/<pipeline>/<job>`, linking to the run in the studio. Posts for one commit go one
 * after the other (both APIs reject concurrent updates of a commit's status); a post that
 * fails is logged with the run, never fails it.
 */
import { githubRequest, gitlabRequest, postStatus, type StatusRequest } from '@tutti/lib-cicd';
import type { ProjectConfig } from './config.js';
import type { JobState } from './store/types.js';

/** Where a status post's outcome goes (the run's log). */
export type StatusLogger = (level: 'info' | 'warning' | 'error', message: string) => void;

const GITHUB_STATE: Partial<Record<JobState, string>> = {
  waiting: 'pending',
  preparing: 'pending',
  running: 'pending',
  passed: 'success',
  failed: 'failure',
  cancelled: 'error',
  interrupted: 'error',
};
const GITLAB_STATE: Partial<Record<JobState, string>> = {
  waiting: 'pending',
  preparing: 'pending',
  running: 'running',
  passed: 'success',
  failed: 'failed',
  cancelled: 'canceled',
  skipped: 'skipped',
  interrupted: 'canceled',
};

/** Posts job statuses of one run, in order. */
export class StatusReporter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly project: ProjectConfig,
    private readonly run: { id: number; pipeline: string; sha?: string | undefined; ref?: string | undefined },
    private readonly targetUrl: string,
    private readonly log: StatusLogger,
  ) {}

  /** True when there is something to report to (a commit and a configured provider with a token). */
  get active(): boolean {
    return this.run.sha !== undefined && (this.github !== undefined || this.gitlab !== undefined);
  }

  private get github() {
    const g = this.project.github;
    return g?.token !== undefined && g.repository !== undefined ? g : undefined;
  }

  private get gitlab() {
    const g = this.project.gitlab;
    return g?.token !== undefined && g.projectId !== undefined ? g : undefined;
  }

  /** Queues the status of `job`; resolves once it (and those before it) settled. */
  report(job: string, state: JobState, description: string): Promise<void> {
    if (!this.active) return Promise.resolve();
    const sha = this.run.sha as string;
    const name = `tutti/${this.run.pipeline}/${job}`;
    const requests: StatusRequest[] = [];
    const gh = this.github;
    const ghState = GITHUB_STATE[state];
    if (gh !== undefined && ghState !== undefined) {
      const r = githubRequest({
        url: `${gh.apiUrl.replace(/\/+$/, '')}/repos/${gh.repository}/statuses/${sha}`,
        token: gh.token as string,
        state: ghState,
        name,
        description,
        logResponse: false,
      });
      requests.push({ ...r, body: { ...r.body, target_url: this.targetUrl } });
    }
    const gl = this.gitlab;
    const glState = GITLAB_STATE[state];
    if (gl !== undefined && glState !== undefined) {
      const r = gitlabRequest({
        rootUrl: gl.apiUrl.replace(/\/+$/, ''),
        token: gl.token as string,
        project: encodeURIComponent(gl.projectId as string),
        sha,
        state: glState,
        ref: (this.run.ref ?? '').replace(/^refs\/heads\//, ''),
        pipeline: '',
        name,
        description,
        logResponse: false,
      });
      requests.push({ ...r, body: { ...r.body, target_url: this.targetUrl } });
    }
    this.chain = this.chain.then(async () => {
      for (const r of requests)
        await postStatus(r, (level, label, message) => this.log(level === 'error' ? 'error' : 'warning', `${label}: ${message}`));
    });
    return this.chain;
  }

  /** Resolves once every queued post settled. */
  settled(): Promise<void> {
    return this.chain;
  }
}
