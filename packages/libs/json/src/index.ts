/** The `json` package: descriptors of its native elements (areas `json` and `json/value`). */
import type { PackageDescriptor } from '@tutti/core';
import { jsonValue } from './json/value.js';
import { jsonElements } from './json.js';

/** The bundled `json` package, version 0.10.2. */
export const json: PackageDescriptor = {
  name: 'json',
  version: '0.10.2',
  doc: 'JSON values: parsing, validation, building and inspection.',
  elements: [...jsonElements, ...jsonValue],
};

export { jsonFromJs, jsonToJs } from './js-bridge.js';
export { isSyntaxError, JsonValue } from './json-value.js';
export { JsonSyntaxError, parseJson } from './parse.js';
export { JsonFloat, type JsonKind, JsonObject, type JsonRaw } from './raw.js';
