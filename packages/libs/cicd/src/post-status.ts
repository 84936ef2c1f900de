/**
 * One commit-status request (`postGithubState`, `postGitlabState`): a JSON POST whose body is
 * built with `JSON.stringify`, so names and descriptions holding quotes or backslashes are
 * escaped. The reference builds the body by text substitution and sends `null` for such
 * names (⚑ quirk of the reference); this fixes it.
 *
 * Native rather than `.mel` over `http/client`: `setServiceState` must know when each post
 * settled and which terminal signal came first, which the flow elements can only
 * express with a tangle of `one`/`waitBlock` per state; the request is the same either way.
 * It uses `node:http`/`node:https` directly, without keep-alive, so a finished run leaves no
 * socket open.
 */
import http from 'node:http';
import https from 'node:https';
import type { LogLevel } from '@tutti/core';

/** Log label of GitHub requests. */
export const GITHUB_LABEL = 'GitHub API';
/** Log label of GitLab requests. */
export const GITLAB_LABEL = 'GitLab API';
/** Sent with every status request: the GitHub API refuses requests without one. */
export const USER_AGENT = 'cicd-mel/0.10.2';

/** One status request. */
export interface StatusRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Every member is a string (GitHub and GitLab both take the status fields as strings). */
  readonly body: Readonly<Record<string, string>>;
  readonly label: typeof GITHUB_LABEL | typeof GITLAB_LABEL;
  readonly logResponse: boolean;
}

/** Where a request's outcome is logged. */
export type StatusLog = (level: LogLevel, label: string, message: string) => void;

/**
 * Sends `request` and resolves once it settled, whatever the outcome (the `finished` of the
 * spec). The response body is logged at info when `logResponse`; a request that cannot be
 * sent or whose connection fails is logged at error. A response outside 2xx is also logged,
 * at warning level, with its status (a Tutti addition: a wrong token would otherwise pass
 * unnoticed unless `log_response` is set).
 */
export function postStatus(request: StatusRequest, log: StatusLog, signal?: AbortSignal): Promise<void> {
  const { label } = request;
  let url: URL;
  try {
    url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol '${url.protocol}'`);
  } catch (e) {
    log('error', label, `invalid URL '${request.url}': ${(e as Error).message}`);
    return Promise.resolve();
  }
  const body = Buffer.from(JSON.stringify(request.body));
  const headers: Record<string, string | number> = { 'User-Agent': USER_AGENT, ...request.headers, 'Content-Length': body.length };
  return new Promise<void>((resolve) => {
    let settled = false;
    const settle = (level?: LogLevel, message?: string) => {
      if (settled) return;
      settled = true;
      if (level !== undefined && message !== undefined) log(level, label, message);
      resolve();
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, { method: 'POST', headers, agent: false, ...(signal === undefined ? {} : { signal }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => settle('error', e.message));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (request.logResponse) log('info', label, text);
        if (status < 200 || status > 299) settle('warning', `status ${status} from ${url.origin}${url.pathname}`);
        else settle();
      });
    });
    req.on('error', (e) => settle('error', e.message));
    req.end(body);
  });
}
