/**
 * The value of `http/method::HttpMethod`: an upper-case method token. The known tokens are
 * those of the reference's HTTP stack (the standard methods and the WebDAV/versioning
 * extensions of `http-types`); `|method` only accepts them, written in upper case as the
 * reference asks, so a typo is a none rather than a route nobody can reach.
 */
import type { DataValue } from '@tutti/core';

const KNOWN = [
  'ACL',
  'BASELINE-CONTROL',
  'BIND',
  'CHECKIN',
  'CHECKOUT',
  'CONNECT',
  'COPY',
  'DELETE',
  'GET',
  'HEAD',
  'LABEL',
  'LINK',
  'LOCK',
  'MERGE',
  'MKACTIVITY',
  'MKCALENDAR',
  'MKCOL',
  'MKREDIRECTREF',
  'MKWORKSPACE',
  'MOVE',
  'OPTIONS',
  'ORDERPATCH',
  'PATCH',
  'POST',
  'PRI',
  'PROPFIND',
  'PROPPATCH',
  'PUT',
  'REBIND',
  'REPORT',
  'SEARCH',
  'TRACE',
  'UNBIND',
  'UNCHECKOUT',
  'UNLINK',
  'UNLOCK',
  'UPDATE',
  'UPDATEREDIRECTREF',
  'VERSION-CONTROL',
] as const;

/**
 * An HTTP method.
 *
 * @example
 * ```ts
 * HttpMethodValue.of('GET')?.toString(); // 'GET'
 * HttpMethodValue.of('get'); // undefined
 * ```
 */
export class HttpMethodValue implements DataValue {
  private static readonly all = new Map(KNOWN.map((m) => [m, new HttpMethodValue(m)]));

  private constructor(readonly name: string) {}

  /** The method named `token` (upper case), or undefined when unknown. */
  static of(token: string): HttpMethodValue | undefined {
    return HttpMethodValue.all.get(token as (typeof KNOWN)[number]);
  }

  /** The method `token`, known to exist. */
  static named(token: (typeof KNOWN)[number]): HttpMethodValue {
    return HttpMethodValue.all.get(token) as HttpMethodValue;
  }

  toString(): string {
    return this.name;
  }

  display(): string {
    return this.name;
  }

  equals(other: unknown): boolean {
    return other instanceof HttpMethodValue && other.name === this.name;
  }
}
