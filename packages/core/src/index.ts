/**
 * @tutti/core — the bottom layer: source files and spans, diagnostics, data types and
 * traits, and the descriptors of native library elements. It imports no other package.
 */
export * from './descriptor/define.js';
export * from './descriptor/descriptor.js';
export * from './descriptor/validate.js';
export * from './diagnostics.js';
export * from './runtime/compare.js';
export * from './runtime/display.js';
export * from './runtime/executive.js';
export * from './runtime/int.js';
export * from './runtime/map-each.js';
export * from './runtime/values.js';
export * from './runtime/wire.js';
export * from './source.js';
export * from './traits.js';
export * from './type-text.js';
export * from './types.js';
