/** `http/status` (libraries spec §11.1): the HTTP status data type and its constants. */
import { dataType, fn } from '@tutti/core';

const area = 'http/status';

const constant = (name: string, text: string) => fn(area, name, { returns: 'HttpStatus', doc: `The status \`${text}\`.` });

export const status = [
  dataType(area, 'HttpStatus', {
    traits: 'ToString PartialEquality Equality Display',
    doc: 'HTTP status; its text form is `"<code> <reason>"`, e.g. `"200 OK"`, `"404 Not Found"`.',
  }),
  fn(area, 'status', {
    params: 'code: u16',
    returns: 'Option<HttpStatus>',
    doc: 'Status of a registered IANA code; none for an unknown code.',
  }),
  constant('ok', '200 OK'),
  constant('moved_permanently', '301 Moved Permanently'),
  constant('temporary_redirect', '307 Temporary Redirect'),
  constant('permanent_redirect', '308 Permanent Redirect'),
  constant('forbidden', '403 Forbidden'),
  constant('not_found', '404 Not Found'),
];
