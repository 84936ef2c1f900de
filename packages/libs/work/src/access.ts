/**
 * `work/access`: where and how to reach a worker.
 *
 * An `Access` built by `distant` with the `local` location also carries the SHA-256
 * fingerprint of the certificate the worker generated at start (`--localhost`), and the
 * connection pins it. One built by `|new_access` (which has no fingerprint parameter)
 * verifies the worker's certificate against the system CAs plus the PEM file named by
 * `TUTTI_DIST_CA`, or, when `TUTTI_DIST_PIN` holds a SHA-256 fingerprint, pins that
 * certificate instead (docs/distribution.md).
 */
import { randomUUID } from 'node:crypto';
import { type DataValue, dataType, fn, type Value } from '@tutti/core';
import type { IpValue } from '@tutti/lib-net';

const area = 'work/access';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The nil UUID, which a malformed key becomes (as in the reference). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A key as a canonical UUID, or the nil UUID when malformed. */
export function canonicalKey(text: string): string {
  return UUID.test(text) ? text.toLowerCase() : NIL_UUID;
}

/** A fresh random key. */
export function newKey(): string {
  return randomUUID();
}

/** The value of `work/access::Access` (opaque: no traits). */
export class AccessValue implements DataValue {
  constructor(
    /** Addresses to try, in order (text form). */
    readonly addresses: readonly string[],
    readonly port: number,
    /** Sent to the worker, which checks it against its `--recv-key`. */
    readonly remoteKey: string,
    /** The worker must answer with it (its `--send-key`). */
    readonly selfKey: string,
    readonly tls: boolean,
    /** SHA-256 fingerprint (`AB:CD:…`) of the worker's certificate to pin, if known. */
    readonly fingerprint?: string,
  ) {}

  display(): string {
    return `Access(${this.addresses.join(', ')}:${this.port}${this.tls ? ', tls' : ''})`;
  }
}

export const access = [
  dataType(area, 'Access', {
    doc: 'Where and how to reach a worker: addresses, port, the key sent and the key expected, TLS on or off.',
  }),
  fn(area, 'new_access', {
    params: 'ip: Vec<Ip>, port: u16, remote_key: string, self_key: string',
    returns: 'Access',
    doc: 'Builds an access with TLS on; a malformed UUID becomes the nil UUID. The certificate is verified against the system CAs and `TUTTI_DIST_CA`, or pinned by `TUTTI_DIST_PIN`.',
    impl: ([ips, port, remote, self]: readonly Value[]) =>
      new AccessValue(
        (ips as readonly IpValue[]).map((i) => i.toString()),
        port as number,
        canonicalKey(remote as string),
        canonicalKey(self as string),
        true,
      ),
  }),
];
