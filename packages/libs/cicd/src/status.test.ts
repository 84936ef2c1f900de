import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { END, type InputPort, type LogLevel, type TreatmentContext, type TreatmentDescriptor, type Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { groupId, runId } from '@tutti/lib-std';
import { githubStatus } from './github/state.js';
import { gitlab } from './gitlab.js';
import { setServiceState } from './services.js';
import { GithubStepState, GitlabStepState } from './step-state.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Requests of the same provider in flight when this one arrived (itself included). */
  inFlight: number;
}

/** A local status API: records every request, answers after `delayMs` with `status` and `reply`. */
class Peer {
  readonly seen: Seen[] = [];
  delayMs = 0;
  status = 201;
  reply = '{"id":1}';
  private readonly flying = new Map<string, number>();
  readonly server: Server = createServer((req, res) => {
    const provider = req.url?.startsWith('/gitlab') ? 'gitlab' : 'github';
    const n = (this.flying.get(provider) ?? 0) + 1;
    this.flying.set(provider, n);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      this.seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: JSON.parse(text), inFlight: n });
      setTimeout(() => {
        this.flying.set(provider, (this.flying.get(provider) ?? 1) - 1);
        res.writeHead(this.status, { 'content-type': 'application/json' });
        res.end(this.reply);
      }, this.delayMs);
    });
  });
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const peer = new Peer();
const find = (name: string) =>
  [...gitlab, ...githubStatus, setServiceState].find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor;
const dashboard = () => `http://dashboard.test/0.1/execution/report/dashboard/${groupId()}/${runId()}`;
const NAME = 'build "fast" \\ path';

before(async () => {
  await new Promise<void>((r) => peer.server.listen(0, '127.0.0.1', r));
  process.env.MELODIUM_API_URL = 'http://dashboard.test/0.1';
});
after(() => {
  peer.server.close();
  delete process.env.MELODIUM_API_URL;
  delete process.env.GITHUB_API_URL;
});
beforeEach(() => {
  peer.seen.length = 0;
  peer.delayMs = 0;
  peer.status = 201;
  peer.reply = '{"id":1}';
  process.env.GITHUB_API_URL = `${peer.url}/github/api/v3/`;
});

const gitlabParams = (state: string, extra: Record<string, Value> = {}) => ({
  root_url: `${peer.url}/gitlab/api/v4`,
  token: 'glpat-secret',
  project: '42',
  sha: 'abc123',
  state: GitlabStepState.of(state as 'pending'),
  ref: 'main',
  pipeline: '7',
  name: NAME,
  description: 'line\nwith "quotes"',
  log_response: false,
  ...extra,
});

describe('postGitlabState', () => {
  test('posts the status with its token, escaped JSON body and dashboard link, then finished', async () => {
    const r = await runTreatment(find('postGitlabState'), { params: gitlabParams('running'), inputs: { trigger: [undefined] } });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.finished, [undefined]);
    assert.equal(peer.seen.length, 1);
    const s = peer.seen[0] as Seen;
    assert.equal(s.method, 'POST');
    assert.equal(s.path, '/gitlab/api/v4/projects/42/statuses/abc123');
    assert.equal(s.headers['private-token'], 'glpat-secret');
    assert.equal(s.headers['content-type'], 'application/json');
    assert.deepEqual(s.body, {
      state: 'running',
      ref: 'main',
      pipeline_id: '7',
      name: NAME,
      description: 'line\nwith "quotes"',
      target_url: dashboard(),
    });
    assert.deepEqual(r.logs, []);
  });

  test('logs the response body at info under "GitLab API" when log_response', async () => {
    peer.reply = '{"status":"ok"}';
    const r = await runTreatment(find('postGitlabState'), {
      params: gitlabParams('success', { log_response: true }),
      inputs: { trigger: [undefined] },
    });
    assert.deepEqual(r.logs, [{ level: 'info', label: 'GitLab API', message: '{"status":"ok"}' }]);
  });

  test('a refused connection is logged at error under "GitLab API" and finished still comes', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runTreatment(find('postGitlabState'), {
      params: gitlabParams('failed', { root_url: `http://127.0.0.1:${port}/api/v4` }),
      inputs: { trigger: [undefined] },
    });
    assert.deepEqual(r.outputs.finished, [undefined]);
    assert.equal(r.logs.length, 1);
    assert.equal(r.logs[0]?.level, 'error');
    assert.equal(r.logs[0]?.label, 'GitLab API');
    assert.match(r.logs[0]?.message ?? '', /ECONNREFUSED/);
  });

  test('a rejected status is reported as a warning; an invalid root URL as an error', async () => {
    peer.status = 401;
    const r = await runTreatment(find('postGitlabState'), { params: gitlabParams('failed'), inputs: { trigger: [undefined] } });
    assert.deepEqual(r.logs, [
      { level: 'warning', label: 'GitLab API', message: `status 401 from ${peer.url}/gitlab/api/v4/projects/42/statuses/abc123` },
    ]);
    const bad = await runTreatment(find('postGitlabState'), {
      params: gitlabParams('failed', { root_url: 'not a url' }),
      inputs: { trigger: [undefined] },
    });
    assert.deepEqual(bad.outputs.finished, [undefined]);
    assert.equal(bad.logs[0]?.level, 'error');
    assert.match(bad.logs[0]?.message ?? '', /^invalid URL 'not a url\/projects/);
  });

  test('nothing is posted when the trigger closes empty', async () => {
    const r = await runTreatment(find('postGitlabState'), { params: gitlabParams('running'), inputs: { trigger: [] } });
    assert.deepEqual(r.outputs.finished, []);
    assert.equal(peer.seen.length, 0);
  });
});

describe('postGithubState', () => {
  test('posts to GITHUB_API_URL (GitHub Enterprise) with the four headers and the escaped body', async () => {
    const r = await runTreatment(find('postGithubState'), {
      params: {
        token: 'ghp_secret',
        project: 'owner/repo',
        sha: 'def456',
        state: GithubStepState.of('failure'),
        name: NAME,
        description: 'tests \\ failed',
        log_response: true,
      },
      inputs: { trigger: [undefined] },
    });
    assert.deepEqual(r.outputs.finished, [undefined]);
    const s = peer.seen[0] as Seen;
    assert.equal(s.method, 'POST');
    assert.equal(s.path, '/github/api/v3/repos/owner/repo/statuses/def456');
    assert.equal(s.headers.accept, 'application/vnd.github+json');
    assert.equal(s.headers.authorization, 'Bearer ghp_secret');
    assert.equal(s.headers['content-type'], 'application/json');
    assert.equal(s.headers['x-github-api-version'], '2022-11-28');
    assert.ok(s.headers['user-agent'], 'GitHub refuses requests without a User-Agent');
    assert.deepEqual(s.body, { state: 'failure', context: NAME, description: 'tests \\ failed', target_url: dashboard() });
    assert.deepEqual(r.logs, [{ level: 'info', label: 'GitHub API', message: '{"id":1}' }]);
  });
});

/** Runs setServiceState with the given signals fed (others closed empty) and both providers on. */
function serviceState(signals: string[], params: Record<string, Value> = {}) {
  const inputs: Record<string, Value[]> = {};
  for (const s of ['pending', 'running', 'success', 'error', 'failed', 'canceled']) inputs[s] = signals.includes(s) ? [undefined] : [];
  return runTreatment(setServiceState, {
    params: {
      report: true,
      github: true,
      gitlab: true,
      github_token: 'ghp',
      github_project: 'o/r',
      github_sha: 'sha1',
      gitlab_root_url: `${peer.url}/gitlab`,
      gitlab_token: 'glpat',
      gitlab_project_id: '9',
      gitlab_sha: 'sha2',
      gitlab_ref: 'dev',
      gitlab_pipeline_id: '3',
      name: 'step',
      description: 'd',
      log_response: false,
      ...params,
    },
    inputs,
  });
}

const states = (provider: 'gitlab' | 'github') =>
  peer.seen.filter((s) => s.path.startsWith(`/${provider}`)).map((s) => (s.body as { state: string }).state);

describe('setServiceState', () => {
  test('all signals at once: each provider posts in sequence, one request in flight at a time', async () => {
    peer.delayMs = 30;
    const r = await serviceState(['pending', 'running', 'success']);
    assert.equal(r.error, undefined);
    assert.deepEqual(states('gitlab'), ['pending', 'running', 'success']);
    assert.deepEqual(states('github'), ['pending', 'success']);
    assert.ok(peer.seen.every((s) => s.inFlight === 1));
    const gl = peer.seen.find((s) => s.path.startsWith('/gitlab')) as Seen;
    assert.equal(gl.path, '/gitlab/projects/9/statuses/sha2');
    assert.deepEqual(gl.body, { state: 'pending', ref: 'dev', pipeline_id: '3', name: 'step', description: 'd', target_url: dashboard() });
    const gh = peer.seen.find((s) => s.path.startsWith('/github')) as Seen;
    assert.equal(gh.path, '/github/api/v3/repos/o/r/statuses/sha1');
    assert.equal(gh.headers.authorization, 'Bearer ghp');
  });

  test('terminal mappings: error, failed and canceled', async () => {
    for (const [signal, gitlabState, githubState] of [
      ['error', 'failed', 'error'],
      ['failed', 'failed', 'failure'],
      ['canceled', 'canceled', 'error'],
    ] as const) {
      peer.seen.length = 0;
      await serviceState(['pending', 'running', signal]);
      assert.deepEqual(states('gitlab'), ['pending', 'running', gitlabState], signal);
      assert.deepEqual(states('github'), ['pending', githubState], signal);
    }
  });

  test('⚑ a step that never started: GitLab keeps pending while GitHub receives failure', async () => {
    await serviceState(['pending', 'failed']);
    assert.deepEqual(states('gitlab'), ['pending']);
    assert.deepEqual(states('github'), ['pending', 'failure']);
  });

  test('without pending nothing is posted; a disabled provider posts nothing and blocks nothing', async () => {
    await serviceState(['running', 'success']);
    assert.deepEqual(peer.seen, []);
    await serviceState(['pending', 'running', 'success'], { gitlab: false });
    assert.deepEqual(states('gitlab'), []);
    assert.deepEqual(states('github'), ['pending', 'success']);
    peer.seen.length = 0;
    await serviceState(['pending', 'running', 'success'], { report: false });
    assert.deepEqual(peer.seen, []);
  });

  test('concurrent signals: the first terminal to arrive wins, even while a post is in flight', async () => {
    peer.delayMs = 40;
    // Ports whose values the test delivers when it chooses, to order the signals in time.
    const gates = new Map<string, (v: Value | typeof END) => void>();
    const port = (name: string): InputPort => {
      const value = new Promise<Value | typeof END>((r) => gates.set(name, r));
      return { name, recvOne: () => value } as unknown as InputPort;
    };
    const names = ['pending', 'running', 'success', 'error', 'failed', 'canceled'];
    const inputs = Object.fromEntries(names.map((n) => [n, port(n)]));
    const logs: [LogLevel, string, string][] = [];
    const run = setServiceState.run as (ctx: TreatmentContext) => Promise<void>;
    const done = run({
      inputs,
      outputs: {},
      params: {
        report: true,
        github: true,
        gitlab: true,
        github_token: 't',
        github_project: 'o/r',
        github_sha: 's',
        gitlab_root_url: `${peer.url}/gitlab`,
        gitlab_token: 't',
        gitlab_project_id: '1',
        gitlab_sha: 's',
        gitlab_ref: 'r',
        gitlab_pipeline_id: '2',
        name: 'n',
        description: '',
        log_response: false,
      },
      generics: {},
      models: {},
      contexts: new Map(),
      track: 0,
      path: 'test/setServiceState',
      signal: new AbortController().signal,
      log: (level, label, message) => logs.push([level, label, message]),
    });
    const open = (n: string, v: Value | typeof END = undefined) => (gates.get(n) as (v: Value | typeof END) => void)(v);
    const until = async (count: number) => {
      while (peer.seen.length < count) await new Promise((r) => setTimeout(r, 5));
    };
    open('pending');
    await until(2); // both pending posts arrived and are held by the peer
    open('canceled', END);
    open('failed');
    open('success');
    open('error', END);
    await new Promise((r) => setTimeout(r, 60)); // pending settled; GitLab still waits for running
    assert.deepEqual(states('gitlab'), ['pending']);
    open('running');
    await done;
    assert.deepEqual(states('gitlab'), ['pending', 'running', 'failed']);
    assert.deepEqual(states('github'), ['pending', 'failure']);
    assert.ok(peer.seen.every((s) => s.inFlight === 1));
    assert.deepEqual(logs, []);
  });
});
