import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namesPrerelease09, parseRequirement, type Requirement, satisfies, satisfiesBundled } from './requirement.js';

const req = (t: string) => {
  const r = parseRequirement(t);
  if ('error' in r) throw new Error(r.error);
  return r as Requirement;
};
const ok = (t: string, v: string) => satisfies(v, req(t));

test('version requirements have Cargo semantics', () => {
  assert.ok(ok('1.2.3', '1.9.0') && !ok('1.2.3', '2.0.0'));
  assert.ok(ok('0.10.2', '0.10.9') && !ok('0.10.2', '0.11.0'));
  assert.ok(ok('0.0.3', '0.0.3') && !ok('0.0.3', '0.0.4'));
  assert.ok(ok('~1.2', '1.2.9') && !ok('~1.2', '1.3.0'));
  assert.ok(ok('~1', '1.9.9') && !ok('~1', '2.0.0'));
  assert.ok(ok('=1.2', '1.2.5') && !ok('=1.2', '1.3.0'));
  assert.ok(ok('>1.2', '1.3.0') && !ok('>1.2', '1.2.9'));
  assert.ok(ok('<=1.2', '1.2.9') && !ok('<=1.2', '1.3.0'));
  assert.ok(ok('>= 0.9, < 0.11', '0.10.2'));
  assert.ok(ok('1.*', '1.5.0') && ok('*', '9.0.0') && ok('x', '0.1.0'));
  assert.ok(ok('1.2.3+build', '1.2.3'));
  assert.ok(!ok('1.2.3', '1.3.0-alpha') && ok('1.3.0-alpha', '1.3.0-alpha.2'));
});

test('malformed requirements are refused', () => {
  for (const t of ['', 'ten.two', '>=0.9 <0.11', '1.2.3.4', '> =1', 'std', '1. 2']) assert.ok('error' in parseRequirement(t), t);
});

test('bundled packages answer 0.9 requirements, pre-release pins of 0.9 included', () => {
  for (const t of ['^0.9', '~0.9.0', '=0.9.1', '=0.9.0-pre.3', '=0.9.2-pre.0']) assert.ok(satisfiesBundled('0.10.2', req(t)), t);
  for (const t of ['^0.11', '=0.8.0', '=0.10.0-pre.1']) assert.ok(!satisfiesBundled('0.10.2', req(t)), t);
  assert.ok(namesPrerelease09(req('=0.9.0-pre.3')) && !namesPrerelease09(req('^0.9')) && !namesPrerelease09(req('*')));
});
