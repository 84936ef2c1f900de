/** The `encoding` package: descriptors of its native elements. */
import type { PackageDescriptor } from '@tutti/core';
import { encodingElements } from './encoding.js';

/** The bundled `encoding` package, version 0.10.2. */
export const encoding: PackageDescriptor = {
  name: 'encoding',
  version: '0.10.2',
  doc: 'Text decoding and encoding in the WHATWG Encoding Standard encodings.',
  elements: [...encodingElements],
};
export type { StreamDecoder } from './codec.js';
export { createDecoder } from './decoder.js';
