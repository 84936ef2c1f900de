import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { IpValue, Ipv4Value, Ipv6Value } from './address.js';
import { net } from './index.js';

const fnOf = (name: string) => net.elements.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor;
const treatmentOf = (name: string) => net.elements.find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor;
const call = (name: string, ...args: unknown[]) => fnOf(name).impl?.(args, {});

test('IPv4 parsing is strict', () => {
  for (const t of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.0.20.3']) assert.equal(Ipv4Value.parse(t)?.toString(), t, t);
  for (const t of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.256',
    '1.2.3.4:80',
    ' 1.2.3.4',
    '1.2.3.-4',
    '1..3.4',
    '0x1.2.3.4',
    '1.2.3.4/8',
  ])
    assert.equal(Ipv4Value.parse(t), undefined, t);
});

test('IPv6 parsing is strict and text is RFC 5952', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:0db8:0000:0000:0001:0000:0000:0000', '2001:db8:0:0:1::'], // the longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [input, text] of cases) assert.equal(Ipv6Value.parse(input)?.toString(), text, input);
  for (const t of [
    '',
    ':',
    ':::',
    '1::2::3',
    '[::1]',
    '::1%eth0',
    '12345::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4::5:6:7:8',
    ':1::',
    '1::2:',
    'g::',
    '1.2.3.4',
    '::1.2.3',
    '::1.2.3.4:5',
  ])
    assert.equal(Ipv6Value.parse(t), undefined, t);
});

test('net/ip functions build, wrap and inspect addresses', () => {
  const v4 = call('ipv4', 192, 168, 1, 2) as Ipv4Value;
  assert.equal(v4.toString(), '192.168.1.2');
  const v6 = call('ipv6', 0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x1) as Ipv6Value;
  assert.equal(v6.toString(), '2001:db8::1');
  const ip4 = call('from_ipv4', v4) as IpValue;
  const ip6 = call('from_ipv6', v6) as IpValue;
  assert.equal(ip4.display(), '192.168.1.2');
  assert.equal(call('is_ipv4', ip4), true);
  assert.equal(call('is_ipv6', ip4), false);
  assert.equal(call('is_ipv6', ip6), true);
  assert.equal(call('as_ipv4', ip4), v4);
  assert.equal(call('as_ipv4', ip6), null);
  assert.equal(call('as_ipv6', ip6), v6);
  assert.equal(String(call('localhost_ipv4')), '127.0.0.1');
  assert.equal(String(call('unspecified_ipv4')), '0.0.0.0');
  assert.equal(String(call('localhost_ipv6')), '::1');
  assert.equal(String(call('unspecified_ipv6')), '::');
  assert.equal(call('to_ipv4', '1.2.3.04'), null);
  assert.ok((call('to_ipv6', 'FE80::1') as Ipv6Value).equals(Ipv6Value.parse('fe80:0::1')));
});

test('net/ip treatments map every value of the stream', async () => {
  const parsed = await runTreatment(treatmentOf('toIpv4'), { inputs: { text: { batches: [['1.2.3.4', 'x'], ['0.0.0.0']] } } });
  assert.deepEqual(
    parsed.outputs.ipv4?.map((v) => (v === null ? null : String(v))),
    ['1.2.3.4', null, '0.0.0.0'],
  );
  const v6 = Ipv6Value.parse('::1') as Ipv6Value;
  const wrapped = await runTreatment(treatmentOf('fromIpv6'), { inputs: { ipv6: [v6] } });
  const ip = wrapped.outputs.ip?.[0] as IpValue;
  assert.equal(ip.toString(), '::1');
  const family = await runTreatment(treatmentOf('isIpv4'), { inputs: { ip: [ip, new IpValue(new Ipv4Value(1, 2, 3, 4))] } });
  assert.deepEqual(family.outputs.ipv4, [false, true]);
  const as6 = await runTreatment(treatmentOf('asIpv6'), { inputs: { ip: [ip] } });
  assert.equal(as6.outputs.ipv6?.[0], v6);
});
