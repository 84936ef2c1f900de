/** The `javascript` package: descriptors of its native elements. */
import type { PackageDescriptor } from '@tutti/core';
import { javascriptElements } from './javascript.js';

/** The bundled `javascript` package, version 0.10.2. */
export const javascript: PackageDescriptor = {
  name: 'javascript',
  version: '0.10.2',
  doc: 'JavaScript evaluation on JSON values in a shared ECMAScript realm.',
  elements: [...javascriptElements],
};
export { JavaScriptEngine } from './engine.js';
