import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor } from '@tutti/core';
import { http } from './index.js';
import type { HttpMethodValue } from './method-value.js';
import { Router } from './router.js';
import { uuid128 } from './server-model.js';

const call = (name: string, ...args: unknown[]) =>
  (http.elements.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor).impl?.(args, {});

test('|method knows the standard and extension methods, in upper case only', () => {
  assert.equal(String(call('method', 'PROPFIND')), 'PROPFIND');
  assert.equal(String(call('method', 'GET')), 'GET');
  assert.equal(call('method', 'get'), null);
  assert.equal(call('method', 'BREW'), null);
  for (const m of ['delete', 'get', 'head', 'options', 'patch', 'post', 'put', 'trace']) assert.equal(String(call(m)), m.toUpperCase());
  assert.ok((call('post') as HttpMethodValue).equals(call('method', 'POST')));
});

test('|status knows registered codes with their reason', () => {
  assert.equal(String(call('status', 404)), '404 Not Found');
  assert.equal(String(call('status', 422)), '422 Unprocessable Entity');
  assert.equal(call('status', 299), null);
  assert.equal(call('status', 509), null);
  const constants: Record<string, string> = {
    ok: '200 OK',
    moved_permanently: '301 Moved Permanently',
    temporary_redirect: '307 Temporary Redirect',
    permanent_redirect: '308 Permanent Redirect',
    forbidden: '403 Forbidden',
    not_found: '404 Not Found',
  };
  for (const [name, text] of Object.entries(constants)) assert.equal(String(call(name)), text);
});

test('routes: literals, :name parameters and a * rest; the most specific route wins', () => {
  const r = new Router<string>();
  assert.ok(r.add('GET', '/users/:id', 'user'));
  assert.ok(r.add('GET', '/users/me', 'me'));
  assert.ok(r.add('GET', '/files/*', 'files'));
  assert.ok(r.add('GET', '/', 'root'));
  assert.ok(r.add('POST', '/users/:id/posts/:post', 'post'));
  assert.equal(r.add('GET', 'no-slash', 'x'), false);
  assert.equal(r.add('GET', '/a/*/b', 'x'), false);
  assert.equal(r.add('GET', '/a/:', 'x'), false);
  assert.equal(r.add('GET', '/a/:x/:x', 'x'), false);
  assert.equal(r.match('GET', '/users/42')?.route.target, 'user');
  assert.deepEqual(r.match('GET', '/users/42')?.parameters, [['id', '42']]);
  assert.equal(r.match('GET', '/users/me')?.route.target, 'me');
  assert.equal(r.match('GET', '/users/me/')?.route.target, 'me');
  assert.equal(r.match('GET', '/files/a/b/c')?.route.target, 'files');
  assert.equal(r.match('GET', '/files')?.route.target, 'files');
  assert.equal(r.match('GET', '/')?.route.target, 'root');
  assert.deepEqual(r.match('POST', '/users/a%20b/posts/7')?.parameters, [
    ['id', 'a b'],
    ['post', '7'],
  ]);
  assert.equal(r.match('GET', '/users'), undefined);
  assert.equal(r.match('GET', '/users/1/2'), undefined);
  assert.equal(r.match('DELETE', '/users/1'), undefined);
});

test('routes without *: literal routes are found by path as the general rule finds them', () => {
  const r = new Router<string>();
  r.add('GET', '/json', 'json');
  r.add('GET', '/json', 'second json');
  r.add('GET', '/users/:id', 'user');
  r.add('GET', '/users/me/', 'me');
  r.add('GET', '/a//b', 'double');
  r.add('GET', '/', 'root');
  const expect: [string, string | undefined][] = [
    ['/json', 'json'],
    ['/json/', 'json'],
    ['/json//', undefined],
    ['/users/me', 'me'],
    ['/users/me/', 'me'],
    ['/users/you', 'user'],
    ['/a//b', 'double'],
    ['/a/b', undefined],
    ['/', 'root'],
  ];
  for (const [path, target] of expect) assert.equal(r.match('GET', path)?.route.target, target, path);
  assert.deepEqual(r.match('GET', '/json')?.parameters, []);
  // A `*` route joins: the general rule decides again (`/users/me/*` is longer, and wins).
  r.add('GET', '/users/me/*', 'rest');
  assert.equal(r.match('GET', '/users/me')?.route.target, 'rest');
  assert.equal(r.match('GET', '/json')?.route.target, 'json');
});

test('request ids are distinct random UUID v4 values (version 4, RFC variant) across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const text = uuid128().toString(16).padStart(32, '0');
    const uuid = `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(uuid);
  }
  assert.equal(seen.size, 600);
});
