/**
 * A self-signed certificate for `tutti dist --localhost`, generated at start and never
 * written to disk: ECDSA P-256 through WebCrypto, X.509 through `@peculiar/x509` (Node 20
 * has no certificate generator; `selfsigned` wraps the same library with more
 * dependencies). The orchestrator pins it by its SHA-256 fingerprint, which the worker
 * prints when it starts (docs/distribution.md).
 */
import { createHash, webcrypto } from 'node:crypto';

/** A PEM certificate and key, and the certificate's SHA-256 fingerprint (`AB:CD:…`). */
export interface GeneratedCertificate {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** Generates a certificate for 127.0.0.1, ::1 and localhost, valid for 30 days. */
export async function localhostCertificate(): Promise<GeneratedCertificate> {
  // Loaded here, not at the top: it weighs about a quarter of a second at start-up, and only
  // `tutti dist --localhost` needs it.
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: 'CN=localhost',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 30 * 86_400_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  const der = Buffer.from(cert.rawData);
  const fingerprint = (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) as string[]).join(':');
  return { cert: cert.toString('pem'), key, fingerprint };
}
