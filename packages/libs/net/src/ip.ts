/** `net/ip`: IP address data types, constructors and conversions. */
import { dataType, fn, mapEach, treatment, type Value } from '@tutti/core';
import { IpValue, Ipv4Value, Ipv6Value } from './address.js';

const area = 'net/ip';

const ipTraits = 'ToString TryToString Display';

export const ip = [
  dataType(area, 'Ip', {
    traits: ipTraits,
    doc: 'IPv4 or IPv6 address; text form is the dotted quad or the RFC 5952 compressed IPv6.',
  }),
  dataType(area, 'Ipv4', { traits: ipTraits, doc: 'IPv4 address.' }),
  dataType(area, 'Ipv6', { traits: ipTraits, doc: 'IPv6 address.' }),

  fn(area, 'from_ipv4', {
    params: 'ipv4: Ipv4',
    returns: 'Ip',
    doc: 'Wraps an IPv4 address as an `Ip`.',
    impl: ([v]) => new IpValue(v as Ipv4Value),
  }),
  fn(area, 'from_ipv6', {
    params: 'ipv6: Ipv6',
    returns: 'Ip',
    doc: 'Wraps an IPv6 address as an `Ip`.',
    impl: ([v]) => new IpValue(v as Ipv6Value),
  }),
  fn(area, 'as_ipv4', { params: 'ip: Ip', returns: 'Option<Ipv4>', doc: 'The IPv4 address when `ip` is one.', impl: ([v]) => asV4(v) }),
  fn(area, 'as_ipv6', { params: 'ip: Ip', returns: 'Option<Ipv6>', doc: 'The IPv6 address when `ip` is one.', impl: ([v]) => asV6(v) }),
  fn(area, 'is_ipv4', { params: 'ip: Ip', returns: 'bool', doc: 'Whether `ip` is an IPv4 address.', impl: ([v]) => (v as IpValue).isIpv4 }),
  fn(area, 'is_ipv6', {
    params: 'ip: Ip',
    returns: 'bool',
    doc: 'Whether `ip` is an IPv6 address.',
    impl: ([v]) => !(v as IpValue).isIpv4,
  }),
  fn(area, 'ipv4', {
    params: 'a: u8, b: u8, c: u8, d: u8',
    returns: 'Ipv4',
    doc: 'IPv4 address from its octets.',
    impl: (a) => new Ipv4Value(a[0] as number, a[1] as number, a[2] as number, a[3] as number),
  }),
  fn(area, 'ipv6', {
    params: 'a: u16, b: u16, c: u16, d: u16, e: u16, f: u16, g: u16, h: u16',
    returns: 'Ipv6',
    doc: 'IPv6 address from its eight 16-bit groups.',
    impl: (a) => new Ipv6Value(a as number[]),
  }),
  fn(area, 'to_ipv4', {
    params: 'text: string',
    returns: 'Option<Ipv4>',
    doc: 'Strict parse of an IPv4 address (no port, no brackets, no zone id).',
    impl: ([t]) => Ipv4Value.parse(t as string) ?? null,
  }),
  fn(area, 'to_ipv6', {
    params: 'text: string',
    returns: 'Option<Ipv6>',
    doc: 'Strict parse of an IPv6 address (no port, no brackets, no zone id).',
    impl: ([t]) => Ipv6Value.parse(t as string) ?? null,
  }),
  fn(area, 'localhost_ipv4', { returns: 'Ipv4', doc: '`127.0.0.1`.', impl: () => LOCALHOST_V4 }),
  fn(area, 'unspecified_ipv4', { returns: 'Ipv4', doc: '`0.0.0.0`.', impl: () => UNSPECIFIED_V4 }),
  fn(area, 'localhost_ipv6', { returns: 'Ipv6', doc: '`::1`.', impl: () => LOCALHOST_V6 }),
  fn(area, 'unspecified_ipv6', { returns: 'Ipv6', doc: '`::`.', impl: () => UNSPECIFIED_V6 }),

  treatment(area, 'fromIpv4', {
    inputs: { ipv4: 'Stream<Ipv4>' },
    outputs: { ip: 'Stream<Ip>' },
    doc: 'Wraps every IPv4 address as an `Ip`.',
    run: ({ inputs, outputs }) => mapEach(inputs.ipv4, outputs.ip, (v) => new IpValue(v as Ipv4Value)),
  }),
  treatment(area, 'fromIpv6', {
    inputs: { ipv6: 'Stream<Ipv6>' },
    outputs: { ip: 'Stream<Ip>' },
    doc: 'Wraps every IPv6 address as an `Ip`.',
    run: ({ inputs, outputs }) => mapEach(inputs.ipv6, outputs.ip, (v) => new IpValue(v as Ipv6Value)),
  }),
  treatment(area, 'asIpv4', {
    inputs: { ip: 'Stream<Ip>' },
    outputs: { ipv4: 'Stream<Option<Ipv4>>' },
    doc: 'Extracts the IPv4 address of every `Ip` of that family (none otherwise).',
    run: ({ inputs, outputs }) => mapEach(inputs.ip, outputs.ipv4, asV4),
  }),
  treatment(area, 'asIpv6', {
    inputs: { ip: 'Stream<Ip>' },
    outputs: { ipv6: 'Stream<Option<Ipv6>>' },
    doc: 'Extracts the IPv6 address of every `Ip` of that family (none otherwise).',
    run: ({ inputs, outputs }) => mapEach(inputs.ip, outputs.ipv6, asV6),
  }),
  treatment(area, 'isIpv4', {
    inputs: { ip: 'Stream<Ip>' },
    outputs: { ipv4: 'Stream<bool>' },
    doc: 'Tells for every `Ip` whether it is an IPv4 address.',
    run: ({ inputs, outputs }) => mapEach(inputs.ip, outputs.ipv4, (v) => (v as IpValue).isIpv4),
  }),
  treatment(area, 'isIpv6', {
    inputs: { ip: 'Stream<Ip>' },
    outputs: { ipv6: 'Stream<bool>' },
    doc: 'Tells for every `Ip` whether it is an IPv6 address.',
    run: ({ inputs, outputs }) => mapEach(inputs.ip, outputs.ipv6, (v) => !(v as IpValue).isIpv4),
  }),
  treatment(area, 'toIpv4', {
    inputs: { text: 'Stream<string>' },
    outputs: { ipv4: 'Stream<Option<Ipv4>>' },
    doc: 'Strictly parses every text as an IPv4 address (none when invalid).',
    run: ({ inputs, outputs }) => mapEach(inputs.text, outputs.ipv4, (t) => Ipv4Value.parse(t as string) ?? null),
  }),
  treatment(area, 'toIpv6', {
    inputs: { text: 'Stream<string>' },
    outputs: { ipv6: 'Stream<Option<Ipv6>>' },
    doc: 'Strictly parses every text as an IPv6 address (none when invalid).',
    run: ({ inputs, outputs }) => mapEach(inputs.text, outputs.ipv6, (t) => Ipv6Value.parse(t as string) ?? null),
  }),
];

const LOCALHOST_V4 = new Ipv4Value(127, 0, 0, 1);
const UNSPECIFIED_V4 = new Ipv4Value(0, 0, 0, 0);
const LOCALHOST_V6 = new Ipv6Value([0, 0, 0, 0, 0, 0, 0, 1]);
const UNSPECIFIED_V6 = new Ipv6Value([0, 0, 0, 0, 0, 0, 0, 0]);

function asV4(v: Value): Ipv4Value | null {
  const a = (v as IpValue).address;
  return a instanceof Ipv4Value ? a : null;
}

function asV6(v: Value): Ipv6Value | null {
  const a = (v as IpValue).address;
  return a instanceof Ipv6Value ? a : null;
}
