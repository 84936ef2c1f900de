/**
 * The `net` package: IP address types of the area `net/ip`. It has no
 * `.mel` areas.
 */
import type { PackageDescriptor } from '@tutti/core';
import { ip } from './ip.js';

/** The bundled `net` package, version 0.10.2. */
export const net: PackageDescriptor = {
  name: 'net',
  version: '0.10.2',
  doc: 'Network addresses: IPv4/IPv6 data types, constructors, parsing and conversions.',
  elements: [...ip],
};
export { IpValue, Ipv4Value, Ipv6Value } from './address.js';
