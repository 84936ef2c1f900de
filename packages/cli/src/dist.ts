/**
 * `tutti dist` (docs/cli.md#tutti-dist): a worker that waits for one orchestrator, runs the
 * treatment it is sent and streams its data and logs back (docs/distribution.md). The
 * serving itself is the driver's {@link serveWorker}; this file reads the command line,
 * loads or generates the certificate, prints logs and maps the end to an exit status.
 */
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { localhostCertificate, openOutputFile, serveWorker } from '@tutti/driver';
import type { LogRecord } from '@tutti/engine';

/** A problem with the command line (exit status 2), thrown to main. */
export class DistUsageError extends Error {}

export const DIST_HELP = `Usage: tutti dist -p PORT -r UUID -s UUID [options]

Starts a worker that waits for one orchestrator (a program using distrib::start), runs the
treatment it is sent, once per distribute, and streams its inputs, outputs and logs.

  -p, --port N           port to listen on (0: a free port, printed at start)
  -r, --recv-key UUID    key the orchestrator must send (its Access's remote_key)
  -s, --send-key UUID    key answered to the orchestrator (its Access's self_key)
  -i, --ip IP            address to listen on (default 127.0.0.1)
      --localhost        TLS with a certificate generated now; its SHA-256 fingerprint is printed
  -c, --certificate PEM  TLS certificate chain (PEM file), with --key
  -k, --key PEM          TLS private key (PEM file)
      --disable-tls      plain TCP (only on a trusted network)
      --wait S           end when no orchestrator connected within S seconds (default 60)
      --duration S       end after S seconds in any case
      --logs FILE        also append log lines to FILE
      --debug FILE       accepted for compatibility; the worker writes no debug events
  -h, --help             this text

The worker ends when the orchestrator stops it, when the connection is lost (keep-alive
probes), after --wait without an orchestrator, or after --duration; exit status 0 when the
orchestrator ended it, 1 otherwise, 2 for usage problems.
`;

const seconds = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new DistUsageError(`${name} must be a number of seconds, not '${text}'`);
  return n * 1000;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs `tutti dist`; returns the exit status. */
export async function commandDist(args: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    throw new DistUsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(DIST_HELP);
    return 0;
  }
  if (parsed.positionals.length > 0) throw new DistUsageError(`unexpected argument '${parsed.positionals[0]}'`);
  if (v.port === undefined) throw new DistUsageError('--port is required');
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DistUsageError(`--port must be a port number, not '${v.port}'`);
  for (const k of ['recv-key', 'send-key'] as const) {
    if (v[k] === undefined) throw new DistUsageError(`--${k} is required`);
    if (!UUID.test(v[k] as string)) throw new DistUsageError(`--${k} must be a UUID, not '${v[k]}'`);
  }
  const ip = v.ip ?? '127.0.0.1';
  if (isIP(ip) === 0) throw new DistUsageError(`--ip must be an IP address, not '${ip}'`);
  if (v['api-report']) throw new DistUsageError('--api-report is not supported by Tutti (reports go to the orchestrator)');
  const modes = [v.localhost === true, v['disable-tls'] === true, v.certificate !== undefined || v.key !== undefined].filter(
    Boolean,
  ).length;
  if (modes > 1) throw new DistUsageError('choose one of --localhost, --disable-tls and --certificate/--key');
  if (modes === 0)
    throw new DistUsageError('TLS needs --certificate and --key, or --localhost (a generated certificate); --disable-tls turns it off');
  if ((v.certificate === undefined) !== (v.key === undefined)) throw new DistUsageError('--certificate and --key go together');
  const waitMs = seconds('--wait', v.wait) ?? 60_000;
  const durationMs = seconds('--duration', v.duration);

  let tls: { cert: string; key: string } | undefined;
  let fingerprint: string | undefined;
  if (v.localhost) {
    const c = await localhostCertificate();
    tls = { cert: c.cert, key: c.key };
    fingerprint = c.fingerprint;
  } else if (v.certificate !== undefined && v.key !== undefined) {
    try {
      tls = { cert: readFileSync(v.certificate, 'utf8'), key: readFileSync(v.key, 'utf8') };
    } catch (e) {
      throw new DistUsageError(`cannot read the certificate or key: ${(e as Error).message}`);
    }
  }
  const logFd = v.logs === undefined ? undefined : openOutputFile(v.logs, 'log file', 'a');
  const write = (r: LogRecord) => {
    const line = `[${r.time.toISOString()}] ${r.level}: ${r.label}: ${r.message}\n`;
    process.stdout.write(line);
    if (logFd !== undefined) writeSync(logFd, line);
  };
  const abort = new AbortController();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (s: NodeJS.Signals) => abort.abort(`stopped by ${s}`);
  for (const s of signals) process.on(s, onSignal);
  try {
    const result = await serveWorker({
      ip,
      port,
      recvKey: v['recv-key'] as string,
      sendKey: v['send-key'] as string,
      tls,
      waitMs,
      ...(durationMs === undefined ? {} : { durationMs }),
      log: write,
      signal: abort.signal,
      connection: connectionOptions(),
      onListening: (p) => {
        // One line a starter can read (work/distant's local location does).
        process.stdout.write(`tutti dist ready: port ${p}${fingerprint === undefined ? '' : ` sha256 ${fingerprint}`}\n`);
      },
    });
    return result.ok ? 0 : 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    if (logFd !== undefined) closeSync(logFd);
  }
}

/** Test knobs: `TUTTI_DIST_PROBE_INTERVAL_MS`, `TUTTI_DIST_PROBE_DELAY_MS`. */
function connectionOptions() {
  const n = (x: string | undefined) => (x === undefined || x === '' ? undefined : Number(x));
  const interval = n(process.env.TUTTI_DIST_PROBE_INTERVAL_MS);
  const delay = n(process.env.TUTTI_DIST_PROBE_DELAY_MS);
  return { ...(interval === undefined ? {} : { probeInterval: interval }), ...(delay === undefined ? {} : { probeAttemptDelay: delay }) };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', short: 'p' },
      'recv-key': { type: 'string', short: 'r' },
      'send-key': { type: 'string', short: 's' },
      ip: { type: 'string', short: 'i' },
      localhost: { type: 'boolean' },
      'disable-tls': { type: 'boolean' },
      certificate: { type: 'string', short: 'c' },
      key: { type: 'string', short: 'k' },
      wait: { type: 'string' },
      duration: { type: 'string' },
      logs: { type: 'string' },
      debug: { type: 'string' },
      'api-report': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
