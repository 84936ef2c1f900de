/** `http/method`: the HTTP method data type and its constants. */
import { dataType, fn } from '@tutti/core';
import { HttpMethodValue } from './method-value.js';

const area = 'http/method';

const constant = (name: string, token: Parameters<typeof HttpMethodValue.named>[0]) => {
  const value = HttpMethodValue.named(token);
  return fn(area, name, { returns: 'HttpMethod', doc: `The \`${token}\` method.`, impl: () => value });
};

export const method = [
  dataType(area, 'HttpMethod', {
    traits: 'ToString PartialEquality Equality Display',
    doc: 'HTTP method; its text form is the upper-case method name (`"GET"`).',
  }),
  fn(area, 'method', {
    params: 'name: string',
    returns: 'Option<HttpMethod>',
    doc: 'Parses an upper-case method token (standard and known extension methods); none when unknown.',
    impl: ([name]) => HttpMethodValue.of(name as string) ?? null,
  }),
  constant('delete', 'DELETE'),
  constant('get', 'GET'),
  constant('head', 'HEAD'),
  constant('options', 'OPTIONS'),
  constant('patch', 'PATCH'),
  constant('post', 'POST'),
  constant('put', 'PUT'),
  constant('trace', 'TRACE'),
];
