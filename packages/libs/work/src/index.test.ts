import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { fs } from '@tutti/lib-fs';
import { IpValue, net } from '@tutti/lib-net';
import { process } from '@tutti/lib-process';
import { std } from '@tutti/lib-std';
import { AccessValue, NIL_UUID } from './access.js';
import { work } from './index.js';

test('work descriptors are consistent with std, fs and process', () => {
  assert.deepEqual(validatePackages([std, net, fs, process, work]), []);
});

test('work/resources declares its elements: data types, constructors, getExecutor, getFileSystem', () => {
  const names = (kind: string, area: string) =>
    work.elements
      .filter((e) => e.kind === kind && e.area === area)
      .map((e) => e.name)
      .sort();
  assert.deepEqual(names('data', 'work/resources/arch'), ['Arch']);
  assert.deepEqual(names('function', 'work/resources/arch'), ['amd64', 'arm64']);
  assert.deepEqual(names('data', 'work/resources'), ['Container', 'Mount', 'ServiceContainer', 'Volume']);
  assert.deepEqual(names('function', 'work/resources'), ['container', 'mount', 'service_container', 'volume']);
  assert.deepEqual(names('treatment', 'work/resources'), ['getExecutor', 'getFileSystem']);
});

test('|new_access keeps valid keys, turns malformed ones into the nil UUID, and turns TLS on', () => {
  const f = work.elements.find((e) => e.kind === 'function' && e.name === 'new_access');
  assert.ok(f?.kind === 'function' && f.impl !== undefined);
  const ip = net.elements.find((e) => e.kind === 'function' && e.name === 'localhost_ipv4');
  assert.ok(ip?.kind === 'function' && ip.impl !== undefined);
  const addr = new IpValue(ip.impl([], {}) as never);
  const a = f.impl([[addr], 8080, 'F9168C5E-CEB2-4FAA-B6BF-329BF39FA1E4', 'not a uuid'], {}) as AccessValue;
  assert.ok(a instanceof AccessValue);
  assert.deepEqual(a.addresses, ['127.0.0.1']);
  assert.equal(a.port, 8080);
  assert.equal(a.remoteKey, 'f9168c5e-ceb2-4faa-b6bf-329bf39fa1e4');
  assert.equal(a.selfKey, NIL_UUID);
  assert.equal(a.tls, true);
  assert.equal(a.fingerprint, undefined);
});
