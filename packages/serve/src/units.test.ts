/**
 * The server's pure parts: webhook authentication and events, the rate limiter, the
 * configuration's errors with their places, the layered layout and the critical path.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, parseConfig } from './config.js';
import { criticalPath, type GraphNode, layeredLayout } from './graph.js';
import { githubEvent, gitlabEvent, RateLimiter, verifyGithub, verifyGitlab } from './webhooks.js';

test('GitHub signatures: right, wrong, malformed, absent, no secret', () => {
  const body = Buffer.from('{"a":1}');
  const sig = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
  assert.equal(verifyGithub('s3cret', body, sig), undefined);
  assert.match(verifyGithub('other', body, sig) ?? '', /does not match/);
  assert.match(verifyGithub('s3cret', Buffer.from('{"a":2}'), sig) ?? '', /does not match/);
  assert.match(verifyGithub('s3cret', body, 'sha1=abc') ?? '', /malformed/);
  assert.match(verifyGithub('s3cret', body, undefined) ?? '', /not signed/);
  assert.match(verifyGithub(undefined, body, sig) ?? '', /no webhook secret/);
});

test('GitLab tokens: compared whatever their length', () => {
  assert.equal(verifyGitlab('tok', 'tok'), undefined);
  assert.match(verifyGitlab('tok', 'to') ?? '', /does not match/);
  assert.match(verifyGitlab('tok', 'a much longer token than the secret') ?? '', /does not match/);
  assert.match(verifyGitlab('tok', undefined) ?? '', /no X-Gitlab-Token/);
});

test('events: pushes and pull/merge requests start runs; deletions, closes and tags do not', () => {
  const sha = 'a'.repeat(40);
  assert.deepEqual(githubEvent('push', { ref: 'refs/heads/dev', after: sha }), {
    trigger: 'push',
    sha,
    ref: 'refs/heads/dev',
    branch: 'dev',
  });
  assert.equal(githubEvent('push', { ref: 'refs/heads/dev', after: '0'.repeat(40) }), undefined);
  assert.equal(githubEvent('push', { ref: 'refs/tags/v1', after: sha }), undefined);
  assert.deepEqual(githubEvent('pull_request', { action: 'synchronize', number: 7, pull_request: { head: { sha, ref: 'feature' } } }), {
    trigger: 'pull_request',
    sha,
    branch: 'feature',
    ref: 'refs/pull/7/head',
  });
  assert.equal(githubEvent('pull_request', { action: 'closed', pull_request: { head: { sha, ref: 'f' } } }), undefined);
  assert.equal(gitlabEvent('Push Hook', { ref: 'refs/heads/main', checkout_sha: sha })?.branch, 'main');
  assert.deepEqual(
    gitlabEvent('Merge Request Hook', { object_attributes: { action: 'open', iid: 3, source_branch: 'f', last_commit: { id: sha } } }),
    {
      trigger: 'merge_request',
      sha,
      branch: 'f',
      ref: 'refs/merge-requests/3/head',
    },
  );
  assert.equal(gitlabEvent('Merge Request Hook', { object_attributes: { action: 'merge' } }), undefined);
});

test('the rate limiter: a burst, then one per period, per address', () => {
  const r = new RateLimiter(60, 2);
  assert.equal(r.take('a', 0), undefined);
  assert.equal(r.take('a', 0), undefined);
  assert.equal(r.take('a', 0), 1);
  assert.equal(r.take('b', 0), undefined, 'another address has its own bucket');
  assert.equal(r.take('a', 1000), undefined, 'refilled after a second at 60 a minute');
});

test('configuration mistakes name their place', () => {
  const bad = (v: unknown) => {
    try {
      parseConfig(v, 'serve.json', {});
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
    assert.fail('accepted');
  };
  assert.equal(
    bad({ prot: 1 }),
    "serve.json: unknown field 'prot' (known: host, port, data, database, concurrency, publicUrl, retentionDays, tokens, readAccess, webhookRate, projects)",
  );
  assert.equal(bad({ port: 70000 }), 'serve.json: port: expected an integer from 0 to 65535');
  assert.equal(bad({ tokens: [{ token: 'short' }] }), 'serve.json: tokens[0].token: a token needs at least 16 characters');
  assert.equal(bad({ tokens: [{ token: { env: 'NOPE' } }] }), "serve.json: tokens[0].token: the environment variable 'NOPE' is not set");
  const project = (pipelines: unknown[]) => ({ projects: [{ name: 'p', repository: '.', pipelines }] });
  assert.equal(
    bad(project([{ name: 'ci', jobs: { a: { program: 'a.mel', needs: ['b'] }, b: { program: 'b.mel', needs: ['a'] } } }])),
    "serve.json: projects[0].pipelines[0].jobs: the jobs' needs form a cycle: a → b → a",
  );
  assert.equal(
    bad(project([{ name: 'ci', program: '../x.mel' }])),
    'serve.json: projects[0].pipelines[0].program: a program is a path inside the repository (no leading / and no ..)',
  );
  assert.equal(
    bad(project([{ name: 'ci', program: 'x.mel', on: ['tag'] }])),
    "serve.json: projects[0].pipelines[0].on[0]: unknown trigger 'tag' (known: push, pull_request, merge_request, schedule, manual)",
  );
  assert.equal(bad({ database: 'mysql://x' }), 'serve.json: database: expected a postgres:// URL (SQLite is used when absent)');
  assert.equal(
    bad(project([{ name: 'ci', kind: 'github' }])),
    "serve.json: projects[0].pipelines[0]: a github pipeline needs 'workflow': its workflow file in the repository (e.g. .github/workflows/ci.yml)",
  );
  assert.equal(
    bad(project([{ name: 'ci', kind: 'github', workflow: '/etc/ci.yml' }])),
    'serve.json: projects[0].pipelines[0].workflow: a workflow is a path inside the repository (no leading / and no ..)',
  );
  assert.equal(
    bad(project([{ name: 'ci', kind: 'github', workflow: 'ci.yml', platforms: { 'ubuntu-latest': 3 } }])),
    'serve.json: projects[0].pipelines[0].platforms.ubuntu-latest: expected a string',
  );
  assert.equal(
    bad(project([{ name: 'ci', kind: 'gitlab', workflow: 'ci.yml' }])),
    "serve.json: projects[0].pipelines[0].workflow: 'workflow' belongs to github pipelines, not to a gitlab pipeline",
  );
  assert.equal(
    bad(project([{ name: 'ci', kind: 'github', workflow: 'ci.yml', program: 'a.mel' }])),
    "serve.json: projects[0].pipelines[0].program: 'program' belongs to mel pipelines, not to a github pipeline",
  );
  assert.equal(
    bad(project([{ name: 'ci', file: 'x.yml' }])),
    "serve.json: projects[0].pipelines[0].file: 'file' belongs to gitlab pipelines, not to a mel pipeline",
  );
  assert.equal(
    bad(project([{ name: 'ci', kind: 'gitlab', variables: { 'A-B': 'x' } }])),
    "serve.json: projects[0].pipelines[0].variables.A-B: 'A-B' is not a valid variable name",
  );
  const ok = parseConfig(project([{ name: 'ci', kind: 'gitlab' }]), 'serve.json', {});
  assert.deepEqual(ok.projects[0]?.pipelines[0]?.gitlab, { file: '.gitlab-ci.yml', variables: {}, masked: [] });
});

test('the layered layout places every node in layers along the edges; cycles do not hang it', () => {
  const node = (i: number): GraphNode => ({ id: `n${i}`, label: `n${i}`, sub: 's', x: 0, y: 0, w: 90, h: 32 });
  const nodes = Array.from({ length: 6 }, (_, i) => node(i));
  const edges: [number, number][] = [
    [0, 1],
    [1, 2],
    [0, 3],
    [3, 4],
    [4, 1],
    [2, 0], // a cycle back to the start
  ];
  const g = layeredLayout({ nodes, edges });
  for (const [a, b] of edges.slice(0, 5)) assert.ok((nodes[a] as GraphNode).x < (nodes[b] as GraphNode).x, `${a} before ${b}`);
  assert.equal(g.layout, 'layered');
  const places = new Set(nodes.map((n) => `${n.x},${n.y}`));
  assert.equal(places.size, 6, 'no two nodes at one place');
});

test('the critical path: the chain with the largest total duration', () => {
  // 0 → 1 → 3 and 0 → 2 → 3: 2 is the slow branch.
  const edges: [number, number][] = [
    [0, 1],
    [0, 2],
    [1, 3],
    [2, 3],
  ];
  assert.deepEqual(criticalPath(4, edges, [5, 10, 50, 5]), [0, 2, 3]);
  assert.deepEqual(criticalPath(4, edges, [5, 60, 50, 5]), [0, 1, 3]);
  assert.deepEqual(criticalPath(0, [], []), []);
});
