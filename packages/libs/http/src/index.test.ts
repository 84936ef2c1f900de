import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { elementIdentifier, validatePackages } from '@tutti/core';
import { net } from '@tutti/lib-net';
import { std } from '@tutti/lib-std';
import { http } from './index.js';

test('http descriptors are consistent with std and net', () => {
  assert.deepEqual(validatePackages([std, net, http]), []);
});

test('http declares its native elements: methods, statuses, client and server models', () => {
  const count = (kind: string) => http.elements.filter((e) => e.kind === kind).length;
  const sources = http.elements.filter((e) => e.kind === 'treatment' && e.source !== undefined);
  assert.equal(count('data'), 2);
  assert.equal(count('function'), 16);
  assert.equal(count('model'), 2);
  assert.equal(count('context'), 1);
  assert.equal(count('treatment') - sources.length, 4);
  assert.deepEqual(sources.map((s) => s.name).sort(), ['failedBinding', 'incoming']);
});

test('http ships its .mel areas', () => {
  assert.ok(http.melRoot !== undefined);
  for (const f of ['client.mel', 'client/util.mel', 'server.mel']) assert.ok(existsSync(join(http.melRoot, f)), f);
});

test('every use of the http .mel areas designates an existing element', () => {
  const packages = [std, net, http];
  const melRoot = http.melRoot ?? '';
  const files: Record<string, string> = {
    'http/client': 'client.mel',
    'http/client/util': 'client/util.mel',
    'http/server': 'server.mel',
  };
  const ids = new Set(packages.flatMap((p) => p.elements.map((e) => elementIdentifier(e))));
  for (const [area, file] of Object.entries(files)) {
    const text = readFileSync(join(melRoot, file), 'utf8');
    for (const [a, f] of Object.entries(files))
      for (const m of readFileSync(join(melRoot, f), 'utf8').matchAll(/^treatment (\w+)/gm)) ids.add(`${a}::${m[1]}`);
    for (const m of text.matchAll(/^use ([\w/]+)::([|@]?\w+)/gm)) {
      const [root, ...rest] = (m[1] as string).split('/');
      const target = root === 'root' ? ['http', ...rest].join('/') : root === 'local' ? [area, ...rest].join('/') : m[1];
      assert.ok(ids.has(`${target}::${m[2]}`), `${file}: use ${m[1]}::${m[2]}`);
    }
  }
});
