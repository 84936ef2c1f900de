/**
 * `tutti serve`: the CI server and its studio (docs/serve.md). The server is
 * `@tutti/serve`, loaded only when this command runs, so other commands pay nothing for it.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setWorkerCommand } from '@tutti/lib-work';

/** A problem with the command line or the configuration (exit status 2), thrown to main. */
export class ServeUsageError extends Error {}

export const SERVE_HELP = `Usage: tutti serve [--config FILE] [--port N] [--data DIR] [--host IP]

Starts a CI server: webhooks from GitHub and GitLab, cron schedules and manual runs start
pipelines of your projects (git repositories); runs are queued, executed in this process,
and recorded (SQLite in DIR, or PostgreSQL); the studio, a web page at the printed URL, shows
each run's graph live with its logs. A pipeline is a .mel program's entrypoints (kind mel),
a GitHub workflow file (kind github) or a .gitlab-ci.yml (kind gitlab).

  -c, --config FILE   configuration (JSON; docs/serve.md): projects, pipelines, tokens,
                      database, concurrency, retention
  -p, --port N        port (default: the configuration's, else 8080; 0 picks a free one)
  -d, --data DIR      data directory: database, run workspaces, logs (default ./tutti-data)
      --host IP       address to listen on (default 127.0.0.1)
  -h, --help          this text

The API is described at /api/openapi.json. Stop with Ctrl-C or SIGTERM: running runs are
marked interrupted, queued runs wait for the next start.
`;

/** What the CLI hands to `tutti serve`, which runs from a bundle of its own. */
export interface ServeHost {
  /**
   * The command that starts `tutti dist` workers (work/distant's `local` location). The serve
   * bundle has its own copy of `@tutti/lib-work`, whose worker command the CLI's
   * `setWorkerCommand` does not reach: it is set here for the programs serve runs.
   */
  readonly workerCommand?: readonly string[];
}

/** Runs `tutti serve` until SIGINT/SIGTERM; returns the exit status. */
export async function commandServe(args: readonly string[], host: ServeHost = {}): Promise<number> {
  if (host.workerCommand !== undefined) setWorkerCommand(host.workerCommand);
  let values: { config?: string; port?: string; data?: string; host?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...args],
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        data: { type: 'string', short: 'd' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new ServeUsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const serve = await import('@tutti/serve');
  let config: import('@tutti/serve').ServeConfig;
  try {
    const base = values.config === undefined ? serve.parseConfig({}) : serve.readConfig(values.config);
    let port = base.port;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535) throw new ServeUsageError(`--port must be a port number, not '${values.port}'`);
    }
    config = {
      ...base,
      port,
      ...(values.data === undefined ? {} : { data: resolve(values.data) }),
      ...(values.host === undefined ? {} : { host: values.host }),
    };
  } catch (e) {
    if (e instanceof serve.ConfigError) throw new ServeUsageError(e.message);
    throw e;
  }
  let server: import('@tutti/serve').RunningServer;
  try {
    server = await serve.startServer(config);
  } catch (e) {
    if (e instanceof serve.ConfigError) throw new ServeUsageError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')
      throw new ServeUsageError(`cannot listen on ${config.host}:${config.port}: ${err.code}`);
    if (err.code === 'ECONNREFUSED' || err.code === '28P01' || err.code === '3D000')
      throw new ServeUsageError(`cannot open the database: ${err.message}`);
    throw e;
  }
  process.stdout.write(
    `tutti serve: listening on ${server.url} (studio: ${server.url}/, API: ${server.url}/api/openapi.json; store: ${server.store.kind})\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(`tutti serve: ${signal}, stopping (running runs are marked interrupted)\n`);
  await server.close();
  return 0;
}
