/**
 * The values of `net/ip`: IPv4 and IPv6 addresses and the `Ip` that
 * holds either. Parsing follows the reference's (Rust's `std::net`) strict grammar: no
 * port, no brackets, no zone id, no leading zeros in IPv4 octets (`01.2.3.4` would read as
 * octal elsewhere), at most four hex digits per IPv6 group, one `::`, and an optional
 * dotted IPv4 tail. Text output is the dotted quad and RFC 5952 for IPv6 (lower case, the
 * longest run of two or more zero groups compressed, the first of equal runs; an
 * IPv4-mapped address keeps its dotted tail, `::ffff:1.2.3.4`), as Rust prints them.
 */
import type { DataValue } from '@tutti/core';

/** An IPv4 address (`net/ip::Ipv4`). */
export class Ipv4Value implements DataValue {
  /** The four octets, most significant first. */
  readonly octets: readonly [number, number, number, number];

  constructor(a: number, b: number, c: number, d: number) {
    this.octets = [a & 0xff, b & 0xff, c & 0xff, d & 0xff];
  }

  /**
   * Strict parse of a dotted quad; undefined when `text` is not exactly one.
   *
   * @example
   * ```ts
   * Ipv4Value.parse('127.0.0.1')?.toString(); // '127.0.0.1'
   * Ipv4Value.parse('127.0.0.01'); // undefined
   * ```
   */
  static parse(text: string): Ipv4Value | undefined {
    const parts = text.split('.');
    if (parts.length !== 4) return undefined;
    const o: number[] = [];
    for (const p of parts) {
      if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
      const n = Number(p);
      if (n > 255) return undefined;
      o.push(n);
    }
    return new Ipv4Value(o[0] as number, o[1] as number, o[2] as number, o[3] as number);
  }

  toString(): string {
    return this.octets.join('.');
  }

  display(): string {
    return this.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof Ipv4Value && other.octets.every((x, i) => x === this.octets[i]);
  }
}

/** An IPv6 address (`net/ip::Ipv6`). */
export class Ipv6Value implements DataValue {
  /** The eight 16-bit groups, most significant first. */
  readonly groups: readonly number[];

  constructor(groups: readonly number[]) {
    if (groups.length !== 8) throw new Error('an IPv6 address has eight groups');
    this.groups = groups.map((g) => g & 0xffff);
  }

  /**
   * Strict parse of an IPv6 address; undefined when `text` is not exactly one.
   *
   * @example
   * ```ts
   * Ipv6Value.parse('2001:DB8:0:0:0:0:0:1')?.toString(); // '2001:db8::1'
   * Ipv6Value.parse('[::1]'); // undefined
   * ```
   */
  static parse(text: string): Ipv6Value | undefined {
    const halves = text.split('::');
    if (halves.length > 2) return undefined;
    const head = parseGroups(halves[0] as string, halves.length === 1);
    if (head === undefined) return undefined;
    if (halves.length === 1) return head.length === 8 ? new Ipv6Value(head) : undefined;
    const tail = parseGroups(halves[1] as string, true);
    if (tail === undefined) return undefined;
    // `::` stands for at least one zero group.
    if (head.length + tail.length > 7) return undefined;
    return new Ipv6Value([...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]);
  }

  toString(): string {
    const g = this.groups;
    // IPv4-mapped: ::ffff:a.b.c.d (Rust and RFC 5952 §5).
    if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
      const a = g[6] as number;
      const b = g[7] as number;
      return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
    }
    let bestStart = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; ) {
      if (g[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    const hex = (xs: readonly number[]) => xs.map((x) => x.toString(16)).join(':');
    if (bestStart === -1) return hex(g);
    return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLength))}`;
  }

  display(): string {
    return this.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof Ipv6Value && other.groups.every((x, i) => x === this.groups[i]);
  }
}

/** An IPv4 or IPv6 address (`net/ip::Ip`). */
export class IpValue implements DataValue {
  constructor(readonly address: Ipv4Value | Ipv6Value) {}

  get isIpv4(): boolean {
    return this.address instanceof Ipv4Value;
  }

  toString(): string {
    return this.address.toString();
  }

  display(): string {
    return this.address.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof IpValue && this.address.equals(other.address);
  }
}

/**
 * Groups of one side of `::` (`a:b:c`, possibly ending in a dotted IPv4 that counts for two
 * groups when `ipv4Tail` allows it); undefined when malformed. An empty side is no group.
 */
function parseGroups(text: string, ipv4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (ipv4Tail && i === parts.length - 1 && p.includes('.')) {
      const v4 = Ipv4Value.parse(p);
      if (v4 === undefined) return undefined;
      const [a, b, c, d] = v4.octets;
      groups.push((a << 8) | b, (c << 8) | d);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
    groups.push(Number.parseInt(p, 16));
  }
  return groups.length > 8 ? undefined : groups;
}
