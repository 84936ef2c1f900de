/**
 * The value of `http/status::HttpStatus`: a code and its reason phrase. `|status` knows the
 * codes of the IANA registry (Node's table less its unregistered 509); a response from a
 * peer may carry any other code, which keeps the peer's reason phrase.
 */
import { STATUS_CODES } from 'node:http';
import type { DataValue } from '@tutti/core';

/**
 * An HTTP status; text form `"<code> <reason>"`.
 *
 * @example
 * ```ts
 * HttpStatusValue.of(404)?.toString(); // '404 Not Found'
 * ```
 */
export class HttpStatusValue implements DataValue {
  private static readonly registered = new Map<number, HttpStatusValue>();

  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}

  /** The registered status `code`, or undefined when the registry has none. */
  static of(code: number): HttpStatusValue | undefined {
    let s = HttpStatusValue.registered.get(code);
    if (s === undefined) {
      const reason = code === 509 ? undefined : STATUS_CODES[code];
      if (reason === undefined) return undefined;
      s = new HttpStatusValue(code, reason);
      HttpStatusValue.registered.set(code, s);
    }
    return s;
  }

  /** The status of a response: the registered one, else `code` with the peer's reason. */
  static received(code: number, reason: string | undefined): HttpStatusValue {
    return HttpStatusValue.of(code) ?? new HttpStatusValue(code, reason ?? '');
  }

  toString(): string {
    return `${this.code} ${this.reason}`;
  }

  display(): string {
    return this.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof HttpStatusValue && other.code === this.code;
  }
}
