/** The `regex` package: descriptors of its native elements. */
import type { PackageDescriptor } from '@tutti/core';
import { regexElements } from './regex.js';

/** The bundled `regex` package, version 0.10.2. */
export const regex: PackageDescriptor = {
  name: 'regex',
  version: '0.10.2',
  doc: 'Regular expressions (Rust `regex` dialect): matching, finding, capturing and replacing.',
  elements: [...regexElements],
};
