/**
 * The OpenAPI 3.1 document of the API, served at `/api/openapi.json`. Written by hand next
 * to the routes (server.ts); a test checks that every route the router knows is in it.
 */

const error = { $ref: '#/components/responses/Error' };
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const runId = { name: 'id', in: 'path', required: true, description: 'Run id', schema: { type: 'integer' } };
const read = [{ bearer: [] }, {}];
const write = [{ bearer: [] }];

/** The document. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'tutti serve',
      version: '0.1.0',
      description:
        'Projects, pipelines and runs of a Tutti CI server. Reads need a token unless `readAccess` is `public`; writes need a write token. Errors are `{ "error": { "code", "message" } }`.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token of the configuration (`tokens`); `?token=` works too (for EventSource).',
        },
      },
      responses: {
        Error: json(
          {
            type: 'object',
            properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
          },
          'An error',
        ),
      },
      schemas: {
        Run: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            project: { type: 'string' },
            pipeline: { type: 'string' },
            state: { enum: ['queued', 'running', 'passed', 'failed', 'cancelled', 'interrupted'] },
            trigger: { type: 'string' },
            params: { type: 'object', additionalProperties: { type: 'string' } },
            sha: { type: 'string' },
            ref: { type: 'string' },
            attempt: { type: 'integer' },
            queuedAt: { type: 'string', format: 'date-time' },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: 'string', format: 'date-time' },
            detail: { type: 'string' },
          },
        },
        Job: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            state: { enum: ['waiting', 'preparing', 'running', 'passed', 'failed', 'cancelled', 'skipped', 'interrupted'] },
            needs: { type: 'array', items: { type: 'string' } },
            attempt: { type: 'integer' },
            startedAt: { type: 'string' },
            endedAt: { type: 'string' },
            detail: { type: 'string' },
          },
        },
        Step: {
          type: 'object',
          properties: {
            job: { type: 'string' },
            name: { type: 'string' },
            state: { type: 'string' },
            runner: { type: 'string' },
            detail: { type: 'string' },
          },
        },
        Graph: {
          type: 'object',
          description:
            'A laid-out graph: nodes (id, label, sub, origin, x, y, w, h), edges as [from, to] node indices, states as [state, startMs, endMs] per node, critical as node indices.',
        },
        Project: { type: 'object', description: 'A project definition, as in the configuration file (docs/serve.md).' },
      },
    },
    paths: {
      '/api/health': { get: { summary: 'Server health', responses: { 200: json({ type: 'object' }) } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: json({ type: 'object' }) } } },
      '/api/projects': {
        get: {
          summary: 'Projects',
          security: read,
          responses: { 200: json({ type: 'object', properties: { projects: { type: 'array', items: ref('Project') } } }), 401: error },
        },
        post: {
          summary: 'Create or replace a project (not one of the configuration file)',
          security: write,
          requestBody: { required: true, content: { 'application/json': { schema: ref('Project') } } },
          responses: { 200: json(ref('Project')), 201: json(ref('Project'), 'Created'), 400: error, 401: error, 403: error, 409: error },
        },
      },
      '/api/projects/{project}': {
        parameters: [path('project', 'Project name')],
        get: { summary: 'One project', security: read, responses: { 200: json(ref('Project')), 404: error } },
        delete: {
          summary: 'Delete a project created through the API',
          security: write,
          responses: { 204: { description: 'Deleted' }, 404: error, 409: error },
        },
      },
      '/api/projects/{project}/pipelines/{pipeline}/check': {
        parameters: [path('project', 'Project name'), path('pipeline', 'Pipeline name')],
        get: {
          summary: "Check a pipeline on a fresh clone: each job's graph and diagnostics",
          security: read,
          parameters: [{ name: 'ref', in: 'query', schema: { type: 'string' }, description: 'Commit to check (default: the branch)' }],
          responses: { 200: json({ type: 'object' }), 404: error, 422: error },
        },
      },
      '/api/projects/{project}/pipelines/{pipeline}/runs': {
        parameters: [path('project', 'Project name'), path('pipeline', 'Pipeline name')],
        post: {
          summary: 'Start a run (manual trigger) with parameters',
          security: write,
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    params: { type: 'object', additionalProperties: { type: 'string' } },
                    sha: { type: 'string' },
                    ref: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: { 201: json(ref('Run'), 'Queued'), 400: error, 401: error, 404: error },
        },
      },
      '/api/runs': {
        get: {
          summary: 'Runs, newest first',
          security: read,
          parameters: [
            { name: 'project', in: 'query', schema: { type: 'string' } },
            { name: 'state', in: 'query', schema: { type: 'string' }, description: 'Comma-separated states' },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
            { name: 'before', in: 'query', schema: { type: 'integer' }, description: 'Only runs with a smaller id' },
          ],
          responses: { 200: json({ type: 'object', properties: { runs: { type: 'array', items: ref('Run') } } }) },
        },
      },
      '/api/runs/{id}': {
        parameters: [runId],
        get: {
          summary: 'A run with its jobs and steps',
          security: read,
          responses: {
            200: json({
              type: 'object',
              properties: { run: ref('Run'), jobs: { type: 'array', items: ref('Job') }, steps: { type: 'array', items: ref('Step') } },
            }),
            404: error,
          },
        },
      },
      '/api/runs/{id}/graph': {
        parameters: [runId],
        get: {
          summary: "The run's jobs with their laid-out graphs, node states and critical paths",
          security: read,
          responses: { 200: json({ type: 'object' }), 404: error },
        },
      },
      '/api/runs/{id}/logs': {
        parameters: [runId],
        get: {
          summary: "A job's log lines",
          security: read,
          parameters: [
            { name: 'job', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'label', in: 'query', schema: { type: 'string' }, description: 'Only lines of this label (a step name)' },
            {
              name: 'after',
              in: 'query',
              schema: { type: 'integer' },
              description: 'Skip the first lines (the `next` of a previous answer)',
            },
          ],
          responses: {
            200: json({ type: 'object', properties: { lines: { type: 'array' }, next: { type: 'integer' } } }),
            400: error,
            404: error,
          },
        },
      },
      '/api/runs/{id}/artifacts': {
        parameters: [runId],
        get: {
          summary: "The run's artifacts (the pipeline's `artifacts` paths, kept once the run ended)",
          security: read,
          responses: {
            200: json({
              type: 'object',
              properties: {
                artifacts: {
                  type: 'array',
                  items: { type: 'object', properties: { path: { type: 'string' }, size: { type: 'integer' } } },
                },
              },
            }),
            404: error,
          },
        },
      },
      '/api/runs/{id}/artifacts/{path}': {
        parameters: [runId, path('path', 'Artifact path (slashes allowed)')],
        get: {
          summary: 'One artifact file',
          security: read,
          responses: { 200: { description: 'The bytes', content: { 'application/octet-stream': {} } }, 404: error },
        },
      },
      '/api/runs/{id}/cancel': {
        parameters: [runId],
        post: { summary: 'Cancel a queued or running run', security: write, responses: { 202: json({ type: 'object' }), 409: error } },
      },
      '/api/runs/{id}/retry': {
        parameters: [runId],
        post: {
          summary: 'Retry one job that did not pass (and the jobs after it), or every job that did not pass',
          security: write,
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { job: { type: 'string' } } } } } },
          responses: { 202: json(ref('Run')), 404: error, 409: error },
        },
      },
      '/api/deliveries': {
        get: { summary: 'Recent webhook deliveries, accepted and refused', security: write, responses: { 200: json({ type: 'object' }) } },
      },
      '/api/events': {
        get: {
          summary: 'Live events (server-sent events): run, job, step, nodes, log, graph',
          security: read,
          parameters: [{ name: 'run', in: 'query', schema: { type: 'integer' }, description: 'Only the events of this run' }],
          responses: { 200: { description: 'An event stream', content: { 'text/event-stream': {} } } },
        },
      },
      '/hooks/github/{project}': {
        parameters: [path('project', 'Project name')],
        post: {
          summary: 'GitHub webhook (push, pull_request, ping), signed with X-Hub-Signature-256',
          responses: {
            200: json({ type: 'object' }),
            202: json({ type: 'object', properties: { runs: { type: 'array', items: { type: 'integer' } } } }),
            401: error,
            429: error,
          },
        },
      },
      '/hooks/gitlab/{project}': {
        parameters: [path('project', 'Project name')],
        post: {
          summary: 'GitLab webhook (Push Hook, Merge Request Hook), authenticated by X-Gitlab-Token',
          responses: { 202: json({ type: 'object' }), 401: error, 429: error },
        },
      },
    },
  };
}
