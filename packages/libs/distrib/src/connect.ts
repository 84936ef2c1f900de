/**
 * Opening a connection to a worker described by an `Access`: TCP to the first reachable
 * address, TLS unless the access disables it, and the certificate check:
 *
 * - an access carrying a fingerprint (built by `distant`, local location) pins it: the
 *   worker's certificate must have exactly that SHA-256 fingerprint;
 * - otherwise `TUTTI_DIST_PIN` (a fingerprint) pins, else the certificate must chain to
 *   the system CAs or to the PEM file named by `TUTTI_DIST_CA`, for the address as name.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { rootCertificates, type TLSSocket, connect as tlsConnect } from 'node:tls';

/** What {@link openSocket} needs from an access. */
export interface Target {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly tls: boolean;
  readonly fingerprint?: string;
}

/** Normalises a fingerprint to upper-case hex pairs joined by colons. */
export function normalFingerprint(f: string): string {
  const hex = f.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

/** Connects to the first reachable address; rejects with the last error. */
export async function openSocket(t: Target, timeout: number): Promise<Socket | TLSSocket> {
  if (t.addresses.length === 0) throw new Error('the access has no address');
  let last: Error | undefined;
  for (const host of t.addresses) {
    try {
      return await connectOne(host, t, timeout);
    } catch (e) {
      last = e as Error;
    }
  }
  throw last ?? new Error('no address reachable');
}

function connectOne(host: string, t: Target, timeout: number): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    let socket: Socket | TLSSocket;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${t.port} within ${timeout / 1000} s`));
    }, timeout);
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`cannot connect to ${host}:${t.port}: ${e.message}`));
    };
    if (!t.tls) {
      socket = netConnect({ host, port: t.port }, () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', fail);
      return;
    }
    const pin = t.fingerprint ?? process.env.TUTTI_DIST_PIN;
    const caFile = process.env.TUTTI_DIST_CA;
    const options =
      pin !== undefined && pin !== ''
        ? {
            host,
            port: t.port,
            minVersion: 'TLSv1.3' as const,
            // The pin replaces chain validation: only this exact certificate is accepted.
            rejectUnauthorized: false,
          }
        : {
            host,
            port: t.port,
            minVersion: 'TLSv1.3' as const,
            ...(caFile === undefined ? {} : { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] }),
          };
    const s = tlsConnect(options, () => {
      if (pin !== undefined && pin !== '') {
        const got = normalFingerprint(s.getPeerCertificate().fingerprint256 ?? '');
        if (got !== normalFingerprint(pin)) {
          fail(new Error(`the worker's certificate (${got}) is not the pinned one (${normalFingerprint(pin)})`));
          return;
        }
      } else if (!s.authorized) {
        fail(new Error(`the worker's certificate is not trusted: ${String(s.authorizationError)}`));
        return;
      }
      clearTimeout(timer);
      s.off('error', fail);
      s.setNoDelay(true);
      resolve(s);
    });
    socket = s;
    s.once('error', fail);
  });
}
