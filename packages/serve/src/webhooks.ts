/**
 * Webhook deliveries from GitHub and GitLab: authenticity first, then the event.
 *
 * - GitHub signs the raw body with the hook's secret: `X-Hub-Signature-256: sha256=<hex
 *   HMAC-SHA256>`. The HMAC is recomputed and compared in constant time.
 * - GitLab sends the secret itself in `X-Gitlab-Token`. Both sides are hashed (SHA-256)
 *   before the constant-time compare, so neither the length nor a prefix leaks.
 *
 * A project without a configured secret refuses every delivery: an unsigned hook could be
 * sent by anyone.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Checks GitHub's `X-Hub-Signature-256` header of `body`; the reason when refused. */
export function verifyGithub(secret: string | undefined, body: Buffer, header: string | undefined): string | undefined {
  if (secret === undefined || secret === '') return 'no webhook secret is configured for this project';
  if (header === undefined) return 'the delivery is not signed (no X-Hub-Signature-256 header)';
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (m === null) return 'the X-Hub-Signature-256 header is malformed';
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(m[1] as string, 'hex');
  return timingSafeEqual(expected, given) ? undefined : 'the signature does not match';
}

/** Checks GitLab's `X-Gitlab-Token` header; the reason when refused. */
export function verifyGitlab(secret: string | undefined, header: string | undefined): string | undefined {
  if (secret === undefined || secret === '') return 'no webhook secret is configured for this project';
  if (header === undefined) return 'the delivery has no X-Gitlab-Token header';
  const a = createHash('sha256').update(secret).digest();
  const b = createHash('sha256').update(header).digest();
  return timingSafeEqual(a, b) ? undefined : 'the token does not match';
}

/** What a delivery asks for: a trigger, a commit and a ref; undefined for events that start nothing. */
export interface HookEvent {
  readonly trigger: 'push' | 'pull_request' | 'merge_request';
  readonly sha: string;
  /** A branch name (without `refs/heads/`). */
  readonly branch: string;
  readonly ref: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const ZERO = /^0+$/;

/** Reads a GitHub event (`X-GitHub-Event`); undefined when it starts no run (ping, a deleted branch, a closed PR). */
export function githubEvent(name: string, payload: unknown): HookEvent | undefined {
  const p = obj(payload);
  if (name === 'push') {
    const sha = text(p.after);
    const ref = text(p.ref);
    if (sha === undefined || ref === undefined || ZERO.test(sha) || !ref.startsWith('refs/heads/')) return undefined;
    return { trigger: 'push', sha, ref, branch: ref.slice('refs/heads/'.length) };
  }
  if (name === 'pull_request') {
    if (!['opened', 'synchronize', 'reopened'].includes(String(p.action))) return undefined;
    const head = obj(obj(p.pull_request).head);
    const sha = text(head.sha);
    const branch = text(head.ref);
    if (sha === undefined || branch === undefined) return undefined;
    return { trigger: 'pull_request', sha, branch, ref: `refs/pull/${String(p.number ?? '')}/head` };
  }
  return undefined;
}

/** Reads a GitLab event (`X-Gitlab-Event`); undefined when it starts no run. */
export function gitlabEvent(name: string, payload: unknown): HookEvent | undefined {
  const p = obj(payload);
  if (name === 'Push Hook') {
    const sha = text(p.checkout_sha) ?? text(p.after);
    const ref = text(p.ref);
    if (sha === undefined || ref === undefined || ZERO.test(sha) || !ref.startsWith('refs/heads/')) return undefined;
    return { trigger: 'push', sha, ref, branch: ref.slice('refs/heads/'.length) };
  }
  if (name === 'Merge Request Hook') {
    const a = obj(p.object_attributes);
    if (!['open', 'reopen', 'update'].includes(String(a.action))) return undefined;
    const sha = text(obj(a.last_commit).id);
    const branch = text(a.source_branch);
    if (sha === undefined || branch === undefined) return undefined;
    return { trigger: 'merge_request', sha, branch, ref: `refs/merge-requests/${String(a.iid ?? '')}/head` };
  }
  return undefined;
}

/**
 * A token bucket per remote address: `burst` deliveries at once, refilled at `perMinute`.
 * Buckets that are full again are forgotten, so the map stays as small as the active senders.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  /** Takes one token for `key`; returns the seconds to wait when there is none. */
  take(key: string, now = Date.now()): number | undefined {
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return Math.ceil((1 - b.tokens) / rate / 1000);
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000)
      for (const [k, v] of this.buckets) if (v.tokens + (now - v.at) * rate >= this.burst) this.buckets.delete(k);
    return undefined;
  }
}
