/** `http/status`: the HTTP status data type and its constants. */
import { dataType, fn } from '@tutti/core';
import { HttpStatusValue } from './status-value.js';

const area = 'http/status';

const constant = (name: string, code: number) => {
  const value = HttpStatusValue.of(code) as HttpStatusValue;
  return fn(area, name, { returns: 'HttpStatus', doc: `The status \`${value}\`.`, impl: () => value });
};

export const status = [
  dataType(area, 'HttpStatus', {
    traits: 'ToString PartialEquality Equality Display',
    doc: 'HTTP status; its text form is `"<code> <reason>"`, e.g. `"200 OK"`, `"404 Not Found"`.',
  }),
  fn(area, 'status', {
    params: 'code: u16',
    returns: 'Option<HttpStatus>',
    doc: 'Status of a registered IANA code; none for an unknown code.',
    impl: ([code]) => HttpStatusValue.of(code as number) ?? null,
  }),
  constant('ok', 200),
  constant('moved_permanently', 301),
  constant('temporary_redirect', 307),
  constant('permanent_redirect', 308),
  constant('forbidden', 403),
  constant('not_found', 404),
];
